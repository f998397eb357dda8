"""Back-office screens of the stock domain (FAB ModelViews + small forms), scoped by store.

- Niveaux de stock: filters store / category / brand / low stock / text; per row, the
  movement history and an adjustment form.
- Mouvements de stock: the read-only ledger; the adjustment form.
- Transferts: list, a document page with its actions (lines, send, receive with
  quantities, cancel).
- Inventaires: list, a document page to enter counts, validate (managers) or cancel.
- Numéros de série: read-only list of the units of serial-tracked products.
The rules live in the services package; these views parse forms, call it, and flash its French message.
"""
from flask import flash, redirect, request, url_for
from flask_appbuilder import expose, has_access
from flask_appbuilder.widgets import ListWidget
from flask_babel import lazy_gettext as _l
from sqlalchemy import asc, desc, select
from sqlalchemy.orm import aliased

from ..core.api import ScopedInterface
from ..core.errors import DomainError, ValidationFailed
from ..core.formatting import format_local_datetime
from ..core.ids import row_id_or_none
from ..core.list_filters import Choice, Contains, FilteredListMixin, Period, StoreChoice, Summary
from ..core.scoping import acting_user, can_access_store, store_scope
from ..core.inputs import serial_list
from ..core.views import DocumentModelView, ReadOnlyModelView, add_entry_point, has_permission
from ..core.web import flash_error
from ..extensions import db
from . import services
from .filters import LowStockFilter, StockBrandFilter, StockCategoryFilter, StockTextFilter, transfer_scope
from .models import (
    MOVEMENT_LABELS,
    STATUS_LABELS,
    InventoryMovement,
    ProductStock,
    SerialNumber,
    StockCount,
    Transfer,
)

LABELS = {
    "store": _l("Magasin"),
    "product": _l("Produit"),
    "product.category": _l("Catégorie"),
    "product.brand": _l("Marque"),
    "product.reorder_level": _l("Seuil de réappro."),
    "quantity": _l("Quantité"),
    "reserved": _l("Réservé"),
    "available": _l("Disponible"),
    "created_at": _l("Date"),
    "type": _l("Type"),
    "balance_after": _l("Solde après"),
    "reference": _l("Document"),
    "reference_type": _l("Type de document"),
    "reference_id": _l("N° interne du document"),
    "user": _l("Utilisateur"),
    "note": _l("Note"),
    "number": _l("Numéro"),
    "status": _l("État"),
    "destination_store": _l("Magasin de destination"),
    "sent_at": _l("Envoyé le"),
    "received_at": _l("Reçu le"),
    "created_by": _l("Créé par"),
    "validated_by": _l("Validé par"),
    "validated_at": _l("Validé le"),
    "serial": _l("N° de série / IMEI"),
    "received_at_serial": _l("Entré le"),
}


def _status(value):
    return STATUS_LABELS.get(value, value)


def _when(value):
    return format_local_datetime(value) if value else ""


def _int_or_none(raw):
    try:
        return int(raw)
    except (TypeError, ValueError):
        return None


def _product_from_field(text):
    """The product a form's product field names: its SKU or barcode (what a scanner types), else
    the one product whose name holds every typed word ("cisco 2960"). Raises ValidationFailed."""
    from ..catalog import services as catalog

    try:
        return services.product_by_code(text)
    except ValidationFailed:
        if not (text or "").strip():
            raise
        return catalog.product_by_name(text)


def _product_lines(text):
    """A count's product list: one product per line (or separated by commas)."""
    return [line.strip() for line in (text or "").replace(",", "\n").splitlines() if line.strip()]


def _my_stores(active_only=True):
    from ..stores.models import Store

    return Store.of_user(acting_user(), active_only=active_only)


def _all_stores():
    from ..stores.models import Store

    return db.session.execute(select(Store).where(Store.is_active.is_(True)).order_by(Store.code)).scalars().all()


# --- stock levels -----------------------------------------------------------------------------

class StockListWidget(ListWidget):
    """FAB's list, plus per-row links: the product's history and an adjustment."""

    template = "stock/widgets/stock_list.html"


class StockLevelsInterface(ScopedInterface):
    """Stock rows ordered by product name by default (FAB's dotted ordering mistakes the filters'
    sub-queries on product for a join)."""

    def apply_order_by(self, query, order_column, order_direction, *args, **kwargs):
        if order_column != "product_name":
            return super().apply_order_by(query, order_column, order_direction, *args, **kwargs)
        from ..catalog.models import Product

        product = aliased(Product, name="product_by_name")
        direction = asc if order_direction == "asc" else desc
        return query.join(product, product.id == ProductStock.product_id).order_by(
            direction(product.name), direction(ProductStock.store_id), direction(ProductStock.id))


