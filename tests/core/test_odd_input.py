"""Odd input never gets a 500 (SPEC §10: bad input answers 4xx with a French message, loses nothing).

The sweeps send, to every REST resource and every generated screen, values that used to reach
PostgreSQL and fail there: ids beyond the integer column, "abc" for a related id, amounts beyond
Decimal's precision, the NUL character, a negative page. The precise answers are checked below them.
"""
import prison
import pytest
from flask_appbuilder import ModelView
from flask_appbuilder.api import ModelRestApi

from tests.pos.fixtures import login

HUGE = 2**70
ODD = [True, -1, HUGE, 1e308, "1e400", "NaN", "abc", "", "x" * 3000, [], {}, [HUGE], "a\u0000"]
# Each sweep runs as PARTS tests over a share of the resources, so that the test workers share it.
PARTS = 4
sweep_part = pytest.mark.parametrize("part", range(PARTS))


def _rest_apis(app, part):
    apis = [view for view in app.appbuilder.baseviews if isinstance(view, ModelRestApi)]
    assert len(apis) >= 15
    return apis[part::PARTS]


def _screens(app, part):
    views = [view for view in app.appbuilder.baseviews if isinstance(view, ModelView)]
    assert len(views) >= 15
    return views[part::PARTS]


@sweep_part
def test_every_rest_resource_answers_odd_values_without_a_500(app, as_admin, part):
    failures = []
    for api in _rest_apis(app, part):
        base = f"/api/v1/{api.resource_name}/"
        for column in sorted(set(api.add_columns or []) | set(api.edit_columns or [])):
            for value in ODD:
                for answer in (as_admin.post(base, json={column: value}), as_admin.put(f"{base}1", json={column: value})):
                    if answer.status_code >= 500:
                        failures.append((base, column, repr(value)[:20], answer.status_code))
        for q in ["(page:-1)", f"(page:{HUGE})", "(page_size:-5)", "(filters:!((col:id,opr:eq,value:abc)))",
                  f"(filters:!((col:id,opr:eq,value:{HUGE})))", "(order_column:zz,order_direction:up)"]:
            if as_admin.get(base, query_string={"q": q}).status_code >= 500:
                failures.append((base, q))
        for pk in [HUGE, "abc", 0, -1]:
            for answer in (as_admin.get(f"{base}{pk}"), as_admin.put(f"{base}{pk}", json={}),
                           as_admin.delete(f"{base}{pk}")):
                if answer.status_code >= 500:
                    failures.append((base, pk, answer.status_code))
    assert failures == []


@sweep_part
def test_every_generated_screen_answers_odd_ids_and_values_without_a_500(app, client, part):
    login(client, "ADMIN")
    failures = []
    for view in _screens(app, part):
        base = f"/{view.route_base.strip('/')}"
        for pk in [HUGE, "abc", -1, 0]:
            for action in ("show", "edit", "delete"):
                if client.get(f"{base}/{action}/{pk}").status_code >= 500:
                    failures.append((base, action, pk))
        for column in view.add_columns or []:
            for value in [-1, HUGE, "1e400", "abc", "x" * 3000, "a\u0000"]:
                if client.post(f"{base}/add", data={column: value}).status_code >= 500:
                    failures.append((base, column, repr(value)[:20]))
        for query in [f"_flt_0_id={HUGE}", "_flt_0_id=abc"]:
            if client.get(f"{base}/list/?{query}").status_code >= 500:
                failures.append((base, query))
    assert failures == []


def test_the_nul_character_is_refused_at_the_door(as_admin, client):
    for answer in (as_admin.post("/api/v1/customers/", json={"name": "a\u0000b", "phone": "677000000"}),
                   as_admin.get("/api/v1/sales/", query_string={"q": "(filters:!((col:number,opr:ct,value:'\u0000')))"}),
                   as_admin.post("/api/v1/payments/", json={"sale": 1, "method": "CASH", "amount": 5},
                                 headers={"Idempotency-Key": "a\u0000"})):
        assert answer.status_code == 400
        assert answer.get_json() == {"message": "Le caractère nul (U+0000) n'est pas accepté."}
    login(client, "ADMIN")
    page = client.get("/stock/levels/list/?search=a%00")
    assert page.status_code == 400 and "Le caractère nul (U+0000)" in page.get_data(as_text=True)


def test_an_id_beyond_the_integer_column_is_not_found(as_admin, client):
    for url in (f"/api/v1/sales/{HUGE}", f"/api/v1/customers/{HUGE}"):
        assert as_admin.get(url).status_code == 404
    for answer in (as_admin.put(f"/api/v1/customers/{HUGE}", json={"name": "x"}),
                   as_admin.delete(f"/api/v1/customers/{HUGE}"), as_admin.post(f"/api/v1/sales/{HUGE}/submit/")):
        assert answer.status_code == 404 and answer.get_json() == {"message": "Introuvable."}
    login(client, "ADMIN")
    assert client.get(f"/customermodelview/show/{HUGE}").status_code in (302, 404)


def test_a_negative_page_is_a_400(as_admin):
    answer = as_admin.get("/api/v1/sales/", query_string={"q": "(page:-1)"})
    assert answer.status_code == 400
    assert answer.get_json() == {"message": "Numéro de page invalide (0 ou plus)."}


@pytest.mark.parametrize("value", ["abc", HUGE, 1.5, {"id": "x"}, "１２"])
def test_a_related_id_that_names_no_row_is_a_field_error(as_admin, value):
    answer = as_admin.post("/api/v1/customers/", json={"name": "Client", "phone": "677000000", "store": value})
    assert answer.status_code == 422
    assert answer.get_json()["errors"] == {"store": ["Identifiant invalide."]}


