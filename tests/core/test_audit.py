import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from app.core import audit
from app.core.models import AuditLog
from app.extensions import db
from tests.factories import store_by_code


def test_assigning_users_is_audited_with_before_and_after(app, as_admin):
    with app.app_context():
        dla = store_by_code("DLA1")
        before = sorted(u.id for u in dla.users)
    response = as_admin.post(f"/api/v1/stores/{dla.id}/assign-users/", json={"user_ids": before[:1]})
    assert response.status_code == 200
    with app.app_context():
        entry = db.session.execute(select(AuditLog).where(AuditLog.action == "store.assign_users")).scalar_one()
        assert entry.before == {"user_ids": before}
        assert entry.after == {"user_ids": before[:1]}
        assert entry.user.email == "admin@boutique.cm"
        assert entry.store_id == dla.id


def test_audit_log_is_append_only_on_postgres(postgres):
    app = postgres
    with app.app_context():
        audit.record("test.event", object_type="Test", object_id=1, store_id=store_by_code("DLA1").id)
        db.session.commit()
        for statement in ("UPDATE audit_log SET action = 'forged'", "DELETE FROM audit_log"):
            with pytest.raises(DBAPIError, match="append-only"):
                db.session.execute(text(statement))
            db.session.rollback()
        assert db.session.execute(select(AuditLog.action)).scalars().all() == ["test.event"]
