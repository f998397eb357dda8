"""Extension objects, created here and initialised in create_app."""
import os

from flask import current_app
from flask_appbuilder import Model
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from huey import MemoryHuey, RedisHuey

# FAB's declarative Model as base: one metadata for FAB's tables and ours (Alembic sees both).
db = SQLAlchemy(model_class=Model)
migrate = Migrate()
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address)


def _make_huey():
    """Redis-backed queue when REDIS_URL is set, else an in-process one.

    Huey tasks are registered at import time, so the queue is chosen from the
    environment, not from the Flask config.
    """
    redis_url = os.environ.get("REDIS_URL")
    if redis_url:
        return RedisHuey("boutique", url=redis_url)
    return MemoryHuey("boutique")


huey = _make_huey()
_job_app = None  # the app whose context the jobs run in (set by create_app)


def bind_jobs(app):
    global _job_app
    _job_app = app


def job_context():
    """An app context for a Huey task: the current one (immediate mode, CLI), else the bound app's."""
    from flask import has_app_context

    if has_app_context():
        return current_app._get_current_object().app_context()
    if _job_app is None:
        raise RuntimeError("create_app() was not called in this process: no app to run jobs in")
    return _job_app.app_context()


def start_in_process_consumer():
    """Embedded default (no REDIS_URL): the queue lives in memory, so its consumer, scheduler of the
    periodic jobs included, runs in threads of this process. With REDIS_URL the `huey_consumer`
    runs them (never each web worker). Returns the started consumer, or None."""
    if os.environ.get("REDIS_URL"):
        return None
    consumer = huey.create_consumer(workers=1, worker_type="thread", periodic=True)
    consumer.start()
    return consumer


def security_manager():
    """FAB's security manager of the current app (one AppBuilder per app, made in create_app)."""
    return current_app.appbuilder.sm
