"""Back-office screens of the purchases domain, scoped by store.

- Fournisseurs: FAB CRUD (managers write, stock keepers read).
- Commandes fournisseurs: list ("Commander ce qui manque" per store, new order), a document page
  (lines with what is received and what is due, actions of the state, the PDF, the Excel import of
  lines) and the receipt page a stock keeper uses with a barcode scanner on a tablet.
- Réceptions: the list of receipts, each with the costs it used.
The rules live in services.py; these views parse forms, call it, and flash its French message.
"""
from flask import abort, flash, redirect, request, url_for
from flask_appbuilder import ModelView, expose, has_access
from flask_babel import lazy_gettext as _l

from ..core.api import ScopedInterface
from ..core.errors import DomainError, ValidationFailed
from ..core.formatting import format_local_datetime, format_money
from ..core.ids import row_id_or_none
from ..core.scoping import acting_user, can_access_store, store_scope
from ..core.inputs import serial_list
from ..core.views import DocumentModelView, ReadOnlyModelView, add_entry_point, get_or_404, has_permission
from ..extensions import db
from ..core.web import flash_error
from ..stock import services as stock
from ..stores.models import Store
from . import documents, services
from .models import ORDER_STATUS_LABELS, GoodsReceipt, PurchaseOrder, Supplier

LABELS = {
    "name": _l("Nom"),
    "phone": _l("Téléphone"),
    "email": _l("E-mail"),
    "tax_id": _l("N° contribuable"),
    "address": _l("Adresse"),
    "note": _l("Note"),
    "number": _l("Numéro"),
    "status": _l("État"),
    "store": _l("Magasin"),
    "supplier": _l("Fournisseur"),
    "created_at": _l("Créée le"),
    "sent_at": _l("Envoyée le"),
    "received_at": _l("Reçue le"),
    "order": _l("Commande"),
    "received_by": _l("Reçu par"),
}


def _when(value):
    return format_local_datetime(value) if value else ""


def _status(value):
    return ORDER_STATUS_LABELS.get(value, value)


class SupplierModelView(ModelView):
    route_base = "/purchases/suppliers"
    datamodel = ScopedInterface(Supplier)
    class_permission_name = "Supplier"
    method_permission_name = {"list": "read", "show": "read", "add": "write", "edit": "write", "delete": "delete",
                              "download": "read", "action": "write", "action_post": "write", "api_read": "read"}
    base_permissions = ["can_read", "can_write", "can_delete"]
    list_title = _l("Fournisseurs")
    show_title = _l("Fournisseur")
    add_title = _l("Nouveau fournisseur")
    edit_title = _l("Modifier le fournisseur")
    list_columns = ["name", "phone", "email", "tax_id"]
    show_columns = add_columns = edit_columns = ["name", "phone", "email", "tax_id", "address", "note"]
    search_columns = ["name", "phone", "email", "tax_id"]
    order_columns = ["name"]
    base_order = ("name", "asc")
    label_columns = LABELS
    page_size = 50


