"""Issue 19 item 9: a count is blind like the till's close. The stock keeper counts without
seeing the expected quantity; the manager who validates reads expected, counted and the difference."""
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshots
from tests.conftest import DEMO

pytestmark = pytest.mark.browser


@pytest.fixture
def shelf(app):
    from app.extensions import db
    from tests.factories import make_product, put_in_stock, store_by_code

    with app.app_context():
        dla = store_by_code("DLA1")
        put_in_stock(dla, make_product("RT-AX55", "Routeur Wi-Fi 6 AX1800"), 10, "PURCHASE")
        put_in_stock(dla, make_product("CBL-RJ45", "Câble RJ45 2 m"), 4, "PURCHASE")
        db.session.remove()


def _shots(page, name):
    screenshots(page, f"i19_count_{name}")


def _logout(page):
    page.locator(".dropdown-toggle", has=page.locator(".fa-user")).click()
    page.get_by_test_id("logout").click()


def test_the_stocker_counts_blind_and_the_manager_sees_the_differences(page, login, shelf):
    login(*DEMO["STOCKER"])
    page.goto("/")
    page.get_by_test_id("home-entries").get_by_role("link", name="Inventaires").click()
    page.get_by_test_id("new-document").click()
    page.get_by_label("Produits à compter, un par ligne").fill("RT-AX55\nCBL-RJ45")
    page.get_by_role("button", name="Ouvrir l'inventaire").click()
    expect(page.get_by_test_id("document-status")).to_have_text("Ouvert")
    sheet = page.get_by_test_id("count-lines")
    expect(page.get_by_test_id("blind-note")).to_be_visible()
    expect(sheet.get_by_role("columnheader", name="Attendu")).to_have_count(0)
    expect(sheet.get_by_role("columnheader", name="Écart")).to_have_count(0)
    expect(page.get_by_test_id("count-expected")).to_have_count(0)
    _shots(page, "1_sheet_of_the_stocker")

    page.get_by_label("Compté RT-AX55").fill("7")
    page.get_by_label("Compté CBL-RJ45").fill("4")
    page.get_by_test_id("save-counts").click()
    expect(page.get_by_text("Comptage enregistré.")).to_be_visible()
    # after the entry, still nothing that gives the stock away: neither 10 nor -3 on the sheet
    router = page.locator('[data-testid="count-line"][data-sku="RT-AX55"]')
    expect(router.get_by_test_id("count-difference")).to_have_count(0)
    assert "10" not in router.inner_text() and "-3" not in router.inner_text()
    expect(router).not_to_have_class("warning")
    _shots(page, "2_counted_by_the_stocker")
    count_url = page.url
    _logout(page)

    login(*DEMO["MANAGER"])
    page.goto(count_url)
    router = page.locator('[data-testid="count-line"][data-sku="RT-AX55"]')
    expect(page.get_by_test_id("count-lines").get_by_role("columnheader", name="Attendu")).to_be_visible()
    expect(router.get_by_test_id("count-expected")).to_have_text("10")
    expect(router.get_by_test_id("count-difference")).to_have_text("-3")
    expect(page.locator('[data-testid="count-line"][data-sku="CBL-RJ45"]').get_by_test_id("count-difference")).not_to_have_text("-")
    expect(page.get_by_test_id("blind-note")).to_have_count(0)
    _shots(page, "3_seen_by_the_manager")
    page.get_by_test_id("validate").click()
    expect(page.get_by_test_id("document-status")).to_have_text("Validé")
    expect(router.get_by_test_id("count-difference")).to_have_text("-3")
