"""Back-office screens of alerts: the list with filters and one-click acknowledge, and the
count behind the bell of the top bar (templates/appbuilder/navbar_right.html polls it)."""
from flask import flash, jsonify, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import gettext as _, lazy_gettext as _l
from sqlalchemy import select

from ..core.errors import DomainError
from ..core.ids import is_row_id
from ..core.scoping import acting_user, is_admin, user_store_ids
from ..core.views import add_entry_point
from ..extensions import db
from ..stores.models import Store
from . import services
from .links import links_for
from .models import (OPEN_STATUSES, SEVERITY_LABELS, STATUS_LABELS, STATUSES, TYPE_LABELS, TYPES, Alert)

PAGE_SIZE = 100
FILTERS = ("status", "type", "store")


class AlertView(BaseView):
    route_base = "/alerts"
    default_view = "list"
    class_permission_name = "AlertView"
    method_permission_name = {"list": "list", "count": "count", "acknowledge": "acknowledge"}
    base_permissions = ["can_list", "can_count", "can_acknowledge"]

    def _chosen(self):
        args = request.args
        status = args.get("status", "open")
        return {
            "status": status if status in STATUSES + ("open", "all") else "open",
            "type": args.get("type") if args.get("type") in TYPES else "",
            "store": int(args["store"]) if is_row_id(args.get("store")) else None,
        }

    @expose("/list/")
    @has_access
    def list(self):
        user = acting_user()
        chosen = self._chosen()
        query = services.visible_alerts(user)
        if chosen["status"] == "open":
            query = query.where(Alert.status.in_(OPEN_STATUSES))
        elif chosen["status"] != "all":
            query = query.where(Alert.status == chosen["status"])
        if chosen["type"]:
            query = query.where(Alert.type == chosen["type"])
        if chosen["store"]:
            query = query.where(Alert.store_id == chosen["store"])
        alerts = db.session.execute(query.order_by(Alert.created_at.desc(), Alert.id.desc())
                                    .limit(PAGE_SIZE)).scalars().all()
        stores_query = select(Store).order_by(Store.code)
        if not is_admin(user):
            stores_query = stores_query.where(Store.id.in_(user_store_ids(user)))
        types = services.visible_types(user) or TYPES
        return self.render_template(
            "alerts/list.html", alerts=alerts, links=links_for(alerts), chosen=chosen,
            stores=db.session.execute(stores_query).scalars().all(),
            types=[(t, TYPE_LABELS[t]) for t in types], statuses=STATUS_LABELS,
            type_labels=TYPE_LABELS, severity_labels=SEVERITY_LABELS, page_size=PAGE_SIZE,
            title=_("Alertes"))

    @expose("/count")
    @has_access
    def count(self):
        """The number of NEW alerts the user sees (the bell of the top bar)."""
        return jsonify(count=services.open_count(acting_user()))

    @expose("/<int:pk>/acknowledge", methods=["POST"])
    @has_access
    def acknowledge(self, pk):
        try:
            services.acknowledge(acting_user(), pk)
            flash(_("Alerte marquée comme vue."), "success")
        except DomainError as exc:
            db.session.rollback()
            flash(exc.message, "danger")
        kept = {name: request.form.get(name) for name in FILTERS if request.form.get(name)}
        return redirect(url_for("AlertView.list", **kept))


def register(appbuilder):
    # No menu of its own: the bell of the top bar leads to the list (a menu more made the
    # manager's top bar wrap onto two lines at 1024 px), and so does the home page.
    appbuilder.add_view_no_menu(AlertView)
    add_entry_point(_l("Alertes"), "AlertView.list", "fa-bell", ("can_list", "AlertView"))