class ProductStockModelView(ReadOnlyModelView):
    route_base = "/stock/levels"
    datamodel = StockLevelsInterface(ProductStock)
    class_permission_name = "ProductStock"
    base_filters = store_scope()
    list_title = _l("Niveaux de stock")
    list_columns = ["store", "product", "product.category", "product.brand", "quantity", "reserved", "available",
                    "product.reorder_level"]
    order_columns = ["quantity", "reserved"]
    search_columns = ["store", "product", "quantity", "reserved"]
    search_form_query_rel_fields = {"store": store_scope("id")}
    label_columns = LABELS
    list_template = "stock/stock_levels.html"
    list_widget = StockListWidget
    base_order = ("product_name", "asc")

    def _chosen(self):
        """The filter bar's values, from the query string (bad values are ignored)."""
        return {
            "store": row_id_or_none(request.args.get("store")),
            "category": row_id_or_none(request.args.get("category")),
            "brand": row_id_or_none(request.args.get("brand")),
            "low": request.args.get("low") in ("1", "on", "y"),
            "search": (request.args.get("search") or "").strip()[:100],
        }

    def _get_list_widget(self, filters, **kwargs):
        from .filters import ColumnEqualsFilter

        chosen = self._chosen()
        filters = filters.copy()
        if chosen["store"]:
            filters.add_filter("store_id", ColumnEqualsFilter, chosen["store"])
        if chosen["category"]:
            filters.add_filter("product_id", StockCategoryFilter, chosen["category"])
        if chosen["brand"]:
            filters.add_filter("product_id", StockBrandFilter, chosen["brand"])
        if chosen["low"]:
            filters.add_filter("quantity", LowStockFilter, True)
        if chosen["search"]:
            filters.add_filter("product_id", StockTextFilter, chosen["search"])
        kwargs.setdefault("can_history", has_permission("can_read", "InventoryMovement"))
        kwargs.setdefault("can_adjust", has_permission("can_write", "InventoryMovement"))
        return super()._get_list_widget(filters, **kwargs)

    @expose("/list/")
    @has_access
    def list(self):
        from ..catalog.models import Brand, Category

        widgets = self._list()
        categories = sorted(db.session.execute(select(Category)).scalars().all(), key=lambda c: str(c).lower())
        brands = db.session.execute(select(Brand).order_by(Brand.name)).scalars().all()
        return self.render_template(self.list_template, title=self.list_title, widgets=widgets,
                                    chosen=self._chosen(), stores=_my_stores(active_only=False),
                                    categories=categories, brands=brands,
                                    can_adjust=has_permission("can_write", "InventoryMovement"))


# --- movements and adjustments ----------------------------------------------------------------

