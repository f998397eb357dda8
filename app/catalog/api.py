"""REST APIs: products (+ search, Excel import/export, images), categories, brands (SPEC §10)."""
import os

from flask import current_app, request, send_file
from flask_appbuilder.api import expose, protect, safe
from flask_babel import lazy_gettext as _l

from ..core.api import BoutiqueModelRestApi, ScopedInterface, api_action, openapi
from ..core.errors import BadRequest, NotFound
from ..core.scoping import acting_user
from ..documents.excel import XLSX_CONTENT_TYPE
from ..extensions import db
from . import services, spreadsheets
from .labels import LABELS
from .models import Brand, Category, Product, ProductImage

PRODUCT_LIST_COLUMNS = [
    "id", "sku", "barcode", "name", "category.id", "category.name", "brand.id", "brand.name",
    "sale_price", "min_sale_price", "tax_rate", "reorder_level", "is_active", "track_serial", "warranty_months",
]
PRODUCT_WRITE_COLUMNS = [
    "sku", "barcode", "name", "category", "brand", "description", "cost_price", "sale_price", "min_sale_price",
    "tax_rate", "reorder_level", "is_active", "track_serial", "warranty_months",
]
COST_COLUMNS = ("cost_price",)


def can_see_costs():
    """Cost prices are for the roles that write the catalog (ADMIN, MANAGER)."""
    return current_app.appbuilder.sm.has_access("can_write", "Product")


def uploaded_file(field_name):
    """(bytes, client filename) of a multipart upload; the name is only ever used for messages."""
    upload = request.files.get(field_name)
    if upload is None:
        raise BadRequest(_l("Envoyez le fichier dans le champ « %(field)s » (multipart/form-data).",
                            field=field_name), errors={field_name: [_l("Champ obligatoire.")]})
    return upload.read(), upload.filename


def xlsx_response(buffer, name):
    return send_file(buffer, mimetype=XLSX_CONTENT_TYPE, as_attachment=True, download_name=name, max_age=0)


def truthy(value):
    return str(value).strip().lower() in ("1", "true", "yes", "oui", "on")


class CatalogApiMixin:
    """Checked by the catalog's rules (`validate`) before any write; labelled like the screens."""

    def pre_add(self, item):
        self.validate(item)

    def pre_update(self, item):
        self.validate(item)

    label_columns = LABELS


