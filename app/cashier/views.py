"""Back-office screens of the till: shifts with their variance, payments, and the manager's
view of shift variances per cashier. Shifts are opened and closed at the POS (issue 5) or
through the API; a cashier sees their own shifts, a manager every shift of their stores."""
from flask_appbuilder import BaseView, ModelView, expose, has_access
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, select

from ..core.api import ScopedInterface
from ..core.formatting import format_local_datetime, format_money
from ..core.list_filters import Choice, Contains, FilteredListMixin, Period, StoreChoice, Summary
from ..core.scoping import acting_user, scope_to_stores, store_scope
from ..core.views import add_entry_point, get_or_404, has_permission
from ..extensions import db
from ..core.web import SCREEN_READ
from .models import METHOD_LABELS
from . import services
from .api import OwnShiftsForCashiers
from .models import CLOSED, CashShift, Payment


def money(value):
    return format_money(value) if value is not None else ""


SHIFT_LABELS = {
    "store": _l("Magasin"), "cashier": _l("Caissier"), "status": _l("Statut"), "opening_float": _l("Fonds de caisse"),
    "opened_at": _l("Ouverte le"), "closed_at": _l("Fermée le"), "counted_cash": _l("Espèces comptées"),
    "expected_cash": _l("Espèces attendues"), "variance": _l("Écart"),
}
SHIFT_STATUS_LABELS = {"OPEN": _l("Ouverte"), "CLOSED": _l("Fermée")}


class CashShiftModelView(FilteredListMixin, ModelView):
    datamodel = ScopedInterface(CashShift)
    class_permission_name = "CashShift"
    method_permission_name = SCREEN_READ
    base_permissions = ["can_read"]
    base_filters = store_scope() + [["cashier_id", OwnShiftsForCashiers, lambda: None]]
    base_order = ("id", "desc")
    list_title = _l("Caisses")
    show_title = _l("Caisse")
    list_columns = ["store", "cashier", "status", "opened_at", "closed_at", "opening_float", "expected_cash",
                    "counted_cash", "variance"]
    search_columns = ["store", "cashier", "status", "opened_at", "variance"]
    label_columns = SHIFT_LABELS
    formatters_columns = {
        "status": lambda status: str(SHIFT_STATUS_LABELS.get(status, status)),
        "opened_at": format_local_datetime, "closed_at": format_local_datetime,
        "opening_float": money, "expected_cash": money, "counted_cash": money, "variance": money,
    }
    list_filters = [
        Period("opened_at"), StoreChoice(), Choice("status", _l("Statut"), SHIFT_STATUS_LABELS),
        Contains("cashier.first_name", "cashier.last_name", placeholder=_l("Caissier")),
    ]
    list_summary = Summary(_l("%(count)s caisse"), _l("%(count)s caisses"), total="variance",
                           total_label=_l("écart total"))

    @expose("/show/<pk>", methods=["GET"])
    @has_access
    def show(self, pk):
        shift = get_or_404(self, pk)
        figures = services.shift_figures(shift) if shift.status == CLOSED else None
        return self.render_template("cashier/shift.html", shift=shift, figures=figures,
                                    running=services.running_figures(acting_user(), shift),
                                    can_print=has_permission("can_cash", "Till"),
                                    method_labels=METHOD_LABELS, title=str(shift))


