"""A discount over the store's threshold or a price under the floor blocks submit until a manager approves,
from the queue or on the spot with their credentials (the approval records the manager)."""
import pytest
from sqlalchemy import select

from app.core.models import AuditLog
from app.extensions import db
from app.sales.models import Approval
from tests.factories import make_user, store_by_code


def draft(as_seller, shop, **item):
    line = {"product": shop.switch, "quantity": 2, "unit_price": 15000, "discount": 0, **item}
    answer = as_seller.post("/api/v1/sales/", json={"store": shop.dla, "items": [line]})
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()["result"]["id"]


def test_a_discount_over_the_threshold_needs_the_queue(app, shop, as_seller, as_manager):
    sale = draft(as_seller, shop, discount=4500)  # 15 % > 10 % (DLA1's threshold)
    blocked = as_seller.post(f"/api/v1/sales/{sale}/submit/")
    assert blocked.status_code == 409
    body = blocked.get_json()
    assert "gérant" in body["message"]
    [pending] = body["approvals"]
    assert (pending["kind"], pending["status"], pending["details"]["discount_percent"]) == ("DISCOUNT", "PENDING", "15.00")
    assert as_seller.get(f"/api/v1/sales/{sale}").get_json()["result"]["number"] is None

    # asking again does not pile up requests
    assert as_seller.post(f"/api/v1/sales/{sale}/submit/").get_json()["approvals"][0]["id"] == pending["id"]
    queue = as_manager.get("/api/v1/approvals/?q=(filters:!((col:status,opr:eq,value:PENDING)))").get_json()
    assert queue["ids"] == [pending["id"]]

    approved = as_manager.post(f"/api/v1/approvals/{pending['id']}/approve/")
    assert approved.status_code == 200, approved.get_json()
    assert approved.get_json()["result"]["decided_by"] == shop.manager
    submitted = as_seller.post(f"/api/v1/sales/{sale}/submit/")
    assert submitted.status_code == 200, submitted.get_json()
    assert submitted.get_json()["result"]["status"] == "PENDING_PAYMENT"
    assert as_manager.post(f"/api/v1/approvals/{pending['id']}/approve/").status_code == 409  # decided once


def test_a_discount_under_the_threshold_needs_nobody(shop, as_seller):
    sale = draft(as_seller, shop, discount=3000)  # exactly 10 %
    assert as_seller.post(f"/api/v1/sales/{sale}/submit/").status_code == 200


def test_a_sale_level_discount_counts_too(shop, as_seller):
    answer = as_seller.post("/api/v1/sales/", json={"store": shop.dla, "discount": 4000, "items": [
        {"product": shop.switch, "quantity": 2}]})
    blocked = as_seller.post(f"/api/v1/sales/{answer.get_json()['id']}/submit/")
    assert blocked.status_code == 409 and blocked.get_json()["approvals"][0]["kind"] == "DISCOUNT"


def test_an_approval_covers_what_was_approved_not_more(shop, as_seller, as_manager):
    sale = draft(as_seller, shop, discount=4500)
    pending = as_seller.post(f"/api/v1/sales/{sale}/submit/").get_json()["approvals"][0]
    as_manager.post(f"/api/v1/approvals/{pending['id']}/approve/")
    as_seller.put(f"/api/v1/sales/{sale}", json={"items": [
        {"product": shop.switch, "quantity": 2, "unit_price": 15000, "discount": 9000}]})  # now 30 %
    again = as_seller.post(f"/api/v1/sales/{sale}/submit/")
    assert again.status_code == 409
    assert again.get_json()["approvals"][0]["details"]["discount_percent"] == "30.00"


def test_a_rejected_request_keeps_the_sale_blocked(shop, as_seller, as_manager):
    sale = draft(as_seller, shop, discount=6000)
    pending = as_seller.post(f"/api/v1/sales/{sale}/submit/").get_json()["approvals"][0]
    rejected = as_manager.post(f"/api/v1/approvals/{pending['id']}/reject/", json={"note": "Trop de remise"})
    assert rejected.get_json()["result"]["status"] == "REJECTED"
    assert as_seller.post(f"/api/v1/sales/{sale}/submit/").status_code == 409