class InventoryMovementModelView(FilteredListMixin, ReadOnlyModelView):
    """The ledger: append-only, so read-only; adjustments are new rows."""

    route_base = "/stock/movements"
    datamodel = ScopedInterface(InventoryMovement)
    class_permission_name = "InventoryMovement"
    base_permissions = ["can_read", "can_write"]
    method_permission_name = {"list": "read", "show": "read", "adjust": "write"}
    base_filters = store_scope()
    base_order = ("id", "desc")
    list_title = _l("Mouvements de stock")
    show_title = _l("Mouvement de stock")
    list_columns = ["created_at", "store", "product", "type", "quantity", "balance_after", "reference", "user", "note"]
    show_columns = ["created_at", "store", "product", "type", "quantity", "balance_after", "reference_type",
                    "reference", "user", "note"]
    search_columns = ["store", "product", "type", "reference", "user", "created_at"]
    search_form_query_rel_fields = {"store": store_scope("id")}
    order_columns = ["created_at"]
    label_columns = LABELS
    formatters_columns = {"type": lambda value: MOVEMENT_LABELS.get(value, value), "created_at": _when}
    list_template = "stock/movements.html"
    list_filters = [
        Period("created_at"), StoreChoice(), Choice("type", _l("Type"), MOVEMENT_LABELS),
        Contains("product.name", "product.sku", "reference", "note", placeholder=_l("Produit, SKU, document ou note")),
    ]
    list_summary = Summary(_l("%(count)s mouvement"), _l("%(count)s mouvements"))

    @expose("/list/")
    @has_access
    def list(self):
        widgets = self._list()
        return self.render_template(self.list_template, title=self.list_title, widgets=widgets,
                                    can_adjust=has_permission("can_write", "InventoryMovement"))

    @expose("/adjust", methods=["GET", "POST"])
    @has_access
    def adjust(self):
        """A stock adjustment: store, product (SKU or barcode), signed quantity, reason, serials."""
        form = request.form if request.method == "POST" else request.args
        values = {
            "store": row_id_or_none(form.get("store")),
            "product": (form.get("product") or "").strip(),
            "quantity": (form.get("quantity") or "").strip(),
            "note": (form.get("note") or "").strip(),
            "serials": form.get("serials") or "",
            "serial_status": form.get("serial_status") or "DEFECTIVE",
        }
        if request.method == "GET" and row_id_or_none(request.args.get("product_id")):
            from ..catalog.models import Product

            product = db.session.get(Product, row_id_or_none(request.args.get("product_id")))
            values["product"] = product.sku if product is not None else ""
        if request.method == "POST":
            try:
                product = _product_from_field(values["product"])
                quantity = _int_or_none(values["quantity"])
                serials = serial_list(values["serials"]) if product.track_serial else None
                movement = services.adjust_stock(
                    acting_user(), values["store"], product.id, quantity, values["note"], serials=serials,
                    serial_status=values["serial_status"] if product.track_serial and (quantity or 0) < 0 else None)
            except DomainError as error:
                flash_error(error)
            else:
                flash(str(_l("Stock de « %(product)s » ajusté de %(quantity)+d : %(balance)s en stock.",
                             product=product.name, quantity=movement.quantity, balance=movement.balance_after)),
                      "success")
                return redirect(url_for("ProductStockModelView.list", store=movement.store_id,
                                        search=product.sku))
        return self.render_template("stock/adjust.html", title=_l("Ajuster le stock"), values=values,
                                    stores=_my_stores())


class SerialNumberModelView(ReadOnlyModelView):
    """Units of serial-tracked products: where each one is and in which state."""

    route_base = "/stock/serials"
    datamodel = ScopedInterface(SerialNumber)
    class_permission_name = "InventoryMovement"
    base_filters = store_scope()
    base_order = ("serial", "asc")
    list_title = _l("Numéros de série")
    show_title = _l("Numéro de série")
    list_columns = ["serial", "product", "store", "status", "received_at"]
    show_columns = list_columns
    search_columns = ["serial", "product", "store", "status"]
    search_form_query_rel_fields = {"store": store_scope("id")}
    order_columns = ["serial", "received_at"]
    label_columns = {**LABELS, "received_at": _l("Entré le")}
    formatters_columns = {"status": _status, "received_at": _when}


# --- transfers --------------------------------------------------------------------------------

