"""The home page and the back-office screens: stores and store assignments."""
from zoneinfo import available_timezones

from babel.numbers import get_currency_name, list_currencies
from flask import current_app, redirect, url_for
from flask_appbuilder import IndexView, ModelView, expose
from flask_appbuilder.fieldwidgets import Select2Widget
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from wtforms import SelectField
from wtforms.validators import DataRequired

from ..core.api import ScopedInterface
from ..core.formatting import format_percent, yes_no
from ..core.scoping import acting_user, role_name, store_scope
from ..core.views import ENTRY_POINTS, ROLE_LABELS, home_panels
from ..core.web import SCREEN_READ_WRITE
from .models import Store, StoreUser

STORE_LABELS = {
    "code": _l("Code"),
    "name": _l("Nom"),
    "address": _l("Adresse"),
    "phone": _l("Téléphone"),
    "currency": _l("Devise"),
    "timezone": _l("Fuseau horaire"),
    "tax_id": _l("N° contribuable"),
    "invoice_footer": _l("Pied de facture"),
    "logo": _l("Logo (chemin)"),
    "discount_threshold": _l("Seuil de remise (%)"),
    "pending_payment_limit_minutes": _l("Délai d'attente de paiement (min)"),
    "is_active": _l("Actif"),
    "users": _l("Personnel"),
    "store": _l("Magasin"),
    "user": _l("Utilisateur"),
}


class HomeView(IndexView):
    """The home page: the user's role, stores and the entry points of their work."""

    index_template = "core/home.html"

    @expose("/")
    def index(self):
        user = acting_user()
        if user is None:
            return redirect(url_for(self.appbuilder.sm.auth_view.__class__.__name__ + ".login"))
        stores = Store.of_user(user, active_only=False)
        role = role_name(user)
        return self.render_template(
            self.index_template,
            user=user,
            role=role,
            role_label=ROLE_LABELS.get(role, role),
            stores=stores,
            entries=self._entries(),
            panels=home_panels(user),  # the dashboard of managers and admins (app/reports)
        )

    def _entries(self):
        sm = self.appbuilder.sm
        entries = []
        for label, target, icon, (permission, view) in ENTRY_POINTS:
            endpoint, values = target if isinstance(target, tuple) else (target, {})
            if endpoint in current_app.view_functions and sm.has_access(permission, view):
                entries.append({"label": label, "url": url_for(endpoint, **values), "icon": icon})
        return entries


class StoreModelView(ModelView):
    datamodel = ScopedInterface(Store)
    class_permission_name = "Store"
    method_permission_name = SCREEN_READ_WRITE
    base_filters = store_scope("id")
    list_title = _l("Magasins")
    show_title = _l("Magasin")
    add_title = _l("Nouveau magasin")
    edit_title = _l("Modifier le magasin")
    list_columns = ["code", "name", "phone", "currency", "timezone", "is_active"]
    show_columns = ["code", "name", "address", "phone", "currency", "timezone", "tax_id", "invoice_footer",
                    "logo", "discount_threshold", "pending_payment_limit_minutes", "is_active", "users"]
    add_columns = edit_columns = ["code", "name", "address", "phone", "currency", "timezone", "tax_id",
                                  "invoice_footer", "logo", "discount_threshold",
                                  "pending_payment_limit_minutes", "is_active"]
    search_columns = ["code", "name", "is_active"]
    label_columns = STORE_LABELS
    formatters_columns = {"is_active": yes_no, "discount_threshold": format_percent}
    # currency and zone are chosen, not typed: a typo would break every amount or date of the store
    add_form_extra_fields = edit_form_extra_fields = {
        "currency": SelectField(STORE_LABELS["currency"], choices=lambda: _currency_choices(), default="XAF",
                                validators=[DataRequired()], widget=Select2Widget()),
        "timezone": SelectField(STORE_LABELS["timezone"], choices=lambda: _zone_choices(), default="Africa/Douala",
                                validators=[DataRequired()], widget=Select2Widget()),
    }


def _currency_choices():
    locale = str(get_locale() or "fr")
    return [(code, f"{code} · {get_currency_name(code, locale=locale)}") for code in sorted(list_currencies())]


def _zone_choices():
    return [(zone, zone.replace("_", " ")) for zone in sorted(available_timezones())]


class StoreUserModelView(ModelView):
    datamodel = ScopedInterface(StoreUser)
    class_permission_name = "StoreUser"
    method_permission_name = SCREEN_READ_WRITE
    base_filters = store_scope()
    list_title = _l("Affectations aux magasins")
    add_title = _l("Affecter un utilisateur")
    list_columns = ["store", "user"]
    add_columns = edit_columns = show_columns = ["store", "user"]
    search_columns = ["store", "user"]
    label_columns = STORE_LABELS
    add_form_query_rel_fields = {"store": store_scope("id")}


def register(appbuilder):
    appbuilder.add_view(StoreModelView, "stores", label=_l("Magasins"), icon="fa-building",
                        category="organisation", category_label=_l("Organisation"))
    appbuilder.add_view(StoreUserModelView, "store_users", label=_l("Affectations aux magasins"),
                        icon="fa-link", category="organisation")
