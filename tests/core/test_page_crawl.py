"""Every back-office page answers, never a 500: as ADMIN and MANAGER, each GET page without
parameters and the show and edit pages of one record of each ModelView."""
import pytest
from flask_appbuilder import ModelView
from sqlalchemy import select

from tests.alerts import rbac as alerts
from tests.cashier import rbac as cashier
from tests.catalog import rbac as catalog
from tests.conftest import DEMO, sign_in
from tests.credits import rbac as credits
from tests.customers import rbac as customers
from tests.purchases import rbac as purchases
from tests.sales import rbac as sales
from tests.stock import rbac as stock

DOMAINS = (catalog, stock, customers, sales, cashier, alerts, credits, purchases)

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
    """The demo data and a record of each kind: those each domain makes for the RBAC matrix."""
    from app.extensions import db

    with app.app_context():
        for domain in DOMAINS:
            domain.make_targets()
        found = _pages(app), _downloads(app)
        db.session.remove()
    return found


def test_no_back_office_page_answers_500(app, records):
    pages, downloads = records
    # every ModelView but FAB's groups (unused) and product specs has a record to show and edit
    assert len([page for page in pages if "/show/" in page]) >= len(downloads) - 2 > 25
    for role in ("ADMIN", "MANAGER"):
        client = sign_in(app.test_client(), role)
        answers = {}
        for page in pages + downloads:
            try:
                answers[page] = client.get(page).status_code
            except Exception as exc:  # noqa: BLE001 - the test client re-raises what would be a 500
                answers[page] = f"{type(exc).__name__}: {exc}"
        assert [(page, status) for page, status in answers.items() if status == 500 or isinstance(status, str)] == []
        # FAB's file download of a ModelView: no model has a file column, the route names nothing.
        assert {answers[page] for page in downloads} == {404}, role


@pytest.mark.parametrize("role,stores", [("MANAGER", ["DLA1", "YDE1"]), ("SALES", ["DLA1"])])
def test_the_profile_page_shows_the_users_account_and_stores(client, role, stores):
    page = sign_in(client, role).get("/users/userinfo/")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    shown = text.split('data-testid="user-stores"')[1].split("</div>")[0]
    assert DEMO[role][0] in text and [code for code in ("DLA1", "YDE1") if code in shown] == stores
