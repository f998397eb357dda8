"""A stock keeper receives part of a purchase order by scanning, on a tablet-size page."""
import os

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import SCREENSHOTS
from tests.conftest import DEMO

pytestmark = pytest.mark.browser
TABLET = {"width": 1024, "height": 768}


@pytest.fixture
def order(app):
    from app.extensions import db
    from tests.purchases.fixtures import make_purchase_shop, sent_order

    shop = make_purchase_shop(app)
    with app.app_context():
        order = sent_order(shop, [(shop.router, 5, "12000"), (shop.phone, 2, "80000"), (shop.cable, 10, "850")])
        values = {"id": order.id, "number": order.number}
        db.session.remove()
    return values


def _shot(page, name):
    os.makedirs(SCREENSHOTS, exist_ok=True)
    page.screenshot(path=os.path.join(SCREENSHOTS, f"purchase_{name}.png"), full_page=True)


def _scan(page, code):
    """What a USB scanner does: the digits typed fast, then Enter."""
    field = page.get_by_test_id("scan")
    field.press_sequentially(code, delay=8)
    field.press("Enter")


def test_a_stock_keeper_receives_part_of_an_order_by_scanning(page, login, order):
    page.set_viewport_size(TABLET)
    login(*DEMO["STOCKER"])
    page.goto(f"/purchases/orders/show/{order['id']}")
    page.get_by_test_id("receive").click()
    expect(page.get_by_test_id("scan")).to_be_focused()

    for _ in range(3):
        _scan(page, "6210000100013")  # the router's EAN-13
    router = page.locator('[data-testid="receive-line"][data-sku="PO-RT-AX55"]')
    expect(router.locator(".qty")).to_have_value("3")
    expect(page.get_by_test_id("feedback")).to_contain_text("3 reçu(s) sur 5")

    _scan(page, "PO-TEL-A15")  # a serial-tracked phone: then its IMEI
    expect(page.get_by_test_id("feedback")).to_contain_text("numéro de série")
    _scan(page, "356938035643809")
    phone = page.locator('[data-testid="receive-line"][data-sku="PO-TEL-A15"]')
    expect(phone.locator(".qty")).to_have_value("1")
    expect(phone.locator(".serials")).to_have_value("356938035643809")
    _scan(page, "356938035643809")
    expect(page.get_by_test_id("feedback")).to_contain_text("déjà scanné")

    page.get_by_test_id("scan").fill("")
    _scan(page, "PO-RT-AX55")  # back to the router (by SKU), then a code that is not on the order
    _scan(page, "9999999999999")
    expect(page.get_by_test_id("feedback")).to_contain_text("Code inconnu")
    expect(router.locator(".qty")).to_have_value("4")
    _shot(page, "1_scanning")

    page.get_by_label("Note (bon de livraison, dommages…)").fill("BL 4471")
    page.get_by_test_id("record-receipt").click()
    expect(page.locator(".alert-success")).to_contain_text("5 article(s)")
    expect(page.get_by_test_id("order-status")).to_have_text("Reçue en partie")
    line = page.locator('[data-testid="order-line"][data-sku="PO-RT-AX55"]')
    expect(line.get_by_test_id("received")).to_have_text("4")
    expect(line.get_by_test_id("due")).to_have_text("1")
    cable = page.locator('[data-testid="order-line"][data-sku="PO-CBL-CAT6"]')
    expect(cable.get_by_test_id("due")).to_have_text("10")
    expect(page.get_by_test_id("send")).to_have_count(0)  # a stock keeper never sends an order
    _shot(page, "2_order_after_receipt")


@pytest.fixture
def low_shelf(app):
    """The cable was bought from Sonic before; 4 are left in Douala for a reorder level of 10."""
    from app.extensions import db
    from app.purchases import services
    from tests.purchases.fixtures import make_purchase_shop, sent_order, user

    shop = make_purchase_shop(app)
    with app.app_context():
        order = sent_order(shop, [(shop.cable, 4, "820")], supplier=shop.sonic)
        services.receive_goods(user(shop.stocker), order.id, [{"line": order.lines[0].id, "quantity": 4}])
        db.session.remove()
    return shop


def test_a_manager_orders_what_is_missing_and_sends_it(page, login, low_shelf):
    page.set_viewport_size(TABLET)
    login(*DEMO["MANAGER"])
    page.goto("/purchases/orders/list/")
    page.get_by_test_id("order-missing").get_by_role("combobox").select_option(label="DLA1 · Douala Akwa")
    page.get_by_role("button", name="Commander ce qui manque").click()
    expect(page.locator(".alert-success")).to_contain_text("commande(s) brouillon préparée(s)")
    _shot(page, "3_order_missing")
    page.goto("/purchases/orders/list/")
    draft = page.locator("table tr", has_text="Sonic Distribution").filter(has_text="Brouillon").first
    draft.locator("a[href*='/purchases/orders/show/']").first.click()
    cable = page.locator('[data-testid="order-line"][data-sku="PO-CBL-CAT6"]')
    expect(cable).to_contain_text("16")  # 2 × 10 − 4 on hand
    expect(cable).to_contain_text("820")  # the last cost paid to that supplier
    page.get_by_test_id("send").click()
    expect(page.get_by_test_id("order-status")).to_have_text("Envoyée")
    expect(page.get_by_test_id("pdf")).to_be_visible()
    _shot(page, "4_sent")
