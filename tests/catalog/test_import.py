"""Excel import and export of products: validation, all or nothing, malformed files, round trip."""
import io
from decimal import Decimal

import pytest
from sqlalchemy import func, select, text

from app.catalog.models import Brand, Category, Product
from app.core.models import AuditLog
from app.extensions import db
from tests.catalog.workbooks import (
    HEADERS,
    ean13,
    encrypted_workbook,
    product_row,
    read_rows,
    with_macros,
    xlsx_bytes,
)

IMPORT = "/api/v1/products/import/"


def upload(api, data, name="produits.xlsx", dry_run=False):
    return api.post(IMPORT + ("?dry_run=true" if dry_run else ""), data={"file": (io.BytesIO(data), name)},
                    content_type="multipart/form-data")


def product_count(app):
    with app.app_context():
        return db.session.execute(select(func.count()).select_from(Product)).scalar()


def test_a_5000_row_file_imports(app, as_manager):
    before = product_count(app)
    data = xlsx_bytes(HEADERS, (product_row(n) for n in range(1, 5001)))

    preview = upload(as_manager, data, dry_run=True)
    assert preview.status_code == 200, preview.get_json()
    assert (preview.get_json()["created"], preview.get_json()["committed"]) == (5000, False)
    assert product_count(app) == before  # a dry run writes nothing

    response = upload(as_manager, data)
    body = response.get_json()
    assert response.status_code == 200, body
    assert (body["created"], body["updated"], body["error_count"], body["committed"]) == (5000, 0, 0, True)
    assert product_count(app) == before + 5000
    with app.app_context():
        cable = db.session.execute(select(Product).where(Product.sku == "IMP-04321")).scalar_one()
        assert (cable.barcode, cable.sale_price, cable.min_sale_price, cable.tax_rate) == (
            ean13(4321), Decimal("5821.00"), Decimal("5721.00"), Decimal("19.25"))
        assert cable.category.path == "Réseau > Câbles" and cable.brand.name == "TP-Link"
        assert cable.search_text == "cable reseau cat6 4321 m imp-04321"
        audit = db.session.execute(select(AuditLog).where(AuditLog.action == "catalog.import")).scalars().all()
        assert len(audit) == 1 and audit[0].after["created"] == 5000

    # the same file again: every product exists and nothing changed
    again = upload(as_manager, data, dry_run=True).get_json()
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 5000)


def test_a_file_with_3_bad_rows_imports_nothing_and_names_them(app, as_manager):
    before = product_count(app)
    rows = [product_row(n) for n in range(1, 11)]
    rows[2] = product_row(3, **{"Prix de vente": -5})  # Excel row 4
    rows[5] = product_row(6, **{"Code-barres": "6210000000061"})  # row 7: wrong EAN-13 key
    rows[8] = product_row(9, **{"Prix plancher": 99999, "TVA (%)": 150})  # row 10: floor above price, tax > 100
    data = xlsx_bytes(HEADERS, rows)

    response = upload(as_manager, data)

    body = response.get_json()
    assert response.status_code == 422
    assert "rien n'a été importé" in body["message"]
    assert body["committed"] is False
    found = {(e["row"], e["column"]) for e in body["errors"]}
    assert found == {(4, "Prix de vente"), (7, "Code-barres"), (10, "Prix plancher"), (10, "TVA (%)")}
    assert {e["row"] for e in body["errors"]} == {4, 7, 10}
    messages = {e["column"]: e["message"] for e in body["errors"]}
    assert "négatif" in messages["Prix de vente"] and "clé de contrôle devrait être" in messages["Code-barres"]
    assert product_count(app) == before


@pytest.mark.parametrize("column,value,expected", [
    ("SKU", None, "Valeur obligatoire"),
    ("Nom", "", "Valeur obligatoire"),
    ("Prix de vente", "mille", "Montant invalide"),
    ("Code-barres", "12AB", "que des chiffres"),
    ("Seuil de réapprovisionnement", 2.5, "entier"),
    ("Actif", "peut-être", "oui/non"),
    ("Garantie (mois)", -1, "entier"),
])
def test_each_bad_value_is_named_with_row_and_column(as_manager, column, value, expected):
    rows = [product_row(1), product_row(2, **{column: value})]
    body = upload(as_manager, xlsx_bytes(HEADERS, rows), dry_run=True).get_json()
    assert body["error_count"] == 1, body["errors"]
    assert (body["errors"][0]["row"], body["errors"][0]["column"]) == (3, column)
    assert expected in body["errors"][0]["message"]


