"""The home page's entry points (the page is app.stores.views.HomeView) and the audit trail screen."""
from flask import current_app, url_for
from flask_appbuilder import ModelView
from flask_babel import lazy_gettext as _l

from .api import ScopedInterface
from .formatting import format_local_datetime
from .models import AuditLog
from .scoping import role_name, store_scope

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


# Panels shown at the top of the home page (a function of the user -> HTML or None); a domain
# adds its own (the reports' dashboard for managers and admins). Core imports no domain.
HOME_PANELS = []


def add_home_panel(render):
    if all(getattr(panel, "__qualname__", None) != render.__qualname__ for panel in HOME_PANELS):
        HOME_PANELS.append(render)


def home_panels(user):
    return [html for html in (render(user) for render in HOME_PANELS) if html]


def add_entry_point(label, endpoint, icon, permission):
    """Once per endpoint, however many apps the process creates (the tests build several)."""
    if all(entry[1] != endpoint for entry in ENTRY_POINTS):
        ENTRY_POINTS.append((label, endpoint, icon, permission))


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
