"""REST APIs: stores (+ assign-users) and users (admin)."""
from flask import request
from flask_babel import lazy_gettext as _l
from flask_appbuilder.api import expose
from flask_appbuilder.security.sqla.models import User
from sqlalchemy import inspect as sa_inspect

from ..core.api import BoutiqueModelRestApi, ScopedInterface, api_action, openapi
from ..core.errors import BadRequest, ValidationFailed
from ..core.scoping import store_scope
from ..security import ONE_ROLE, email_is_the_username, hash_password
from . import services
from .models import Store
from .views import STORE_LABELS

STORE_COLUMNS = [
    "id", "code", "name", "address", "phone", "currency", "timezone", "tax_id", "invoice_footer",
    "discount_threshold", "pending_payment_limit_minutes", "is_active",
]


class StoreApi(BoutiqueModelRestApi):
    resource_name = "stores"
    class_permission_name = "Store"
    datamodel = ScopedInterface(Store)
    base_filters = store_scope("id")
    list_columns = STORE_COLUMNS
    show_columns = STORE_COLUMNS + ["users.id", "users.email"]
    add_columns = STORE_COLUMNS[1:]
    edit_columns = STORE_COLUMNS[1:]
    order_columns = ["code", "name"]
    search_columns = ["code", "name", "is_active"]
    method_permission_name = {**BoutiqueModelRestApi.method_permission_name, "assign_users": "assign"}
    label_columns = STORE_LABELS

    @expose("/<int:pk>/assign-users/", methods=["POST"])
    @api_action
    @openapi({200: "the store's user ids", 404: "no such store", 422: "unknown users"},
             body={"user_ids": {"type": "array", "items": {"type": "integer"}}})
    def assign_users(self, pk):
        """Set the users of a store."""
        store = self._document(pk)
        body = request.get_json(silent=True)
        if not isinstance(body, dict) or "user_ids" not in body:
            raise BadRequest(errors={"user_ids": ["Champ obligatoire."]})
        user_ids = services.assign_users(store, body["user_ids"])
        return self.response(200, id=store.id, result={"user_ids": user_ids})


USER_COLUMNS = ["id", "email", "first_name", "last_name", "active", "roles.id", "roles.name"]


class UserApi(BoutiqueModelRestApi):
    """Users: username is the email; the password is write-only and stored hashed."""

    resource_name = "users"
    class_permission_name = "User"
    datamodel = ScopedInterface(User)
    list_columns = USER_COLUMNS
    show_columns = USER_COLUMNS + ["last_login", "created_on"]
    add_columns = ["email", "first_name", "last_name", "active", "roles", "password"]
    edit_columns = ["email", "first_name", "last_name", "active", "roles", "password"]
    search_columns = ["email", "first_name", "last_name", "active"]
    order_columns = ["email", "last_name"]
    label_columns = {"email": _l("Adresse e-mail"), "first_name": _l("Prénom"), "last_name": _l("Nom"),
                     "active": _l("Actif"), "roles": _l("Rôles"), "password": _l("Mot de passe"),
                     "last_login": _l("Dernière connexion"), "created_on": _l("Créé le")}

    def response(self, code, **kwargs):
        # The password (its hash, once stored) is write-only: never in an answer to POST or PUT.
        # (The edit schema still dumps it: FAB merges a PUT into the stored values through it.)
        if isinstance(kwargs.get("result"), dict):
            kwargs["result"] = {key: value for key, value in kwargs["result"].items() if key != "password"}
        return super().response(code, **kwargs)

    def pre_add(self, item):
        _one_role(item)
        email_is_the_username(item)
        _check_password(item)
        item.password = hash_password(item.password) if item.password else None

    def pre_update(self, item):
        _one_role(item)
        email_is_the_username(item)
        if sa_inspect(item).attrs.password.history.has_changes() and item.password:
            _check_password(item)
            item.password = hash_password(item.password)


def _check_password(user):
    from ..core.passwords import password_problem

    problem = user.password and password_problem(user.password, [user.email, user.first_name, user.last_name])
    if problem:
        raise ValidationFailed(errors={"password": [str(problem)]})


def _one_role(user):
    if len(user.roles or []) > 1:
        raise ValidationFailed(errors={"roles": [ONE_ROLE]})


def register(appbuilder):
    appbuilder.add_api(StoreApi)
    appbuilder.add_api(UserApi)
