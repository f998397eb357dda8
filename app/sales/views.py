"""Back-office screens: sales (read-only, with items, payments and the audit trail; a manager
cancels or refunds from there), the approvals queue, refunds, the warranty lookup.

Drafts are written at the POS (issue 5) and through the API; these screens call the same
services for what they change.
"""
from flask import abort, flash, redirect, request, url_for
from flask_appbuilder import BaseView, ModelView, expose, has_access
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..core.api import ScopedInterface
from ..core.errors import DomainError
from ..core.formatting import format_local_datetime, format_money, format_percent
from ..core.list_filters import Choice, Contains, FilteredListMixin, Period, StoreChoice, Summary
from ..core.models import AuditLog
from ..core.scoping import acting_user, scope_to_stores, store_scope
from ..core.views import add_entry_point, get_or_404
from ..core.web import SCREEN_READ, confirm_own_password, describe_error, flash_error
from ..customers.services import display_phone
from ..extensions import db
from . import services
from ..cashier.models import METHOD_LABELS
from ..cashier.services import refund_till
from .models import DRAFT, PENDING, Approval, Refund, Sale
from .totals import sale_totals

SALE_LABELS = {
    "number": _l("Numéro"),
    "status": _l("Statut"),
    "store": _l("Magasin"),
    "seller": _l("Vendeur"),
    "customer": _l("Client"),
    "discount": _l("Remise"),
    "subtotal": _l("Sous-total"),
    "tax_total": _l("TVA"),
    "total": _l("Total TTC"),
    "amount_paid": _l("Payé"),
    "amount_refunded": _l("Remboursé"),
    "balance_due": _l("Reste à payer"),
    "created_at": _l("Créée le"),
    "submitted_at": _l("Transmise le"),
    "paid_at": _l("Payée le"),
}

APPROVAL_KIND_LABELS = {
    "DISCOUNT": _l("Remise au-delà du seuil"),
    "PRICE_FLOOR": _l("Prix sous le plancher"),
    "CANCELLATION": _l("Annulation"),
    "REFUND": _l("Remboursement"),
}
# The sale's trail in words (the code stays in the audit journal and as the row's tooltip).
TRAIL_ACTION_LABELS = {
    "sale.create": _l("Brouillon créé"),
    "sale.update": _l("Brouillon modifié"),
    "sale.submit": _l("Transmise à la caisse"),
    "sale.payment": _l("Paiement"),
    "sale.refund": _l("Remboursement"),
    "sale.cancel": _l("Annulation"),
    "sale.delete": _l("Brouillon supprimé"),
    "approval.request": _l("Approbation demandée"),
    "approval.approved": _l("Approbation accordée"),
    "approval.rejected": _l("Approbation refusée"),
}
APPROVAL_STATUS_LABELS = {"PENDING": _l("En attente"), "APPROVED": _l("Approuvée"), "REJECTED": _l("Refusée")}


money = format_money

# The sales list's status choices: the everyday ones first, drafts (hidden until asked for) last.
SALE_STATUS_CHOICES = {status: services.STATUS_LABELS[status] for status in
                       ("PAID", "PARTIALLY_PAID", "PENDING_PAYMENT", "CANCELLED", "REFUNDED", DRAFT)}
WHO = ("first_name", "last_name")


