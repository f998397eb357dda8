"""Back-office screens of customer credit: accounts with balance, available and overdue; one
account's ledger and schedule; a manager opens accounts and changes limits; the statement PDF."""
from datetime import date

from flask import abort, flash, redirect, request, url_for
from flask_appbuilder import ModelView, expose, has_access
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..core.api import ScopedInterface
from ..core.errors import DomainError
from ..core.formatting import format_money
from ..core.scoping import acting_user, is_admin, role_name, store_scope, user_store_ids
from ..core.views import add_entry_point, get_or_404
from ..core.web import flash_error
from ..customers.models import Customer
from ..extensions import db
from . import documents, services
from .models import INSTALLMENT_LABELS, SOURCE_LABELS, CreditLedgerEntry, CustomerAccount


def money(value):
    return format_money(value) if value is not None else ""


def _day(value):
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


class CreditAccountModelView(ModelView):
    datamodel = ScopedInterface(CustomerAccount)
    route_base = "/credit"
    class_permission_name = "CreditAccount"
    method_permission_name = {"list": "read", "show": "read", "statement": "read", "open_account": "write",
                              "change": "write", "reverse": "write"}
    base_permissions = ["can_read", "can_write"]
    base_filters = store_scope()
    base_order = ("id", "desc")
    list_title = _l("Comptes clients (crédit)")
    list_columns = ["customer", "store", "credit_limit", "balance", "available", "overdue", "is_active"]
    search_columns = ["customer", "store", "is_active"]
    label_columns = {"customer": _l("Client"), "store": _l("Magasin"), "credit_limit": _l("Plafond"),
                     "balance": _l("Solde dû"), "available": _l("Disponible"), "overdue": _l("En retard"),
                     "is_active": _l("Actif")}
    formatters_columns = {"credit_limit": money, "balance": money, "available": money, "overdue": money,
                          "is_active": lambda v: _("Oui") if v else _("Non")}
    list_template = "credits/list.html"

    @expose("/show/<pk>", methods=["GET"])
    @has_access
    def show(self, pk):
        account = get_or_404(self, pk)
        summary = services.account_summary(account)
        entries = list(reversed(account.entries))[:200]
        reversed_ids = {e.reverses_id for e in account.entries if e.reverses_id}
        return self.render_template("credits/account.html", account=account, summary=summary, entries=entries,
                                    reversed_ids=reversed_ids,
                                    source_labels=SOURCE_LABELS, installment_labels=INSTALLMENT_LABELS,
                                    can_manage=role_name(acting_user()) in services.MANAGER_ROLES,
                                    title=str(account))

    @expose("/<int:pk>/releve.pdf", methods=["GET"])
    @has_access
    def statement(self, pk):
        account = get_or_404(self, pk)
        try:
            period = services.statement(account, _day(request.args.get("date_from")),
                                        _day(request.args.get("date_to")))
        except DomainError as exc:
            flash_error(exc)
            return redirect(url_for(".show", pk=pk))
        return documents.statement_response(period)

    @expose("/ouvrir", methods=["GET", "POST"])
    @has_access
    def open_account(self):
        user = acting_user()
        if request.method == "POST":
            try:
                account = services.open_account(user, request.form.get("customer"), request.form.get("credit_limit"),
                                                note=request.form.get("note"))
            except DomainError as exc:
                flash_error(exc)
            else:
                flash(_("Compte ouvert."), "success")
                return redirect(url_for(".show", pk=account.id))
        query = select(Customer).where(Customer.is_active.is_(True),
                                       ~Customer.id.in_(select(CustomerAccount.customer_id)))
        if not is_admin(user):
            query = query.where(Customer.store_id.in_(user_store_ids(user) or [-1]))
        customers = db.session.execute(query.order_by(Customer.name).limit(500)).scalars().all()
        return self.render_template("credits/open.html", customers=customers, title=_("Ouvrir un compte client"))

    @expose("/<int:pk>/modifier", methods=["POST"])
    @has_access
    def change(self, pk):
        get_or_404(self, pk)
        try:
            services.update_account(acting_user(), pk, credit_limit=request.form.get("credit_limit"),
                                    is_active=request.form.get("is_active", "false"))
        except DomainError as exc:
            flash_error(exc)
        else:
            flash(_("Compte mis à jour."), "success")
        return redirect(url_for(".show", pk=pk))

    @expose("/<int:pk>/ecriture/<int:entry_id>/corriger", methods=["POST"])
    @has_access
    def reverse(self, pk, entry_id):
        """A correction: a reversing entry (the ledger is never edited)."""
        entry = db.session.get(CreditLedgerEntry, entry_id)
        if self.datamodel.get(pk, self._base_filters) is None or entry is None or entry.account_id != pk:
            abort(404)
        try:
            services.reverse_entry(acting_user(), entry.id, request.form.get("note"))
        except DomainError as exc:
            flash_error(exc)
        else:
            flash(_("Écriture corrigée par une écriture inverse."), "success")
        return redirect(url_for(".show", pk=pk))


def register(appbuilder):
    appbuilder.add_view(CreditAccountModelView, "credit_accounts", label=_l("Comptes crédit"), icon="fa-book",
                        category="sales")  # beside the customers (one menu line at 1024 px)
    add_entry_point(_l("Crédit client"), "CreditAccountModelView.list", "fa-book", ("can_read", "CreditAccount"))
