"""The home page (role, stores, entry points of the user's work) and the audit trail screen."""
from flask import current_app, redirect, url_for
from flask_appbuilder import IndexView, ModelView, expose
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..extensions import db
from .api import ScopedInterface
from .formatting import format_local_datetime
from .models import AuditLog
from .scoping import acting_user, is_admin, role_name, store_scope, user_store_ids

ROLE_LABELS = {
    "ADMIN": _l("Administrateur"),
    "MANAGER": _l("Gérant"),
    "SALES": _l("Vendeur"),
    "CASHIER": _l("Caissier"),
    "STOCKER": _l("Magasinier"),
}

# The home page's entry points: (label, endpoint or (endpoint, url values), icon, (permission, view) that grants it).
# Domains add theirs; an entry shows only when its endpoint exists and the user has the permission.
ENTRY_POINTS = [
    (_l("Magasins"), "StoreModelView.list", "fa-building", ("can_read", "Store")),
    (_l("Utilisateurs"), "UserDBModelView.list", "fa-users", ("can_list", "UserDBModelView")),
    (_l("Affectations aux magasins"), "StoreUserModelView.list", "fa-link", ("can_read", "StoreUser")),
    (_l("Journal d'audit"), "AuditLogModelView.list", "fa-history", ("can_read", "AuditLog")),
    (_l("API (Swagger)"), ("SwaggerView.show", {"version": "v1"}), "fa-code", ("can_show", "SwaggerView")),
]


# Where a role lands right after logging in (role -> endpoint); domains add theirs. A role
# without one (managers, admins) lands on this home page, the back office.
LANDINGS = {}


def add_landing(role, endpoint):
    LANDINGS[role] = endpoint


def landing_url(user):
    """Where the login sends `user` when no page was asked for."""
    endpoint = LANDINGS.get(role_name(user))
    if endpoint in current_app.view_functions:
        return url_for(endpoint)
    return current_app.appbuilder.get_url_for_index


def add_entry_point(label, endpoint, icon, permission):
    """Once per endpoint, however many apps the process creates (the tests build several)."""
    if all(entry[1] != endpoint for entry in ENTRY_POINTS):
        ENTRY_POINTS.append((label, endpoint, icon, permission))


class HomeView(IndexView):
    index_template = "core/home.html"

    @expose("/")
    def index(self):
        user = acting_user()
        if user is None:
            return redirect(url_for(self.appbuilder.sm.auth_view.__class__.__name__ + ".login"))
        from ..stores.models import Store

        query = select(Store).order_by(Store.code)
        if not is_admin(user):
            query = query.where(Store.id.in_(user_store_ids(user)))
        stores = db.session.execute(query).scalars().all()
        role = role_name(user)
        return self.render_template(
            self.index_template,
            user=user,
            role=role,
            role_label=ROLE_LABELS.get(role, role),
            stores=stores,
            entries=self._entries(),
        )

    def _entries(self):
        sm = self.appbuilder.sm
        entries = []
        for label, target, icon, (permission, view) in ENTRY_POINTS:
            endpoint, values = target if isinstance(target, tuple) else (target, {})
            if endpoint in current_app.view_functions and sm.has_access(permission, view):
                entries.append({"label": label, "url": url_for(endpoint, **values), "icon": icon})
        return entries


class AuditLogModelView(ModelView):
    """Read-only: the trail is append-only."""

    datamodel = ScopedInterface(AuditLog)
    class_permission_name = "AuditLog"
    method_permission_name = {"list": "read", "show": "read"}
    base_permissions = ["can_read"]
    base_filters = store_scope()
    base_order = ("created_at", "desc")
    list_title = _l("Journal d'audit")
    show_title = _l("Entrée du journal")
    list_columns = ["created_at", "user", "store", "action", "object_type", "object_id"]
    show_columns = ["created_at", "user", "store", "action", "object_type", "object_id", "before", "after"]
    search_columns = ["action", "object_type", "object_id", "store", "user", "created_at"]
    label_columns = {
        "created_at": _l("Date"),
        "user": _l("Utilisateur"),
        "store": _l("Magasin"),
        "action": _l("Action"),
        "object_type": _l("Type d'objet"),
        "object_id": _l("Identifiant"),
        "before": _l("Avant"),
        "after": _l("Après"),
    }
    formatters_columns = {"created_at": format_local_datetime}


def register(appbuilder):
    appbuilder.add_view(
        AuditLogModelView, "audit", label=_l("Journal d'audit"), icon="fa-history",
        category="organisation", category_label=_l("Organisation"),
    )