def test_a_price_under_the_floor_approved_on_the_spot_records_the_manager(app, shop, as_seller):
    sale = as_seller.post("/api/v1/sales/", json={"store": shop.dla, "items": [
        {"product": shop.router, "quantity": 1, "unit_price": 38000}]}).get_json()["result"]["id"]  # floor 40000
    blocked = as_seller.post(f"/api/v1/sales/{sale}/submit/").get_json()
    assert blocked["approvals"][0]["kind"] == "PRICE_FLOOR"
    assert blocked["approvals"][0]["details"]["items"][0]["min_sale_price"] == "40000.00"

    spot = as_seller.post(f"/api/v1/sales/{sale}/approve/",
                          json={"email": "manager@boutique.cm", "password": "manager123!"})
    assert spot.status_code == 200, spot.get_json()
    [granted] = spot.get_json()["approvals"]
    assert (granted["status"], granted["decided_by"], granted["requested_by"]) == ("APPROVED", shop.manager, shop.seller)
    assert as_seller.post(f"/api/v1/sales/{sale}/submit/").status_code == 200
    with app.app_context():
        row = db.session.execute(select(AuditLog).where(AuditLog.action == "approval.approved")).scalar_one()
        assert row.user_id == shop.manager and row.after["on_the_spot"] is True


@pytest.mark.parametrize("email,password", [
    ("manager@boutique.cm", "mauvais"),
    ("vendeur1@boutique.cm", "vendeur123!"),  # a seller cannot approve their own sale
    ("caissier@boutique.cm", "caissier123!"),
    ("gerant.yde@boutique.cm", "gerant123!"),  # a manager, but not of this store
])
def test_on_the_spot_approval_needs_a_manager_of_the_store(app, shop, as_seller, email, password):
    with app.app_context():
        make_user("gerant.yde@boutique.cm", "gerant123!", "MANAGER", [store_by_code("YDE1")])
    sale = draft(as_seller, shop, discount=6000)
    refused = as_seller.post(f"/api/v1/sales/{sale}/approve/", json={"email": email, "password": password})
    assert refused.status_code == 403 and "gérant" in refused.get_json()["message"]
    assert as_seller.post(f"/api/v1/sales/{sale}/submit/").status_code == 409
    with app.app_context():
        assert db.session.execute(select(Approval).where(Approval.status == "APPROVED")).first() is None


def test_on_the_spot_failures_are_rate_limited_per_manager_email(shop, as_seller):
    sale = draft(as_seller, shop, discount=6000)
    codes = [as_seller.post(f"/api/v1/sales/{sale}/approve/",
                            json={"email": "manager@boutique.cm", "password": f"essai{i}"}).status_code
             for i in range(11)]
    assert codes[:10] == [403] * 10 and codes[10] == 429


def test_approvals_and_refunds_need_a_fresh_token(client, shop, as_seller):
    from tests.conftest import ApiClient, get_tokens

    sale = draft(as_seller, shop, discount=6000)
    pending = as_seller.post(f"/api/v1/sales/{sale}/submit/").get_json()["approvals"][0]
    pair = get_tokens(client, "manager@boutique.cm", "manager123!")
    refreshed = client.post("/api/v1/auth/token/refresh/", json={"refresh": pair["refresh"]}).get_json()["access"]
    stale = ApiClient(client, refreshed)
    for path in (f"/api/v1/approvals/{pending['id']}/approve/", f"/api/v1/approvals/{pending['id']}/reject/",
                 f"/api/v1/sales/{sale}/refund/", f"/api/v1/sales/{sale}/cancel/"):
        answer = stale.post(path, json={})
        assert answer.status_code == 401 and "récente" in answer.get_json()["message"], path
    assert ApiClient(client, pair["access"]).post(f"/api/v1/approvals/{pending['id']}/approve/").status_code == 200


def test_a_refusal_needs_its_reason(shop, as_seller, as_manager):
    sale = draft(as_seller, shop, discount=6000)
    pending = as_seller.post(f"/api/v1/sales/{sale}/submit/").get_json()["approvals"][0]
    for body in ({}, {"note": "   "}):
        refused = as_manager.post(f"/api/v1/approvals/{pending['id']}/reject/", json=body)
        assert refused.status_code == 422 and refused.get_json()["errors"]["note"] == ["Donnez le motif du refus."]
    assert as_seller.get(f"/api/v1/sales/{sale}").get_json()["result"]["approvals"][0]["status"] == "PENDING"
    assert as_manager.post(f"/api/v1/approvals/{pending['id']}/approve/").status_code == 200  # approving needs none


def test_the_discount_a_manager_reads_counts_prices_typed_under_the_list_price(app, shop, as_seller):
    from app.sales import services
    from app.sales.models import Sale

    # 2 switches listed 15 000: one typed at 12 000, 1 000 off the other, 500 off the sale -> 4 500 of 30 000
    answer = as_seller.post("/api/v1/sales/", json={"store": shop.dla, "discount": 500, "items": [
        {"product": shop.switch, "quantity": 1, "unit_price": 12000},
        {"product": shop.switch, "quantity": 1, "discount": 1000}]})
    with app.app_context():
        sale = db.session.get(Sale, answer.get_json()["result"]["id"])
        assert services.discount_off_list_price(sale) == (4500, 15)
