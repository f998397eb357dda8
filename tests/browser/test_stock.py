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
    page.get_by_label("Stock bas seulement").check()  # the demo catalog is there too: narrow it down
    page.get_by_role("button", name="Filtrer").click()
    expect(_row(page, "CBL-RJ45")).to_contain_text("bas")  # 4 <= reorder level 5
    expect(_row(page, "RT-AX55")).to_have_count(0)  # 10 > 3
    _shot(page, "1_low_stock")
    page.get_by_label("Stock bas seulement").uncheck()
    page.get_by_label("Produit").fill("routeur ax1800")
    page.get_by_role("button", name="Filtrer").click()
    expect(_row(page, "RT-AX55").get_by_test_id("stock-quantity")).to_have_text("10")

    # adjusts the router: two broken in a carton
    _row(page, "RT-AX55").get_by_test_id("adjust-link").click()
    expect(page.get_by_label("Produit", exact=True)).to_have_value("RT-AX55")
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
    page.goto("/stock/levels/list/?search=RT-AX55")
    _row(page, "RT-AX55").get_by_role("link", name="Historique").click()
    expect(page.get_by_text("Carton abîmé à la livraison")).to_be_visible()

    # the stock keeper opens a count of the router and counts 7 on the shelf
    page.goto("/")
    page.get_by_test_id("home-entries").get_by_role("link", name="Inventaires").click()
    page.get_by_test_id("new-document").click()
    page.get_by_label("Produits à compter, un par ligne").fill("RT-AX55")
    page.get_by_role("button", name="Ouvrir l'inventaire").click()
    expect(page.get_by_test_id("document-status")).to_have_text("Ouvert")
    page.get_by_label("Compté RT-AX55").fill("7")
    page.get_by_test_id("save-counts").click()
    expect(page.get_by_text("Comptage enregistré.")).to_be_visible()
    expect(page.get_by_test_id("count-difference")).to_have_count(0)  # a blind count: no expected, no difference
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
    page.goto("/stock/levels/list/?search=RT-AX55")
    expect(_row(page, "RT-AX55").get_by_test_id("stock-quantity")).to_have_text("7")

    with app.app_context():
        services = shelf["services"]
        assert services.stock_of(shelf["dla"], shelf["router"]).quantity == 7
        assert services.ledger_sum(shelf["dla"], shelf["router"]) == 7


def test_a_transfer_is_sent_then_received_with_a_missing_unit(page, login, app):
    """DLA1 sends 3 routers and 2 phones (by serial); YDE1 receives 2 routers and one phone."""
    from app.extensions import db
    from tests.factories import make_product, make_user, put_in_stock, put_serials_in_stock, store_by_code

    with app.app_context():
        dla, yde = store_by_code("DLA1"), store_by_code("YDE1")
        put_in_stock(dla, make_product("RT-AX55", "Routeur Wi-Fi 6 AX1800"), 10, "PURCHASE")
        put_serials_in_stock(dla, make_product("TEL-A15", "Smartphone A15", track_serial=True), ["IMEI-001", "IMEI-002"])
        make_user("stock.yde@boutique.cm", "stock123!", "STOCKER", stores=[yde])
        db.session.remove()

    login(*DEMO["STOCKER"])
    page.goto("/")
    page.get_by_test_id("home-entries").get_by_role("link", name="Transferts").click()
    page.get_by_test_id("new-document").click()
    page.get_by_label("Magasin d'origine").select_option(label="DLA1 · Douala Akwa")
    page.get_by_label("Magasin de destination").select_option(label="YDE1 · Yaoundé Centre")
    page.get_by_label("Note").fill("Réassort de Yaoundé")
    page.get_by_role("button", name="Créer le brouillon").click()
    expect(page.get_by_test_id("document-status")).to_have_text("Brouillon")
    for sku, quantity, serials in (("RT-AX55", "3", ""), ("TEL-A15", "2", "IMEI-001, IMEI-002")):
        page.get_by_label("Produit").fill(sku)
        page.get_by_label("Quantité", exact=True).fill(quantity)
        page.get_by_label("N° de série").fill(serials)
        page.get_by_role("button", name="Ajouter / modifier la ligne").click()
        expect(page.get_by_text("Ligne enregistrée.")).to_be_visible()
    _shot(page, "6_transfer_draft")
    page.get_by_test_id("send").click()
    expect(page.get_by_test_id("document-status")).to_have_text("Envoyé")
    transfer_url = page.url
    _logout(page)

    login("stock.yde@boutique.cm", "stock123!")
    page.goto(transfer_url)
    page.get_by_label("Quantité reçue RT-AX55").fill("2")
    page.get_by_label("Quantité reçue TEL-A15").fill("1")
    page.get_by_label("IMEI-001").uncheck()
    page.get_by_label("Note de réception (écarts, dommages…)").fill("Un carton et un téléphone manquent")
    _shot(page, "7_transfer_receipt_form")
    page.get_by_test_id("receive").click()
    expect(page.get_by_test_id("document-status")).to_have_text("Reçu")
    expect(page.locator('[data-testid="transfer-line"][data-sku="RT-AX55"]')).to_contain_text("-1")
    _shot(page, "8_transfer_received")

    with app.app_context():
        from app.stock import services

        dla_id, yde_id = store_by_code("DLA1").id, store_by_code("YDE1").id
        router = services.product_by_code("RT-AX55").id
        phone = services.product_by_code("TEL-A15").id
        assert (services.stock_of(dla_id, router).quantity, services.stock_of(yde_id, router).quantity) == (7, 2)
        assert services.serials_on_hand(yde_id, phone) == ["IMEI-002"]
