"""Every related choice (screens' search, add and edit forms, the API's `_info`) is limited to the
user's stores: a DLA1 seller or cashier never reads YDE1's customers, staff or the store (issue 13)."""
import json
import re

import pytest
from flask_appbuilder import ModelView

from app.core.api import BoutiqueModelRestApi
from tests.conftest import DEMO, sign_in

YDE1_CUSTOMER = "Zacharie Secretyde"
YDE1_PHONE = "+237 690 77 70 77"
YDE1_USER = "Yolande Seulementyde"
YDE1_STORE = "Yaoundé Centre"
MARKERS = [YDE1_CUSTOMER, YDE1_PHONE, YDE1_USER.split()[1], YDE1_STORE]


@pytest.fixture
def yde1_people(app):
    """A YDE1 customer and a user of YDE1 only."""
    from sqlalchemy import select

    from app.customers.models import Customer
    from app.extensions import db, security_manager
    from app.security import hash_password
    from app.stores.models import Store
    from app.stores.services import add_user_to_store

    with app.app_context():
        store = db.session.execute(select(Store).where(Store.code == "YDE1")).scalar_one()
        db.session.add(Customer(name=YDE1_CUSTOMER, phone=YDE1_PHONE, store_id=store.id, is_active=True))
        sm = security_manager()
        first, last = YDE1_USER.split()
        user = sm.user_model(username="yolande@boutique.cm", email="yolande@boutique.cm", first_name=first,
                             last_name=last, active=True, roles=[sm.find_role("SALES")],
                             password=hash_password("yolande123!"))
        db.session.add(user)
        db.session.flush()
        add_user_to_store(store, user)
        db.session.commit()
        db.session.remove()


def _plain(text):
    """The page with the \\uXXXX escapes of the search form's JSON widgets undone."""
    return re.sub(r"\\u([0-9a-fA-F]{4})", lambda match: chr(int(match.group(1), 16)), text)


def _leaks(text):
    text = _plain(text)
    return [marker for marker in MARKERS if marker in text]


def _list_pages(app):
    return [f"{view.route_base}/list/" for view in app.appbuilder.baseviews
            if isinstance(view, ModelView) and f"{type(view).__name__}.list" in app.view_functions]


def _add_forms(app):
    return [f"{view.route_base}/add" for view in app.appbuilder.baseviews
            if isinstance(view, ModelView) and f"{type(view).__name__}.add" in app.view_functions]


def _infos(app):
    return [f"/api/v1/{view.resource_name}/_info" for view in app.appbuilder.baseviews
            if isinstance(view, BoutiqueModelRestApi) and f"{type(view).__name__}.info" in app.view_functions]


@pytest.mark.parametrize("role", ["SALES", "CASHIER"])
def test_a_dla1_users_screens_offer_no_yde1_customer_user_or_store(app, client, yde1_people, role):
    sign_in(client, role)
    seen = 0
    for url in _list_pages(app) + _add_forms(app):
        answer = client.get(url)
        if answer.status_code != 200:
            continue
        seen += 1
        assert _leaks(answer.get_data(as_text=True)) == [], url
    assert seen >= 5


def test_a_list_search_form_offers_only_the_sellers_store(client, yde1_people):
    sign_in(client, "SALES")
    page = client.get("/customermodelview/list/").get_data(as_text=True)
    assert "Douala Akwa" in _plain(page)  # the store filter is there, with the seller's own store
    assert _leaks(page) == []
    sales = client.get("/salemodelview/list/").get_data(as_text=True)
    assert 'data-testid="list-filters"' in sales and _leaks(sales) == []  # the sales list's own bar


@pytest.mark.parametrize("role", ["SALES", "CASHIER"])
def test_a_dla1_users_api_info_offers_no_yde1_customer_user_or_store(app, api_as, yde1_people, role):
    api = api_as(role)
    seen = 0
    for url in _infos(app):
        answer = api.get(url)
        if answer.status_code != 200:
            continue
        seen += 1
        assert _leaks(json.dumps(answer.get_json(), ensure_ascii=False)) == [], url
    assert seen >= 3


def test_the_stock_infos_offer_only_the_cashiers_store(as_cashier, yde1_people):
    for api in (as_cashier,):
        for resource in ("stock", "stock-movements", "stock-counts"):
            answer = api.get(f"/api/v1/{resource}/_info")
            if answer.status_code == 200:
                assert _leaks(json.dumps(answer.get_json(), ensure_ascii=False)) == [], resource


def test_an_admin_still_sees_every_store_customer_and_user(app, client, as_admin, yde1_people):
    sign_in(client, "ADMIN")
    page = _plain(client.get("/customermodelview/list/").get_data(as_text=True))
    assert YDE1_CUSTOMER in page and YDE1_STORE in page
    assert "Seulementyde" in _plain(client.get("/auditlogmodelview/list/").get_data(as_text=True))
    assert re.search(r">YDE1</a>", client.get("/salemodelview/list/").get_data(as_text=True))  # the bar's stores
    info = json.dumps(as_admin.get("/api/v1/stock-movements/_info").get_json(), ensure_ascii=False)
    assert YDE1_STORE in info and "Seulementyde" in info
    info = json.dumps(as_admin.get("/api/v1/customers/_info").get_json(), ensure_ascii=False)
    assert YDE1_STORE in info


def test_a_transfer_still_offers_every_destination(as_stocker):
    fields = as_stocker.get("/api/v1/transfers/_info").get_json()["add_columns"]
    destinations = {value["value"] for field in fields if field["name"] == "destination_store"
                    for value in field["values"]}
    assert any(YDE1_STORE in value for value in destinations) and any("Douala" in value for value in destinations)
