"""The home page's entry points (the page is app.stores.views.HomeView) and the audit trail screen."""
from flask import abort, current_app, flash, redirect, url_for
from flask_appbuilder import ModelView, expose, has_access
from flask_babel import lazy_gettext as _l

from .api import ScopedInterface
from .errors import DomainError
from .formatting import format_local_datetime
from .models import AuditLog
from .scoping import role_name, store_scope
from .web import flash_error

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
    list_columns = ["created_at", "user", "store", "action_label", "object_label"]
    show_columns = ["created_at", "user", "store", "action_label", "object_label", "changes"]
    search_columns = ["action", "object_type", "object_id", "store", "user", "created_at"]
    order_columns = ["created_at"]
    label_columns = {
        "action_label": _l("Action"),
        "object_label": _l("Objet"),
        "changes": _l("Changements"),
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

    def __init__(self, **kwargs):
        # Action and object type filtered by choices in words (the stored codes are the values).
        from wtforms import SelectField

        from .audit_words import action_choices, object_type_choices

        self.search_form_extra_fields = {
            "action": SelectField(_l("Action"), choices=action_choices()),
            "object_type": SelectField(_l("Type d'objet"), choices=object_type_choices()),
        }
        super().__init__(**kwargs)


def has_permission(permission, view):
    """Whether the current user holds `permission` on `view` (a screen shows or hides an action)."""
    return current_app.appbuilder.sm.has_access(permission, view)


def get_or_404(view, pk):
    """The row `pk` among those a screen may show (its base filters: the user's stores), else 404."""
    item = view.datamodel.get(pk, view._base_filters)  # None for a pk that names no row
    if item is None:
        abort(404)
    return item


class ReadOnlyModelView(ModelView):
    """list + show with the view's own read permission; the rest comes from explicit endpoints."""

    base_permissions = ["can_read"]
    method_permission_name = {"list": "read", "show": "read"}
    page_size = 50


class DocumentModelView(ReadOnlyModelView):
    """A document (transfer, count, purchase order): FAB list, and a page of its own with the
    actions of its state."""

    base_permissions = ["can_read", "can_write"]
    list_template = None
    show_template = None
    status_labels = {}
    new_endpoint = None
    new_label = None

    @expose("/list/")
    @has_access
    def list(self):
        widgets = self._list()
        new_url = url_for(f"{type(self).__name__}.{self.new_endpoint}") if has_permission(
            "can_write", self.class_permission_name) else None
        return self.render_template(self.list_template, title=self.list_title, widgets=widgets,
                                    new_url=new_url, new_label=self.new_label)

    def _document(self, pk):
        return get_or_404(self, pk)

    @expose("/show/<pk>", methods=["GET"])
    @has_access
    def show(self, pk):
        item = self._document(pk)
        return self.render_template(self.show_template, title=str(item), item=item, labels=self.status_labels,
                                    **self._show_args(item))

    def _show_args(self, item):
        return {}

    def _act(self, pk, action, success):
        """Run a service action on the document; flash its French answer; back to the document."""
        item = self._document(pk)
        try:
            action(item)
        except DomainError as error:
            flash_error(error)
        else:
            flash(str(success), "success")
        return redirect(url_for(f"{type(self).__name__}.show", pk=item.id))


def no_file_downloads(app):
    """FAB gives every ModelView /download/<filename>, serving UPLOAD_FOLDER's files of a file
    column; no model of ours has one, so that route names nothing: 404 (FAB's fails: a 500)."""
    def not_found(filename):
        abort(404)

    for view in app.appbuilder.baseviews:
        endpoint = f"{view.endpoint}.download"
        if isinstance(view, ModelView) and endpoint in app.view_functions:
            app.view_functions[endpoint] = not_found


def register(appbuilder):
    appbuilder.add_view(
        AuditLogModelView, "audit", label=_l("Journal d'audit"), icon="fa-history",
        category="organisation", category_label=_l("Organisation"),
    )