class SaleModelView(FilteredListMixin, ModelView):
    datamodel = ScopedInterface(Sale)
    class_permission_name = "Sale"
    method_permission_name = {**SCREEN_READ, "cancel": "cancel", "refund": "refund"}
    base_permissions = ["can_read", "can_cancel", "can_refund"]
    base_filters = store_scope()
    base_order = ("id", "desc")
    list_title = _l("Ventes")
    show_title = _l("Vente")
    list_columns = ["number", "status", "store", "seller", "customer", "total", "amount_paid", "balance_due",
                    "created_at"]
    search_columns = ["number", "status", "store", "seller", "customer", "created_at", "total"]
    label_columns = SALE_LABELS
    formatters_columns = {
        "status": services.status_label,
        "total": money, "amount_paid": money, "balance_due": money,
        "created_at": format_local_datetime,
        "number": lambda number: number or _("(brouillon)"),
        "customer": lambda customer: customer or _("Client comptant"),
    }
    page_size = 50
    list_filters = [
        Period("created_at"), StoreChoice(),
        Choice("status", _l("Statut"), SALE_STATUS_CHOICES, hidden=(DRAFT,), hidden_note=_l("hors brouillons")),
        Contains("number", "customer.name", *(f"seller.{name}" for name in WHO),
                 placeholder=_l("N°, client ou vendeur")),
    ]
    list_summary = Summary(_l("%(count)s vente"), _l("%(count)s ventes"), total="total")

    @expose("/show/<pk>", methods=["GET"])
    @has_access
    def show(self, pk):
        sale = get_or_404(self, pk)
        user = acting_user()
        trail = db.session.execute(
            select(AuditLog).where(AuditLog.object_type == "Sale", AuditLog.object_id == str(sale.id))
            .order_by(AuditLog.id)).scalars().all()
        sm = self.appbuilder.sm
        manager = services.is_manager_of(user, sale.store_id)
        from ..cashier.models import CashShift

        open_shifts = db.session.execute(select(CashShift).where(
            CashShift.store_id == sale.store_id, CashShift.status == "OPEN").order_by(CashShift.id)).scalars().all()
        return self.render_template(
            "sales/show.html", sale=sale, totals=sale_totals(sale), trail=trail,
            status_label=services.status_label, method_labels=METHOD_LABELS, percent=format_percent,
            display_phone=display_phone,
            kind_labels=APPROVAL_KIND_LABELS, approval_labels=APPROVAL_STATUS_LABELS, action_labels=TRAIL_ACTION_LABELS,
            can_cancel=manager and sm.has_access("can_cancel", "Sale") and sale.can_become("CANCELLED"),
            can_refund=manager and sm.has_access("can_refund", "Sale") and sale.can_become("REFUNDED"),
            open_shifts=open_shifts, title=str(sale),
            discount_off=services.discount_off_list_price(sale),
            can_decide=manager and sm.has_access("can_approve", "Approval"),
        )

    @expose("/cancel/<int:pk>", methods=["POST"])
    @has_access
    def cancel(self, pk):
        sale = get_or_404(self, pk)
        try:
            confirm_own_password(acting_user(), request.form.get("password"))
            sale, refund = services.cancel_sale(acting_user(), sale.id, request.form.get("reason"),
                                                method=request.form.get("method") or "CASH",
                                                till=refund_till(acting_user(), request.form.get("shift") or None))
            flash(_("Vente annulée.") + (" " + _("%(amount)s remboursé(s).", amount=money(refund.amount))
                                          if refund else ""), "success")
        except DomainError as exc:
            flash_error(exc)
        return redirect(url_for(".show", pk=pk))

    @expose("/refund/<int:pk>", methods=["POST"])
    @has_access
    def refund(self, pk):
        sale = get_or_404(self, pk)
        lines = []
        for item in sale.items:
            quantity = request.form.get(f"quantity-{item.id}", "").strip()
            if quantity and quantity != "0":
                lines.append({"sale_item": item.id, "quantity": quantity,
                              "restock": request.form.get(f"defective-{item.id}") != "on"})
        try:
            confirm_own_password(acting_user(), request.form.get("password"))
            sale, refund = services.refund_sale(acting_user(), sale.id, lines, restock=True,
                                                method=request.form.get("method") or "CASH",
                                                till=refund_till(acting_user(), request.form.get("shift") or None),
                                                reason=request.form.get("reason"))
            flash(_("Remboursement enregistré : %(amount)s.", amount=money(refund.amount)), "success")
        except DomainError as exc:
            flash_error(exc)
        return redirect(url_for(".show", pk=pk))


class ApprovalModelView(FilteredListMixin, ModelView):
    """The queue of approvals: a manager approves or rejects from here."""

    datamodel = ScopedInterface(Approval)
    class_permission_name = "Approval"
    method_permission_name = {**SCREEN_READ, "decide": "approve"}
    base_permissions = ["can_read", "can_approve"]
    base_filters = store_scope()
    base_order = ("id", "desc")
    list_title = _l("Demandes d'approbation")
    show_title = _l("Demande d'approbation")
    list_columns = ["requested_at", "store", "sale", "kind", "status", "requested_by", "decided_by", "decided_at"]
    show_columns = list_columns + ["details", "reason"]
    search_columns = ["status", "kind", "store", "requested_by", "decided_by", "requested_at"]
    label_columns = {
        "requested_at": _l("Demandée le"), "store": _l("Magasin"), "sale": _l("Vente"), "kind": _l("Motif"),
        "status": _l("Statut"), "requested_by": _l("Demandée par"), "decided_by": _l("Décidée par"),
        "decided_at": _l("Décidée le"), "details": _l("Détails"), "reason": _l("Note"),
    }
    formatters_columns = {
        "kind": lambda kind: str(APPROVAL_KIND_LABELS.get(kind, kind)),
        "status": lambda status: str(APPROVAL_STATUS_LABELS.get(status, status)),
        "requested_at": format_local_datetime, "decided_at": format_local_datetime,
        "decided_by": lambda user: user or "",
    }
    list_template = "sales/approvals_list.html"
    list_filters = [
        Period("requested_at"), StoreChoice(),
        Choice("status", _l("Statut"), APPROVAL_STATUS_LABELS), Choice("kind", _l("Motif"), APPROVAL_KIND_LABELS),
        Contains("sale.number", *(f"requested_by.{name}" for name in WHO), placeholder=_l("N° de vente ou vendeur")),
    ]
    list_summary = Summary(_l("%(count)s demande"), _l("%(count)s demandes"))

    @expose("/decide/<int:pk>", methods=["POST"])
    @has_access
    def decide(self, pk):
        approval = self.datamodel.get(pk, self._base_filters)
        if approval is None:
            abort(404)
        approve = request.form.get("decision") == "approve"
        try:
            if not approve:  # a refusal is confirmed with the manager's password, like a cancellation
                confirm_own_password(acting_user(), request.form.get("password"))
            services.decide_approval(acting_user(), approval.id, approve, note=request.form.get("note"))
            flash(_("Demande approuvée.") if approve else _("Demande refusée."), "success")
        except DomainError as exc:
            flash_error(exc)
        return redirect(request.referrer if _same_site(request.referrer) else url_for(".list"))

    def render_template(self, template, **kwargs):
        if template == self.list_template:
            kwargs["pending"] = self._pending()
            kwargs["kind_labels"] = APPROVAL_KIND_LABELS
            kwargs["discount_off"] = services.discount_off_list_price
            kwargs["can_decide"] = self.appbuilder.sm.has_access("can_approve", "Approval")
        return super().render_template(template, **kwargs)

    def _pending(self):
        query = scope_to_stores(select(Approval).where(Approval.status == PENDING).order_by(Approval.requested_at),
                                Approval.store_id)
        return db.session.execute(query.limit(100)).scalars().all()


