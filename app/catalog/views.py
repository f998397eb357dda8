"""Back-office screens: categories (tree), brands, products with their specs and pictures,
the product pictures' authenticated route, and the Excel import (upload -> preview -> confirm)
and exports."""
import os
import re
import time
import uuid

from flask import abort, current_app, flash, jsonify, redirect, request, send_file, url_for
from flask_appbuilder import BaseView, ModelView, expose, has_access
from flask_appbuilder.models.filters import BaseFilter
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import select
from wtforms import BooleanField, FileField
from wtforms.validators import ValidationError

from ..core.api import FilterConverter, ScopedInterface
from ..core.errors import DomainError
from ..core.formatting import format_money, yes_no
from ..core.scoping import acting_user
from ..core.views import add_entry_point
from ..core.web import describe_error
from ..extensions import db
from ..core.web import SCREEN_READ_WRITE
from . import services, spreadsheets
from .api import can_see_costs, stock_export_stores, xlsx_response
from .labels import LABELS
from .models import Brand, Category, Product, ProductImage, ProductSpec

IMAGE_NAME = re.compile(r"^[0-9a-f]{32}\.(jpg|png|webp)$")


class DomainCheckedView(ModelView):
    """A ModelView whose pre_add / pre_update run the domain checks: errors are flashed in French."""

    datamodel = None
    method_permission_name = SCREEN_READ_WRITE
    label_columns = LABELS
    validate = None

    def pre_add(self, item):
        self._check(item)

    def pre_update(self, item):
        self._check(item)

    def _check(self, item):
        try:
            self.validate(item)
        except DomainError as exc:
            details = "; ".join(f"{LABELS.get(field, field)} : {' '.join(map(str, messages))}"
                                for field, messages in exc.errors.items())
            raise ValueError(f"{exc.message} {details}".strip()) from None


def _image_tag(filename):
    if not filename or not IMAGE_NAME.match(filename):
        return ""
    return Markup('<img src="{}" alt="" style="max-height:80px;max-width:120px" loading="lazy">').format(
        url_for("ProductImageFileView.image", name=filename))


class ProductSpecModelView(DomainCheckedView):
    route_base = "/catalog/specs"
    datamodel = ScopedInterface(ProductSpec)
    class_permission_name = "Product"
    list_title = _l("Caractéristiques")
    add_title = _l("Nouvelle caractéristique")
    edit_title = _l("Modifier la caractéristique")
    show_title = _l("Caractéristique")
    list_columns = ["product", "key", "value"]
    add_columns = edit_columns = show_columns = ["product", "key", "value"]
    search_columns = ["product", "key", "value"]

    def _check(self, item):
        item.key = " ".join((item.key or "").split())
        item.value = " ".join((item.value or "").split())
        if not item.key or not item.value:
            raise ValueError(str(_l("La caractéristique et sa valeur sont obligatoires.")))


def _check_upload(_form, field):
    upload = request.files.get(field.name)
    if upload is None or not upload.filename:
        raise ValidationError(str(_l("Choisissez une image.")))
    data = upload.read()
    upload.stream.seek(0)
    try:
        services.check_image(data)
    except DomainError as exc:
        raise ValidationError(exc.message) from None


class ProductImageModelView(DomainCheckedView):
    route_base = "/catalog/product-images"
    datamodel = ScopedInterface(ProductImage)
    class_permission_name = "Product"
    list_title = _l("Images")
    add_title = _l("Ajouter une image")
    show_title = _l("Image")
    edit_title = _l("Modifier l'image")
    list_columns = ["filename", "product", "original_name", "content_type", "size", "created_at"]
    show_columns = ["filename", "product", "original_name", "content_type", "size", "created_at"]
    add_columns = ["product", "image"]
    edit_columns = ["original_name"]
    search_columns = ["product", "original_name", "content_type"]
    formatters_columns = {"filename": _image_tag}
    add_form_extra_fields = {"image": FileField(LABELS["image"], validators=[_check_upload])}
    description_columns = {"image": _l("2 Mo au plus. Le contenu du fichier est vérifié.")}

    def _check(self, item):
        pass

    def pre_add(self, item):
        upload = request.files.get("image")
        stored = services.save_image_file(upload.read())
        item.filename, item.content_type, item.size = stored["filename"], stored["content_type"], stored["size"]
        item.original_name = services.client_file_name(upload.filename)
        if hasattr(item, "image"):
            del item.image

    def post_add(self, item):
        services.record_image_added(item)
        db.session.commit()