def test_sku_and_barcode_must_be_unique_in_the_file_and_against_the_catalog(as_manager):
    rows = [
        product_row(1),
        product_row(2, SKU="IMP-00001"),  # same sku as row 2
        product_row(3, **{"Code-barres": ean13(1)}),  # same barcode as row 2
        product_row(4, **{"Code-barres": "6201230000011"}),  # the demo laptop's barcode
    ]
    body = upload(as_manager, xlsx_bytes(HEADERS, rows)).get_json()
    errors = {(e["row"], e["column"]): e["message"] for e in body["errors"]}
    assert set(errors) == {(3, "SKU"), (4, "Code-barres"), (5, "Code-barres")}
    assert "ligne 2" in errors[(3, "SKU")] and "ligne 2" in errors[(4, "Code-barres")]
    assert "PC-HP250G9-I5" in errors[(5, "Code-barres")]


def test_updates_by_sku_create_missing_categories_and_brands_and_move_barcodes(app, as_manager):
    with app.app_context():
        laptop = db.session.execute(select(Product).where(Product.sku == "PC-HP250G9-I5")).scalar_one()
        dell = db.session.execute(select(Product).where(Product.sku == "PC-DELL3540-I5")).scalar_one()
        hp_code, dell_code = laptop.barcode, dell.barcode
    headers = ["sku", "Code-barres", "Nom", "Prix de vente", "Catégorie", "Marque"]  # field names work too
    rows = [
        ["PC-HP250G9-I5", dell_code, "HP 250 G9 (promo)", 379000, "Informatique > Ordinateurs portables", "hp"],
        ["PC-DELL3540-I5", hp_code, "Dell Latitude 3540", 425000, "informatique > ordinateurs portables", "DELL"],
        ["CAM-HIK-01", None, "Caméra IP Hikvision 4 MP", 45000, "Vidéosurveillance > Caméras IP", "Hikvision"],
    ]
    data = xlsx_bytes(headers, rows)

    preview = upload(as_manager, data, dry_run=True).get_json()
    assert preview["error_count"] == 0, preview["errors"]
    assert preview["new_categories"] == ["Vidéosurveillance", "Vidéosurveillance > Caméras IP"]
    assert preview["new_brands"] == ["Hikvision"]
    assert {r["sku"]: r["changes"] for r in preview["updated_rows"]} == {
        "PC-HP250G9-I5": ["Code-barres", "Nom", "Prix de vente"], "PC-DELL3540-I5": ["Code-barres", "Nom"]}

    assert upload(as_manager, data).status_code == 200
    with app.app_context():
        laptop = db.session.execute(select(Product).where(Product.sku == "PC-HP250G9-I5")).scalar_one()
        camera = db.session.execute(select(Product).where(Product.sku == "CAM-HIK-01")).scalar_one()
        assert (laptop.barcode, laptop.sale_price, laptop.brand.name) == (dell_code, Decimal("379000.00"), "HP")
        assert laptop.min_sale_price is not None  # a column absent from the file is left alone
        assert camera.category.path == "Vidéosurveillance > Caméras IP" and camera.brand.name == "Hikvision"
        assert db.session.execute(select(func.count()).select_from(Brand).where(Brand.name == "Hikvision")).scalar() == 1


def test_a_lower_price_under_the_current_floor_is_refused(as_manager):
    data = xlsx_bytes(["SKU", "Nom", "Prix de vente"], [["PC-HP250G9-I5", "HP 250 G9", 1000]])
    body = upload(as_manager, data).get_json()
    assert [(e["row"], e["column"]) for e in body["errors"]] == [(2, "Prix de vente")]
    assert "prix plancher" in body["errors"][0]["message"]


