"""The state machine of SPEC §4, through the API: every allowed action works, every other answers 409.

DRAFT -> PENDING_PAYMENT -> PARTIALLY_PAID -> PAID; CANCELLED from the first three (manager);
REFUNDED from PAID (manager, everything refunded).
"""
import pytest

from app.cashier import services as till
from app.extensions import db
from app.sales import services
from tests.factories import make_draft, make_pending_sale, open_shift_for, store_by_code
from tests.sales.fixtures import user

STATUSES = ["DRAFT", "PENDING_PAYMENT", "PARTIALLY_PAID", "PAID", "CANCELLED", "REFUNDED"]

# action -> (the statuses where it is allowed, the status it leads to: None = unchanged)
ALLOWED = {
    "edit": ({"DRAFT"}, "DRAFT"),
    "submit": ({"DRAFT"}, "PENDING_PAYMENT"),
    "approve": ({"DRAFT"}, "DRAFT"),
    "pay_part": ({"PENDING_PAYMENT", "PARTIALLY_PAID"}, "PARTIALLY_PAID"),
    "pay_all": ({"PENDING_PAYMENT", "PARTIALLY_PAID"}, "PAID"),
    "cancel": ({"DRAFT", "PENDING_PAYMENT", "PARTIALLY_PAID"}, "CANCELLED"),
    "refund_part": ({"PAID"}, "PAID"),
    "refund_all": ({"PAID"}, "REFUNDED"),
    "delete": ({"DRAFT"}, None),
}


def sale_in(app, shop, status):
    """A sale of 2 switches (30000) in the given status; the cashier's shift is open."""
    with app.app_context():
        dla = store_by_code("DLA1")
        seller, cashier, manager = user(shop.seller), user(shop.cashier), user(shop.manager)
        open_shift_for(cashier, dla, "100000")
        product = db.session.get(__import__("app.catalog.models", fromlist=["Product"]).Product, shop.switch)
        if status == "DRAFT":
            sale = make_draft(dla, seller, [(product, 2)])
        else:
            sale = make_pending_sale(dla, seller, [(product, 2)])
        if status == "PARTIALLY_PAID":
            till.take_payment(cashier, sale.id, "CARD", "10000")
        if status in ("PAID", "REFUNDED"):
            till.take_payment(cashier, sale.id, "CARD", "30000")
        if status == "CANCELLED":
            services.cancel_sale(manager, sale.id, "Client parti")
        if status == "REFUNDED":
            services.refund_sale(manager, sale.id, [{"sale_item": sale.items[0].id, "quantity": 2}], method="CARD")
        assert sale.status == status
        return sale.id, sale.items[0].id


def act(action, api, sale_id, item_id, shop):
    seller, cashier, manager = api("SALES"), api("CASHIER"), api("MANAGER")
    if action == "edit":
        return seller.put(f"/api/v1/sales/{sale_id}", json={"items": [{"product": shop.switch, "quantity": 2}]})
    if action == "submit":
        return seller.post(f"/api/v1/sales/{sale_id}/submit/")
    if action == "approve":
        return seller.post(f"/api/v1/sales/{sale_id}/approve/",
                           json={"email": "manager@boutique.cm", "password": "manager123!"})
    if action == "pay_part":
        return cashier.post("/api/v1/payments/", json={"sale": sale_id, "method": "CARD", "amount": 5000})
    if action == "pay_all":
        return cashier.post("/api/v1/payments/", json={"sale": sale_id, "method": "CASH", "amount": 30000})
    if action == "cancel":
        return manager.post(f"/api/v1/sales/{sale_id}/cancel/", json={"reason": "Erreur de saisie", "method": "CARD"})
    if action == "refund_part":
        return manager.post(f"/api/v1/sales/{sale_id}/refund/",
                            json={"items": [{"sale_item": item_id, "quantity": 1}], "restock": True, "method": "CASH"})
    if action == "refund_all":
        return manager.post(f"/api/v1/sales/{sale_id}/refund/",
                            json={"items": [{"sale_item": item_id, "quantity": 2}], "restock": True, "method": "CASH"})
    if action == "delete":
        return seller.delete(f"/api/v1/sales/{sale_id}")
    raise AssertionError(action)


