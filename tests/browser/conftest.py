"""Browser fixtures: the session app served by a real HTTP server, driven by headless Chromium.

- `live_server` serves the session `app` (migrated, re-seeded before every test by the
  autouse `seeded` fixture) with werkzeug on 127.0.0.1 and a free port, in a daemon thread.
  CSRF is switched ON while the browser tests run (TestConfig turns it off for the test
  client): real forms must carry a valid token. It is switched back off when the last
  browser test has run, so the other test packages see TestConfig unchanged.
  (A second `create_app` in the same process is not an option: the FAB `appbuilder`
  singleton would swap its security manager under the session app.)
- `browser` is Debian's Chromium (/usr/bin/chromium) through Playwright; no browser download.
- `page` is a fresh context and page per test; on teardown a screenshot named after the
  test is saved into tests/screenshots/ (gitignored).
"""
import os
import re
import shutil
import socket
import threading

import pytest
from werkzeug.serving import make_server

SCREENSHOTS = os.path.join(os.path.dirname(os.path.dirname(__file__)), "screenshots")
CHROMIUM_ARGS = [
    "--no-sandbox",  # CI runs as root
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
VIEWPORT = {"width": 1024, "height": 600}


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="package")
def csrf_app(app):
    """The session app with CSRF protection on, for as long as the browser tests run."""
    previous = app.config.get("WTF_CSRF_ENABLED")
    app.config["WTF_CSRF_ENABLED"] = True
    yield app
    app.config["WTF_CSRF_ENABLED"] = previous


@pytest.fixture(scope="package")
def live_server(csrf_app):
    """Base URL of the app served over HTTP, e.g. http://127.0.0.1:40123."""
    port = _free_port()
    server = make_server("127.0.0.1", port, csrf_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}"
    server.shutdown()
    thread.join(timeout=5)


def _missing(what):
    """Outside CI a missing browser skips the browser tests; in CI it fails them."""
    if os.environ.get("CI"):
        pytest.fail(f"The browser tests need {what} in CI")
    pytest.skip(f"needs {what}")


@pytest.fixture(scope="session")
def browser():
    try:
        from playwright import sync_api
    except ImportError:
        _missing("Playwright (pip install -r requirements-dev.txt)")
    executable = shutil.which("chromium")
    if executable is None:
        _missing("Debian's chromium package (apt-get install chromium)")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(request, browser, live_server):
    # An English browser on purpose: the app must speak French by default anyway.
    context = browser.new_context(viewport=VIEWPORT, base_url=live_server, locale="en-US")
    context.set_default_timeout(10_000)
    tab = context.new_page()
    yield tab
    os.makedirs(SCREENSHOTS, exist_ok=True)
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name).strip("_")
    try:
        tab.screenshot(path=os.path.join(SCREENSHOTS, name + ".png"), full_page=True)
    finally:
        context.close()


@pytest.fixture
def login(page):
    """login(email, password): fill and submit the login form the way a person does."""

    def submit(email, password):
        page.goto("/login/")
        page.get_by_label("Adresse e-mail").fill(email)
        page.get_by_label("Mot de passe").fill(password)
        page.get_by_role("button", name="Se connecter").click()
        page.wait_for_load_state()
        return page

    return submit