class PurchaseOrderModelView(DocumentModelView):
    route_base = "/purchases/orders"
    datamodel = ScopedInterface(PurchaseOrder)
    class_permission_name = "PurchaseOrder"
    method_permission_name = {"list": "read", "show": "read", "pdf": "read", "new": "write", "set_line": "write",
                              "remove_line": "write", "send": "write", "cancel": "write", "order_missing": "write",
                              "import_lines": "write"}
    base_filters = store_scope()
    base_order = ("id", "desc")
    list_title = _l("Commandes fournisseurs")
    list_template = "purchases/order_list.html"
    list_columns = ["number", "status", "store", "supplier", "created_at", "sent_at", "received_at"]
    search_columns = ["number", "status", "store", "supplier", "created_at"]
    order_columns = ["number", "created_at", "sent_at", "received_at"]
    label_columns = LABELS
    formatters_columns = {"status": _status, "created_at": _when, "sent_at": _when, "received_at": _when,
                          "number": lambda value: value or "—"}
    show_template = "purchases/order.html"
    new_endpoint = "new"
    new_label = _l("Nouvelle commande")

    @expose("/list/")
    @has_access
    def list(self):
        widgets = self._list()
        can_write = has_permission("can_write", "PurchaseOrder")
        return self.render_template(self.list_template, title=self.list_title, widgets=widgets,
                                    new_url=url_for("PurchaseOrderModelView.new") if can_write else None,
                                    new_label=self.new_label, can_write=can_write, stores=Store.of_user(acting_user()))

    @expose("/show/<pk>", methods=["GET"])
    @has_access
    def show(self, pk):
        order = self._document(pk)
        user = acting_user()
        can_write = has_permission("can_write", "PurchaseOrder") and can_access_store(user, order.store_id)
        return self.render_template(
            self.show_template, title=str(order), item=order, labels=ORDER_STATUS_LABELS, money=format_money,
            can_edit=can_write and order.status == "DRAFT",
            can_send=can_write and order.status == "DRAFT" and bool(order.lines),
            can_cancel=can_write and order.status in ("DRAFT", "SENT", "PARTIALLY_RECEIVED"),
            can_receive=(has_permission("can_write", "GoodsReceipt") and can_access_store(user, order.store_id)
                         and order.status in ("SENT", "PARTIALLY_RECEIVED")),
            report=None)

    @expose("/new", methods=["GET", "POST"])
    @has_access
    def new(self):
        values = {"store": row_id_or_none(request.form.get("store")),
                  "supplier": row_id_or_none(request.form.get("supplier")),
                  "note": (request.form.get("note") or "").strip()}
        if request.method == "POST":
            try:
                order = services.create_order(acting_user(), values["store"], values["supplier"], [],
                                              note=values["note"])
            except DomainError as error:
                db.session.rollback()
                flash_error(error)
            else:
                flash(str(_l("Commande créée : ajoutez ses lignes.")), "success")
                return redirect(url_for("PurchaseOrderModelView.show", pk=order.id))
        suppliers = db.session.execute(db.select(Supplier).order_by(Supplier.name)).scalars().all()
        return self.render_template("purchases/order_new.html", title=self.new_label, values=values,
                                    stores=Store.of_user(acting_user()), suppliers=suppliers)

    @expose("/<int:pk>/lines", methods=["POST"])
    @has_access
    def set_line(self, pk):
        def action(order):
            product = stock.product_by_code(request.form.get("product"))
            quantity = row_id_or_none(request.form.get("quantity"))
            cost = (request.form.get("unit_cost") or "").strip() or None
            if quantity is None:
                raise ValidationFailed(errors={"quantity": [_l("Quantité entière positive attendue.")]})
            services.set_order_line(acting_user(), order, product.id, quantity, cost)

        return self._act(pk, action, _l("Ligne enregistrée."))

    @expose("/<int:pk>/lines/<int:product_id>/remove", methods=["POST"])
    @has_access
    def remove_line(self, pk, product_id):
        return self._act(pk, lambda order: services.remove_order_line(acting_user(), order, product_id),
                         _l("Ligne retirée."))

    @expose("/<int:pk>/send", methods=["POST"])
    @has_access
    def send(self, pk):
        return self._act(pk, lambda order: services.send_order(acting_user(), order),
                         _l("Commande envoyée : imprimez ou envoyez son bon de commande au fournisseur."))

    @expose("/<int:pk>/cancel", methods=["POST"])
    @has_access
    def cancel(self, pk):
        return self._act(pk, lambda order: services.cancel_order(acting_user(), order, request.form.get("reason")),
                         _l("Commande annulée."))

    @expose("/<int:pk>/order.pdf", methods=["GET"])
    @has_access
    def pdf(self, pk):
        order = self._document(pk)
        try:
            return documents.order_response(order)
        except DomainError as error:
            flash_error(error)
            return redirect(url_for("PurchaseOrderModelView.show", pk=order.id))

    @expose("/order-missing", methods=["POST"])
    @has_access
    def order_missing(self):
        try:
            orders, left_out = services.order_what_is_missing(acting_user(), row_id_or_none(request.form.get("store")))
        except DomainError as error:
            db.session.rollback()
            flash_error(error)
            return redirect(url_for("PurchaseOrderModelView.list"))
        no_supplier = [s["product"].name for s in left_out if s["supplier_id"] is None]
        if orders:
            flash(str(_l("%(count)s commande(s) brouillon préparée(s) : vérifiez les quantités avant d'envoyer.",
                         count=len(orders))), "success")
        else:
            flash(str(_l("Rien à commander : aucun produit sous son seuil sans commande en cours.")), "info")
        if no_supplier:
            flash(str(_l("Sans fournisseur connu (jamais commandés) : %(products)s.",
                         products=", ".join(no_supplier[:20]))), "warning")
        if len(orders) == 1:
            return redirect(url_for("PurchaseOrderModelView.show", pk=orders[0].id))
        return redirect(url_for("PurchaseOrderModelView.list"))

    @expose("/<int:pk>/import", methods=["POST"])
    @has_access
    def import_lines(self, pk):
        order = self._document(pk)
        upload = request.files.get("file")
        dry_run = request.form.get("commit") != "1"
        if upload is None or not upload.filename:
            flash(str(_l("Choisissez un fichier Excel (.xlsx).")), "danger")
            return redirect(url_for("PurchaseOrderModelView.show", pk=order.id))
        try:
            report = services.import_order_lines(acting_user(), order, upload.read(), upload.filename,
                                                 dry_run=dry_run)
        except DomainError as error:
            db.session.rollback()
            flash_error(error)
            return redirect(url_for("PurchaseOrderModelView.show", pk=order.id))
        if report["committed"]:
            flash(str(_l("%(count)s ligne(s) importée(s).", count=len(report["lines"]))), "success")
            return redirect(url_for("PurchaseOrderModelView.show", pk=order.id))
        order = self._document(pk)
        return self.render_template(self.show_template, title=str(order), item=order, labels=ORDER_STATUS_LABELS,
                                    money=format_money, can_edit=True, can_send=False, can_cancel=False,
                                    can_receive=False, report=report)


