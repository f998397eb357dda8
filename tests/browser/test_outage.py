"""The till while the database is out of reach (a relay between the app and PostgreSQL is cut, as
in a server restart): the cashier reads a French message, nothing is recorded, and the same
payment goes through once the database is back."""
import re
import threading

import pytest
from playwright.sync_api import expect
from werkzeug.serving import make_server

import config
from tests.browser.conftest import VIEWPORT, sign_in
from tests.browser.test_cashier_till import sale_waiting_at_an_open_till
from tests.browser.test_pos_seller import shot
from tests.outage import DatabaseRelay
from tests.pos.fixtures import make_pos_shop

pytestmark = pytest.mark.browser


@pytest.fixture
def relayed_server(postgres, database_url):
    """The app served over HTTP (CSRF on) on the session database, through a relay the test cuts."""
    from app import create_app
    from app.extensions import db

    relay = DatabaseRelay(database_url)

    class RelayedBrowserConfig(config.TestConfig):
        SQLALCHEMY_DATABASE_URI = relay.url
        WTF_CSRF_ENABLED = True

    application = create_app(RelayedBrowserConfig)
    server = make_server("127.0.0.1", 0, application, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="relayed-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", relay
    server.shutdown()
    thread.join(timeout=5)
    relay.close()
    with application.app_context():
        db.engine.dispose()


def assert_uncovered(alert, elements):
    """The alert is drawn over the top bar: the cashier still sees and reaches the sale, its
    documents and the pay button while it is shown."""
    box = alert.bounding_box()
    for element in elements:
        other = element.bounding_box()
        assert other is not None, element
        overlap_x = min(box["x"] + box["width"], other["x"] + other["width"]) - max(box["x"], other["x"])
        overlap_y = min(box["y"] + box["height"], other["y"] + other["height"]) - max(box["y"], other["y"])
        assert overlap_x <= 0 or overlap_y <= 0, f"the alert covers {element}"


def test_a_payment_while_the_database_is_out_of_reach(browser, relayed_server, app):
    from app.extensions import db
    from app.sales.models import Sale

    base_url, relay = relayed_server
    shop = make_pos_shop(app)
    sale_id = sale_waiting_at_an_open_till(app, shop.router)
    context = browser.new_context(viewport=VIEWPORT, base_url=base_url, locale="en-US")
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        sign_in(page, "CASHIER")
        page.goto(f"/cashier/{shop.dla}/?sale={sale_id}")
        page.get_by_test_id("pay-tendered").fill("50000")

        relay.cut()
        page.get_by_test_id("pay").click()
        alert = page.locator("#alerts [role=alert]")
        expect(alert).to_contain_text("Service momentanément indisponible : rien n’a été enregistré")
        expect(page.get_by_test_id("detail-status")).not_to_have_text("Payée")
        expect(page.get_by_test_id("pay-tendered")).to_have_value("50 000")  # what was typed is still there (grouped)
        assert_uncovered(alert, [page.get_by_test_id(name) for name in
                                 ("detail-number", "ticket-link", "invoice-link", "pay", "pay-tendered")])
        shot(page, "cashier_database_outage_alert_1024x600")
        page.reload()
        expect(page.get_by_test_id("error-message")).to_contain_text("Service momentanément indisponible")
        shot(page, "cashier_database_outage_page_1024x600")

        relay.restore()
        page.get_by_role("link", name="Réessayer").click()
        expect(page.get_by_test_id("detail-number")).to_be_visible()
        page.get_by_test_id("pay-tendered").fill("50000")
        page.get_by_test_id("pay").click()
        expect(page.get_by_test_id("detail-status")).to_have_text("Payée")
        expect(page.get_by_test_id("change")).to_have_text(re.compile(r"5\s000"))
        with app.app_context():
            assert len(db.session.get(Sale, sale_id).payments) == 1
            db.session.remove()
    finally:
        context.close()