class PaymentModelView(FilteredListMixin, ModelView):
    datamodel = ScopedInterface(Payment)
    class_permission_name = "Payment"
    method_permission_name = SCREEN_READ
    base_permissions = ["can_read"]
    base_filters = store_scope()
    base_order = ("id", "desc")
    list_title = _l("Paiements")
    list_columns = ["created_at", "store", "sale", "method", "operator", "amount", "change_given", "reference",
                    "cashier", "shift"]
    show_columns = list_columns + ["tendered", "idempotency_key"]
    search_columns = ["store", "sale", "method", "cashier", "created_at", "reference"]
    label_columns = {
        "created_at": _l("Date"), "store": _l("Magasin"), "sale": _l("Vente"), "method": _l("Mode"),
        "operator": _l("Opérateur"), "amount": _l("Montant"), "change_given": _l("Monnaie rendue"),
        "tendered": _l("Remis"), "reference": _l("Référence"), "cashier": _l("Caissier"), "shift": _l("Caisse"),
        "idempotency_key": _l("Clé d'idempotence"),
    }
    formatters_columns = {
        "created_at": format_local_datetime, "amount": money, "change_given": money, "tendered": money,
        "method": lambda method: str(METHOD_LABELS.get(method, method)),
    }
    list_filters = [
        Period("created_at"), StoreChoice(), Choice("method", _l("Mode"), METHOD_LABELS),
        Contains("sale.number", "reference", "cashier.first_name", "cashier.last_name",
                 placeholder=_l("N° de vente, référence ou caissier")),
    ]
    list_summary = Summary(_l("%(count)s paiement"), _l("%(count)s paiements"), total="amount")


class ShiftVarianceView(BaseView):
    """The manager's view: every cashier's closed shifts, their variances, shortages and surpluses."""

    route_base = "/ecarts-de-caisse"
    default_view = "show"
    class_permission_name = "ShiftVarianceView"

    @expose("/")
    @has_access
    def show(self):
        from flask_appbuilder.security.sqla.models import User

        from ..stores.models import Store

        user = acting_user()
        closed = CashShift.status == CLOSED
        query = (select(CashShift.cashier_id, CashShift.store_id,
                        func.count(CashShift.id).label("shifts"),
                        func.coalesce(func.sum(CashShift.variance), 0).label("total"),
                        func.sum(case((CashShift.variance < 0, 1), else_=0)).label("short"),
                        func.sum(case((CashShift.variance > 0, 1), else_=0)).label("over"),
                        func.min(CashShift.variance).label("worst"),
                        func.max(CashShift.closed_at).label("last"))
                 .where(closed).group_by(CashShift.cashier_id, CashShift.store_id))
        query = scope_to_stores(query, CashShift.store_id, user)
        rows = db.session.execute(query).all()
        users = {u.id: u for u in db.session.execute(
            select(User).where(User.id.in_({r.cashier_id for r in rows}))).scalars()} if rows else {}
        stores = {s.id: s for s in db.session.execute(select(Store)).scalars()}
        recent = db.session.execute(scope_to_stores(
            select(CashShift).where(closed).order_by(CashShift.closed_at.desc()).limit(30), CashShift.store_id, user)
        ).scalars().all()
        summary = sorted(({
            "cashier": users.get(r.cashier_id), "cashier_id": r.cashier_id, "store": stores.get(r.store_id),
            "shifts": r.shifts, "total": r.total, "short": r.short or 0, "over": r.over or 0, "worst": r.worst,
            "last": r.last} for r in rows), key=lambda row: (row["total"], -row["shifts"]))
        return self.render_template("cashier/variances.html", summary=summary, recent=recent,
                                    title=_("Écarts de caisse par caissier"))


def register(appbuilder):
    # "Caisse" alone is the till (the POS link); these are its records
    appbuilder.add_view(CashShiftModelView, "shifts", label=_l("Historique des caisses"), icon="fa-money",
                        category="cashier", category_label=_l("Trésorerie"), category_icon="fa-money")
    appbuilder.add_view(PaymentModelView, "payments", label=_l("Paiements"), icon="fa-credit-card",
                        category="cashier")
    appbuilder.add_view(ShiftVarianceView, "shift_variances", label=_l("Écarts de caisse"), icon="fa-balance-scale",
                        category="cashier")
    add_entry_point(_l("Historique des caisses"), "CashShiftModelView.list", "fa-money", ("can_read", "CashShift"))
    add_entry_point(_l("Écarts de caisse"), "ShiftVarianceView.show", "fa-balance-scale",
                    ("can_show", "ShiftVarianceView"))
