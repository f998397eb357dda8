"""The owner's dashboard (the home page of managers and admins) and the sales report screen."""
from datetime import timedelta

from flask import render_template, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import select

from ..alerts.models import Alert
from ..core.errors import DomainError
from ..core.scoping import acting_user, is_admin, role_name
from ..core.views import add_entry_point, add_home_panel
from ..core.web import flash_error
from ..extensions import db
from ..stores.models import Store
from . import sales_report, services
from .filters import filter_choices, read_query

DASHBOARD_ROLES = ("MANAGER", "ADMIN")
METHOD_LABELS = sales_report.METHOD_LABELS


def _change(now, before):
    now, before = int(now), int(before)
    if before == 0:
        return None
    return round((now - before) * 100 / before)


def dashboard_context(user, store_id=None):
    """What the dashboard shows, for the user's stores (or one of them)."""
    all_stores = Store.of_user(user)
    stores = [Store.for_action(user, store_id)] if store_id else all_stores
    today = (stores[0].local_now() if stores else Store().local_now()).date()
    week_ago = today - timedelta(days=7)
    first = today - timedelta(days=29)
    period = services.Period(stores, first, today)  # the 30 days read once; today and a week ago are in them
    now, before, month = period.kpis(today, today), period.kpis(week_ago, week_ago), period.kpis()
    series = period.daily_revenue()
    cards = []
    for key, label, money in (("revenue", _l("Chiffre d'affaires TTC"), True), ("sales_count", _l("Ventes"), False),
                              ("average_basket", _l("Panier moyen"), True), ("gross_margin", _l("Marge brute"), True)):
        cards.append({"key": key, "label": label, "money": money, "value": now["result"][key],
                      "before": before["result"][key], "change": _change(now["result"][key], before["result"][key])})
    alerts = db.session.execute(
        select(Alert).where(Alert.store_id.in_([s.id for s in stores] or [0]),
                            Alert.status.in_(("NEW", "ACKNOWLEDGED")))
        .order_by(Alert.created_at.desc()).limit(6)).scalars().all()
    open_alerts = db.session.execute(
        select(db.func.count(Alert.id)).where(Alert.store_id.in_([s.id for s in stores] or [0]),
                                              Alert.status.in_(("NEW", "ACKNOWLEDGED")))).scalar()
    methods = month["result"]["payments_by_method"]
    return {
        "today": today, "week_ago": week_ago, "first": first, "stores": all_stores, "store_id": store_id,
        "now": now["result"], "cards": cards, "month": month["result"], "per_store": month["stores"],
        "today_per_store": now["stores"], "alerts": alerts, "open_alerts": open_alerts, "admin": is_admin(user),
        "chart": {
            "days": [day.strftime("%d/%m") for day, _ in series],
            "revenue": [int(amount) for _, amount in series],
            "methods": [str(METHOD_LABELS.get(m, m)) for m in methods],
            "method_amounts": [int(v) for v in methods.values()],
            "stores": [row["code"] for row in month["stores"]],
            "store_revenue": [int(row["revenue"]) for row in month["stores"]],
            "store_margin": [int(row["gross_margin"]) for row in month["stores"]],
        },
    }


def home_panel(user):
    """The dashboard on the home page of managers and admins; nothing for the other roles."""
    if role_name(user) not in DASHBOARD_ROLES:
        return None
    try:
        context = dashboard_context(user, request.args.get("store"))
    except DomainError:
        context = dashboard_context(user)
    return Markup(render_template("reports/dashboard_panel.html", **context))


class ReportsView(BaseView):
    route_base = "/reports"
    default_view = "dashboard"
    class_permission_name = "ReportsView"
    method_permission_name = {"dashboard": "dashboard", "sales": "sales"}

    @expose("/dashboard/")
    @has_access
    def dashboard(self):
        try:
            context = dashboard_context(acting_user(), request.args.get("store"))
        except DomainError as exc:
            flash_error(exc)
            context = dashboard_context(acting_user())
        return self.render_template("reports/dashboard.html", panel=Markup(render_template(
            "reports/dashboard_panel.html", **context)))

    @expose("/sales/")
    @has_access
    def sales(self):
        user = acting_user()
        try:
            query = read_query(request.args, user, grouping=True)
        except DomainError as exc:
            flash_error(exc)
            query = read_query({}, user, grouping=True)
        if query.format == "xlsx":
            from .api import workbook_response  # noqa: PLC0415  (the same streamed workbook)

            return workbook_response(query)
        groups = sales_report.report(query.stores, query.date_from, query.date_to, query.filters)
        rows = groups[query.group_by]
        totals = {"sales_count": sum(r["sales_count"] for r in groups["day"]),
                  "items_sold": sum(r["items_sold"] for r in groups["day"]),
                  "revenue": sum(int(r["revenue"]) for r in groups["day"]),
                  "revenue_ht": sum(int(r["revenue_ht"]) for r in groups["day"])}
        args = {k: v for k, v in request.args.items() if k != "format"}
        return self.render_template(
            "reports/sales.html", query=query, rows=rows, totals=totals, stores=Store.of_user(user),
            groupings=sales_report.SHEET_TITLES, choices=filter_choices(user),
            export_url=url_for("ReportsView.sales", format="xlsx", **args))


def register(appbuilder):
    appbuilder.add_view_no_menu(ReportsView)
    appbuilder.add_link("report_dashboard", href="/reports/dashboard/", label=_l("Tableau de bord"),
                        icon="fa-line-chart", category="sales")  # no menu of its own: one line at 1024 px
    appbuilder.add_link("report_sales", href="/reports/sales/", label=_l("Rapport des ventes"), icon="fa-table",
                        category="sales")
    add_entry_point(_l("Rapport des ventes"), "ReportsView.sales", "fa-table", ("can_sales", "ReportsView"))
    add_home_panel(home_panel)
