"""Migrations build the schema from empty on PostgreSQL and SQLite, and match the models."""
import os
import tempfile

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text

import config
from migrations.helpers import include_object
from tests.conftest import POSTGRES_SERVER, create_database, drop_database


def _schema_diff(app):
    from app.extensions import db

    with app.app_context():
        with db.engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"compare_type": True, "include_object": include_object})
            return compare_metadata(context, db.metadata)


def _fresh_app(url):
    from app import create_app

    class FreshConfig(config.TestConfig):
        SQLALCHEMY_DATABASE_URI = url

    return create_app(FreshConfig)


def _check_upgrade_matches_models(url):
    app = _fresh_app(url)
    with app.app_context():
        upgrade()
    assert _schema_diff(app) == []
    with app.app_context():  # and the way back works too
        downgrade(revision="base")
        from app.extensions import db

        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade()
    assert _schema_diff(app) == []
    with app.app_context():
        from app.extensions import db

        db.engine.dispose()


def test_sqlite_upgrade_from_empty_matches_models(no_seed):
    folder = tempfile.mkdtemp(prefix="boutique-migrations-")
    _check_upgrade_matches_models("sqlite:///" + os.path.join(folder, "fresh.db"))


def test_postgres_upgrade_from_empty_matches_models(no_seed, postgres):
    url = create_database(POSTGRES_SERVER)
    try:
        _check_upgrade_matches_models(url)
        engine = create_engine(url)
        with engine.connect() as connection:
            triggers = connection.execute(text(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = 'audit_log'::regclass AND NOT tgisinternal"
            )).scalars().all()
        engine.dispose()
        assert triggers == ["audit_log_append_only"]
    finally:
        drop_database(url)


def test_a_migration_run_in_process_leaves_the_app_loggers_on(no_seed):
    """Alembic's fileConfig disables every logger created before it by default: after an in-process
    upgrade (tests, the bench), the app's own errors would no longer be logged."""
    import logging

    import app.core.errors  # noqa: F401 - creates its logger before the migration runs

    folder = tempfile.mkdtemp(prefix="boutique-migrations-")
    with _fresh_app("sqlite:///" + os.path.join(folder, "fresh.db")).app_context():
        upgrade()
    assert logging.getLogger("app.core.errors").disabled is False
