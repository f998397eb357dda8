"""REST API of sales (+ submit, cancel, refund, approve, queue, warranty), approvals and refunds.

Thin: parse the JSON body -> call a service -> serialise. Lists use FAB's conventions
(`q=(filters:...,page:...)`); item answers are `{"id", "result"}`.
"""

from flask import request
from flask_appbuilder.api import expose
from flask_babel import lazy_gettext as _l

from ..cashier.services import refund_till
from ..core.api import (STRINGS, BoutiqueModelRestApi, DocumentApiMixin, ReadOnlyDocumentApi, ScopedInterface,
                        answers_domain_errors, api_action, fresh_api_action, moment, objects, openapi)
from ..core.ids import row_id
from ..core.inputs import MISSING
from ..core.scoping import acting_user
from ..core.web import API_READ as READ, json_body, json_field, password_failures_limited
from . import serialize, services
from .models import Approval, Refund, Sale

SALE_LIST_COLUMNS = [
    "id", "number", "status", "store.id", "store.code", "seller.id", "seller.first_name", "seller.last_name",
    "customer.id", "customer.name", "discount", "total", "amount_paid", "amount_refunded", "balance_due",
    "created_at", "submitted_at", "paid_at",
]


class SaleApi(DocumentApiMixin, BoutiqueModelRestApi):
    resource_name = "sales"
    class_permission_name = "Sale"
    datamodel = ScopedInterface(Sale)
    include_route_methods = {"get_list", "get", "post", "put", "delete", "submit", "cancel", "refund",
                             "approve", "queue", "warranty"}
    method_permission_name = {
        **READ, "post": "write", "put": "write", "delete": "delete", "submit": "submit", "cancel": "cancel",
        "refund": "refund", "approve": "approve", "queue": "queue", "warranty": "read",
    }
    list_columns = SALE_LIST_COLUMNS
    show_columns = SALE_LIST_COLUMNS
    order_columns = ["id", "number", "status", "total", "created_at", "submitted_at", "paid_at"]
    search_columns = ["number", "status", "store", "seller", "customer", "created_at", "submitted_at"]
    serialise = staticmethod(serialize.sale_to_dict)

    @answers_domain_errors
    def post_headless(self):
        body = json_body({"store", "customer", "items", "discount", "note"})
        sale = services.create_draft(acting_user(), body.get("store"), body.get("items", []),
                                     customer=body.get("customer"), discount=body.get("discount"),
                                     note=body.get("note"))
        return self._answer(201, sale)

    @answers_domain_errors
    def put_headless(self, pk):
        sale = self._document(pk)  # FAB's PUT/DELETE routes give pk as a string
        body = json_body({"store", "customer", "items", "discount", "note"})
        sale = services.update_draft(acting_user(), sale.id, **{
            name: body.get(name, MISSING) for name in ("items", "customer", "discount", "note", "store")})
        return self._answer(200, sale)

    @answers_domain_errors
    def delete_headless(self, pk):
        sale = self._document(pk)
        services.delete_draft(acting_user(), sale.id)
        return self.response(200, message=str(_l("Brouillon supprimé.")))

    @expose("/<int:pk>/submit/", methods=["POST"])
    @api_action
    @openapi({200: "the sale, PENDING_PAYMENT with its number", 404: "no such sale in your stores",
              409: "wrong status, not enough stock, or a manager approval is needed (approvals)",
              422: "the sale is incomplete (items, serials)"})
    def submit(self, pk):
        """Submit a draft to the till: checks, invoice number, status PENDING_PAYMENT."""
        sale = services.submit_sale(acting_user(), pk)
        return self._answer(200, sale)

    @expose("/<int:pk>/cancel/", methods=["POST"])
    @fresh_api_action()
    @openapi({200: "the cancelled sale and the refund (if any)", 409: "wrong status or no open shift for the cash"},
             body={"reason": "string",
                   "method": {"type": "string", "description": "refund method of what was paid (default CASH)"},
                   "shift": {"type": "integer", "description": "open shift the cash comes out of"},
                   "reference": "string"})
    def cancel(self, pk):
        """Cancel a sale not fully paid (manager); what was paid is refunded."""
        body = json_body({"reason", "method", "shift", "reference"})
        sale, refund = services.cancel_sale(acting_user(), pk, body.get("reason"), method=body.get("method", "CASH"),
                                            till=refund_till(acting_user(), body.get("shift")),
                                            reference=body.get("reference"))
        return self.response(200, id=sale.id, result=serialize.sale_to_dict(sale),
                             refund=serialize.refund_to_dict(refund) if refund else None)

    @expose("/<int:pk>/refund/", methods=["POST"])
    @fresh_api_action()
    @openapi({201: "the refund and the sale", 409: "the sale is not paid, or no open shift for the cash",
              422: "bad items or quantities"},
             body={"items": objects(sale_item="integer", quantity="integer", restock="boolean", serials=STRINGS),
                   "restock": "boolean", "method": "string", "shift": "integer", "reference": "string",
                   "reason": "string"})
    def refund(self, pk):
        """Refund chosen items of a paid sale (manager)."""
        body = json_body({"items", "restock", "method", "shift", "reference", "reason"})
        sale, refund = services.refund_sale(acting_user(), pk, body.get("items"), restock=body.get("restock", True),
                                            method=body.get("method", "CASH"),
                                            till=refund_till(acting_user(), body.get("shift")),
                                            reference=body.get("reference"), reason=body.get("reason"))
        return self.response(201, id=refund.id, result=serialize.refund_to_dict(refund),
                             sale=serialize.sale_to_dict(sale))

    @expose("/<int:pk>/approve/", methods=["POST"])
    # Failed manager passwords use the email's one budget (core.web).
    @fresh_api_action(password_failures_limited(lambda: json_field("email"), failed_status=403))
    @openapi({200: "the sale and the approvals granted in the manager's name",
              403: "not the credentials of a manager of this store", 409: "the sale is not a draft"},
             body={"email": "string", "password": "string"})
    def approve(self, pk):
        """On the spot: a manager of the sale's store types their email and password at the POS."""
        body = json_body({"email", "password"})
        sale, granted = services.approve_on_the_spot(acting_user(), pk, body.get("email"), body.get("password"))
        return self.response(200, id=sale.id, result=serialize.sale_to_dict(sale),
                             approvals=[serialize.approval_to_dict(a) for a in granted])

    @expose("/queue/", methods=["GET"])
    @api_action
    @openapi({200: "{count, ids, result}"}, query={"store": "integer"}, method="get")
    def queue(self):
        """The cashier's queue: sales PENDING_PAYMENT or PARTIALLY_PAID of the user's stores, oldest first."""
        store = request.args.get("store", type=row_id)
        sales = services.payment_queue(acting_user(), [store] if store else None)
        return self.response(200, count=len(sales), ids=[s.id for s in sales],
                             result=[serialize.sale_summary(s) for s in sales])

    @expose("/warranty/", methods=["GET"])
    @api_action
    @openapi({200: "{count, result}", 422: "no serial given"},
             query={"serial": {"schema": {"type": "string"}, "required": True}}, method="get")
    def warranty(self):
        """Warranty lookup by serial number or IMEI: customer, sale and warranty end date."""
        results = services.warranty_lookup(acting_user(), request.args.get("serial"))
        for row in results:
            row["paid_at"] = moment(row["paid_at"])
            row["warranty_end"] = row["warranty_end"].isoformat() if row["warranty_end"] else None
        return self.response(200, count=len(results), result=results)


