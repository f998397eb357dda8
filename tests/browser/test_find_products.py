"""Issue 19 items 2 and 8 in headless Chromium: a manager finds "cisco" in the product list and
imports a sheet whose preview shows old -> new; a stock keeper picks products by typing part of
their name on the adjustment, the count and the transfer line. Screenshots at 1366x768 and 1024x600."""
import os

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import SCREENSHOTS
from tests.catalog.workbooks import xlsx_bytes
from tests.conftest import DEMO

pytestmark = pytest.mark.browser

SIZES = ({"width": 1366, "height": 768}, {"width": 1024, "height": 600})


def _shots(page, name):
    """The page at a laptop's size and at a small netbook's (the suite's default)."""
    os.makedirs(SCREENSHOTS, exist_ok=True)
    for size in SIZES:
        page.set_viewport_size(size)
        page.screenshot(path=os.path.join(SCREENSHOTS, f"find_{name}_{size['width']}.png"))
    page.set_viewport_size(SIZES[1])


def _suggestion(page, text):
    return page.get_by_role("listbox").get_by_role("option", name=text)


def test_manager_finds_cisco_and_imports_a_price_with_an_empty_barcode(page, login, tmp_path):
    login(*DEMO["MANAGER"])
    page.goto("/catalog/products/list/")
    page.get_by_label("Rechercher un produit").fill("cisco")
    page.get_by_role("button", name="Rechercher").first.click()
    rows = page.locator("table tbody tr")
    expect(rows.filter(has_text="RT-CIS-RV340")).to_have_count(1)
    expect(rows.filter(has_text="SW-CIS-CBS110-16")).to_have_count(1)
    expect(rows.filter(has_text="ECR-HP-M24F")).to_have_count(0)
    _shots(page, "1_products_cisco")
    page.get_by_label("Rechercher un produit").fill("ecran")
    page.get_by_label("Rechercher un produit").press("Enter")
    expect(rows.filter(has_text="Écran HP M24f 24 pouces Full HD")).to_have_count(1)

    # a sheet with the barcode cell left empty and a price written as people write it
    sheet = tmp_path / "prix.xlsx"
    sheet.write_bytes(xlsx_bytes(["SKU", "Code-barres", "Nom", "Prix de vente"],
                                 [["ECR-HP-M24F", None, "Écran HP M24f 24 pouces Full HD", "99 000 FCFA"]]))
    page.goto("/catalog/excel/")
    page.set_input_files("#import-file", str(sheet))
    page.get_by_role("button", name="Vérifier le fichier").click()
    expect(page.get_by_test_id("import-summary")).to_contain_text("1 à mettre à jour")
    changes = page.locator('[data-testid="import-updated"] tr[data-sku="ECR-HP-M24F"] li')
    expect(changes).to_have_count(1)  # the price only: the empty barcode cell is no change
    expect(changes.first).to_have_text("Prix de vente : 95\u202f000\u00a0FCFA → 99\u202f000\u00a0FCFA")
    _shots(page, "2_import_preview")
    page.get_by_role("button", name="Confirmer l'import").click()
    expect(page.locator(".alert-success")).to_contain_text("1 mis à jour")
    page.goto("/catalog/products/list/?q=ECR-HP-M24F")
    page.locator("table tbody tr", has_text="ECR-HP-M24F").locator("a[href*='/products/show/']").first.click()
    expect(page.get_by_text("6201230000042")).to_be_visible()  # the barcode is kept
    expect(page.get_by_text("99\u202f000\u00a0FCFA").first).to_be_visible()


def test_stock_keeper_picks_products_by_typing_part_of_their_name(page, login):
    login(*DEMO["STOCKER"])

    # an adjustment: "switch cis" suggests the Cisco switch, with its stock in the chosen store
    page.goto("/stock/movements/adjust")
    page.get_by_label("Magasin").select_option(label="DLA1 · Douala Akwa")
    page.get_by_label("Produit", exact=True).press_sequentially("switch cis")
    expect(_suggestion(page, "Switch Cisco CBS110-16T")).to_contain_text("4 disponible(s)")
    _shots(page, "3_adjust_suggestions")
    _suggestion(page, "Switch Cisco CBS110-16T").click()
    expect(page.get_by_label("Produit", exact=True)).to_have_value("SW-CIS-CBS110-16")
    page.get_by_label("Quantité (+ entrée, − sortie)").fill("1")
    page.get_by_label("Motif").fill("Retrouvé en réserve")
    page.get_by_role("button", name="Enregistrer l'ajustement").click()
    expect(page.get_by_text("ajusté de +1 : 5 en stock")).to_be_visible()

    # a count: each pick adds a line; the keyboard works too
    page.goto("/stock/counts/new")
    page.get_by_label("Magasin").select_option(label="DLA1 · Douala Akwa")
    finder = page.get_by_label("Ou ces produits")
    finder.press_sequentially("ecran hp")
    expect(_suggestion(page, "Écran HP M24f")).to_be_visible()
    _shots(page, "4_count_suggestions")
    finder.press("ArrowDown")
    finder.press("Enter")
    finder.press_sequentially("routeur cisco")
    _suggestion(page, "Routeur VPN Cisco RV340").click()
    expect(page.get_by_label("Produits à compter, un par ligne")).to_have_value("ECR-HP-M24F\nRT-CIS-RV340")
    page.get_by_role("button", name="Ouvrir l'inventaire").click()
    expect(page.get_by_text("2 produit(s) à compter")).to_be_visible()

    # a transfer line, from the draft's page
    page.goto("/stock/transfers/new")
    page.get_by_label("Magasin d'origine").select_option(label="DLA1 · Douala Akwa")
    page.get_by_label("Magasin de destination").select_option(label="YDE1 · Yaoundé Centre")
    page.get_by_role("button", name="Créer le brouillon").click()
    page.get_by_label("Produit", exact=True).press_sequentially("cisco rv")
    expect(_suggestion(page, "Routeur VPN Cisco RV340")).to_contain_text("RT-CIS-RV340")
    _shots(page, "5_transfer_line_suggestions")
    _suggestion(page, "Routeur VPN Cisco RV340").click()
    page.get_by_label("Quantité", exact=True).fill("1")
    page.get_by_role("button", name="Ajouter / modifier la ligne").click()
    expect(page.get_by_text("Ligne enregistrée.")).to_be_visible()
    expect(page.locator('[data-testid="transfer-line"][data-sku="RT-CIS-RV340"]')).to_be_visible()