class ProductApi(CatalogApiMixin, BoutiqueModelRestApi):
    resource_name = "products"
    list_title = _l("Produits")
    show_title = add_title = edit_title = _l("Produit")
    class_permission_name = "Product"
    datamodel = ScopedInterface(Product)
    list_columns = PRODUCT_LIST_COLUMNS
    show_columns = PRODUCT_LIST_COLUMNS + [
        "description", "cost_price", "images.id", "images.content_type", "specs.key", "specs.value",
        "created_at", "updated_at",
    ]
    add_columns = PRODUCT_WRITE_COLUMNS
    edit_columns = PRODUCT_WRITE_COLUMNS
    order_columns = ["sku", "name", "sale_price", "updated_at"]
    search_columns = ["sku", "barcode", "name", "category", "brand", "is_active", "track_serial"]
    method_permission_name = {
        **BoutiqueModelRestApi.method_permission_name,
        "search": "read",
        "image_file": "read",
        "add_image": "write",
        "import_products": "import",
        "import_template": "import",
        "export_products": "export",
        "export_stock": "export",
    }
    validate = staticmethod(services.validate_product)

    def pre_get(self, data):
        if not can_see_costs():
            for column in COST_COLUMNS:
                data.get("result", {}).pop(column, None)

    def pre_get_list(self, data):
        if not can_see_costs():
            for row in data.get("result", []):
                for column in COST_COLUMNS:
                    row.pop(column, None)

    @expose("/search/", methods=["GET"])
    @api_action
    @openapi({200: "at most 20 products with id, sku, barcode, name, sale_price, min_sale_price, tax_rate, "
                   "track_serial and available (quantity - reserved in that store)",
              400: "no store given", 404: "not one of the user's stores"},
             query={"q": "string", "store": {"schema": {"type": "integer"}, "description":
                                             "one of the user's stores (optional when the user has exactly one)"}},
             method="get")
    def search(self):
        """POS search: exact barcode, sku prefix or every word of the name, with stock in a store."""
        store_id = services.search_store_id(acting_user(), request.args.get("store"))
        rows = services.search_products(request.args.get("q", ""), store_id)
        for row in rows:
            for key in ("sale_price", "min_sale_price", "tax_rate"):
                row[key] = str(row[key]) if row[key] is not None else None
        return self.response(200, count=len(rows), store=store_id, result=rows)

    @expose("/import/", methods=["POST"])
    @api_action
    @openapi({200: "the report (dry run, or imported)", 400: "not a readable .xlsx workbook, or wrong columns",
              422: "rows in error (each with its row and column); nothing was written"},
             body={"file": {"type": "string", "format": "binary"}}, query={"dry_run": "boolean"},
             content="multipart/form-data")
    def import_products(self):
        """Import products from an .xlsx file (multipart field `file`); `?dry_run=true` writes nothing."""
        data, filename = uploaded_file("file")
        dry_run = truthy(request.args.get("dry_run", "false"))
        report = spreadsheets.import_products(data, filename, dry_run=dry_run)
        if not report.ok:
            return self.response(422, message=str(_l(
                "%(count)s erreur(s) dans le fichier : rien n'a été importé.", count=report.error_count)),
                **report.to_dict())
        message = _l("Vérification terminée : aucun produit n'a encore été modifié.") if dry_run else _l(
            "Import terminé.")
        return self.response(200, message=str(message), **report.to_dict())

    @expose("/import-template.xlsx", methods=["GET"])
    @protect()
    @safe
    @openapi({200: "an .xlsx file"}, method="get")
    def import_template(self):
        """The .xlsx template for the product import."""
        return xlsx_response(spreadsheets.template_workbook(), "modele-import-produits.xlsx")

    @expose("/export.xlsx", methods=["GET"])
    @protect()
    @safe
    @openapi({200: "an .xlsx file"}, method="get")
    def export_products(self):
        """Every product as .xlsx, in the import's columns."""
        return xlsx_response(spreadsheets.export_products_workbook(with_costs=can_see_costs()), "produits.xlsx")

    @expose("/stock-export.xlsx", methods=["GET"])
    @api_action
    @openapi({200: "an .xlsx file", 404: "not one of the user's stores"}, query={"store": "integer"}, method="get")
    def export_stock(self):
        """Stock per store as .xlsx: `?store=` one of the user's stores, else all of them."""
        store_ids = stock_export_stores(request.args.get("store"))
        return xlsx_response(spreadsheets.export_stock_workbook(store_ids), "stock.xlsx")

    @expose("/<int:pk>/images/", methods=["POST"])
    @api_action
    @openapi({201: "the image (id, content_type, size)", 400: "not a JPEG/PNG/WebP picture, or too large",
              404: "no such product"})
    def add_image(self, pk):
        """Add a picture (multipart field `image`: JPEG, PNG or WebP, checked by content)."""
        product = self._document(pk)
        data, filename = uploaded_file("image")
        image = services.add_product_image(product, data, filename)
        return self.response(201, id=image.id, result={
            "product": product.id, "content_type": image.content_type, "size": image.size})

    @expose("/images/<int:image_id>", methods=["GET"])
    @protect()
    @safe
    @openapi({200: "the picture", 404: "no such picture"}, method="get")
    def image_file(self, image_id):
        """A product picture."""
        image = db.session.get(ProductImage, image_id)
        if image is None or not os.path.exists(services.image_path(image)):
            return self.response_404()
        return send_file(services.image_path(image), mimetype=image.content_type, max_age=300)


def stock_export_stores(store):
    """Ids of the stores a stock export covers: `store` if it is one of the user's, else all of them."""
    from ..stores.models import Store

    user = acting_user()
    if store not in (None, ""):
        return [services.search_store_id(user, store)]
    ids = [shop.id for shop in Store.of_user(user, active_only=False)]
    if not ids:
        raise NotFound(_l("Aucun magasin ne vous est affecté."))
    return ids


class CategoryApi(CatalogApiMixin, BoutiqueModelRestApi):
    resource_name = "categories"
    list_title = _l("Catégories")
    show_title = add_title = edit_title = _l("Catégorie")
    class_permission_name = "Category"
    datamodel = ScopedInterface(Category)
    list_columns = ["id", "name", "parent.id", "parent.name", "path"]
    show_columns = list_columns
    add_columns = edit_columns = ["name", "parent"]
    order_columns = ["name"]
    search_columns = ["name", "parent"]
    validate = staticmethod(services.validate_category)


class BrandApi(CatalogApiMixin, BoutiqueModelRestApi):
    resource_name = "brands"
    list_title = _l("Marques")
    show_title = add_title = edit_title = _l("Marque")
    class_permission_name = "Brand"
    datamodel = ScopedInterface(Brand)
    list_columns = show_columns = ["id", "name"]
    add_columns = edit_columns = ["name"]
    order_columns = ["name"]
    search_columns = ["name"]
    validate = staticmethod(services.validate_brand)


def register(appbuilder):
    appbuilder.add_api(ProductApi)
    appbuilder.add_api(CategoryApi)
    appbuilder.add_api(BrandApi)
