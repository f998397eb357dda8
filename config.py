"""Configuration classes, every value read from environment variables.

DevConfig is the embedded default of `make run`: SQLite under instance/ and jobs
in-process. DATABASE_URL / REDIS_URL switch to PostgreSQL and Redis.
"""
import os
from datetime import timedelta

BASE_DIR = os.path.abspath(os.path.dirname(__file__))
INSTANCE_DIR = os.path.join(BASE_DIR, "instance")

DEFAULT_SECRET_KEY = "dev-only-secret-key-change-me-in-production"
DEFAULT_JWT_SECRET_KEY = "dev-only-jwt-secret-change-me-in-production"


def _bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


def _list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


class Config:
    APP_NAME = "Boutique Manager"
    DEBUG = _bool("FLASK_DEBUG")
    TESTING = False
    SECRET_KEY = os.environ.get("SECRET_KEY", DEFAULT_SECRET_KEY)
    SQLALCHEMY_DATABASE_URI = os.environ.get(
        "DATABASE_URL", "sqlite:///" + os.path.join(INSTANCE_DIR, "boutique.db")
    )
    SQLALCHEMY_TRACK_MODIFICATIONS = False
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    # PostgreSQL gives up rather than let a till hang (the answer is then a French 503): a row lock
    # awaited over 5 s, a statement over 20 s (under gunicorn's 30 s worker timeout, which would
    # kill the worker instead of answering), a transaction left open and idle for a minute (its
    # locks would stop every till of the store). Migrations lift the first two.
    DB_LOCK_TIMEOUT_MS = int(os.environ.get("DB_LOCK_TIMEOUT_MS", "5000"))
    DB_STATEMENT_TIMEOUT_MS = int(os.environ.get("DB_STATEMENT_TIMEOUT_MS", "20000"))
    DB_IDLE_IN_TRANSACTION_TIMEOUT_MS = int(os.environ.get("DB_IDLE_IN_TRANSACTION_TIMEOUT_MS", "60000"))
    REDIS_URL = os.environ.get("REDIS_URL") or None

    # Flask-AppBuilder
    FAB_SECURITY_MANAGER_CLASS = "app.security.BoutiqueSecurityManager"
    FAB_INDEX_VIEW = "app.stores.views.HomeView"
    FAB_CREATE_DB = False  # the schema belongs to Alembic migrations
    FAB_UPDATE_PERMS = False  # `flask init-security` creates roles and permissions
    FAB_ADD_SECURITY_API = False
    FAB_API_SWAGGER_UI = True
    FAB_API_MAX_PAGE_SIZE = 100
    FAB_SAFE_REDIRECT_HOSTS = _list("TRUSTED_HOSTS", "127.0.0.1,localhost")
    AUTH_TYPE = 1  # AUTH_DB: email + password
    AUTH_ROLE_ADMIN = "ADMIN"
    AUTH_ROLE_PUBLIC = "Public"
    AUTH_USER_REGISTRATION = False
    AUTH_USERNAME_CI = True
    FAB_PASSWORD_HASH_METHOD = "scrypt"
    # Where customers reach the site: the invoice's QR code opens PUBLIC_BASE_URL/verify/...
    # (unset: the address the invoice was printed from, e.g. a till on the shop's network).
    PUBLIC_BASE_URL = (os.environ.get("PUBLIC_BASE_URL") or "").rstrip("/") or None
    PERMISSION_CACHE_SECONDS = int(os.environ.get("PERMISSION_CACHE_SECONDS", "30"))
    AUTH_RATE_LIMITED = True
    AUTH_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "20 per minute")
    RATELIMIT_ENABLED = True
    RATELIMIT_HEADERS_ENABLED = True
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI") or REDIS_URL or "memory://"
    # Redis out of reach: the same limits, counted in each worker's memory, instead of a refused login.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True

    # Google sign-in (optional): the button shows when both are set.
    GOOGLE_CLIENT_ID = os.environ.get("GOOGLE_CLIENT_ID")
    GOOGLE_CLIENT_SECRET = os.environ.get("GOOGLE_CLIENT_SECRET")
    # Optional: only these email domains (e.g. "maboutique.cm") get a new account through Google;
    # unset, any verified Google address does (still with no role and no store). Existing users
    # sign in with Google whatever their domain.
    GOOGLE_ALLOWED_DOMAINS = [domain.lower().lstrip("@") for domain in _list("GOOGLE_ALLOWED_DOMAINS")]

    # Language and formats
    BABEL_DEFAULT_LOCALE = "fr"
    BABEL_DEFAULT_TIMEZONE = "UTC"
    BABEL_TRANSLATION_DIRECTORIES = os.path.join(BASE_DIR, "app", "translations")
    LANGUAGES = {
        "fr": {"flag": "fr", "name": "Français"},
        "en": {"flag": "gb", "name": "English"},
    }
    DEFAULT_CURRENCY = "XAF"
    DEFAULT_TIMEZONE = "Africa/Douala"
    # Alert digest by e-mail after each job run that raised alerts (off while MAIL_SERVER is unset)
    MAIL_SERVER = os.environ.get("MAIL_SERVER") or None
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "587"))
    MAIL_USE_TLS = _bool("MAIL_USE_TLS", True)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME") or None
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD") or None
    MAIL_FROM = os.environ.get("MAIL_FROM", "alertes@boutique.local")

    # JWT (flask-jwt-extended, through Flask-AppBuilder's manager)
    JWT_SECRET_KEY = os.environ.get("JWT_SECRET_KEY", DEFAULT_JWT_SECRET_KEY)
    JWT_ACCESS_TOKEN_EXPIRES = timedelta(minutes=15)
    JWT_REFRESH_TOKEN_EXPIRES = timedelta(hours=12)
    JWT_TOKEN_LOCATION = ["headers"]
    # Token endpoint limits (SPEC §10)
    TOKEN_FAILED_ATTEMPTS_PER_EMAIL = (10, 15 * 60)
    TOKEN_REQUESTS_PER_ADDRESS = (60, 60)

    # Cookies and uploads
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE")
    REMEMBER_COOKIE_HTTPONLY = True
    MAX_CONTENT_LENGTH = 10 * 1024 * 1024
    WTF_CSRF_TIME_LIMIT = None  # a till stays open all day
    # Proxies in front of the app (nginx): how many to trust for X-Forwarded-*
    PROXY_FIX_COUNT = int(os.environ.get("PROXY_FIX_COUNT", "0"))
    HUEY_IMMEDIATE = False