APPROVAL_COLUMNS = ["id", "kind", "status", "details", "reason", "store.id", "store.code", "sale.id", "sale.number",
                    "requested_by.id", "requested_by.first_name", "requested_at", "decided_by.id",
                    "decided_by.first_name", "decided_at"]


class ApprovalApi(DocumentApiMixin, BoutiqueModelRestApi):
    resource_name = "approvals"
    class_permission_name = "Approval"
    datamodel = ScopedInterface(Approval)
    include_route_methods = {"get_list", "get", "approve", "reject"}
    method_permission_name = {**READ, "approve": "approve", "reject": "approve"}
    list_columns = show_columns = APPROVAL_COLUMNS
    order_columns = ["id", "requested_at", "status", "kind"]
    search_columns = ["status", "kind", "store", "sale"]
    serialise = staticmethod(serialize.approval_to_dict)

    def _decide(self, pk, approve):
        self._document(pk)
        return self._answer(200, services.decide_approval(acting_user(), pk, approve, note=json_field("note")))

    @expose("/<int:pk>/approve/", methods=["POST"])
    @fresh_api_action()
    @openapi({200: "the approval, APPROVED, decided_by = you", 409: "already decided, or the sale is no longer a draft"})
    def approve(self, pk):
        """Approve a pending request (a manager of its store)."""
        return self._decide(pk, True)

    @expose("/<int:pk>/reject/", methods=["POST"])
    @fresh_api_action()
    @openapi({200: "the approval, REJECTED", 409: "already decided"})
    def reject(self, pk):
        """Reject a pending request (a manager of its store)."""
        return self._decide(pk, False)


REFUND_COLUMNS = ["id", "sale.id", "sale.number", "store.id", "store.code", "is_cancellation", "method", "amount",
                  "restock", "reason", "reference", "shift.id", "approved_by.id", "approved_by.first_name",
                  "created_at"]


class RefundApi(ReadOnlyDocumentApi):
    resource_name = "refunds"
    class_permission_name = "Refund"
    datamodel = ScopedInterface(Refund)
    list_columns = show_columns = REFUND_COLUMNS
    order_columns = ["id", "created_at", "amount"]
    search_columns = ["store", "sale", "method", "created_at"]
    serialise = staticmethod(serialize.refund_to_dict)


def register(appbuilder):
    appbuilder.add_api(SaleApi)
    appbuilder.add_api(ApprovalApi)
    appbuilder.add_api(RefundApi)