class ProductSearchFilter(BaseFilter):
    """The POS search's match (barcode, sku prefix, every word of the name, accents and case
    aside): the product list's text search and the first choice of its "Nom" filter."""

    name = _l("Contient (sans accents ni majuscules)")
    arg_name = "pq"

    def apply(self, query, value):
        condition = services.product_match(value if isinstance(value, str) else "")
        return query if condition is None else query.filter(condition)


class ProductFilterConverter(FilterConverter):
    def convert(self, col_name):
        filters = super().convert(col_name)
        if col_name == "name":
            return [ProductSearchFilter(col_name, self.datamodel), *filters]
        return filters


class ProductInterface(ScopedInterface):
    """Products searched like the POS searches them, and sorted by name in French order."""

    filter_converter_class = ProductFilterConverter

    def apply_order_by(self, query, order_column, order_direction, *args, **kwargs):
        if order_column != "name":
            return super().apply_order_by(query, order_column, order_direction, *args, **kwargs)
        return query.order_by(*services.french_order(descending=order_direction == "desc"))


class ProductModelView(DomainCheckedView):
    route_base = "/catalog/products"
    datamodel = ProductInterface(Product)
    list_template = "catalog/product_list.html"
    class_permission_name = "Product"
    validate = staticmethod(services.validate_product)
    list_title = _l("Produits")
    show_title = _l("Produit")
    add_title = _l("Nouveau produit")
    edit_title = _l("Modifier le produit")
    list_columns = ["sku", "name", "category", "brand", "sale_price", "track_serial", "is_active"]
    search_columns = ["sku", "barcode", "name", "category", "brand", "is_active", "track_serial", "sale_price"]
    base_order = ("name", "asc")
    show_fieldsets = [
        (_l("Produit"), {"fields": ["sku", "barcode", "name", "category", "brand", "description"]}),
        (_l("Prix"), {"fields": ["sale_price", "min_sale_price", "tax_rate", "cost_price"]}),
        (_l("Stock et garantie"), {"fields": ["reorder_level", "track_serial", "warranty_months", "is_active"]}),
        (_l("Historique"), {"fields": ["created_at", "updated_at"], "expanded": False}),
    ]
    add_columns = edit_columns = ["sku", "barcode", "name", "category", "brand", "description", "sale_price",
                                  "min_sale_price", "tax_rate", "cost_price", "reorder_level", "track_serial",
                                  "warranty_months", "is_active"]
    show_columns = add_columns + ["created_at", "updated_at"]
    add_fieldsets = edit_fieldsets = [
        (_l("Produit"), {"fields": ["sku", "barcode", "name", "category", "brand", "description"]}),
        (_l("Prix"), {"fields": ["sale_price", "min_sale_price", "tax_rate", "cost_price"]}),
        (_l("Stock et garantie"), {"fields": ["reorder_level", "track_serial", "warranty_months", "is_active"]}),
    ]
    description_columns = {
        "sku": _l("Référence unique, sans espace."),
        "barcode": _l("Chiffres seulement ; un EAN-13 doit avoir une clé de contrôle valide."),
        "sale_price": _l("Prix TTC en FCFA."),
        "min_sale_price": _l("En dessous, la vente demande l'accord d'un gérant."),
        "tax_rate": _l("19,25 % par défaut."),
        "track_serial": _l("Un numéro de série ou IMEI par unité vendue."),
    }
    formatters_columns = {
        "sale_price": format_money, "min_sale_price": format_money, "cost_price": format_money,
        "is_active": yes_no, "track_serial": yes_no,
    }
    # FAB makes a NOT NULL boolean a required checkbox (an unticked box would be refused)
    add_form_extra_fields = edit_form_extra_fields = {
        "track_serial": BooleanField(LABELS["track_serial"], description=_l("Un numéro de série ou IMEI par unité vendue.")),
        "is_active": BooleanField(LABELS["is_active"], default=True),
    }
    related_views = [ProductSpecModelView, ProductImageModelView]
    show_template = "appbuilder/general/model/show_cascade.html"
    edit_template = "appbuilder/general/model/edit_cascade.html"

    def _searched(self):
        return " ".join((request.args.get("q") or "").split())[:services.SEARCH_MAX_LENGTH]

    def _get_list_widget(self, filters, **kwargs):
        searched = self._searched()
        if searched:
            filters = filters.copy()
            filters.add_filter("name", ProductSearchFilter, searched)
        return super()._get_list_widget(filters, **kwargs)

    @expose("/list/")
    @has_access
    def list(self):
        widgets = self._list()
        return self.render_template(self.list_template, title=self.list_title, widgets=widgets,
                                    searched=self._searched())

    def _get_show_widget(self, pk, item, widgets=None, actions=None, show_fieldsets=None):
        fieldsets = show_fieldsets or self.show_fieldsets
        if not current_app.appbuilder.sm.has_access("can_write", "Product"):  # cost prices: managers only
            fieldsets = [(title, {**spec, "fields": [f for f in spec["fields"] if f != "cost_price"]})
                         for title, spec in fieldsets]
        return super()._get_show_widget(pk, item, widgets=widgets, actions=actions, show_fieldsets=fieldsets)


