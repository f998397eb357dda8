"""The catalog domain's rows of the RBAC matrix (tests/test_rbac_matrix.py).

ROWS: (method, path with {placeholders}, body factory or None, {role: status}).
make_targets(): creates what the rows need (inside an app context) and returns the
placeholder values, e.g. {"product": 3}.

Catalog rights (app/catalog/permissions.py): everyone signed in reads; ADMIN and MANAGER
write and import; ADMIN, MANAGER and STOCKER export. The import and image rows send no
file: a role that may act gets 400 (file missing), the others 403.
"""
from tests.roles import everyone, only

WRITERS = ("ADMIN", "MANAGER")
EXPORTERS = ("ADMIN", "MANAGER", "STOCKER")

ROWS = [
    # products
    ("GET", "/api/v1/products/", None, everyone(200)),
    ("GET", "/api/v1/products/_info", None, everyone(200)),
    ("GET", "/api/v1/products/{product}", None, everyone(200)),
    ("POST", "/api/v1/products/", lambda t: {"sku": "RBAC-NEW-1", "name": "Produit RBAC", "sale_price": 15000},
     only(201, *WRITERS)),
    ("PUT", "/api/v1/products/{product}", lambda t: {"sale_price": 30000}, only(200, *WRITERS)),
    ("DELETE", "/api/v1/products/{spare_product}", None, only(200, *WRITERS)),
    ("GET", "/api/v1/products/search/?q=routeur&store={store}", None, everyone(200)),
    ("POST", "/api/v1/products/import/?dry_run=true", None, only(400, *WRITERS)),
    ("GET", "/api/v1/products/import-template.xlsx", None, only(200, *WRITERS)),
    ("GET", "/api/v1/products/export.xlsx", None, only(200, *EXPORTERS)),
    ("GET", "/api/v1/products/stock-export.xlsx?store={store}", None, only(200, *EXPORTERS)),
    ("POST", "/api/v1/products/{product}/images/", None, only(400, *WRITERS)),
    ("GET", "/api/v1/products/images/{image}", None, everyone(200)),
    # categories
    ("GET", "/api/v1/categories/", None, everyone(200)),
    ("GET", "/api/v1/categories/_info", None, everyone(200)),
    ("GET", "/api/v1/categories/{category}", None, everyone(200)),
    ("POST", "/api/v1/categories/", lambda t: {"name": "Vidéosurveillance"}, only(201, *WRITERS)),
    ("PUT", "/api/v1/categories/{category}", lambda t: {"name": "Routeurs et passerelles"}, only(200, *WRITERS)),
    ("DELETE", "/api/v1/categories/{spare_category}", None, only(200, *WRITERS)),
    # brands
    ("GET", "/api/v1/brands/", None, everyone(200)),
    ("GET", "/api/v1/brands/_info", None, everyone(200)),
    ("GET", "/api/v1/brands/{brand}", None, everyone(200)),
    ("POST", "/api/v1/brands/", lambda t: {"name": "Hikvision"}, only(201, *WRITERS)),
    ("PUT", "/api/v1/brands/{brand}", lambda t: {"name": "TP-Link Omada"}, only(200, *WRITERS)),
    ("DELETE", "/api/v1/brands/{spare_brand}", None, only(200, *WRITERS)),
]


def make_targets():
    from sqlalchemy import select

    from app.catalog import services
    from app.catalog.models import Brand, Category, Product
    from app.extensions import db
    from tests.factories import make_product, store_by_code

    from flask import current_app

    from .images import png_bytes, use_temporary_image_folder

    use_temporary_image_folder(current_app)
    router = db.session.execute(select(Product).where(Product.sku == "RT-TPL-ARCHER-C6")).scalar_one()
    image = services.add_product_image(router, png_bytes(), "archer.png")
    spare_category = Category(name="Catégorie à supprimer")
    spare_brand = Brand(name="Marque à supprimer")
    db.session.add_all([spare_category, spare_brand])
    db.session.commit()
    return {
        "store": store_by_code("DLA1").id,
        "product": router.id,
        "spare_product": make_product("RBAC-SPARE-1", "Produit à supprimer").id,
        "category": db.session.execute(select(Category.id).where(Category.name == "Routeurs")).scalar_one(),
        "spare_category": spare_category.id,
        "brand": db.session.execute(select(Brand.id).where(Brand.name == "TP-Link")).scalar_one(),
        "spare_brand": spare_brand.id,
        "image": image.id,
    }