def _same_site(url):
    from urllib.parse import urlparse

    return bool(url) and urlparse(url).netloc in ("", request.host)


class RefundModelView(FilteredListMixin, ModelView):
    datamodel = ScopedInterface(Refund)
    class_permission_name = "Refund"
    method_permission_name = SCREEN_READ
    base_permissions = ["can_read"]
    base_filters = store_scope()
    base_order = ("id", "desc")
    list_title = _l("Remboursements")
    show_title = _l("Remboursement")
    list_columns = ["created_at", "store", "sale", "is_cancellation", "method", "amount", "restock", "shift",
                    "approved_by"]
    show_columns = list_columns + ["reason", "reference", "lines"]
    search_columns = ["store", "sale", "method", "created_at", "approved_by"]
    label_columns = {
        "created_at": _l("Date"), "store": _l("Magasin"), "sale": _l("Vente"),
        "is_cancellation": _l("Annulation"), "method": _l("Mode"), "amount": _l("Montant"),
        "restock": _l("Remis en stock"), "shift": _l("Caisse"), "approved_by": _l("Gérant"),
        "reason": _l("Motif"), "reference": _l("Référence"), "lines": _l("Articles"),
    }
    formatters_columns = {
        "amount": money, "created_at": format_local_datetime,
        "method": lambda method: str(METHOD_LABELS.get(method, method)),
    }
    list_filters = [
        Period("created_at"), StoreChoice(),
        Choice("is_cancellation", _l("Nature"), {"cancellation": _l("Annulations"), "refund": _l("Retours d'articles")},
               arg="kind", conditions={"cancellation": lambda model: model.is_cancellation.is_(True),
                                       "refund": lambda model: model.is_cancellation.is_(False)}),
        Choice("method", _l("Mode"), METHOD_LABELS),
        Contains("sale.number", "reason", placeholder=_l("N° de vente ou motif")),
    ]
    list_summary = Summary(_l("%(count)s remboursement"), _l("%(count)s remboursements"), total="amount")


class WarrantyView(BaseView):
    """Warranty lookup by serial number or IMEI."""

    route_base = "/garantie"
    default_view = "lookup"
    class_permission_name = "WarrantyView"

    @expose("/")
    @has_access
    def lookup(self):
        serial = (request.args.get("serial") or "").strip()
        results, error = [], None
        if serial:
            try:
                results = services.warranty_lookup(acting_user(), serial)
            except DomainError as exc:
                error = describe_error(exc)
        return self.render_template("sales/warranty.html", serial=serial, results=results, error=error,
                                    title=_("Recherche de garantie"))


def register(appbuilder):
    appbuilder.add_view(SaleModelView, "sale_list", label=_l("Ventes"), icon="fa-shopping-cart",
                        category="sales", category_label=_l("Ventes"), category_icon="fa-shopping-cart")
    appbuilder.add_view(ApprovalModelView, "approvals", label=_l("Approbations"), icon="fa-check-square-o",
                        category="sales")
    appbuilder.add_view(RefundModelView, "refunds", label=_l("Remboursements"), icon="fa-undo", category="sales")
    appbuilder.add_view(WarrantyView, "warranty", label=_l("Garantie"), icon="fa-shield", category="sales")
    add_entry_point(_l("Ventes"), "SaleModelView.list", "fa-shopping-cart", ("can_read", "Sale"))
    add_entry_point(_l("Approbations"), "ApprovalModelView.list", "fa-check-square-o", ("can_approve", "Approval"))
    add_entry_point(_l("Garantie"), "WarrantyView.lookup", "fa-shield", ("can_lookup", "WarrantyView"))
