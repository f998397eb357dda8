"""Customer credit at the till and on the seller's POS (issue 14), beside the POS pages:
- in a sale's detail at the till, the customer's available credit and overdue amount, and a
  CREDIT payment (one installment after the store's term, or N monthly ones);
- /cashier/credit/<store>/: "Remboursement crédit": find an account, take a repayment in the
  open shift (any method but CREDIT), print its 80 mm receipt;
- on the seller's POS, the chosen customer's available credit (a template global).
Same services as the API: cashier.services.take_payment, cashier.repayments.take_repayment.
"""
import uuid

from flask import current_app, request
from flask_appbuilder import expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import lazy_gettext as _l

from ..cashier import services as till
from ..cashier.models import METHOD_LABELS, MOBILE_OPERATORS, SHORT_METHOD_LABELS
from ..cashier.repayments import take_repayment
from ..core.errors import NotFound
from ..core.formatting import format_local_datetime
from ..core.scoping import acting_user
from ..credits import services as credits
from ..credits.models import CreditRepayment
from ..documents.pdf import pdf_response, render_pdf_fitted
from ..extensions import db
from ..sales import services as sales
from . import queries
from .views import QUEUE_POLL_SECONDS, CashierPosView, _queue, form_amount, form_text, plain_amount
from .web import PosBaseView

REPAY_METHODS = ("CASH", "MOBILE_MONEY", "BANK_TRANSFER", "CARD")


def credit_of_customer(customer_id):
    """What the till and the seller's POS show of a customer's credit, or None (no account in the
    user's stores): balance, available, overdue, active."""
    if not customer_id:
        return None
    account = credits.account_of_customer(acting_user(), customer_id)
    if account is None:
        return None
    return {"account": account, "balance": account.balance, "available": account.available,
            "overdue": credits.overdue_amount(account), "active": account.is_active,
            "new_key": uuid.uuid4().hex}


class CreditTillView(PosBaseView):
    route_base = "/cashier/credit"
    class_permission_name = "Till"
    permission = "cash"

    @expose("/<int:store_id>/sale/<int:sale_id>/pay", methods=["POST"])
    @has_access
    def pay(self, store_id, sale_id):
        """The sale's amount (or part of it) on the customer's account; refused over the limit."""
        user = acting_user()
        store = queries.store_for(user, store_id)
        CashierPosView._sale_of(user, store, sale_id)
        result = till.take_payment(user, sale_id, "CREDIT", form_amount("amount"),
                                   installments=form_text("installments") or None,
                                   idempotency_key=form_text("idempotency_key"))
        sale = sales.get_sale(user, sale_id)
        return self.fragment("pos/cashier/_detail.html", **CashierPosView._detail_context(store, sale),
                             paid=result.payment, replayed=result.replayed, oob_queue=True,
                             **_queue(sales.payment_queue(user, [store.id])), poll=QUEUE_POLL_SECONDS,
                             selected=sale.id, trigger={"pos:paid": sale.status})

    @expose("/<int:store_id>/", methods=["GET"])
    @has_access
    def repay(self, store_id):
        """Find an account (name or phone) and take its repayment."""
        user = acting_user()
        store = queries.store_for(user, store_id)
        search = (request.args.get("q") or "").strip()[:64]
        accounts = [a for a in credits.scoped_accounts(user, search or None) if a.store_id == store.id]
        chosen = None
        if request.args.get("account", type=int):
            chosen = credits.get_account(user, request.args.get("account", type=int))
            if chosen.store_id != store.id:
                raise NotFound(_l("Compte client introuvable."))
        return self._page(store, accounts=accounts, search=search, chosen=chosen)

    @expose("/<int:store_id>/account/<int:account_id>/repay", methods=["POST"])
    @has_access
    def take(self, store_id, account_id):
        user = acting_user()
        store = queries.store_for(user, store_id)
        account = credits.get_account(user, account_id)
        if account.store_id != store.id:
            raise NotFound(_l("Compte client introuvable."))
        method = form_text("method")
        result = take_repayment(user, account.id, form_amount("amount"), method,
                                operator=form_text("operator") if method == "MOBILE_MONEY" else None,
                                reference=form_text("reference") if method != "CASH" else None,
                                idempotency_key=form_text("idempotency_key"))
        account = credits.get_account(user, account.id)
        return self._page(store, accounts=[], search="", chosen=account, done=result.repayment,
                          replayed=result.replayed)

    @expose("/repayment/<int:repayment_id>/receipt.pdf")
    @has_access
    def receipt(self, repayment_id):
        user = acting_user()
        repayment = db.session.get(CreditRepayment, repayment_id)
        if repayment is None:
            raise NotFound(_l("Remboursement introuvable."))
        credits.get_account(user, repayment.account_id)  # 404 outside the user's stores
        doc = receipt_doc(repayment)
        return pdf_response(render_pdf_fitted("credits/repayment_ticket.html", doc),
                            f"recu-credit-{repayment.store.code}-{repayment.id}.pdf")

    def _page(self, store, **context):
        user = acting_user()
        chosen = context.get("chosen")
        return self.page("credits/till/repay.html", store=store, stores=queries.user_stores(user),
                         shift=till.open_shift_of(user.id, store.id), currency=store.currency or "XAF",
                         methods=REPAY_METHODS, short_labels=SHORT_METHOD_LABELS, operators=MOBILE_OPERATORS,
                         idempotency_key=uuid.uuid4().hex, plain=plain_amount,
                         summary=credits.account_summary(chosen) if chosen else None, **context)


def receipt_doc(repayment):
    account, store = repayment.account, repayment.store
    return {
        "store": {"name": store.name, "address": store.address, "phone": store.phone, "tax_id": store.tax_id},
        "currency": store.currency, "number": f"{store.code}-RC-{repayment.id:06d}",
        "date": format_local_datetime(repayment.created_at, store.timezone),
        "customer": account.customer.name, "phone": account.customer.phone,
        "cashier": f"{repayment.cashier.first_name or ''} {repayment.cashier.last_name or ''}".strip(),
        "method": f"{METHOD_LABELS.get(repayment.method, repayment.method)}"
                  + (f" {repayment.operator}" if repayment.operator else ""),
        "reference": repayment.reference, "amount": repayment.amount,
        "balance_before": repayment.balance_after + repayment.amount, "balance_after": repayment.balance_after,
        "overdue": credits.overdue_amount(account), "available": account.available,
    }


def register(appbuilder):
    appbuilder.add_view_no_menu(CreditTillView)
    current_app.add_template_global(credit_of_customer, "credit_of_customer")
