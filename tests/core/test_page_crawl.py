"""Every back-office page answers, never a 500: as ADMIN and MANAGER, each GET page without
parameters and the show and edit pages of one record of each ModelView."""
import pytest
from flask_appbuilder import ModelView
from sqlalchemy import select

from tests.conftest import DEMO, sign_in
from tests.factories import make_customer, make_pending_sale, make_shop, open_shift_for, store_by_code, user_by_email

SKIPPED = ("/api/", "/static", "/appbuilder/", "/logout", "/health")


def _pages(app):
    """The GET pages without parameters, and the show/edit pages of one row of each ModelView."""
    from app.extensions import db

    appbuilder = app.appbuilder
    pages = sorted({rule.rule for rule in app.url_map.iter_rules()
                    if "GET" in rule.methods and not rule.arguments and not rule.rule.startswith(SKIPPED)})
    for view in appbuilder.baseviews:
        if not isinstance(view, ModelView):
            continue
        model = view.datamodel.obj
        pk = db.session.execute(select(model.id).order_by(model.id).limit(1)).scalar()
        if pk is None:
            continue
        prefix = view.route_base
        pages += [f"{prefix}/{action}/{pk}" for action in ("show", "edit")
                  if f"{view.endpoint}.{action}" in app.view_functions]
    return pages


def _downloads(app):
    """FAB's file download route of each ModelView (no model has a file column)."""
    return [f"{view.route_base}/download/facture.pdf" for view in app.appbuilder.baseviews
            if isinstance(view, ModelView)]


@pytest.fixture
def records(app):
    """A row in the tables the demo data leaves empty: a pending sale and an open shift."""
    from app.catalog.models import Product
    from app.extensions import db

    shop = make_shop(app)
    with app.app_context():
        dla = store_by_code("DLA1")
        seller, cashier = user_by_email("vendeur1@boutique.cm"), user_by_email("caissier@boutique.cm")
        make_pending_sale(dla, seller, [(db.session.get(Product, shop.router), 1)], customer=make_customer(dla))
        open_shift_for(cashier, dla)
        pages = _pages(app), _downloads(app)
        db.session.remove()
    return pages


@pytest.mark.parametrize("role", ["ADMIN", "MANAGER"])
def test_no_back_office_page_answers_500(app, records, role):
    pages, downloads = records
    client = sign_in(app.test_client(), role)
    failures = []
    for page in pages + downloads:
        try:
            status = client.get(page).status_code
        except Exception as exc:  # noqa: BLE001 - the test client re-raises what a page would turn into a 500
            status = f"{type(exc).__name__}: {exc}"
        if status == 500 or not isinstance(status, int):
            failures.append((page, status))
    assert not failures, failures
    assert len(pages) > 100 and len(downloads) > 25
    assert {client.get(page).status_code for page in downloads} == {404}


@pytest.mark.parametrize("role,stores", [("MANAGER", ["DLA1", "YDE1"]), ("SALES", ["DLA1"])])
def test_the_profile_page_shows_the_users_account_and_stores(client, role, stores):
    page = sign_in(client, role).get("/users/userinfo/")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    shown = text.split('data-testid="user-stores"')[1].split("</div>")[0]
    assert DEMO[role][0] in text and [code for code in ("DLA1", "YDE1") if code in shown] == stores
