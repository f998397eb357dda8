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


def security_manager():
    """FAB's security manager of the current app (one AppBuilder per app, made in create_app)."""
    return current_app.appbuilder.sm