class CategoryModelView(DomainCheckedView):
    route_base = "/catalog/categories"
    datamodel = ScopedInterface(Category)
    class_permission_name = "Category"
    validate = staticmethod(services.validate_category)
    list_title = _l("Catégories")
    show_title = _l("Catégorie")
    add_title = _l("Nouvelle catégorie")
    edit_title = _l("Modifier la catégorie")
    list_columns = ["path", "name", "parent"]
    show_columns = ["path", "name", "parent"]
    add_columns = edit_columns = ["name", "parent"]
    search_columns = ["name", "parent"]
    base_order = ("name", "asc")
    description_columns = {"parent": _l("Laissez vide pour une catégorie de premier niveau.")}
    related_views = [ProductModelView]


class BrandModelView(DomainCheckedView):
    route_base = "/catalog/brands"
    datamodel = ScopedInterface(Brand)
    class_permission_name = "Brand"
    validate = staticmethod(services.validate_brand)
    list_title = _l("Marques")
    show_title = _l("Marque")
    add_title = _l("Nouvelle marque")
    edit_title = _l("Modifier la marque")
    list_columns = show_columns = add_columns = edit_columns = ["name"]
    search_columns = ["name"]
    base_order = ("name", "asc")
    related_views = [ProductModelView]


class ProductImageFileView(BaseView):
    """Product pictures, served to signed-in users only (they live outside static/)."""

    route_base = "/catalog/images"
    class_permission_name = "Product"
    method_permission_name = {"image": "read"}
    default_view = "image"

    @expose("/<name>")
    @has_access
    def image(self, name):
        if not IMAGE_NAME.match(name):
            abort(404)
        image = db.session.execute(select(ProductImage).where(ProductImage.filename == name)).scalar_one_or_none()
        if image is None or not os.path.exists(services.image_path(image)):
            abort(404)
        return send_file(services.image_path(image), mimetype=image.content_type, max_age=300)


SUGGESTION_LIMIT = 8


class ProductSuggestionView(BaseView):
    """Products as a stock form's product field is typed (transfer line, adjustment, count):
    the POS search, in one of the user's stores, as JSON for app/static/product_suggest.js."""

    route_base = "/catalog/suggestions"
    class_permission_name = "Product"
    method_permission_name = {"suggest": "read"}
    default_view = "suggest"

    @expose("/")
    @has_access
    def suggest(self):
        try:
            store_id = services.search_store_id(acting_user(), request.args.get("store"))
        except DomainError as exc:
            return jsonify(message=describe_error(exc)), exc.status
        rows = services.search_products(request.args.get("q", ""), store_id, limit=SUGGESTION_LIMIT)
        return jsonify(store=store_id, result=[{
            "sku": row["sku"], "barcode": row["barcode"], "name": row["name"], "available": row["available"],
            "detail": " · ".join(filter(None, [row["sku"], row["barcode"], str(_l(
                "%(count)s disponible(s)", count=row["available"]))])),
        } for row in rows])


IMPORT_TOKEN = re.compile(r"^[0-9a-f]{32}$")
IMPORT_FILE_LIFETIME = 2 * 3600


def _import_folder():
    folder = os.path.join(current_app.instance_path, "imports")
    os.makedirs(folder, exist_ok=True)
    return folder


def _pending_path(token):
    user = acting_user()
    if user is None or not IMPORT_TOKEN.match(token or ""):
        abort(404)
    return os.path.join(_import_folder(), f"{user.id}-{token}.xlsx")


def _forget_old_uploads():
    folder, now = _import_folder(), time.time()
    for name in os.listdir(folder):
        path = os.path.join(folder, name)
        try:
            if now - os.path.getmtime(path) > IMPORT_FILE_LIFETIME:
                os.remove(path)
        except OSError:
            pass


