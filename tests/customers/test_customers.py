"""Customers: phone checked as an international number (default Cameroon), stored E.164; scoped by store."""
import pytest

from app.customers.services import display_phone, normalise_phone
from app.core.errors import ValidationFailed
from tests.factories import make_customer, store_by_code


@pytest.mark.parametrize("typed,stored", [
    ("6 99 11 22 33", "+237699112233"),
    ("699112233", "+237699112233"),
    ("+237 6 77 12 34 56", "+237677123456"),
    ("00237 222 23 00 02", "+237222230002"),
    ("+33 6 12 34 56 78", "+33612345678"),  # an international number stays as it is
])
def test_phones_are_normalised(typed, stored):
    assert normalise_phone(typed) == stored


@pytest.mark.parametrize("typed", ["12", "abc", "6 99 11", "+237 1 23"])
def test_bad_phones_are_refused(typed):
    with pytest.raises(ValidationFailed) as error:
        normalise_phone(typed)
    assert "phone" in error.value.errors


def test_display_phone():
    assert display_phone("+237699112233") == "+237 6 99 11 22 33"


def test_a_seller_adds_a_customer(shop, as_seller):
    answer = as_seller.post("/api/v1/customers/", json={
        "name": "  Établissements Fotso  ", "phone": "6 99 11 22 33", "email": "Contact@Fotso.CM",
        "tax_id": "m0123456789", "store": shop.dla})
    assert answer.status_code == 201, answer.get_json()
    customer = as_seller.get(f"/api/v1/customers/{answer.get_json()['id']}").get_json()["result"]
    assert (customer["name"], customer["phone"], customer["email"], customer["tax_id"]) == (
        "Établissements Fotso", "+237699112233", "contact@fotso.cm", "M0123456789")
    found = as_seller.get("/api/v1/customers/?q=(filters:!((col:phone,opr:ct,value:'699112233')))").get_json()
    assert found["count"] == 1


@pytest.mark.parametrize("body,field", [
    ({"name": "X", "phone": "123", "store": 1}, "phone"),
    ({"name": "", "phone": "699112233", "store": 1}, "name"),
    ({"name": "X", "phone": "699112233"}, "store"),
    ({"name": "X", "store": "abc"}, "store"),  # a malformed id stays a field error
])
def test_bad_customers_answer_422(shop, as_seller, body, field):
    answer = as_seller.post("/api/v1/customers/", json=body)
    assert answer.status_code == 422, answer.get_json()
    assert field in answer.get_json().get("errors", {}), answer.get_json()


def test_another_stores_home_store_is_not_found(app, shop, client, as_seller):
    """A DLA1 seller naming YDE1 gets the one answer for a store that is not theirs: 404, nothing written."""
    from sqlalchemy import func, select

    from app.customers.models import Customer
    from app.extensions import db

    with app.app_context():
        mine = make_customer(store_by_code("DLA1")).id
        count = db.session.scalar(select(func.count()).select_from(Customer))
    answer = as_seller.post("/api/v1/customers/", json={"name": "Client de Yaoundé", "phone": "699112233",
                                                         "store": shop.yde})
    assert answer.status_code == 404, answer.get_json()
    assert answer.get_json()["message"] == "Magasin introuvable."
    moved = as_seller.put(f"/api/v1/customers/{mine}", json={"store": shop.yde})
    assert moved.status_code == 404, moved.get_json()
    from tests.conftest import sign_in

    screen = sign_in(client, "SALES").post("/customermodelview/add", data={
        "name": "Client de Yaoundé", "phone": "699112233", "store": str(shop.yde), "is_active": "y"})
    assert screen.status_code == 200  # the form again, with its error: YDE1 is not among its choices
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Customer)) == count
        assert db.session.get(Customer, mine).store_id == shop.dla
        db.session.remove()


def test_the_openapi_document_names_404_for_writing_a_customer(as_manager):
    paths = as_manager.get("/api/v1/_openapi").get_json()["paths"]
    assert "404" in paths["/api/v1/customers/"]["post"]["responses"]
    assert "404" in paths["/api/v1/customers/{pk}"]["put"]["responses"]


def test_a_phone_change_is_checked_too(app, shop, as_seller):
    with app.app_context():
        customer = make_customer(store_by_code("DLA1")).id
    assert as_seller.put(f"/api/v1/customers/{customer}", json={"phone": "00"}).status_code == 422
    assert as_seller.put(f"/api/v1/customers/{customer}", json={"phone": "677000111"}).get_json()["result"]["phone"] == "+237677000111"


def test_customers_of_another_store_are_not_found(app, shop, as_seller):
    with app.app_context():
        other = make_customer(store_by_code("YDE1"), name="Client de Yaoundé").id
    assert as_seller.get(f"/api/v1/customers/{other}").status_code == 404
    answer = as_seller.post("/api/v1/sales/", json={"store": shop.dla, "customer": other, "items": []})
    assert answer.status_code == 422 and "customer" in answer.get_json()["errors"]


def test_a_customer_with_sales_cannot_be_deleted(app, shop, as_seller, as_manager):
    with app.app_context():
        customer = make_customer(store_by_code("DLA1")).id
    as_seller.post("/api/v1/sales/", json={"store": shop.dla, "customer": customer, "items": []})
    answer = as_manager.delete(f"/api/v1/customers/{customer}")
    assert answer.status_code == 409 and answer.get_json()["message"]


def test_every_way_of_writing_a_customer_writes_its_audit_row(app, shop, client, as_seller):
    """One write path (customers.services.save_customer): the API, the screens and the POS
    quick-create all check, audit and commit the same way."""
    from sqlalchemy import select

    from app.core.models import AuditLog
    from app.customers.models import Customer
    from app.extensions import db
    from tests.conftest import sign_in

    sign_in(client, "SALES")
    screen = {"name": "Quincaillerie Ndam", "phone": "6 77 00 11 22", "store": str(shop.dla), "is_active": "y"}
    assert client.post("/customermodelview/add", data=screen).status_code == 302
    with app.app_context():
        on_screen = db.session.execute(select(Customer).where(Customer.name == "Quincaillerie Ndam")).scalar_one()
        customer_id = on_screen.id
    assert client.post(f"/customermodelview/edit/{customer_id}", data={**screen, "phone": "6 77 00 11 33"}).status_code == 302
    pos = client.post(f"/pos/{shop.dla}/customers", headers={"HX-Request": "true"},
                      data={"name": "Boutique Ayissi", "phone": "699000777"})
    assert pos.status_code == 200, pos.get_data(as_text=True)[-500:]
    api = as_seller.post("/api/v1/customers/", json={"name": "Garage Etoga", "phone": "699000888", "store": shop.dla})
    assert api.status_code == 201, api.get_json()
    with app.app_context():
        rows = db.session.execute(select(AuditLog.action, Customer.name, Customer.phone)
                                  .join(Customer, AuditLog.object_id == func_text(Customer.id))
                                  .where(AuditLog.object_type == "Customer").order_by(AuditLog.id)).all()
        db.session.remove()
    assert [tuple(row) for row in rows] == [
        ("customer.create", "Quincaillerie Ndam", "+237677001133"),
        ("customer.update", "Quincaillerie Ndam", "+237677001133"),
        ("customer.create", "Boutique Ayissi", "+237699000777"),
        ("customer.create", "Garage Etoga", "+237699000888"),
    ]


def func_text(column):
    from sqlalchemy import String, cast

    return cast(column, String)
