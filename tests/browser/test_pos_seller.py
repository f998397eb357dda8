"""The seller's POS in headless Chromium (CSRF on): scan by barcode, change a quantity, submit;
a discount over the threshold needs the manager on the spot; the page at phone width."""
import os
import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import SCREENSHOTS
from tests.conftest import DEMO
from tests.pos.fixtures import make_pos_shop

pytestmark = pytest.mark.browser


def shot(page, name):
    os.makedirs(SCREENSHOTS, exist_ok=True)
    page.screenshot(path=os.path.join(SCREENSHOTS, name + ".png"))


def scan(page, code):
    """What a barcode scanner does: type the digits, then Enter."""
    box = page.get_by_test_id("search")
    box.click()
    box.type(code, delay=5)
    box.press("Enter")


@pytest.fixture
def shop(app):
    return make_pos_shop(app)


def test_seller_scans_two_products_changes_a_quantity_and_submits(page, login, live_server, shop):
    login(*DEMO["SALES"])
    page.goto("/pos/")
    expect(page).to_have_url(re.compile(rf"/pos/{shop.dla}/$"))
    expect(page.get_by_test_id("shortcuts")).to_contain_text("F9")
    page.evaluate("window.__sameDocument = true")

    scan(page, shop.switch_ean)
    expect(page.get_by_test_id("cart-line")).to_have_count(1)
    expect(page.get_by_test_id("search")).to_have_value("")  # ready for the next scan
    scan(page, shop.router_ean)
    lines = page.get_by_test_id("cart-line")
    expect(lines).to_have_count(2)
    expect(lines.nth(0)).to_contain_text("Switch 8 ports Gigabit TL-SG108")
    expect(lines.nth(1)).to_contain_text("Routeur Wi-Fi 6 Archer AX55")
    expect(page.get_by_test_id("cart-total")).to_have_text(re.compile(r"60\s000"))

    quantity = lines.nth(0).get_by_test_id("line-quantity")
    quantity.fill("3")
    quantity.press("Tab")
    expect(page.get_by_test_id("cart-total")).to_have_text(re.compile(r"90\s000"))  # 3 x 15 000 + 45 000
    expect(page.get_by_test_id("cart-line").nth(0).get_by_test_id("line-total")).to_have_text(re.compile(r"45\s000"))
    shot(page, "pos_seller_cart_1024x600")

    page.keyboard.press("F9")
    number = page.get_by_test_id("sale-number")
    expect(number).to_have_text(re.compile(r"^DLA1-FAC-\d{4}-\d{6}$"))
    expect(page.get_by_test_id("day")).to_contain_text(number.inner_text())
    expect(page.get_by_test_id("day")).to_contain_text("En attente de paiement")
    assert page.evaluate("window.__sameDocument") is True  # no full-page reload in the loop
    shot(page, "pos_seller_submitted_1024x600")

    # the next scan starts a new sale
    scan(page, shop.cable_ean)
    expect(page.get_by_test_id("cart-line")).to_have_count(1)
    expect(page.get_by_test_id("cart-line")).to_contain_text("Câble réseau Cat6 3 m")


def test_search_as_you_type_then_keyboard_only(page, login, shop):
    login(*DEMO["SALES"])
    page.goto(f"/pos/{shop.dla}/")
    page.keyboard.press("F2")
    page.keyboard.type("archer ax5", delay=20)
    results = page.get_by_test_id("result")
    expect(results).to_have_count(1)
    expect(results.first).to_contain_text("10 en stock")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("cart-line")).to_have_count(1)
    # a refusal is a French alert, the page stays
    quantity = page.get_by_test_id("line-quantity")
    quantity.fill("0")
    quantity.press("Tab")
    expect(page.get_by_test_id("alert")).to_contain_text("Quantité entière positive attendue.")
    expect(page.get_by_test_id("line-quantity")).to_have_value("1")  # the field shows what the draft holds
    shot(page, "pos_seller_refusal_1024x600")


