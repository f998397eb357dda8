"""The public development keys only run in an explicit development or testing environment (issue 13)."""
import subprocess

import pytest

import config
from app import create_app


@pytest.fixture
def default_keys(monkeypatch):
    monkeypatch.setattr(config.Config, "SECRET_KEY", config.DEFAULT_SECRET_KEY)
    monkeypatch.setattr(config.Config, "JWT_SECRET_KEY", config.DEFAULT_JWT_SECRET_KEY)
    monkeypatch.delenv("FLASK_DEBUG", raising=False)


@pytest.mark.parametrize("env", [None, "production"])
def test_default_keys_refused_outside_development(no_seed, default_keys, monkeypatch, env):
    if env is None:
        monkeypatch.delenv("APP_ENV", raising=False)
    else:
        monkeypatch.setenv("APP_ENV", env)
    with pytest.raises(RuntimeError, match="SECRET_KEY, JWT_SECRET_KEY"):
        create_app()


def test_debug_flag_alone_does_not_allow_default_keys(no_seed, default_keys, monkeypatch):
    class DebugButProduction(config.ProdConfig):
        DEBUG = True

    with pytest.raises(RuntimeError, match="development"):
        create_app(DebugButProduction)


def test_unset_environment_is_not_debug(no_seed, monkeypatch):
    monkeypatch.delenv("APP_ENV", raising=False)
    assert config.config_from_env() is config.ProdConfig
    assert config.config_from_env().DEBUG is False


def test_unknown_environment_is_refused(no_seed, monkeypatch):
    monkeypatch.setenv("APP_ENV", "prod")
    with pytest.raises(RuntimeError, match="unknown"):
        config.config_from_env()


def test_explicit_development_keeps_the_default_keys(no_seed, default_keys, monkeypatch, database_url):
    monkeypatch.setenv("APP_ENV", "development")
    assert config.config_from_env() is config.DevConfig

    class Development(config.DevConfig):
        SQLALCHEMY_DATABASE_URI = database_url

    assert create_app(Development).config["SECRET_KEY"] == config.DEFAULT_SECRET_KEY


def test_make_run_sets_development_with_nothing_set():
    """`make run` (and `make db` before it) works on a fresh machine with no environment set."""
    out = subprocess.run(["make", "-s", "-p", "-n", "run"], capture_output=True, text=True,
                         env={"PATH": "/usr/bin:/bin"}, cwd=config.BASE_DIR).stdout
    assert "run: APP_ENV = development" in out and "db: APP_ENV = development" in out
    run_py = open(config.BASE_DIR + "/run.py").read()
    assert 'os.environ.setdefault("APP_ENV", "development")' in run_py
