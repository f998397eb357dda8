"""Back-office screens of customers (phone checked and stored E.164, home store among the user's)."""
from flask_appbuilder import ModelView
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField
from wtforms.validators import Optional

from ..core.api import ScopedInterface
from ..core.errors import ValidationFailed
from ..core.formatting import format_local_datetime, yes_no
from ..core.scoping import acting_user, store_scope
from ..core.views import add_entry_point
from ..core.web import SCREEN_READ_WRITE
from . import services
from .models import Customer


class CustomerModelView(ModelView):
    datamodel = ScopedInterface(Customer, write=services.save_customer)
    class_permission_name = "Customer"
    method_permission_name = SCREEN_READ_WRITE
    base_filters = store_scope()
    base_order = ("name", "asc")
    list_title = _l("Clients")
    show_title = _l("Client")
    add_title = _l("Nouveau client")
    edit_title = _l("Modifier le client")
    list_columns = ["name", "phone", "email", "tax_id", "store", "is_active"]
    show_columns = ["name", "phone", "email", "tax_id", "store", "note", "is_active", "created_at", "created_by"]
    add_columns = edit_columns = ["name", "phone", "email", "tax_id", "store", "note", "is_active"]
    search_columns = ["name", "phone", "email", "tax_id", "store", "is_active"]
    add_form_query_rel_fields = edit_form_query_rel_fields = {"store": store_scope("id")}
    label_columns = {
        "name": _l("Nom"), "phone": _l("Téléphone"), "email": _l("E-mail"), "tax_id": _l("N° contribuable (NIU)"),
        "store": _l("Magasin d'attache"), "note": _l("Note"), "is_active": _l("Actif"), "created_at": _l("Créé le"),
        "created_by": _l("Créé par"),
    }
    description_columns = {"phone": _l("Numéro camerounais (6 99 12 34 56) ou international (+33 ...).")}
    formatters_columns = {"phone": services.display_phone, "created_at": format_local_datetime, "is_active": yes_no}
    # FAB makes a NOT NULL boolean a required checkbox (unchecked = refused): an optional one instead.
    add_form_extra_fields = edit_form_extra_fields = {
        "is_active": BooleanField(_l("Actif"), default=True, validators=[Optional()])}

    def _prepare(self, item):
        try:
            services.prepare_customer(acting_user(), item)
        except ValidationFailed as exc:  # FAB shows the exception's text: give the field messages
            raise ValueError(" ".join(str(m) for messages in exc.errors.values() for m in messages)) from exc

    def pre_add(self, item):
        self._prepare(item)

    def pre_update(self, item):
        self._prepare(item)


def register(appbuilder):
    appbuilder.add_view(CustomerModelView, "customers", label=_l("Clients"), icon="fa-address-book",
                        category="sales", category_label=_l("Ventes"))
    add_entry_point(_l("Clients"), "CustomerModelView.list", "fa-address-book", ("can_read", "Customer"))
