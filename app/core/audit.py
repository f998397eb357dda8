"""Writing the audit trail: one call per state change or approval, in the caller's transaction."""
from flask import g, has_request_context

from ..extensions import db
from .models import AuditLog, utcnow

# A plain INSERT, sent at once: the trail is append-only, so an ORM object (kept in the session,
# flushed by the unit of work at the next flush) would cost CPU for nothing on every change.
_INSERT = AuditLog.__table__.insert()


def current_user_id():
    user = getattr(g, "user", None) if has_request_context() else None
    return getattr(user, "id", None) if user is not None and getattr(user, "is_authenticated", False) else None


def record(action, obj=None, *, object_type=None, object_id=None, store_id=None, before=None, after=None, user_id=None):
    db.session.execute(_INSERT, {
        "created_at": utcnow(),
        "action": action,
        "object_type": object_type or type(obj).__name__,
        "object_id": str(object_id if object_id is not None else getattr(obj, "id", "")) or None,
        "store_id": store_id if store_id is not None else getattr(obj, "store_id", None),
        "before": before,
        "after": after,
        "user_id": user_id if user_id is not None else current_user_id(),
    })
