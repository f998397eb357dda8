"""Who may do what with a sale (SPEC §2): the role rules and the store scoping."""
import pytest

from app.extensions import db
from tests.factories import make_draft, make_pending_sale, make_user, open_shift_for, store_by_code
from tests.sales.fixtures import user


def product(product_id):
    from app.catalog.models import Product

    return db.session.get(Product, product_id)


@pytest.fixture
def draft(app, shop):
    with app.app_context():
        return make_draft(store_by_code("DLA1"), user(shop.seller), [(product(shop.switch), 1)]).id


@pytest.fixture
def pending(app, shop):
    with app.app_context():
        return make_pending_sale(store_by_code("DLA1"), user(shop.seller), [(product(shop.switch), 1)]).id


def test_a_cashier_cannot_edit_or_submit_a_draft(shop, draft, as_cashier):
    body = {"items": [{"product": shop.switch, "quantity": 5}]}
    assert as_cashier.put(f"/api/v1/sales/{draft}", json=body).status_code == 403
    assert as_cashier.post(f"/api/v1/sales/{draft}/submit/").status_code == 403
    assert as_cashier.post("/api/v1/sales/", json={"store": shop.dla, "items": []}).status_code == 403
    assert as_cashier.delete(f"/api/v1/sales/{draft}").status_code == 403


def test_a_seller_cannot_open_a_shift_or_take_a_payment(shop, pending, as_seller):
    assert as_seller.post("/api/v1/cash-shifts/open/", json={"store": shop.dla, "opening_float": 0}).status_code == 403
    answer = as_seller.post("/api/v1/payments/", json={"sale": pending, "method": "CASH", "amount": 15000})
    assert answer.status_code == 403
    assert as_seller.get("/api/v1/sales/queue/").status_code == 403


def test_a_seller_edits_only_their_own_drafts(app, shop, draft, api_as):
    with app.app_context():
        make_user("vendeur2@boutique.cm", "vendeur123!", "SALES", [store_by_code("DLA1")])
    other = api_as("vendeur2@boutique.cm", "vendeur123!")
    assert other.get(f"/api/v1/sales/{draft}").status_code == 200  # same store: visible
    answer = other.put(f"/api/v1/sales/{draft}", json={"items": []})
    assert answer.status_code == 403 and "vendeur" in answer.get_json()["message"]
    assert other.post(f"/api/v1/sales/{draft}/submit/").status_code == 403
    assert other.delete(f"/api/v1/sales/{draft}").status_code == 403


@pytest.mark.parametrize("role", ["SALES", "CASHIER", "STOCKER"])
def test_only_a_manager_cancels_refunds_and_approves(app, shop, pending, api_as, role):
    client = api_as(role)
    assert client.post(f"/api/v1/sales/{pending}/cancel/", json={"reason": "x"}).status_code == 403
    assert client.post(f"/api/v1/sales/{pending}/refund/", json={"items": []}).status_code == 403
    with app.app_context():
        from app.sales.models import Approval

        approval = Approval(store_id=shop.dla, kind="DISCOUNT", requested_by_id=shop.seller, details={})
        db.session.add(approval)
        db.session.commit()
        approval_id = approval.id
    assert client.post(f"/api/v1/approvals/{approval_id}/approve/").status_code == 403
    assert client.post(f"/api/v1/approvals/{approval_id}/reject/").status_code == 403


def test_a_manager_does_not_sell(shop, draft, as_manager):
    assert as_manager.post("/api/v1/sales/", json={"store": shop.dla, "items": []}).status_code == 403
    assert as_manager.post(f"/api/v1/sales/{draft}/submit/").status_code == 403
    assert as_manager.post("/api/v1/cash-shifts/open/", json={"store": shop.dla, "opening_float": 0}).status_code == 403


def test_another_stores_sale_answers_404(app, shop, as_seller, as_cashier, as_manager):
    with app.app_context():
        yde = store_by_code("YDE1")
        seller = make_user("vendeur.yde@boutique.cm", "vendeur123!", "SALES", [yde])
        sale = make_pending_sale(yde, seller, [(product(shop.switch), 1)]).id
        open_shift_for(user(shop.cashier), store_by_code("DLA1"))
    assert as_seller.get(f"/api/v1/sales/{sale}").status_code == 404
    assert as_seller.put(f"/api/v1/sales/{sale}", json={"items": []}).status_code == 404
    assert as_cashier.get(f"/api/v1/sales/{sale}").status_code == 404
    assert as_cashier.post("/api/v1/payments/", json={"sale": sale, "method": "CARD", "amount": 100}).status_code == 404
    assert sale not in as_cashier.get("/api/v1/sales/queue/").get_json()["ids"]
    assert sale not in as_seller.get("/api/v1/sales/").get_json()["ids"]
    assert as_manager.get(f"/api/v1/sales/{sale}").status_code == 200  # the manager works in both stores


def test_a_manager_of_another_store_cannot_decide(app, shop, pending, api_as):
    with app.app_context():
        make_user("gerant.yde@boutique.cm", "gerant123!", "MANAGER", [store_by_code("YDE1")])
    other = api_as("gerant.yde@boutique.cm", "gerant123!")
    assert other.post(f"/api/v1/sales/{pending}/cancel/", json={"reason": "x"}).status_code == 404
