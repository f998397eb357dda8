"""The back-office screens through the test client: French forms, domain checks, upload flow."""
import io

from sqlalchemy import select

from app.catalog.models import Product, ProductImage
from app.extensions import db
from tests.catalog.images import picture_bytes, use_temporary_image_folder
from tests.catalog.workbooks import HEADERS, encrypted_workbook, product_row, xlsx_bytes
from tests.conftest import sign_in


def test_catalog_screens_speak_french_and_show_category_paths(client):
    sign_in(client, "MANAGER")
    page = client.get("/catalog/categories/list/").get_data(as_text=True)
    assert "Catégories" in page and "Réseau &gt; Routeurs" in page
    page = client.get("/catalog/products/add").get_data(as_text=True)
    assert "Prix plancher" in page and "Suivi par n° de série" in page


def test_a_product_form_with_a_bad_barcode_is_refused_in_french(app, client):
    sign_in(client, "MANAGER")
    response = client.post("/catalog/products/add", data={
        "sku": "RT-FORM-1", "name": "Routeur du formulaire", "barcode": "6201230000999", "sale_price": "20000",
        "cost_price": "15000", "tax_rate": "19.25", "reorder_level": "0", "warranty_months": "0",
    }, follow_redirects=True)
    assert "clé de contrôle devrait être 8" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.execute(select(Product).where(Product.sku == "RT-FORM-1")).first() is None


def test_a_seller_cannot_edit_products(client):
    sign_in(client, "SALES")
    assert client.get("/catalog/products/list/").status_code == 200
    response = client.get("/catalog/products/add")
    assert response.status_code == 403
    assert client.get("/catalog/excel/").status_code == 403


def test_a_picture_is_added_from_the_back_office(app, client):
    use_temporary_image_folder(app)
    sign_in(client, "MANAGER")
    response = client.post("/catalog/product-images/add", data={
        "product": "1", "image": (io.BytesIO(picture_bytes("JPEG")), "photo.jpg")},
        content_type="multipart/form-data", follow_redirects=True)
    assert response.status_code == 200
    with app.app_context():
        image = db.session.execute(select(ProductImage)).scalar_one()
        assert (image.product_id, image.content_type, image.original_name) == (1, "image/jpeg", "photo.jpg")
    refused = client.post("/catalog/product-images/add", data={
        "product": "1", "image": (io.BytesIO(b"MZ\x90\x00 not a picture"), "photo.jpg")},
        content_type="multipart/form-data", follow_redirects=True)
    assert "n'est pas une image JPEG, PNG ou WebP valide" in refused.get_data(as_text=True)
    with app.app_context():
        assert len(db.session.execute(select(ProductImage)).all()) == 1


def test_the_import_screen_previews_then_confirms(app, client):
    sign_in(client, "MANAGER")
    data = xlsx_bytes(HEADERS, [product_row(n) for n in range(1, 4)])
    preview = client.post("/catalog/excel/import/", data={"file": (io.BytesIO(data), "cables.xlsx")},
                          content_type="multipart/form-data")
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "3 à créer" in page
    token = page.split('name="token" value="')[1].split('"')[0]
    with app.app_context():
        assert db.session.execute(select(Product).where(Product.sku == "IMP-00001")).first() is None
    # another user cannot confirm someone else's upload
    other = app.test_client()
    sign_in(other, "ADMIN")
    assert other.post("/catalog/excel/import/confirm/", data={"token": token}, follow_redirects=True).status_code == 200
    with app.app_context():
        assert db.session.execute(select(Product).where(Product.sku == "IMP-00001")).first() is None
    done = client.post("/catalog/excel/import/confirm/", data={"token": token, "filename": "cables.xlsx"})
    assert done.status_code == 302
    with app.app_context():
        assert len(db.session.execute(select(Product).where(Product.sku.like("IMP-0%"))).all()) == 3
    assert client.post("/catalog/excel/import/confirm/", data={"token": "../../etc"}).status_code == 404


def test_the_import_screen_explains_a_refused_file(client):
    sign_in(client, "MANAGER")
    response = client.post("/catalog/excel/import/", data={"file": (io.BytesIO(encrypted_workbook()), "p.xlsx")},
                           content_type="multipart/form-data")
    assert response.status_code == 400
    assert "protégé par un mot de passe" in response.get_data(as_text=True)


def test_exports_download_from_the_screen(client):
    sign_in(client, "STOCKER")
    assert client.get("/catalog/excel/").status_code == 200
    for url in ("/catalog/excel/products.xlsx", "/catalog/excel/stock.xlsx?store=1"):
        response = client.get(url)
        assert response.status_code == 200 and response.data[:2] == b"PK"
    assert client.get("/catalog/excel/template.xlsx").status_code == 403  # import is for managers


def test_a_product_is_added_from_the_form_with_unticked_boxes(app, client):
    sign_in(client, "MANAGER")
    client.post("/catalog/products/add", data={
        "sku": "RT-FORM-2", "name": "Routeur  du   formulaire", "barcode": "6201230000998", "sale_price": "20000",
        "min_sale_price": "19000", "cost_price": "15000", "tax_rate": "19.25", "reorder_level": "2",
        "warranty_months": "0"})
    with app.app_context():
        product = db.session.execute(select(Product).where(Product.sku == "RT-FORM-2")).scalar_one()
        assert (product.name, product.track_serial, product.is_active) == ("Routeur du formulaire", False, False)
