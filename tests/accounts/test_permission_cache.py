"""A role's grants are read once, not on every request (FAB asks the database each time)."""
from sqlalchemy import event

from app.extensions import db, security_manager
from tests.factories import store_by_code


def _statements_during(app, call):
    seen = []
    with app.app_context():
        engine = db.engine

    def listener(conn, cursor, statement, *args):
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", listener)
    try:
        call()
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    return seen


def test_permission_checks_do_not_query_after_the_first(app, as_seller):
    with app.app_context():
        store_id = store_by_code("DLA1").id
    as_seller.get(f"/api/v1/stores/{store_id}")  # warms the cache
    statements = _statements_during(app, lambda: as_seller.get(f"/api/v1/stores/{store_id}"))
    assert not [s for s in statements if "ab_permission_view_role" in s]


def test_forgetting_permissions_applies_a_role_change(app, as_seller):
    with app.app_context():
        store_id = store_by_code("DLA1").id
        sm = security_manager()
    assert as_seller.get(f"/api/v1/stores/{store_id}").status_code == 200
    with app.app_context():
        role = sm.find_role("SALES")
        kept = list(role.permissions)
        role.permissions = [pvm for pvm in kept if pvm.view_menu.name != "Store"]
        db.session.commit()
        sm.forget_permissions()
    try:
        assert as_seller.get(f"/api/v1/stores/{store_id}").status_code == 403
    finally:
        with app.app_context():
            from app.cli import init_security

            init_security()
    assert as_seller.get(f"/api/v1/stores/{store_id}").status_code == 200


def test_the_user_and_roles_are_read_in_one_statement(app, as_seller):
    with app.app_context():
        store_id = store_by_code("DLA1").id
    as_seller.get(f"/api/v1/stores/{store_id}")
    statements = _statements_during(app, lambda: as_seller.get(f"/api/v1/stores/{store_id}"))
    assert len([s for s in statements if "ab_role" in s]) == 1
