"""Test fixtures: a fresh database per run (PostgreSQL when it answers, else SQLite),
built by the migrations, emptied and re-seeded before every test.

Tests never hold an app context open across client requests (flask.g would leak
between requests and hide permission bugs): seeding and checks run inside short
`with app.app_context()` blocks.
"""
import os
import tempfile
import uuid

import psycopg
import pytest
from sqlalchemy import Integer
from sqlalchemy.engine import make_url

import config

LOCAL_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def _server_url():
    """The PostgreSQL server to test on, or None (then SQLite)."""
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    try:
        psycopg.connect(_libpq(LOCAL_POSTGRES), connect_timeout=1).close()
        return LOCAL_POSTGRES
    except psycopg.Error:
        return None


def _libpq(url):
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def create_database(server_url):
    """A new empty database on the server of `server_url`; returns its SQLAlchemy URL."""
    name = f"boutique_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(_libpq(server_url), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


def drop_database(url):
    target = make_url(url)
    maintenance = target.set(database="postgres").render_as_string(hide_password=False)
    with psycopg.connect(_libpq(maintenance), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)')


POSTGRES_SERVER = _server_url()


@pytest.fixture(scope="session")
def database_url():
    if POSTGRES_SERVER:
        url = create_database(POSTGRES_SERVER)
        yield url
        drop_database(url)
    else:
        folder = tempfile.mkdtemp(prefix="boutique-test-")
        yield "sqlite:///" + os.path.join(folder, "test.db")


@pytest.fixture(scope="session")
def app(database_url):
    from flask_migrate import upgrade

    from app import create_app
    from app.cli import init_security

    class RunConfig(config.TestConfig):
        SQLALCHEMY_DATABASE_URI = database_url

    application = create_app(RunConfig)
    with application.app_context():
        upgrade()
        init_security()
    return application


@pytest.fixture(scope="session")
def demo_snapshot(app):
    """The demo data, seeded once per run and kept as rows to restore before each test."""
    from app.cli import clear_application_data, seed_data
    from app.extensions import db

    with app.app_context():
        clear_application_data()
        seed_data()
        snapshot = DatabaseSnapshot.take(db)
        db.session.remove()
    return snapshot


class DatabaseSnapshot:
    """Rows of every application table; restoring is much faster than seeding again
    (no password hashing, no services), and gives the same ids every time."""

    def __init__(self, tables, rows):
        self.tables = tables
        self.rows = rows

    @classmethod
    def take(cls, db):
        from app.cli import KEPT_TABLES

        tables = [t for t in db.metadata.sorted_tables if t.name not in KEPT_TABLES]
        rows = {t.name: [dict(r._mapping) for r in db.session.execute(t.select())] for t in tables}
        return cls(tables, rows)

    def restore(self, db):
        connection = db.session.connection()
        postgres = connection.dialect.name == "postgresql"
        if postgres:
            # Replica mode skips triggers: FK checks and the ledgers' append-only guards.
            connection.exec_driver_sql("SET LOCAL session_replication_role = replica")
        for table in reversed(self.tables):
            connection.execute(table.delete())
        for table in self.tables:
            if self.rows[table.name]:
                connection.execute(table.insert(), self.rows[table.name])
        if postgres:
            for table in self.tables:
                column = table.c.get("id")
                if column is not None and column.primary_key and isinstance(column.type, Integer):
                    connection.exec_driver_sql(
                        f"SELECT setval(pg_get_serial_sequence('\"{table.name}\"', 'id'), "
                        f"COALESCE((SELECT MAX(id) FROM \"{table.name}\"), 0) + 1, false)")
        db.session.commit()


@pytest.fixture(autouse=True)
def jobs_stay_with_the_test_app():
    """create_app() sets process-wide job state (Huey's immediate mode, the jobs' app): a test that
    builds another app (secrets, outages...) must not leave it to the tests after it."""
    from app import extensions

    immediate, job_app = extensions.huey.immediate, extensions._job_app
    yield
    extensions.huey.immediate, extensions._job_app = immediate, job_app


@pytest.fixture(autouse=True)
def seeded(request, app):
    """Every test starts from the demo data alone."""
    if "no_seed" in request.fixturenames:
        yield
        return
    from app.extensions import db, limiter

    snapshot = request.getfixturevalue("demo_snapshot")
    with app.app_context():
        snapshot.restore(db)
        db.session.remove()
    limiter.reset()
    yield


@pytest.fixture
def no_seed():
    """Opt out of seeding (tests that build their own database)."""


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def postgres(app):
    """A test that proves a concurrency rule needs PostgreSQL; in CI its absence is a failure."""
    if not POSTGRES_SERVER:
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL is required in CI (set TEST_DATABASE_URL)")
        pytest.skip("needs PostgreSQL")
    return app


DEMO = {
    "ADMIN": ("admin@boutique.cm", "admin123!"),
    "MANAGER": ("manager@boutique.cm", "manager123!"),
    "SALES": ("vendeur1@boutique.cm", "vendeur123!"),
    "CASHIER": ("caissier@boutique.cm", "caissier123!"),
    "STOCKER": ("magasinier@boutique.cm", "stock123!"),
}


def sign_in(client, role_or_email, password=None):
    """Log in through the login form (a screen session): sign_in(client, "MANAGER") or with an email."""
    email, password = DEMO.get(role_or_email, (role_or_email, password))
    answer = client.post("/login/", data={"username": email, "password": password})
    assert answer.status_code == 302 and "/login" not in answer.headers["Location"], email
    return client


def get_tokens(client, email, password):
    response = client.post("/api/v1/auth/token/", json={"email": email, "password": password})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


class ApiClient:
    """A test client that sends a Bearer token."""

    def __init__(self, client, token):
        self.client = client
        self.token = token

    def _headers(self, headers):
        return {"Authorization": f"Bearer {self.token}", **(headers or {})}

    def get(self, url, headers=None, **kw):
        return self.client.get(url, headers=self._headers(headers), **kw)

    def post(self, url, headers=None, **kw):
        return self.client.post(url, headers=self._headers(headers), **kw)

    def put(self, url, headers=None, **kw):
        return self.client.put(url, headers=self._headers(headers), **kw)

    def delete(self, url, headers=None, **kw):
        return self.client.delete(url, headers=self._headers(headers), **kw)


@pytest.fixture
def api_as(client):
    """api_as("MANAGER") -> an ApiClient logged in with that demo role's token."""

    def login(role_or_email, password=None):
        email, password = DEMO.get(role_or_email, (role_or_email, password))
        return ApiClient(client, get_tokens(client, email, password)["access"])

    return login


@pytest.fixture
def as_admin(api_as):
    return api_as("ADMIN")


@pytest.fixture
def as_manager(api_as):
    return api_as("MANAGER")


@pytest.fixture
def as_seller(api_as):
    return api_as("SALES")


@pytest.fixture
def as_cashier(api_as):
    return api_as("CASHIER")


@pytest.fixture
def as_stocker(api_as):
    return api_as("STOCKER")


def pytest_terminal_summary(terminalreporter):
    """Lines a test recorded with record_property("summary", ...): e.g. the schemathesis counts."""
    lines = [value for report in terminalreporter.getreports("passed") + terminalreporter.getreports("failed")
             for name, value in getattr(report, "user_properties", ()) if name == "summary"]
    if lines:
        terminalreporter.section("summaries")
        for line in sorted(lines):
            terminalreporter.write_line(line)