class DevConfig(Config):
    # The embedded default runs on 127.0.0.1 with the development secrets.
    DEBUG = _bool("FLASK_DEBUG", True)
    # Only an explicit development or testing environment may run on the public default keys.
    ALLOW_DEFAULT_SECRETS = True


class TestConfig(Config):
    TESTING = True
    MAIL_SERVER = None  # tests that mail set it themselves
    ALLOW_DEFAULT_SECRETS = True
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    WTF_CSRF_ENABLED = False
    RATELIMIT_STORAGE_URI = "memory://"
    HUEY_IMMEDIATE = True
    AUTH_RATE_LIMITED = False
    FAB_SAFE_REDIRECT_HOSTS = ["localhost", "127.0.0.1"]
    FAB_PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"  # fast hashes: every test seeds five users
    REDIS_URL = os.environ.get("REDIS_URL") or None


class ProdConfig(Config):
    DEBUG = False
    # Requests whose Host header is not listed are refused (400): no Host-header games.
    # (127.0.0.1 and localhost stay allowed for the container health check.)
    TRUSTED_HOSTS = _list("TRUSTED_HOSTS") + ["127.0.0.1", "localhost"]
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", True)
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE


CONFIGS = {"development": DevConfig, "testing": TestConfig, "production": ProdConfig}


def config_from_env():
    """The configuration APP_ENV names. Unset, the app runs as in production (debug off, the default
    keys refused): only `make run` (which sets development) or an explicit choice gets the debugger
    and the public development keys."""
    name = os.environ.get("APP_ENV", "").strip().lower()
    if not name:
        return ProdConfig
    if name not in CONFIGS:
        raise RuntimeError(f"APP_ENV={name!r} is unknown: use one of {', '.join(sorted(CONFIGS))}")
    return CONFIGS[name]
