"""The catalog screens in headless Chromium: Excel import (upload -> preview -> confirm) and products."""
import os

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import SCREENSHOTS
from tests.catalog.workbooks import HEADERS, product_row, xlsx_bytes
from tests.conftest import DEMO

pytestmark = pytest.mark.browser


def _file(tmp_path, name, rows):
    path = tmp_path / name
    path.write_bytes(xlsx_bytes(HEADERS, rows))
    return str(path)


def _shot(page, name):
    os.makedirs(SCREENSHOTS, exist_ok=True)
    page.screenshot(path=os.path.join(SCREENSHOTS, name + ".png"), full_page=True)


def test_manager_imports_products_after_a_preview(page, login, tmp_path):
    login(*DEMO["MANAGER"])
    page.goto("/catalog/excel/")
    expect(page.get_by_test_id("catalog-excel")).to_contain_text("Importer des produits")

    # a file with a bad row: the preview names the row and the column, and nothing can be confirmed
    bad = _file(tmp_path, "avec-erreur.xlsx", [product_row(1), product_row(2, **{"Prix de vente": -10}), product_row(3)])
    page.set_input_files("#import-file", bad)
    page.get_by_role("button", name="Vérifier le fichier").click()
    expect(page.get_by_test_id("import-errors")).to_be_visible()
    errors = page.get_by_test_id("import-error-table")
    expect(errors.locator("tbody tr")).to_have_count(1)
    expect(errors.locator("tbody tr").first).to_contain_text("3")
    expect(errors.locator("tbody tr").first).to_contain_text("Prix de vente")
    expect(page.get_by_role("button", name="Confirmer l'import")).to_have_count(0)
    _shot(page, "catalog_import_preview_with_errors")

    # a good file: the preview lists what will be created, then the import is confirmed
    page.goto("/catalog/excel/")
    good = _file(tmp_path, "cables.xlsx", [product_row(n) for n in range(1, 4)])
    page.set_input_files("#import-file", good)
    page.get_by_role("button", name="Vérifier le fichier").click()
    expect(page.get_by_test_id("import-summary")).to_contain_text("3 à créer")
    expect(page.get_by_test_id("import-created").locator("tbody tr")).to_have_count(3)
    _shot(page, "catalog_import_preview_ready")
    page.get_by_role("button", name="Confirmer l'import").click()
    expect(page.locator(".alert-success")).to_contain_text("3 produit(s) créé(s)")
    expect(page.get_by_text("Câble réseau Cat6 2 m", exact=True)).to_be_visible()


def test_seller_sees_a_product_without_its_cost_price(page, login):
    login(*DEMO["SALES"])
    page.goto("/catalog/products/list/?_flt_0_sku=ECR-HP")
    row = page.locator("table tbody tr", has_text="ECR-HP-M24F")
    expect(row).to_contain_text("Écran HP M24f 24 pouces Full HD")
    expect(row).to_contain_text("95")
    row.locator("a[href*='/products/show/']").first.click()
    expect(page.get_by_text("Prix plancher")).to_be_visible()
    expect(page.get_by_text("Prix d'achat")).to_have_count(0)
    expect(page.get_by_text("Caractéristiques").first).to_be_visible()


def test_manager_filters_products_by_price(page, login):
    """FAB's search panel on an amount column: was a 500 on PostgreSQL (numeric = varchar)."""
    login(*DEMO["MANAGER"])
    page.goto("/catalog/products/list/")
    page.get_by_text("Filtres", exact=True).click()
    page.get_by_text("Ajouter un filtre").click()
    page.locator("a.filter", has_text="Prix de vente").first.click()
    page.locator(".filters input.filter_val").last.fill("45 000")
    page.get_by_role("button", name="Rechercher").last.click()  # the filter panel's (the first is the search box's)
    page.wait_for_load_state()
    rows = page.locator("tbody tr", has_text="FCFA")
    expect(rows.first).to_be_visible()
    prices = rows.locator("td:nth-child(6)").all_inner_texts()
    assert prices and all(price.replace("\u202f", " ").replace("\xa0", " ") == "45 000 FCFA" for price in prices)
    _shot(page, "catalog_products_filtered_by_price")