class TransferModelView(DocumentModelView):
    route_base = "/stock/transfers"
    datamodel = ScopedInterface(Transfer, open_relations=("destination_store",))
    class_permission_name = "Transfer"
    method_permission_name = {"list": "read", "show": "read", "new": "write", "set_line": "write",
                              "remove_line": "write", "send": "write", "receive": "write", "cancel": "write"}
    base_filters = transfer_scope()
    base_order = ("id", "desc")
    list_title = _l("Transferts entre magasins")
    list_columns = ["number", "status", "store", "destination_store", "created_at", "sent_at", "received_at"]
    search_columns = ["number", "status", "store", "destination_store", "created_at"]
    order_columns = ["number", "created_at", "sent_at", "received_at"]
    label_columns = {**LABELS, "store": _l("Magasin d'origine")}
    formatters_columns = {"status": _status, "created_at": _when, "sent_at": _when, "received_at": _when}
    show_template = "stock/transfer.html"
    list_template = "stock/document_list.html"
    status_labels = STATUS_LABELS
    new_endpoint = "new"
    new_label = _l("Nouveau transfert")

    def _show_args(self, transfer):
        user = acting_user()
        can_write = has_permission("can_write", "Transfer")
        return {
            "can_edit": can_write and transfer.can_become("SENT") and can_access_store(user, transfer.store_id),
            "can_receive": can_write and transfer.can_become("RECEIVED")
            and can_access_store(user, transfer.destination_store_id),
            "can_cancel": can_write and transfer.can_become("CANCELLED") and can_access_store(user, transfer.store_id),
        }

    @expose("/new", methods=["GET", "POST"])
    @has_access
    def new(self):
        values = {"store": row_id_or_none(request.form.get("store")),
                  "destination_store": row_id_or_none(request.form.get("destination_store")),
                  "note": (request.form.get("note") or "").strip()}
        if request.method == "POST":
            try:
                transfer = services.create_transfer(acting_user(), values["store"], values["destination_store"],
                                                    [], note=values["note"])
            except DomainError as error:
                flash_error(error)
            else:
                flash(str(_l("Transfert %(number)s créé : ajoutez ses lignes.", number=transfer.number)), "success")
                return redirect(url_for("TransferModelView.show", pk=transfer.id))
        stores, destinations = _my_stores(), _all_stores()
        if values["destination_store"] is None:  # by default another store than the origin, never itself
            origin = values["store"] or (stores[0].id if stores else None)
            values["destination_store"] = next((store.id for store in destinations if store.id != origin), None)
        return self.render_template("stock/transfer_new.html", title=self.new_label, values=values,
                                    stores=stores, destinations=destinations)

    @expose("/<int:pk>/lines", methods=["POST"])
    @has_access
    def set_line(self, pk):
        def action(transfer):
            product = _product_from_field(request.form.get("product"))
            serials = serial_list(request.form.get("serials")) if product.track_serial else None
            services.set_transfer_line(acting_user(), transfer, product.id, _int_or_none(request.form.get("quantity")),
                                       serials or None)

        return self._act(pk, action, _l("Ligne enregistrée."))

    @expose("/<int:pk>/lines/<int:product_id>/remove", methods=["POST"])
    @has_access
    def remove_line(self, pk, product_id):
        return self._act(pk, lambda t: services.remove_transfer_line(acting_user(), t, product_id),
                         _l("Ligne retirée."))

    @expose("/<int:pk>/send", methods=["POST"])
    @has_access
    def send(self, pk):
        return self._act(pk, lambda t: services.send_transfer(acting_user(), t),
                         _l("Transfert envoyé : le stock du magasin d'origine a été diminué."))

    @expose("/<int:pk>/receive", methods=["POST"])
    @has_access
    def receive(self, pk):
        def action(transfer):
            received = {}
            for line in transfer.lines:
                quantity = _int_or_none(request.form.get(f"received_{line.id}"))
                if quantity is None:
                    _missing_quantity(line)
                entry = {"quantity": quantity}
                if line.serials:
                    entry["serials"] = request.form.getlist(f"serials_{line.id}")
                received[line.product_id] = entry
            services.receive_transfer(acting_user(), transfer, received, note=request.form.get("note"))

        return self._act(pk, action, _l("Transfert réceptionné : le stock du magasin de destination a été augmenté."))

    @expose("/<int:pk>/cancel", methods=["POST"])
    @has_access
    def cancel(self, pk):
        return self._act(pk, lambda t: services.cancel_transfer(acting_user(), t, request.form.get("reason")),
                         _l("Transfert annulé."))


def _missing_quantity(line):
    raise ValidationFailed(errors={"received_quantity": [_l("%(product)s : quantité reçue manquante.",
                                                            product=line.product.name)]})


# --- stock counts -----------------------------------------------------------------------------

