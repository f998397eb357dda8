"""Gapless per-store document numbers, e.g. DLA1-FAC-2026-000042.

The number is taken with one UPDATE ... RETURNING on the Sequence row, inside the
caller's transaction: the row lock is held until that transaction ends, so two
documents never get the same number and a rolled-back document gives its number
back. Callers should allocate as late as possible before COMMIT (the lock is the
hot spot of a busy store).
"""
from sqlalchemy import bindparam, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ..extensions import db
from .models import Sequence


def format_number(store_code: str, doc_type: str, year: int, value: int) -> str:
    return f"{store_code}-{doc_type}-{year}-{value:06d}"


def allocate_number(store, doc_type: str, year: int, session=None) -> str:
    session = session or db.session
    value = _bump(session, store.id, doc_type, year)
    if value is None:
        _create_row(session, store.id, doc_type, year)
        value = _bump(session, store.id, doc_type, year)
    return format_number(store.code, doc_type, year, value)


# Built once (every submit and every document number takes it): the UPDATE ... RETURNING that
# takes the next value and holds the row lock until the caller's COMMIT. (An UPDATE keeps its
# columns' names for the SET clause: the parameters are named otherwise.)
_BUMP = (
    update(Sequence)
    .where(Sequence.store_id == bindparam("store"), Sequence.doc_type == bindparam("doc_type_"),
           Sequence.year == bindparam("year_"))
    .values(last_value=Sequence.last_value + 1)
    .returning(Sequence.last_value)
)


def _bump(session, store_id, doc_type, year):
    return session.execute(_BUMP, {"store": store_id, "doc_type_": doc_type, "year_": year}).scalar_one_or_none()


def _create_row(session, store_id, doc_type, year):
    """Insert the year's row; a concurrent creator wins silently (ON CONFLICT DO NOTHING)."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    session.execute(
        insert(Sequence)
        .values(store_id=store_id, doc_type=doc_type, year=year, last_value=0)
        .on_conflict_do_nothing(index_elements=["store_id", "doc_type", "year"])
    )


def current_value(store_id: int, doc_type: str, year: int, session=None) -> int:
    session = session or db.session
    value = session.execute(
        select(Sequence.last_value).where(
            Sequence.store_id == store_id, Sequence.doc_type == doc_type, Sequence.year == year
        )
    ).scalar_one_or_none()
    return value or 0
