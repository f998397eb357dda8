"""Application factory: the one place that wires extensions, views, APIs and CLI."""
import logging
import os

from flask import Flask
from sqlalchemy.engine import make_url
from werkzeug.middleware.proxy_fix import ProxyFix

from config import DEFAULT_JWT_SECRET_KEY, DEFAULT_SECRET_KEY, config_from_env

from . import models  # noqa: F401  every model, before FAB and Alembic read the metadata
from flask_appbuilder import AppBuilder

from .core.ids import RowIdConverter
from .extensions import bind_jobs, csrf, db, huey, migrate

MIGRATIONS_DIR = os.path.join(os.path.dirname(os.path.dirname(__file__)), "migrations")


def create_app(config_class=None):
    config_class = config_class or config_from_env()
    app = Flask(__name__, template_folder="../templates", instance_relative_config=True)
    app.url_map.converters["int"] = RowIdConverter  # before any route is added
    app.config.from_object(config_class)
    _refuse_default_secrets(app)
    if app.config["PROXY_FIX_COUNT"]:
        count = app.config["PROXY_FIX_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)
    huey.immediate = app.config["HUEY_IMMEDIATE"]
    os.makedirs(app.instance_path, exist_ok=True)

    _postgresql_timeouts(app)
    db.init_app(app)
    migrate.init_app(app, db, directory=MIGRATIONS_DIR, render_as_batch=True)
    csrf.init_app(app)  # before FAB, so that FAB's REST APIs exempt themselves

    with app.app_context():
        from .accounts import api as accounts_api
        from .catalog import api as catalog_api, views as catalog_views
        from .core import compression, errors, formatting, headers, health, list_args, openapi, views as core_views
        from .stock import api as stock_api, views as stock_views
        from .stores import api as stores_api, views as stores_views
        from .customers import api as customers_api, views as customers_views
        from .sales import api as sales_api, views as sales_views
        from .cashier import api as cashier_api, views as cashier_views
        from .pos import api as pos_api, views as pos_views
        from .alerts import api as alerts_api, views as alerts_views
        from .credits import api as credits_api, views as credits_views, services as credits_services
        from .cashier import repayments_api
        from .pos import credit as pos_credit
        from .sales.services import refunds as sale_refunds

        sale_refunds.credit_back = credits_services.credit_back  # refunds give credit back first
        from .purchases import api as purchases_api, views as purchases_views
        from .reports import api as reports_api, views as reports_views

        appbuilder = AppBuilder(update_perms=False)
        appbuilder.init_app(app, db.session)
        domains = (
            (core_views, stores_views, stores_api, accounts_api),
            (catalog_views, catalog_api),
            (stock_views, stock_api),
            (customers_views, customers_api),
            (sales_views, sales_api),
            (cashier_views, cashier_api),
            (pos_views, pos_api),
            (alerts_views, alerts_api),
            (credits_views, credits_api, repayments_api, pos_credit),
            (purchases_views, purchases_api),
            (reports_views, reports_api),
        )
        for modules in domains:
            for module in modules:
                module.register(appbuilder)
        core_views.no_file_downloads(app)
        errors.register(app)
        formatting.register(app)
        headers.register(app)
        list_args.register(app)
        openapi.register(app)
        health.register(app)
        compression.register(app)  # text answers gzipped: the shops' links are slow

    from .alerts import cli as alerts_cli, tasks as alerts_tasks  # noqa: F401  registers the periodic jobs
    from .reports import cli as reports_cli, tasks as reports_tasks  # noqa: F401  daily_kpi_snapshot
    from .cli import register_cli

    register_cli(app)
    alerts_cli.register(app)
    reports_cli.register(app)
    bind_jobs(app)
    logging.getLogger("flask_appbuilder").setLevel(logging.WARNING)
    return app


def _postgresql_timeouts(app):
    """Every PostgreSQL connection starts with the timeouts of the configuration (see config.py)."""
    if make_url(app.config["SQLALCHEMY_DATABASE_URI"]).get_backend_name() != "postgresql":
        return
    settings = {"lock_timeout": app.config["DB_LOCK_TIMEOUT_MS"],
                "statement_timeout": app.config["DB_STATEMENT_TIMEOUT_MS"],
                "idle_in_transaction_session_timeout": app.config["DB_IDLE_IN_TRANSACTION_TIMEOUT_MS"]}
    options = dict(app.config["SQLALCHEMY_ENGINE_OPTIONS"])
    connect_args = dict(options.get("connect_args", {}))
    connect_args["options"] = " ".join(f"-c {name}={int(value)}" for name, value in settings.items())
    options["connect_args"] = connect_args
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options


def _refuse_default_secrets(app):
    """Only an explicit development or testing configuration may run on the public development
    keys (anyone could forge a session, a JWT or a /verify link with them); a debug flag is not enough."""
    if app.config.get("ALLOW_DEFAULT_SECRETS"):
        return
    defaults = {"SECRET_KEY": DEFAULT_SECRET_KEY, "JWT_SECRET_KEY": DEFAULT_JWT_SECRET_KEY}
    weak = [name for name, default in defaults.items() if app.config.get(name) in (None, "", default)]
    if weak:
        raise RuntimeError("Refusing to start on the public development keys outside APP_ENV=development"
                           " or testing: set " + ", ".join(weak))