@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("action", list(ALLOWED))
def test_every_action_in_every_status(app, shop, api_as, status, action):
    sale_id, item_id = sale_in(app, shop, status)
    allowed, target = ALLOWED[action]

    answer = act(action, api_as, sale_id, item_id, shop)

    if status in allowed:
        assert answer.status_code in (200, 201), answer.get_json()
        after = api_as("ADMIN").get(f"/api/v1/sales/{sale_id}")
        if target is None:
            assert after.status_code == 404
        else:
            assert after.get_json()["result"]["status"] == target
    else:
        assert answer.status_code == 409, answer.get_json()
        assert answer.get_json()["message"]
        assert api_as("ADMIN").get(f"/api/v1/sales/{sale_id}").get_json()["result"]["status"] == status


def test_the_transition_table_matches_the_spec():
    from app.sales.models import TRANSITIONS

    assert TRANSITIONS == {
        "DRAFT": {"PENDING_PAYMENT", "CANCELLED"},
        "PENDING_PAYMENT": {"PARTIALLY_PAID", "PAID", "CANCELLED"},
        "PARTIALLY_PAID": {"PARTIALLY_PAID", "PAID", "CANCELLED"},
        "PAID": {"PAID", "REFUNDED"},
        "CANCELLED": set(),
        "REFUNDED": set(),
    }


def test_every_transition_is_audited(app, shop, api_as):
    sale_id, item_id = sale_in(app, shop, "DRAFT")
    act("submit", api_as, sale_id, item_id, shop)
    act("pay_part", api_as, sale_id, item_id, shop)
    api_as("CASHIER").post("/api/v1/payments/", json={"sale": sale_id, "method": "CARD", "amount": 25000})
    act("refund_part", api_as, sale_id, item_id, shop)
    with app.app_context():
        from sqlalchemy import select

        from app.core.models import AuditLog

        rows = db.session.execute(select(AuditLog).where(AuditLog.object_type == "Sale",
                                                         AuditLog.object_id == str(sale_id))
                                  .order_by(AuditLog.id)).scalars().all()
        actions = [r.action for r in rows]
        assert actions[:5] == ["sale.create", "sale.submit", "sale.payment", "sale.payment", "sale.refund"]
        submit, first, last, refund = rows[1], rows[2], rows[3], rows[4]
        assert (submit.before["status"], submit.after["status"]) == ("DRAFT", "PENDING_PAYMENT")
        assert (first.before["status"], first.after["status"]) == ("PENDING_PAYMENT", "PARTIALLY_PAID")
        assert (last.before["status"], last.after["status"]) == ("PARTIALLY_PAID", "PAID")
        assert refund.after["amount"] == "15000.00"
        assert submit.user_id == shop.seller and first.user_id == shop.cashier and refund.user_id == shop.manager


def test_a_sale_waits_too_long_only_past_its_stores_limit_and_only_before_any_payment(app, shop):
    from datetime import timedelta

    from app.core.models import utcnow
    from app.sales.services import minutes_waiting_too_long
    from tests.factories import user_by_email

    with app.app_context():
        store = store_by_code("DLA1")
        store.pending_payment_limit_minutes = 30
        from app.catalog.models import Product

        sale = make_pending_sale(store, user_by_email("vendeur1@boutique.cm"), [(db.session.get(Product, shop.switch), 1)])
        now = sale.submitted_at
        assert minutes_waiting_too_long(sale, now + timedelta(minutes=30)) == 0
        assert minutes_waiting_too_long(sale, now + timedelta(minutes=31)) == 31
        sale.status = "PARTIALLY_PAID"  # a customer who paid part is being served: not forgotten at the till
        assert minutes_waiting_too_long(sale, now + timedelta(hours=5)) == 0
        assert minutes_waiting_too_long(sale, utcnow()) == 0
