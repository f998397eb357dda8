"""REST API of the till: payments (GET, POST with Idempotency-Key) and cash shifts (+ open, close, payout)."""
from flask_appbuilder.api import expose
from flask_appbuilder.models.filters import BaseFilter

from ..core.api import (BoutiqueModelRestApi, DocumentApiMixin, ScopedInterface, answers_domain_errors, api_action,
                        idempotency_key, idempotent_answer, moment, openapi)
from ..core.scoping import acting_user, role_name, store_scope
from ..core.web import API_READ as READ, json_body
from ..sales.serialize import amount, payment_to_dict, user_label
from . import services
from .models import CASH, CLOSED, CashShift, Payment

PAYMENT_COLUMNS = ["id", "sale.id", "sale.number", "store.id", "store.code", "shift.id", "cashier.id",
                   "cashier.first_name", "method", "amount", "tendered", "change_given", "operator", "reference",
                   "created_at"]


def payment_answer(result):
    payment = result.payment
    return {**payment_to_dict(payment), "change_given": amount(payment.change_given),
            "sale_status": payment.sale_status_after, "balance_due": amount(payment.balance_due_after)}


class PaymentApi(DocumentApiMixin, BoutiqueModelRestApi):
    resource_name = "payments"
    class_permission_name = "Payment"
    datamodel = ScopedInterface(Payment)
    include_route_methods = {"get_list", "get", "post"}
    method_permission_name = {**READ, "post": "write"}
    list_columns = show_columns = PAYMENT_COLUMNS
    order_columns = ["id", "created_at", "amount", "method"]
    search_columns = ["store", "sale", "shift", "method", "cashier", "created_at"]
    serialise = staticmethod(payment_to_dict)

    @answers_domain_errors
    def post_headless(self):
        body = json_body({"sale", "method", "amount", "tendered", "operator", "reference", "reserve", "installments"})
        result = services.take_payment(
            acting_user(), body.get("sale"), body.get("method"), body.get("amount"), tendered=body.get("tendered"),
            operator=body.get("operator"), reference=body.get("reference"), reserve=body.get("reserve", False),
            idempotency_key=idempotency_key(), installments=body.get("installments"))
        return idempotent_answer(self.response(201, id=result.payment.id, result=payment_answer(result)),
                                 result.replayed)


class OwnShiftsForCashiers(BaseFilter):
    """A cashier sees their own shifts; managers see every shift of their stores."""

    name = "Own shifts"
    arg_name = None

    def apply(self, query, value):
        user = acting_user()
        if role_name(user) == "CASHIER":
            return query.filter(CashShift.cashier_id == user.id)
        return query


SHIFT_COLUMNS = ["id", "store.id", "store.code", "cashier.id", "cashier.first_name", "cashier.last_name", "status",
                 "opening_float", "opened_at", "closed_at", "counted_cash", "expected_cash", "variance"]
COUNTED = ("cash", "mobile_money", "bank_transfer", "card")


def shift_to_dict(shift, figures=None):
    """A shift; the expected figures only once it is closed (blind close)."""
    result = {
        "id": shift.id, "store": shift.store_id, "store_code": shift.store.code if shift.store else None,
        "cashier": shift.cashier_id, "cashier_name": user_label(shift.cashier), "status": shift.status,
        "opening_float": amount(shift.opening_float), "opened_at": moment(shift.opened_at),
        "closed_at": moment(shift.closed_at), "note": shift.note,
    }
    if shift.status == CLOSED:
        result.update({
            "counted_cash": amount(shift.counted_cash), "expected_cash": amount(shift.expected_cash),
            "variance": amount(shift.variance), "cash_in": amount(shift.cash_in),
            "change_given": amount(shift.change_given), "cash_refunds": amount(shift.cash_refunds),
            "cash_payouts": amount(shift.cash_payouts),
            "totals": {
                method.upper(): {
                    "counted": amount(getattr(shift, f"counted_{method}")),
                    "expected": amount(getattr(shift, f"expected_{method}")),
                    "variance": amount(shift.variance_of(method)),
                    **({"count": figures.by_method[method.upper()]["count"],
                        "received": amount(figures.by_method[method.upper()]["received"]),
                        "refunds": amount(figures.by_method[method.upper()]["refunds"])} if figures else {}),
                } for method in COUNTED
            },
        })
    return result


class CashShiftApi(DocumentApiMixin, BoutiqueModelRestApi):
    resource_name = "cash-shifts"
    class_permission_name = "CashShift"
    datamodel = ScopedInterface(CashShift)
    base_filters = store_scope() + [["cashier_id", OwnShiftsForCashiers, lambda: None]]
    include_route_methods = {"get_list", "get", "open", "close", "payout"}
    method_permission_name = {**READ, "open": "open", "close": "close", "payout": "payout"}
    list_columns = show_columns = SHIFT_COLUMNS
    order_columns = ["id", "opened_at", "closed_at", "variance"]
    search_columns = ["store", "cashier", "status", "opened_at"]

    @staticmethod
    def serialise(shift):
        return shift_to_dict(shift, services.shift_figures(shift) if shift.status == CLOSED else None)

    @expose("/open/", methods=["POST"])
    @api_action
    @openapi({201: "the open shift", 409: "you already have an open shift in this store"},
             body={"store": "integer", "opening_float": "number"})
    def open(self):
        """Open your shift in a store with its opening float."""
        body = json_body({"store", "opening_float"})
        shift = services.open_shift(acting_user(), body.get("store"), body.get("opening_float"))
        return self.response(201, id=shift.id, result=shift_to_dict(shift))

    @expose("/<int:pk>/close/", methods=["POST"])
    @api_action
    @openapi({200: "the closed shift with expected_cash, variance and totals per method", 409: "already closed"},
             body={"counted_cash": "number", "counted_mobile_money": "number", "counted_bank_transfer": "number",
                   "counted_card": "number", "note": "string"})
    def close(self, pk):
        """Close your shift blind: give the counted figures; the answer has the expected ones and the variance."""
        self._document(pk)
        body = json_body({"counted_cash", "counted_mobile_money", "counted_bank_transfer", "counted_card", "note"})
        shift, figures = services.close_shift(
            acting_user(), pk, body.get("counted_cash"), counted_mobile_money=body.get("counted_mobile_money"),
            counted_bank_transfer=body.get("counted_bank_transfer"), counted_card=body.get("counted_card"),
            note=body.get("note"))
        result = shift_to_dict(shift, figures)
        return self.response(200, id=shift.id, result=result, expected_cash=result["expected_cash"],
                             variance=result["variance"])

    @expose("/<int:pk>/payout/", methods=["POST"])
    @api_action
    @openapi({201: "the payout", 409: "the shift is closed"}, body={"amount": "number", "reason": "string"})
    def payout(self, pk):
        """Take cash out of the drawer for an expense (counted in the expected cash)."""
        self._document(pk)
        body = json_body({"amount", "reason"})
        payout = services.record_payout(acting_user(), pk, body.get("amount"), body.get("reason"))
        return self.response(201, id=payout.id, result={
            "id": payout.id, "shift": payout.shift_id, "amount": amount(payout.amount), "reason": payout.reason,
            "method": CASH, "created_at": moment(payout.created_at)})


def register(appbuilder):
    appbuilder.add_api(PaymentApi)
    appbuilder.add_api(CashShiftApi)