def _malformed_files():
    good = xlsx_bytes(HEADERS, [product_row(1)])
    return [
        ("not-a-zip", b"sku;nom;prix\nA;B;1\n", "produits.xlsx", "n'est pas un classeur Excel"),
        ("xlsm-by-name", good, "produits.xlsm", "macros"),
        ("xlsm-by-content", with_macros(good), "produits.xlsx", "macros"),
        ("encrypted", encrypted_workbook(), "produits.xlsx", "mot de passe"),
        ("old-xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 1000, "produits.xls", ".xls"),
        ("empty-file", b"", "produits.xlsx", "vide"),
        ("empty-sheet", xlsx_bytes([], []), "produits.xlsx", "vide"),
        ("header-only", xlsx_bytes(HEADERS, []), "produits.xlsx", "aucun produit"),
        ("wrong-headers", xlsx_bytes(["Référence", "Désignation", "Prix"], [["A", "B", 1]]), "produits.xlsx",
         "En-têtes invalides"),
        ("missing-price", xlsx_bytes(["SKU", "Nom"], [["A", "B"]]), "produits.xlsx", "Prix de vente"),
        ("zip-not-workbook", _zip_of({"hello.txt": b"bonjour"}), "produits.xlsx", "pas un classeur"),
    ]


def _zip_of(files):
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


@pytest.mark.parametrize("case", _malformed_files(), ids=lambda case: case[0])
def test_malformed_files_get_a_400_with_a_french_message(app, as_manager, case):
    _, data, name, expected = case
    before = product_count(app)
    response = upload(as_manager, data, name)
    assert response.status_code == 400, response.get_json()
    assert expected in response.get_json()["message"]
    assert product_count(app) == before


def test_a_file_over_the_size_limit_is_refused(app, as_manager):
    app.config["EXCEL_IMPORT_MAX_BYTES"] = 4096
    try:
        rows = [product_row(n, Nom=f"Produit {n} " + "x" * 150) for n in range(1, 200)]
        response = upload(as_manager, xlsx_bytes(HEADERS, rows))
    finally:
        del app.config["EXCEL_IMPORT_MAX_BYTES"]
    assert response.status_code == 400
    assert "trop volumineux" in response.get_json()["message"]


def test_an_import_without_a_file_is_a_400(as_manager):
    response = as_manager.post(IMPORT, data={}, content_type="multipart/form-data")
    assert response.status_code == 400 and "file" in response.get_json()["errors"]


def test_text_that_looks_like_a_formula_is_exported_as_text(app, as_manager):
    assert as_manager.put("/api/v1/products/1", json={"name": "=HYPERLINK(\"http://x\")"}).status_code == 200
    rows = read_rows(as_manager.get("/api/v1/products/export.xlsx").data)
    assert ["=HYPERLINK(\"http://x\")"] == [r[2] for r in rows if r[0] == "PC-HP250G9-I5"]


def _catalog_snapshot():
    products = db.session.execute(select(Product).order_by(Product.sku)).scalars().all()
    return [(p.sku, p.barcode, p.name, p.category.path if p.category else None, p.brand.name if p.brand else None,
             p.description, p.cost_price, p.sale_price, p.min_sale_price, p.tax_rate, p.reorder_level, p.is_active,
             p.track_serial, p.warranty_months) for p in products]


def _empty_the_catalog():
    """Products are referenced by the stock ledger (append-only): empty the tables at once."""
    tables = ["serial_number", "inventory_movement", "product_stock", "product_spec", "product_image", "product",
              "category", "brand"]
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text(f"TRUNCATE {', '.join(tables)} CASCADE"))
    else:
        for table in tables:
            db.session.execute(text(f"DELETE FROM {table}"))
    db.session.commit()