def test_a_plain_query_id_beyond_the_column_is_a_400(as_admin):
    answer = as_admin.get("/api/v1/stock/", query_string={"store": HUGE})
    assert answer.status_code == 400
    assert answer.get_json()["message"] == "Paramètre « store » : identifiant attendu."


@sweep_part
def test_every_rest_filter_answers_odd_values_without_a_500(app, as_admin, part):
    failures = []
    for api in _rest_apis(app, part):
        base = f"/api/v1/{api.resource_name}/"
        for column, filters in api._filters.get_search_filters().items():
            operators = {filters[0].arg_name} | {f.arg_name for f in filters if f.arg_name in ("in", "rel_o_m")}
            for operator in operators:
                for value in [HUGE, "abc", -1, True, 1.5, None, [HUGE], {}, "1e400"]:
                    query = prison.dumps({"filters": [{"col": column, "opr": operator, "value": value}]})
                    answer = as_admin.get(base, query_string={"q": query})
                    if answer.status_code >= 500:
                        failures.append((base, column, operator, repr(value)[:20]))
    assert failures == []


@sweep_part
def test_every_screen_filter_answers_odd_values_without_a_500(app, client, part):
    login(client, "ADMIN")
    failures = []
    for view in _screens(app, part):
        base = f"/{view.route_base.strip('/')}"
        for column, filters in view._filters.get_search_filters().items():
            for index in sorted({0, len(filters) - 1}):
                for value in [HUGE, "abc", "1e400", "x" * 300]:
                    if client.get(f"{base}/list/?_flt_{index}_{column}={value}").status_code >= 500:
                        failures.append((base, column, index, repr(value)[:20]))
    assert failures == []


def test_amount_and_yes_no_filters_work_on_postgresql(app, client, as_admin):
    """FAB left amounts and booleans as text: `numeric = varchar` failed on every such filter."""
    from tests.factories import make_product

    with app.app_context():
        make_product("FLT-1", "Filtre par prix", sale_price="45000")
        make_product("FLT-2", "Filtre inactif", sale_price="12000", is_active=False)
    login(client, "ADMIN")
    by_price = client.get("/catalog/products/list/?_flt_0_sale_price=45000")
    assert by_price.status_code == 200 and "FLT-1" in by_price.get_data(as_text=True)
    assert "FLT-2" not in by_price.get_data(as_text=True)
    inactive = client.get("/catalog/products/list/?_flt_0_is_active=n").get_data(as_text=True)
    assert "FLT-2" in inactive and "FLT-1" not in inactive
    query = prison.dumps({"filters": [{"col": "is_active", "opr": "eq", "value": False}], "page_size": 100})
    found = [row["sku"] for row in as_admin.get("/api/v1/products/", query_string={"q": query}).get_json()["result"]]
    assert "FLT-2" in found and "FLT-1" not in found


def test_a_number_searched_in_a_text_column_is_taken_as_text(as_admin):
    query = prison.dumps({"filters": [{"col": "name", "opr": "sw", "value": 5}]})
    answer = as_admin.get("/api/v1/customers/", query_string={"q": query})
    assert answer.status_code == 200


def test_an_in_filter_needs_a_list(as_admin):
    query = prison.dumps({"filters": [{"col": "id", "opr": "in", "value": 3}]})
    answer = as_admin.get("/api/v1/stock/", query_string={"q": query})
    assert answer.status_code == 400 and answer.get_json()["message"] == "Filtre sur « id » : valeur invalide."


def test_a_screen_in_filter_takes_a_list_typed_in_its_text_box(app, client):
    from tests.factories import make_product

    with app.app_context():
        for sku, price in (("IN-1", "45000"), ("IN-2", "85000"), ("IN-3", "12000")):
            make_product(sku, f"Filtre parmi {sku}", sale_price=price)
    login(client, "ADMIN")
    page = client.get("/catalog/products/list/", query_string={
        "_flt_4_sale_price": "45 000; 85000", "psize_ProductModelView": 100})
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "IN-1" in text and "IN-2" in text and "IN-3" not in text


def test_a_value_the_database_refuses_is_a_400_and_nothing_is_kept(as_cashier, monkeypatch):
    """The last net: a value that slipped past the checks and that PostgreSQL refused (SQLSTATE 22)."""
    from sqlalchemy.exc import DataError

    from app.sales import services

    def refused(*args, **kwargs):
        raise DataError("SELECT ...", {}, Exception("integer out of range"))

    monkeypatch.setattr(services, "payment_queue", refused)
    answer = as_cashier.get("/api/v1/sales/queue/")
    assert answer.status_code == 400
    assert answer.get_json() == {"message": "Valeur refusée : hors limites ou mal formée. Rien n'a été enregistré."}


def test_a_value_the_database_refuses_on_a_page_is_a_400_page(client, monkeypatch):
    from sqlalchemy.exc import DataError

    from app.pos import views

    def refused(*args, **kwargs):
        raise DataError("SELECT ...", {}, Exception("invalid input syntax"))

    monkeypatch.setattr(views.catalog, "search_products", refused)
    client.post("/login/", data={"username": "vendeur1@boutique.cm", "password": "vendeur123!"})
    page = client.get("/pos/1/search?q=routeur")
    assert page.status_code == 400
    assert "Valeur refusée : hors limites ou mal formée." in page.get_data(as_text=True)