class ProductExcelView(BaseView):
    """Excel: the import (upload -> dry-run preview -> confirm, all or nothing), its template, exports."""

    route_base = "/catalog/excel"
    class_permission_name = "Product"
    method_permission_name = {
        "index": "export", "export_products": "export", "export_stock": "export",
        "template": "import", "upload": "import", "confirm": "import",
    }
    default_view = "index"

    def _stores(self):
        from ..stores.models import Store

        return Store.of_user(acting_user(), active_only=False)

    def _page(self, **context):
        sm = self.appbuilder.sm
        return self.render_template(
            "catalog/excel.html", stores=self._stores(), can_import=sm.has_access("can_import", "Product"),
            columns=spreadsheets.COLUMNS, **context)

    @expose("/")
    @has_access
    def index(self):
        return self._page()

    @expose("/template.xlsx")
    @has_access
    def template(self):
        return xlsx_response(spreadsheets.template_workbook(), "modele-import-produits.xlsx")

    @expose("/products.xlsx")
    @has_access
    def export_products(self):
        return xlsx_response(spreadsheets.export_products_workbook(with_costs=can_see_costs()), "produits.xlsx")

    @expose("/stock.xlsx")
    @has_access
    def export_stock(self):
        store_ids = stock_export_stores(request.args.get("store"))
        return xlsx_response(spreadsheets.export_stock_workbook(store_ids), "stock.xlsx")

    @expose("/import/", methods=["POST"])
    @has_access
    def upload(self):
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            flash(str(_l("Choisissez un fichier .xlsx.")), "warning")
            return redirect(url_for(".index"))
        data = upload.read()
        try:
            report = spreadsheets.import_products(data, upload.filename, dry_run=True)
        except DomainError as exc:
            return self._page(file_error=exc.message), exc.status
        token = None
        if report.ok:
            _forget_old_uploads()
            token = uuid.uuid4().hex
            with open(_pending_path(token), "wb") as handle:
                handle.write(data)
        return self.render_template("catalog/import_preview.html", report=report, token=token,
                                    filename=services.client_file_name(upload.filename))

    @expose("/import/confirm/", methods=["POST"])
    @has_access
    def confirm(self):
        path = _pending_path(request.form.get("token"))
        filename = services.client_file_name(request.form.get("filename"))
        if not os.path.exists(path):
            flash(str(_l("Ce fichier n'est plus disponible : envoyez-le de nouveau.")), "warning")
            return redirect(url_for(".index"))
        with open(path, "rb") as handle:
            data = handle.read()
        try:
            report = spreadsheets.import_products(data, filename, dry_run=False)
        except DomainError as exc:
            return self._page(file_error=exc.message), exc.status
        if not report.ok:  # the catalog changed since the preview: show what is wrong now
            return self.render_template("catalog/import_preview.html", report=report, token=None,
                                        filename=filename), 422
        os.remove(path)
        flash(str(_l("Import terminé : %(created)s produit(s) créé(s), %(updated)s mis à jour, %(unchanged)s "
                     "inchangé(s).", created=len(report.created), updated=len(report.updated),
                     unchanged=report.unchanged)), "success")
        return redirect(url_for("ProductModelView.list"))


def register(appbuilder):
    appbuilder.add_view(ProductModelView, "products", label=_l("Produits"), icon="fa-cube",
                        category="catalog", category_label=_l("Catalogue"), category_icon="fa-cubes")
    appbuilder.add_view(CategoryModelView, "categories", label=_l("Catégories"), icon="fa-sitemap",
                        category="catalog")
    appbuilder.add_view(BrandModelView, "brands", label=_l("Marques"), icon="fa-tag", category="catalog")
    appbuilder.add_view(ProductExcelView, "product_excel", label=_l("Import / export Excel"),
                        icon="fa-file-excel-o", category="catalog")
    appbuilder.add_view_no_menu(ProductSpecModelView)
    appbuilder.add_view_no_menu(ProductImageModelView)
    appbuilder.add_view_no_menu(ProductImageFileView)
    appbuilder.add_view_no_menu(ProductSuggestionView)
    add_entry_point(_l("Produits"), "ProductModelView.list", "fa-cube", ("can_read", "Product"))
    add_entry_point(_l("Import / export Excel"), "ProductExcelView.index", "fa-file-excel-o", ("can_export", "Product"))