def test_an_export_reimports_to_the_same_catalog(app, as_manager):
    # edge cases a round trip must keep: a description on several lines, no category, no barcode,
    # an inactive product, a 0 % tax rate (prices are whole francs: centimes are refused, see test_catalog_api)
    assert as_manager.post("/api/v1/products/", json={
        "sku": "SRV-INSTALL", "name": "Installation réseau (forfait)", "sale_price": "25000", "tax_rate": 0,
        "description": "Câblage et configuration.\nDéplacement compris à Douala.", "is_active": False,
    }).status_code == 201
    with app.app_context():
        before = _catalog_snapshot()
    exported = as_manager.get("/api/v1/products/export.xlsx")
    assert exported.status_code == 200
    assert exported.headers["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    assert read_rows(exported.data)[0][:3] == ["SKU", "Code-barres", "Nom"]

    # into the same catalog: nothing to do
    same = upload(as_manager, exported.data, "produits.xlsx", dry_run=True).get_json()
    assert (same["created"], same["updated"], same["unchanged"]) == (0, 0, len(before))

    # into an empty catalog: the same catalog again
    with app.app_context():
        _empty_the_catalog()
    response = upload(as_manager, exported.data, "produits.xlsx")
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["created"] == len(before)
    with app.app_context():
        assert _catalog_snapshot() == before
        assert db.session.execute(select(func.count()).select_from(Category)).scalar() == 13  # the demo tree


def test_the_template_imports_as_it_is(as_manager):
    template = as_manager.get("/api/v1/products/import-template.xlsx")
    assert template.status_code == 200
    rows = read_rows(template.data)
    assert rows[0][0] == "SKU" and rows[1][0] == "RT-EXEMPLE-01"
    body = upload(as_manager, template.data, "modele.xlsx", dry_run=True).get_json()
    assert (body["created"], body["error_count"]) == (1, 0)


def test_stock_export_is_per_store_and_scoped(app, as_stocker, api_as):
    with app.app_context():
        from tests.factories import store_by_code

        dla, yde = store_by_code("DLA1").id, store_by_code("YDE1").id
    rows = read_rows(as_stocker.get(f"/api/v1/products/stock-export.xlsx?store={yde}").data)
    assert rows[0][:3] == ["Magasin", "SKU", "Code-barres"]
    assert {r[0] for r in rows[1:]} == {"YDE1"}
    switch = next(r for r in rows if r[1] == "SW-TPL-SG1008D")
    assert switch[6:9] == [12, 0, 12]
    both = read_rows(as_stocker.get("/api/v1/products/stock-export.xlsx").data)
    assert {r[0] for r in both[1:]} == {"DLA1", "YDE1"}

    # the manager... and a seller of DLA1 only cannot ask for YDE1 (and has no export right anyway)
    from tests.factories import make_user

    with app.app_context():
        make_user("stock.dla@boutique.cm", "secret123!", "STOCKER", stores=[store_by_code("DLA1")])
    dla_only = api_as("stock.dla@boutique.cm", "secret123!")
    assert dla_only.get(f"/api/v1/products/stock-export.xlsx?store={yde}").status_code == 404
    assert dla_only.get(f"/api/v1/products/stock-export.xlsx?store={dla}").status_code == 200
    assert {r[0] for r in read_rows(dla_only.get("/api/v1/products/stock-export.xlsx").data)[1:]} == {"DLA1"}


def test_an_empty_cell_leaves_the_value_of_an_existing_product(app, as_manager):
    """Issue 19 item 8: an empty barcode (or description, brand...) cell is not an order to wipe it."""
    with app.app_context():
        laptop = db.session.execute(select(Product).where(Product.sku == "PC-HP250G9-I5")).scalar_one()
        barcode, brand_id, floor = laptop.barcode, laptop.brand_id, laptop.min_sale_price
        price, name = int(laptop.sale_price), laptop.name
    assert barcode and brand_id
    headers = ["SKU", "Code-barres", "Nom", "Prix de vente", "Prix plancher", "Marque"]
    same = upload(as_manager, xlsx_bytes(headers, [["PC-HP250G9-I5", None, name, price, None, None]]), dry_run=True)
    assert (same.get_json()["updated"], same.get_json()["unchanged"]) == (0, 1), same.get_json()
    renamed = xlsx_bytes(headers, [["PC-HP250G9-I5", None, "HP 250 G9 (promo)", price, None, None]])
    preview = upload(as_manager, renamed, dry_run=True).get_json()
    assert [r["changes"] for r in preview["updated_rows"]] == [["Nom"]]
    assert upload(as_manager, renamed).status_code == 200
    with app.app_context():
        laptop = db.session.execute(select(Product).where(Product.sku == "PC-HP250G9-I5")).scalar_one()
        assert (laptop.name, laptop.barcode, laptop.brand_id, laptop.min_sale_price) == (
            "HP 250 G9 (promo)", barcode, brand_id, floor)
