"""Shared by the sales, cashier and customers tests: a small catalog with stock, ids by name."""
from tests.factories import make_shop  # noqa: F401 - the sales tests' shop


def user(user_id):
    from app.extensions import security_manager

    return security_manager().get_user_by_id(user_id)
