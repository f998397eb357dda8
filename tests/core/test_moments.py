"""Moments are stored in UTC and read back with their zone, on SQLite too (the embedded default)."""
from datetime import datetime, timedelta, timezone

from sqlalchemy import Column, Integer, MetaData, Table, create_engine, insert, select

from app.core.models import UtcDateTime
from app.core.api import moment


def test_sqlite_gives_moments_back_in_utc_and_the_api_writes_the_offset():
    table = Table("moment", MetaData(), Column("id", Integer, primary_key=True), Column("at", UtcDateTime()))
    engine = create_engine("sqlite://")
    table.metadata.create_all(engine)
    douala = timezone(timedelta(hours=1))
    with engine.begin() as connection:
        connection.execute(insert(table).values(id=1, at=datetime(2026, 11, 28, 16, 47, tzinfo=douala)))
        stored = connection.execute(select(table.c.at)).scalar_one()
    assert stored == datetime(2026, 11, 28, 15, 47, tzinfo=timezone.utc)
    assert moment(stored) == "2026-11-28T15:47:00+00:00"  # not a bare "2026-11-28T15:47:00"
