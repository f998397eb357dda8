"""Store scoping: a user sees and touches only records of their stores; ADMIN sees all.

`StoreScopeFilter` is a FAB base filter for lists, item fetches and relationship
choices, in screens and APIs alike. A record outside the scope is simply not
found, so it answers 404 and does not reveal that it exists.
"""
from flask import g
from flask_appbuilder.models.filters import BaseFilter
from sqlalchemy import false, or_, select

from ..extensions import db

ADMIN_ROLE = "ADMIN"


def acting_user():
    """The user of this request: the session user in screens, the JWT user in the API."""
    user = getattr(g, "user", None)
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return user


def is_admin(user) -> bool:
    return user is not None and any(role.name == ADMIN_ROLE for role in user.roles)


def role_name(user):
    return user.roles[0].name if user is not None and user.roles else None


def user_store_ids(user) -> list[int]:
    """Ids of the stores the user is assigned to (cached for the request)."""
    if user is None:
        return []
    cache = g.setdefault("_store_ids", {})
    if user.id not in cache:
        assignments = db.metadata.tables["store_user"]  # the stores domain's table; core imports no domain
        cache[user.id] = list(db.session.execute(
            select(assignments.c.store_id).where(assignments.c.user_id == user.id)).scalars())
    return cache[user.id]


def scope_to_stores(query, column, user=None):
    """`query` (a select) kept to the rows whose store `column` is one of the user's stores (ADMIN: all).

    `user` defaults to the acting user; no user sees nothing.
    """
    user = acting_user() if user is None else user
    if is_admin(user):
        return query
    return query.where(column.in_(user_store_ids(user)))


def remember_store_ids(user, store_ids):
    """The user's store ids, read with the user (security.get_user_by_id): no second query."""
    g.setdefault("_store_ids", {})[user.id] = list(store_ids)


def can_access_store(user, store_id) -> bool:
    return is_admin(user) or (store_id is not None and int(store_id) in user_store_ids(user))


class StoreScopeFilter(BaseFilter):
    """Keep the rows whose `column_name` (a store id column), or one of `columns`, is one of the user's stores."""

    name = "Store scope"
    arg_name = None
    columns = ()

    def apply(self, query, value):
        user = acting_user()
        if is_admin(user):
            return query
        store_ids = user_store_ids(user)
        if not store_ids:
            return query.filter(false())
        return query.filter(or_(*[getattr(self.model, name).in_(store_ids)
                                  for name in self.columns or [self.column_name]]))


def store_scope(column="store_id"):
    """The base_filters entry for a model whose store column is `column`."""
    return [[column, StoreScopeFilter, lambda: None]]


def _store_columns(table):
    """The columns of `table` that name a store (store_id, destination_store_id...)."""
    return [column for column in table.columns
            if any(key.column.table.name == "store" for key in column.foreign_keys)]


def store_condition(model, store_ids):
    """The SQL condition keeping the rows of `model` that belong to one of `store_ids`, or None when
    the model belongs to no store (products, categories, roles: shared by every store).

    A store is one of the ids; a user works in one of them (store_user); a row with a store column
    (a customer's home store, a sale's, a movement's...) names one of them; a row without one (a
    sale's line, a payment of a sale) belongs to the store of the row its many-to-one relation names.
    """
    from sqlalchemy import inspect

    table = model.__table__
    if table.name == "store":
        return model.id.in_(store_ids)
    if table.name == "ab_user":
        assignments = db.metadata.tables["store_user"]
        return model.id.in_(select(assignments.c.user_id).where(assignments.c.store_id.in_(store_ids)))
    columns = _store_columns(table)
    if columns:
        return or_(*[column.in_(store_ids) for column in columns])
    for relation in inspect(model).relationships:
        target = relation.mapper.class_
        if relation.direction.name == "MANYTOONE" and _store_columns(target.__table__):
            return getattr(model, relation.key).has(or_(*[column.in_(store_ids)
                                                          for column in _store_columns(target.__table__)]))
    return None


class RelatedChoicesScope(BaseFilter):
    """The related rows a form, a search filter or an API `_info` may offer: those of the user's
    stores (see store_condition); ADMIN: all."""

    name = "Related choices scope"
    arg_name = None

    def apply(self, query, value):
        user = acting_user()
        if is_admin(user):
            return query
        condition = store_condition(self.model, user_store_ids(user))
        return query if condition is None else query.filter(condition)
