"""REST API of customers: FAB CRUD, phone normalised to E.164, home store among the user's stores."""
from ..core.api import BoutiqueModelRestApi, ScopedInterface
from ..core.scoping import store_scope
from . import services
from .models import Customer

CUSTOMER_COLUMNS = ["id", "name", "phone", "email", "tax_id", "store.id", "store.code", "note", "is_active",
                    "created_at"]
WRITE_COLUMNS = ["name", "phone", "email", "tax_id", "store", "note", "is_active"]


class CustomerApi(BoutiqueModelRestApi):
    resource_name = "customers"
    class_permission_name = "Customer"
    datamodel = ScopedInterface(Customer, write=services.save_customer)
    base_filters = store_scope()
    list_columns = show_columns = CUSTOMER_COLUMNS
    add_columns = edit_columns = WRITE_COLUMNS
    order_columns = ["id", "name", "created_at"]
    search_columns = ["name", "phone", "email", "tax_id", "store", "is_active"]
    base_order = ("name", "asc")
    add_query_rel_fields = edit_query_rel_fields = {"store": store_scope("id")}


def register(appbuilder):
    appbuilder.add_api(CustomerApi)