def test_a_discount_over_the_threshold_passes_with_the_managers_credentials(page, login, shop):
    login(*DEMO["SALES"])
    page.goto(f"/pos/{shop.dla}/")
    scan(page, shop.router_ean)
    expect(page.get_by_test_id("cart-line")).to_have_count(1)
    page.keyboard.press("F8")
    discount = page.get_by_test_id("sale-discount")
    expect(discount).to_be_focused()
    discount.fill("9000")  # 20 % of 45 000; the store allows 10 %
    discount.press("Tab")
    expect(page.get_by_test_id("needs-approval")).to_be_visible()

    page.keyboard.press("F9")
    dialog = page.locator("dialog#dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Accord du gérant nécessaire")
    expect(dialog.get_by_test_id("approval-needs")).to_contain_text("Remise de 20 % (seuil du magasin : 10 %)")

    # a wrong password is refused inside the dialog
    dialog.get_by_test_id("approval-email").fill(DEMO["MANAGER"][0])
    dialog.get_by_test_id("approval-password").fill("pas-le-bon")
    dialog.get_by_test_id("approval-submit").click()
    expect(dialog.get_by_test_id("alert")).to_contain_text("Identifiants refusés")
    shot(page, "pos_seller_manager_dialog_1024x600")

    dialog.get_by_test_id("approval-password").fill(DEMO["MANAGER"][1])
    dialog.get_by_test_id("approval-submit").click()
    expect(dialog).to_be_hidden()
    expect(page.get_by_test_id("sale-number")).to_have_text(re.compile(r"^DLA1-FAC-"))
    expect(page.get_by_test_id("submitted")).to_contain_text("36")  # 45 000 - 9 000


def test_customer_quick_create_in_the_dialog(page, login, shop):
    login(*DEMO["SALES"])
    page.goto(f"/pos/{shop.dla}/")
    scan(page, shop.switch_ean)
    expect(page.get_by_test_id("cart-line")).to_have_count(1)
    page.keyboard.press("F4")
    dialog = page.locator("dialog#dialog")
    expect(dialog).to_be_visible()
    dialog.get_by_test_id("customer-new").click()
    dialog.get_by_test_id("customer-name").fill("Awa Nkolo")
    dialog.get_by_test_id("customer-phone").fill("12 34")
    dialog.get_by_test_id("customer-create").click()
    expect(dialog.get_by_test_id("alert")).to_contain_text("Numéro de téléphone invalide")
    dialog.get_by_test_id("customer-phone").fill("6 77 12 34 56")
    dialog.get_by_test_id("customer-create").click()
    expect(dialog).to_be_hidden()
    expect(page.get_by_test_id("cart-customer")).to_contain_text("Awa Nkolo")
    expect(page.get_by_test_id("cart-customer")).to_contain_text("+237 6 77 12 34 56")


def test_a_post_without_the_csrf_token_is_refused_in_french(page, login, shop):
    login(*DEMO["SALES"])
    page.goto(f"/pos/{shop.dla}/")
    response = page.request.post(f"/pos/{shop.dla}/scan", form={"q": shop.switch_ean, "sale": "new"},
                                 headers={"HX-Request": "true"})
    assert response.status == 400
    assert "Votre session a expiré" in response.text()


def test_the_pos_at_phone_width(browser, live_server, shop):
    context = browser.new_context(viewport={"width": 390, "height": 844}, base_url=live_server, locale="fr-FR",
                                  has_touch=True, is_mobile=True)
    page = context.new_page()
    try:
        page.goto("/login/")
        page.get_by_label("Adresse e-mail").fill(DEMO["SALES"][0])
        page.get_by_label("Mot de passe").fill(DEMO["SALES"][1])
        page.get_by_role("button", name="Se connecter").click()
        page.goto(f"/pos/{shop.dla}/")
        scan(page, shop.phone_ean)
        scan(page, shop.switch_ean)
        expect(page.get_by_test_id("cart-line")).to_have_count(2)
        serial = page.get_by_test_id("line-serial").first
        serial.fill("IMEI-350000001")
        serial.press("Tab")
        expect(page.locator(".flag")).to_have_count(0)  # one serial per unit now: saved in the draft
        expect(page.get_by_test_id("line-serial").first).to_have_value("IMEI-350000001")
        expect(page.get_by_test_id("submit")).to_be_visible()
        # nothing wider than the screen
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.screenshot(path=os.path.join(SCREENSHOTS, "pos_seller_phone_390.png"), full_page=True)
    finally:
        context.close()
