"""A manager sees the bell count in the top bar, follows it to the alert list, filters it,
acknowledges an alert in one click and opens the object of another; the count follows without
a page reload."""
import os

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import SCREENSHOTS
from tests.conftest import DEMO

pytestmark = pytest.mark.browser


def _shot(page, name):
    os.makedirs(SCREENSHOTS, exist_ok=True)
    page.screenshot(path=os.path.join(SCREENSHOTS, f"alerts_{name}.png"), full_page=True)


def _run(app, job):
    from app.alerts import services
    from app.extensions import db

    with app.app_context():
        services.run_job(job)
        count = db.session.execute(db.text("SELECT count(*) FROM alert WHERE status = 'NEW'")).scalar_one()
        db.session.remove()
        return count


@pytest.fixture
def low_shelf(app):
    from app.extensions import db
    from tests.factories import make_product, put_in_stock, store_by_code

    with app.app_context():
        dla = store_by_code("DLA1")
        for sku, name, quantity in (("SW-8P", "Switch 8 ports", 1), ("RT-AX", "Routeur Wi-Fi 6", 0)):
            product = make_product(sku, name, reorder_level=3)
            if quantity:
                put_in_stock(dla, product, quantity, "PURCHASE")
            else:
                put_in_stock(dla, product, 2, "PURCHASE")
                put_in_stock(dla, product, -2, "ADJUSTMENT")
        db.session.remove()


def test_manager_bell_list_acknowledge_and_link(page, login, app, low_shelf):
    total = _run(app, "check_low_stock")
    login(*DEMO["MANAGER"])
    bell = page.get_by_test_id("alert-bell")
    expect(bell.locator("#alert-count")).to_have_text(str(total))
    _shot(page, "bell")

    bell.click()
    expect(page.get_by_test_id("alert-table")).to_contain_text("Switch 8 ports")
    page.locator('select[name="type"]').select_option("LOW_STOCK")
    page.get_by_role("button", name="Filtrer").click()
    row = page.locator('[data-testid="alert-row"]', has_text="Switch 8 ports")
    expect(row).to_contain_text("Stock bas")
    row.get_by_test_id("acknowledge").click()
    expect(page.locator(".alert-success")).to_contain_text("Alerte marquée comme vue")
    row = page.locator('[data-testid="alert-row"]', has_text="Switch 8 ports")
    expect(row).to_contain_text("Vue")
    expect(row.get_by_test_id("acknowledge")).to_have_count(0)
    expect(page.locator("#alert-count")).to_have_text(str(total - 1))
    _shot(page, "list")

    # a new cause appears while the page is open: the bell follows without a reload
    from app.extensions import db
    from tests.factories import make_product, put_in_stock, store_by_code

    with app.app_context():
        product = make_product("CB-RJ", "Câble RJ45", reorder_level=5)
        put_in_stock(store_by_code("DLA1"), product, 2, "PURCHASE")
        db.session.remove()
    _run(app, "check_low_stock")
    page.evaluate("window.dispatchEvent(new Event('focus'))")
    expect(page.locator("#alert-count")).to_have_text(str(total))
    _shot(page, "bell_refreshed")

    page.locator('[data-testid="alert-row"]', has_text="Routeur Wi-Fi 6").get_by_test_id("alert-link").click()
    expect(page.get_by_role("textbox").first).to_have_value("RT-AX")
    _shot(page, "link_to_stock")


def test_no_bell_for_a_seller(page, login, app, low_shelf):
    _run(app, "check_low_stock")
    login(*DEMO["SALES"])
    expect(page.get_by_test_id("alert-bell")).to_have_count(0)