class StockCountModelView(DocumentModelView):
    route_base = "/stock/counts"
    datamodel = ScopedInterface(StockCount)
    class_permission_name = "StockCount"
    base_permissions = ["can_read", "can_write", "can_validate"]
    method_permission_name = {"list": "read", "show": "read", "new": "write", "enter": "write",
                              "validate": "validate", "cancel": "write"}
    base_filters = store_scope()
    base_order = ("id", "desc")
    list_title = _l("Inventaires")
    list_columns = ["number", "status", "store", "created_at", "created_by", "validated_by", "validated_at"]
    search_columns = ["number", "status", "store", "created_at"]
    order_columns = ["number", "created_at", "validated_at"]
    label_columns = LABELS
    formatters_columns = {"status": _status, "created_at": _when, "validated_at": _when}
    show_template = "stock/count.html"
    list_template = "stock/document_list.html"
    status_labels = STATUS_LABELS
    new_endpoint = "new"
    new_label = _l("Nouvel inventaire")

    def _show_args(self, count):
        can_write = has_permission("can_write", "StockCount")
        return {
            "can_enter": can_write and count.can_become("VALIDATED"),
            "can_validate": has_permission("can_validate", "StockCount") and count.can_become("VALIDATED"),
            "can_cancel": can_write and count.can_become("CANCELLED"),
            "uncounted": sum(1 for line in count.lines if line.counted_quantity is None),
            # Blind count: only who validates sees expected quantities and differences.
            "blind": not has_permission("can_validate", "StockCount"),
        }

    @expose("/new", methods=["GET", "POST"])
    @has_access
    def new(self):
        from ..catalog.models import Category

        values = {"store": row_id_or_none(request.form.get("store")),
                  "category": row_id_or_none(request.form.get("category")),
                  "products": request.form.get("products") or "",
                  "note": (request.form.get("note") or "").strip()}
        if request.method == "POST":
            try:
                product_ids = None
                names = _product_lines(values["products"])
                if names:
                    product_ids = [_product_from_field(name).id for name in names]
                count = services.open_count(acting_user(), values["store"], product_ids, note=values["note"],
                                            category_id=values["category"])
            except DomainError as error:
                flash_error(error)
            else:
                flash(str(_l("Inventaire %(number)s ouvert : %(lines)s produit(s) à compter.", number=count.number,
                             lines=len(count.lines))), "success")
                return redirect(url_for("StockCountModelView.show", pk=count.id))
        categories = sorted(db.session.execute(select(Category)).scalars().all(), key=lambda c: str(c).lower())
        return self.render_template("stock/count_new.html", title=self.new_label, values=values,
                                    stores=_my_stores(), categories=categories)

    @expose("/<int:pk>/enter", methods=["POST"])
    @has_access
    def enter(self, pk):
        def action(count):
            entries = []
            for line in count.lines:
                raw = (request.form.get(f"counted_{line.id}") or "").strip()
                if line.product.track_serial:
                    serials = serial_list(request.form.get(f"serials_{line.id}"))
                    if serials or raw:  # "0" and no serial: none found; a number needs its serials
                        entries.append({"product": line.product_id, "serials": serials if serials or raw == "0" else None,
                                        "counted_quantity": _int_or_none(raw) if raw else None})
                elif raw:
                    counted = _int_or_none(raw)  # not a number: the service says so (422)
                    entries.append({"product": line.product_id, "counted_quantity": raw if counted is None else counted})
            services.enter_counts(acting_user(), count, entries)

        return self._act(pk, action, _l("Comptage enregistré."))

    @expose("/<int:pk>/validate", methods=["POST"])
    @has_access
    def validate(self, pk):
        return self._act(pk, lambda c: services.validate_count(acting_user(), c),
                         _l("Inventaire validé : les écarts ont été passés en stock."))

    @expose("/<int:pk>/cancel", methods=["POST"])
    @has_access
    def cancel(self, pk):
        return self._act(pk, lambda c: services.cancel_count(acting_user(), c, request.form.get("reason")),
                         _l("Inventaire annulé."))


def register(appbuilder):
    category = dict(category="stock", category_label=_l("Stock"), category_icon="fa-cubes")
    appbuilder.add_view(ProductStockModelView, "stock_levels", label=_l("Niveaux de stock"), icon="fa-cubes",
                        **category)
    appbuilder.add_view(InventoryMovementModelView, "stock_movements", label=_l("Mouvements de stock"),
                        icon="fa-exchange", **category)
    appbuilder.add_view(TransferModelView, "transfers", label=_l("Transferts"), icon="fa-truck", **category)
    appbuilder.add_view(StockCountModelView, "stock_counts", label=_l("Inventaires"), icon="fa-check-square-o",
                        **category)
    appbuilder.add_view(SerialNumberModelView, "stock_serials", label=_l("Numéros de série"), icon="fa-barcode",
                        **category)
    for entry in HOME_ENTRIES:
        add_entry_point(*entry)


# The home page's links for stock keepers and managers (sellers and cashiers see the first).
HOME_ENTRIES = [
    (_l("Niveaux de stock"), "ProductStockModelView.list", "fa-cubes", ("can_read", "ProductStock")),
    (_l("Ajuster le stock"), "InventoryMovementModelView.adjust", "fa-sliders", ("can_write", "InventoryMovement")),
    (_l("Transferts"), "TransferModelView.list", "fa-truck", ("can_read", "Transfer")),
    (_l("Inventaires"), "StockCountModelView.list", "fa-check-square-o", ("can_read", "StockCount")),
]