class GoodsReceiptModelView(ReadOnlyModelView):
    """Receipts (list and detail); a receipt is recorded from its order's receipt page."""

    route_base = "/purchases/receipts"
    datamodel = ScopedInterface(GoodsReceipt)
    class_permission_name = "GoodsReceipt"
    base_permissions = ["can_read", "can_write"]
    method_permission_name = {"list": "read", "show": "read", "receive": "write"}
    base_filters = store_scope()
    base_order = ("id", "desc")
    list_title = _l("Réceptions de marchandises")
    list_columns = ["id", "order", "store", "received_by", "created_at", "note"]
    search_columns = ["order", "store", "created_at"]
    order_columns = ["id", "created_at"]
    label_columns = {**LABELS, "id": _l("N°"), "created_at": _l("Reçue le")}
    formatters_columns = {"created_at": _when}
    show_template = "purchases/receipt_show.html"

    @expose("/show/<pk>", methods=["GET"])
    @has_access
    def show(self, pk):
        receipt = get_or_404(self, pk)
        return self.render_template(self.show_template, title=str(receipt), item=receipt, money=format_money)

    @staticmethod
    def _order(pk):
        order = db.session.get(PurchaseOrder, pk)
        if order is None or not can_access_store(acting_user(), order.store_id):
            abort(404)  # another store's order is not found
        return order

    @expose("/order/<int:pk>", methods=["GET", "POST"])
    @has_access
    def receive(self, pk):
        """The scanner page: scan a product (its line gets one more unit), then its serials for tracked
        products; quantities can be typed too. Records one receipt."""
        order = self._order(pk)
        if request.method == "POST":
            lines = []
            for line in order.lines:
                quantity = row_id_or_none(request.form.get(f"quantity_{line.id}"))
                if not quantity:
                    continue
                entry = {"line": line.id, "quantity": quantity}
                if line.product.track_serial:
                    entry["serials"] = serial_list(request.form.get(f"serials_{line.id}"))
                lines.append(entry)
            try:
                receipt = services.receive_goods(acting_user(), order.id, lines, note=request.form.get("note"))
            except DomainError as error:
                db.session.rollback()
                flash_error(error)
            else:
                flash(str(_l("Réception enregistrée : %(count)s article(s) entré(s) en stock.",
                             count=sum(line.quantity for line in receipt.lines))), "success")
                return redirect(url_for("PurchaseOrderModelView.show", pk=order.id))
            order = self._order(pk)
        return self.render_template("purchases/receive.html", title=str(_l("Réception")), order=order,
                                    labels=ORDER_STATUS_LABELS, form=request.form)


def register(appbuilder):
    category = dict(category="stock")  # goods come in through the stock keepers' menu (one line at 1024 px)
    appbuilder.add_view(PurchaseOrderModelView, "purchase_orders", label=_l("Commandes fournisseurs"),
                        icon="fa-file-text-o", **category)
    appbuilder.add_view(GoodsReceiptModelView, "goods_receipts", label=_l("Réceptions"), icon="fa-download",
                        **category)
    appbuilder.add_view(SupplierModelView, "suppliers", label=_l("Fournisseurs"), icon="fa-building", **category)
    for entry in HOME_ENTRIES:
        add_entry_point(*entry)


HOME_ENTRIES = [
    (_l("Commandes fournisseurs"), "PurchaseOrderModelView.list", "fa-file-text-o", ("can_read", "PurchaseOrder")),
]
