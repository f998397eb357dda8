"""Issue 19 item 8: the import preview shows each modified cell as old -> new, an empty cell keeps
the value of an existing product, amounts are read as people type them and a refused value is
repeated in the error."""
import io
import re

import pytest
from sqlalchemy import select

from app.catalog.models import Product
from app.core import inputs
from app.core.inputs import FieldError
from app.extensions import db
from tests.catalog.test_import import upload
from tests.catalog.workbooks import xlsx_bytes
from tests.conftest import sign_in

HEADERS = ["SKU", "Code-barres", "Nom", "Prix de vente", "Marque", "Actif"]
SCREEN = "/catalog/excel/import/"


def _spaces(text):
    """Babel writes "95 000 FCFA" with no-break spaces: compare with ordinary ones."""
    return text.replace("\u202f", " ").replace("\xa0", " ")


def test_the_preview_shows_each_changed_cell_as_old_then_new(app, as_manager):
    rows = [["ECR-HP-M24F", None, "Écran HP M24f 24 pouces Full HD", "99 000 FCFA", "Dell", "non"]]
    preview = upload(as_manager, xlsx_bytes(HEADERS, rows), dry_run=True).get_json()
    [row] = preview["updated_rows"]
    assert row["changes"] == ["Marque", "Prix de vente", "Actif"]
    assert [{**cell, "old": _spaces(cell["old"]), "new": _spaces(cell["new"])} for cell in row["cells"]] == [
        {"column": "Marque", "old": "HP", "new": "Dell"},
        {"column": "Prix de vente", "old": "95 000 FCFA", "new": "99 000 FCFA"},
        {"column": "Actif", "old": "Oui", "new": "Non"},
    ]


def test_the_preview_screen_keeps_an_empty_barcode_and_shows_a_price_change(app, client):
    with app.app_context():
        barcode = db.session.execute(select(Product.barcode).where(Product.sku == "ECR-HP-M24F")).scalar_one()
    assert barcode
    sign_in(client, "MANAGER")
    data = xlsx_bytes(HEADERS[:4], [["ECR-HP-M24F", None, "Écran HP M24f 24 pouces Full HD", "99\u202f000 FCFA"]])
    page = _spaces(client.post(SCREEN, data={"file": (io.BytesIO(data), "prix.xlsx")},
                               content_type="multipart/form-data").get_data(as_text=True))
    assert "1 à mettre à jour" in page
    assert "Prix de vente : 95 000 FCFA → 99 000 FCFA" in re.sub(r"<[^>]+>", "", page)
    assert "Code-barres</strong>" not in page  # an empty cell is no change
    token = page.split('name="token" value="')[1].split('"')[0]
    assert client.post(SCREEN + "confirm/", data={"token": token, "filename": "prix.xlsx"}).status_code == 302
    with app.app_context():
        product = db.session.execute(select(Product).where(Product.sku == "ECR-HP-M24F")).scalar_one()
        assert (product.barcode, int(product.sale_price)) == (barcode, 99000)


@pytest.mark.parametrize("value,expected", [
    ("12 500,50", "pas de centimes"),
    ("beaucoup", "Montant invalide : « beaucoup »."),
    ("12.500", "Montant ambigu : « 12.500 »."),
    ("1 2 500 FCFA", "Montant invalide : « 1 2 500 FCFA »."),
])
def test_a_refused_price_is_repeated_in_its_error(as_manager, value, expected):
    rows = [["ECR-HP-M24F", None, "Écran HP M24f 24 pouces Full HD", value]]
    body = upload(as_manager, xlsx_bytes(HEADERS[:4], rows), dry_run=True).get_json()
    assert [(e["row"], e["column"]) for e in body["errors"]] == [(2, "Prix de vente")]
    assert expected in body["errors"][0]["message"]


@pytest.mark.parametrize("typed", ["12500", "12 500", "12 500 FCFA", "12\u202f500 FCFA", "12\xa0500\xa0F CFA",
                                   "12 500 F", "12500 XAF", " 12 500 fcfa "])
def test_an_amount_is_read_as_people_write_it(app, typed):
    with app.test_request_context():
        assert inputs.money(typed) == 12500


@pytest.mark.parametrize("typed,message", [
    ("12 500,50", "Montant en unités entières de la devise attendu (pas de centimes en FCFA)."),
    ("12.500", "Montant ambigu : « 12.500 ». Séparez les milliers par des espaces (12 500)."),
    ("1.250.000", "Montant ambigu : « 1.250.000 ». Séparez les milliers par des espaces (12 500)."),
    ("12 50", "Montant invalide : « 12 50 »."),
    ("FCFA", "Montant invalide : « FCFA »."),
    ("12 500 EUR", "Montant invalide : « 12 500 EUR »."),
    ("x" * 100, "Montant invalide : « " + "x" * 39 + "… »."),
])
def test_a_refused_amount_says_which_and_why(app, typed, message):
    with app.test_request_context():
        with pytest.raises(FieldError) as refused:
            inputs.money(typed)
    assert str(refused.value) == message


def test_another_currency_keeps_its_decimals_and_its_own_name(app):
    with app.test_request_context():
        assert str(inputs.money("12 500,50 €", currency="EUR")) == "12500.50"
        assert str(inputs.money("12.500", currency="EUR")) == "12.50"
