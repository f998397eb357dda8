"""The sales report's filters (seller, category with its subcategories, payment method) apply to the
totals, the table and the Excel export alike; their choices are words, scoped to the user's stores."""
import io

import pytest
from openpyxl import load_workbook

from app.catalog.models import Category
from app.extensions import db
from tests.conftest import sign_in
from tests.factories import make_product, make_store, make_user, user_by_email
from tests.reports.builders import local, paid_sale, shift
from tests.reports.test_kpis import D

PHONE, ROUTER, SWITCH = 11925, 59625, 23850


@pytest.fixture
def shop(app):
    """On D: Valérie sells a phone and a router (cash); Marc a router (mobile money) and a switch
    (half cash, half mobile money). Routeurs and Commutateurs are under Réseau."""
    with app.app_context():
        store = make_store("FLT1", "Magasin des filtres")
        make_user("vendeuse.flt@boutique.cm", "vendeur123!", "SALES", stores=[store])
        valerie, marc = user_by_email("vendeur1@boutique.cm"), user_by_email("manager@boutique.cm")
        till = shift(store, user_by_email("caissier@boutique.cm"))
        phones = Category(name="Téléphones test")
        network = Category(name="Réseau test")
        db.session.add_all([phones, network])
        db.session.flush()
        routers = Category(name="Routeurs test", parent_id=network.id)
        switches = Category(name="Commutateurs test", parent_id=network.id)
        db.session.add_all([routers, switches])
        db.session.commit()
        phone = make_product("FLT-PHONE", "Téléphone", sale_price=str(PHONE), category_id=phones.id)
        router = make_product("FLT-ROUTER", "Routeur", sale_price=str(ROUTER), category_id=routers.id)
        switch = make_product("FLT-SWITCH", "Commutateur", sale_price=str(SWITCH), category_id=switches.id)
        paid_sale(store, valerie, till, local(2026, 11, 10, 9),
                  [(phone, 1, PHONE, "7000"), (router, 1, ROUTER, "30000")], [("CASH", str(PHONE + ROUTER))])
        paid_sale(store, marc, till, local(2026, 11, 10, 11), [(router, 1, ROUTER, "30000")],
                  [("MOBILE_MONEY", str(ROUTER))])
        paid_sale(store, marc, till, local(2026, 11, 10, 12), [(switch, 1, SWITCH, "15000")],
                  [("CASH", str(SWITCH // 2)), ("MOBILE_MONEY", str(SWITCH // 2))])
        db.session.commit()
        return {"store": store.id, "valerie": valerie.id, "marc": marc.id, "phones": phones.id,
                "network": network.id, "routers": routers.id}


def rows(client, shop, group_by, **filters):
    query = "&".join(f"{k}={v}" for k, v in filters.items())
    answer = client.get(f"/api/v1/reports/sales/?store={shop['store']}&date_from={D}&date_to={D}"
                        f"&group_by={group_by}&{query}")
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()["result"]


def day(client, shop, **filters):
    (row,) = rows(client, shop, "day", **filters)
    return row["sales_count"], row["items_sold"], int(row["revenue"])


def test_without_a_filter_every_sale_counts(as_admin, shop):
    assert day(as_admin, shop) == (3, 4, PHONE + 2 * ROUTER + SWITCH)
    by_category = {r["label"]: (r["sales_count"], r["items_sold"]) for r in rows(as_admin, shop, "category")}
    assert by_category == {"Routeurs test": (2, 2), "Commutateurs test": (1, 1), "Téléphones test": (1, 1)}


def test_the_seller_filter_keeps_the_sellers_sales(as_admin, shop):
    assert day(as_admin, shop, seller=shop["marc"]) == (2, 2, ROUTER + SWITCH)
    assert [r["label"] for r in rows(as_admin, shop, "seller", seller=shop["marc"])] == ["Marc Manga"]


def test_the_category_filter_keeps_the_categorys_lines(as_admin, shop):
    # Valérie's basket counts for its phone only, not its router.
    assert day(as_admin, shop, category=shop["phones"]) == (1, 1, PHONE)
    methods = rows(as_admin, shop, "payment_method", category=shop["phones"])
    assert {r["group"]: r["revenue"] for r in methods} == {"CASH": str(PHONE)}  # the phone's part of the cash
    by_category = rows(as_admin, shop, "category", category=shop["phones"])
    assert [(r["label"], r["revenue"]) for r in by_category] == [("Téléphones test", str(PHONE))]


def test_the_category_filter_takes_its_subcategories(as_admin, shop):
    assert day(as_admin, shop, category=shop["network"]) == (3, 3, 2 * ROUTER + SWITCH)
    assert day(as_admin, shop, category=shop["routers"]) == (2, 2, 2 * ROUTER)
    methods = rows(as_admin, shop, "payment_method", category=shop["network"])
    assert {r["group"]: r["revenue"] for r in methods} == {"CASH": str(ROUTER + SWITCH // 2),
                                                           "MOBILE_MONEY": str(ROUTER + SWITCH // 2)}


def test_the_method_filter_keeps_the_sales_paid_by_it(as_admin, shop):
    assert day(as_admin, shop, method="MOBILE_MONEY") == (2, 2, ROUTER + SWITCH)
    methods = rows(as_admin, shop, "payment_method", method="MOBILE_MONEY")
    assert {r["group"]: r["revenue"] for r in methods} == {"MOBILE_MONEY": str(ROUTER + SWITCH // 2)}
    assert day(as_admin, shop, method="CASH", seller=shop["valerie"]) == (1, 2, PHONE + ROUTER)


@pytest.mark.parametrize("query,field", [("category=999999", "category"), ("category=abc", "category"),
                                         ("method=BITCOIN", "method"), ("seller=-1", "seller")])
def test_bad_filters_are_422_in_french(as_admin, query, field):
    answer = as_admin.get(f"/api/v1/reports/sales/?{query}")
    assert answer.status_code == 422 and field in answer.get_json()["errors"]


def test_the_export_and_the_screen_apply_the_filters(client, shop):
    sign_in(client, "ADMIN")
    base = f"/reports/sales/?store={shop['store']}&date_from={D}&date_to={D}&method=MOBILE_MONEY"
    book = load_workbook(io.BytesIO(client.get(base + "&format=xlsx").data))
    assert [row[1:4] for row in book["Par jour"].iter_rows(min_row=2, values_only=True)] == [(2, 2, ROUTER + SWITCH)]
    assert book["Ventes"].max_row == 1 + 2
    page = client.get(base + f"&category={shop['phones']}").get_data(as_text=True)
    assert 'data-testid="sales-report-totals"><strong>0</strong>' in page  # no phone paid by mobile money
    page = client.get(base + "&group_by=seller").get_data(as_text=True)
    totals = page.split('data-testid="sales-report-totals">')[1].split("</p>")[0]
    assert "<strong>2</strong>" in totals and "83 475" in totals.replace("\u202f", " ").replace("\xa0", " ")
    assert 'value="MOBILE_MONEY" selected' in page and "Mobile money" in page
    bad = client.get("/reports/sales/?method=BITCOIN")
    assert bad.status_code == 200 and "Valeur inconnue" in bad.get_data(as_text=True)


def test_the_choices_are_words_of_the_users_stores(app, client, shop):
    sign_in(client, "MANAGER")
    page = client.get("/reports/sales/").get_data(as_text=True)
    assert "Valérie Ndongo" in page and "Réseau test &gt; Routeurs test" in page and "Virement bancaire" in page
    assert "vendeuse.flt" not in page  # she works in FLT1 only, not in the manager's stores
    admin = sign_in(app.test_client(), "ADMIN")
    assert "vendeuse.flt Test" in admin.get("/reports/sales/").get_data(as_text=True)
