"""In the back office: a stock keeper adjusts stock and counts a shelf; a manager validates the count."""
import os

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import SCREENSHOTS
from tests.conftest import DEMO

pytestmark = pytest.mark.browser


@pytest.fixture
def shelf(app):
    from app.extensions import db
    from app.stock import services
    from tests.factories import make_product, put_in_stock, store_by_code

    with app.app_context():
        dla = store_by_code("DLA1")
        router = make_product("RT-AX55", "Routeur Wi-Fi 6 AX1800", reorder_level=3)
        cable = make_product("CBL-RJ45", "Câble RJ45 2 m", reorder_level=5)
        put_in_stock(dla, router, 10, "PURCHASE")
        put_in_stock(dla, cable, 4, "PURCHASE")
        ids = {"dla": dla.id, "router": router.id, "services": services}
        db.session.remove()
        return ids


def _shot(page, name):
    os.makedirs(SCREENSHOTS, exist_ok=True)
    page.screenshot(path=os.path.join(SCREENSHOTS, f"stock_{name}.png"), full_page=True)


def _logout(page):
    page.locator(".dropdown-toggle", has=page.locator(".fa-user")).click()
    page.get_by_test_id("logout").click()


def _row(page, sku):
    return page.locator(f'[data-testid="stock-row"][data-sku="{sku}"][data-store="DLA1"]')


def test_stocker_adjusts_stock_and_manager_validates_a_count(page, login, live_server, shelf, app):
    # the stock keeper finds the stock page from the home page
    login(*DEMO["STOCKER"])
    page.get_by_test_id("home-entries").get_by_role("link", name="Niveaux de stock").click()
    expect(_row(page, "RT-AX55").get_by_test_id("stock-quantity")).to_have_text("10")
    expect(_row(page, "CBL-RJ45")).to_contain_text("bas")  # 4 <= reorder level 5
    _shot(page, "1_stock_page")

    # adjusts the router: two broken in a carton
    _row(page, "RT-AX55").get_by_test_id("adjust-link").click()
    expect(page.get_by_label("Produit (SKU ou code-barres)")).to_have_value("RT-AX55")
    page.get_by_label("Quantité (+ entrée, − sortie)").fill("-2")
    page.get_by_label("Motif").fill("Carton abîmé à la livraison")
    _shot(page, "2_adjust_form")
    page.get_by_role("button", name="Enregistrer l'ajustement").click()
    expect(page.get_by_text("ajusté de -2 : 8 en stock")).to_be_visible()
    expect(_row(page, "RT-AX55").get_by_test_id("stock-quantity")).to_have_text("8")
    _shot(page, "3_after_adjustment")

    # a decrease below zero is refused with a French message
    page.goto(f"/stock/movements/adjust?store={shelf['dla']}&product_id={shelf['router']}")
    page.get_by_label("Quantité (+ entrée, − sortie)").fill("-50")
    page.get_by_label("Motif").fill("erreur de saisie")
    page.get_by_role("button", name="Enregistrer l'ajustement").click()
    expect(page.get_by_text("Stock insuffisant")).to_be_visible()

    # the history of the product shows the adjustment
    page.goto("/stock/levels/list/")
    _row(page, "RT-AX55").get_by_role("link", name="Historique").click()
    expect(page.get_by_text("Carton abîmé à la livraison")).to_be_visible()

    # the stock keeper opens a count of the router and counts 7 on the shelf
    page.goto("/")
    page.get_by_test_id("home-entries").get_by_role("link", name="Inventaires").click()
    page.get_by_test_id("new-document").click()
    page.get_by_label("Ou ces produits (SKU, un par ligne)").fill("RT-AX55")
    page.get_by_role("button", name="Ouvrir l'inventaire").click()
    expect(page.get_by_test_id("document-status")).to_have_text("Ouvert")
    page.get_by_label("Compté RT-AX55").fill("7")
    page.get_by_test_id("save-counts").click()
    expect(page.get_by_text("Comptage enregistré.")).to_be_visible()
    expect(page.get_by_test_id("count-difference")).to_have_text("-1")
    expect(page.get_by_test_id("validate")).to_have_count(0)  # only a manager validates
    count_url = page.url
    _shot(page, "4_count_entered_by_stocker")
    _logout(page)

    # the manager validates it
    login(*DEMO["MANAGER"])
    page.goto(count_url)
    page.get_by_test_id("validate").click()
    expect(page.get_by_text("Inventaire validé")).to_be_visible()
    expect(page.get_by_test_id("document-status")).to_have_text("Validé")
    _shot(page, "5_count_validated_by_manager")
    page.goto("/stock/levels/list/")
    expect(_row(page, "RT-AX55").get_by_test_id("stock-quantity")).to_have_text("7")

    with app.app_context():
        services = shelf["services"]
        assert services.stock_of(shelf["dla"], shelf["router"]).quantity == 7
        assert services.ledger_sum(shelf["dla"], shelf["router"]) == 7
