"""REST APIs of the purchases domain (SPEC §10): parse -> call a service -> serialise.

- suppliers/                          CRUD (name, phone, email, tax_id, address, note)
- purchase-orders/                    GET list/item, POST (DRAFT), PUT (DRAFT); POST {id}/send/ | cancel/;
                                      GET {id}/order.pdf; POST order-missing/ {"store"} ("Commander ce
                                      qui manque"); POST {id}/import-lines/ (xlsx, ?dry_run=0 to write)
- goods-receipts/                     GET list/item, POST {"purchase_order", "lines": [{"line", "quantity",
                                      "serials"?}], "note"?}
Orders and receipts are store-scoped (another store's is a 404).
"""
from flask import request
from flask_appbuilder.api import expose
from flask_babel import lazy_gettext as _l
from marshmallow import Schema, fields

from ..core.api import (BoutiqueModelRestApi, DocumentApiMixin, ScopedInterface,
                        answers_domain_errors, api_action, body_reason, id_field, load_schema, moment, openapi,
                        optional_text, optional_texts, update_schema)
from ..core.web import API_READ_WRITE
from ..core.errors import BadRequest
from ..core.scoping import acting_user, store_scope
from . import documents, services
from .models import ORDER_STATUS_LABELS, GoodsReceipt, PurchaseOrder, Supplier


def _amount(value):
    return None if value is None else str(value)


def _store_ref(store):
    return {"id": store.id, "code": store.code, "name": store.name}


def _product_ref(product):
    return {"id": product.id, "sku": product.sku, "barcode": product.barcode, "name": product.name,
            "track_serial": product.track_serial}


def order_to_dict(order):
    return {
        "id": order.id,
        "number": order.number,
        "status": order.status,
        "status_label": str(ORDER_STATUS_LABELS.get(order.status, order.status)),
        "store": _store_ref(order.store),
        "supplier": {"id": order.supplier.id, "name": order.supplier.name},
        "note": order.note,
        "cancel_reason": order.cancel_reason,
        "created_by": order.created_by.email if order.created_by else None,
        "created_at": moment(order.created_at),
        "sent_at": moment(order.sent_at),
        "received_at": moment(order.received_at),
        "cancelled_at": moment(order.cancelled_at),
        "total": _amount(order.total),
        "lines": [{
            "id": line.id,
            "product": _product_ref(line.product),
            "quantity": line.quantity,
            "unit_cost": _amount(line.unit_cost),
            "amount": _amount(line.amount),
            "received_quantity": line.received_quantity,
            "due": line.due,
        } for line in order.lines],
        "receipts": [receipt.id for receipt in order.receipts],
    }


def receipt_to_dict(receipt):
    order = receipt.order
    return {
        "id": receipt.id,
        "purchase_order": {"id": order.id, "number": order.number, "status": order.status},
        "store": _store_ref(receipt.store),
        "note": receipt.note,
        "received_by": receipt.received_by.email if receipt.received_by else None,
        "created_at": moment(receipt.created_at),
        "lines": [{
            "id": line.id,
            "line": line.order_line_id,
            "product": _product_ref(line.product),
            "quantity": line.quantity,
            "unit_cost": _amount(line.unit_cost),
            "on_hand_before": line.on_hand_before,
            "cost_before": _amount(line.cost_before),
            "cost_after": _amount(line.cost_after),
            "serials": line.serials or [],
        } for line in receipt.lines],
    }


# --- suppliers ---------------------------------------------------------------------------------

SUPPLIER_COLUMNS = ["id", "name", "phone", "email", "tax_id", "address", "note"]


class SupplierApi(BoutiqueModelRestApi):
    """The companies the shops buy from (shared by every store)."""

    resource_name = "suppliers"
    class_permission_name = "Supplier"
    datamodel = ScopedInterface(Supplier)
    list_columns = show_columns = SUPPLIER_COLUMNS
    add_columns = edit_columns = ["name", "phone", "email", "tax_id", "address", "note"]
    search_columns = ["name", "phone", "email", "tax_id"]
    order_columns = ["id", "name"]
    base_order = ("name", "asc")


# --- purchase orders ---------------------------------------------------------------------------

class OrderLineInput(Schema):
    product = id_field(required=True)
    quantity = fields.Integer(required=True, strict=True)
    unit_cost = fields.Raw(load_default=None, allow_none=True)  # a JSON number or a decimal string


class OrderInput(Schema):
    store = id_field(required=True)
    supplier = id_field(required=True)
    note = optional_text()
    lines = fields.List(fields.Nested(OrderLineInput), load_default=list)


OrderUpdateInput = update_schema(OrderInput, "store")


class StoreInput(Schema):
    store = id_field(required=True)


ORDER_LIST_COLUMNS = ["id", "number", "status", "store.id", "store.code", "supplier.id", "supplier.name", "note",
                      "created_at", "sent_at", "received_at"]


class PurchaseOrderApi(DocumentApiMixin, BoutiqueModelRestApi):
    """Purchase orders of the user's stores: managers write them, stock keepers read them."""

    resource_name = "purchase-orders"
    class_permission_name = "PurchaseOrder"
    datamodel = ScopedInterface(PurchaseOrder)
    include_route_methods = {"get", "get_list", "info", "post", "put", "send", "cancel", "order_pdf",
                             "order_missing", "import_lines"}
    method_permission_name = {**API_READ_WRITE, "send": "write", "cancel": "write", "order_pdf": "read",
                              "order_missing": "write", "import_lines": "write"}
    list_columns = show_columns = ORDER_LIST_COLUMNS
    add_columns = ["store", "supplier", "note"]
    edit_columns = ["supplier", "note"]
    add_query_rel_fields = {"store": store_scope("id")}
    search_columns = ["number", "status", "store", "supplier", "created_at", "sent_at", "received_at"]
    order_columns = ["id", "number", "created_at", "sent_at", "received_at"]
    serialise = staticmethod(order_to_dict)

    @answers_domain_errors
    def post_headless(self):
        """POST {"store", "supplier", "note"?, "lines": [{"product", "quantity", "unit_cost"}]} -> DRAFT."""
        data = load_schema(OrderInput())
        order = services.create_order(acting_user(), data["store"], data["supplier"], data["lines"],
                                      note=data["note"])
        return self._answer(201, order)

    @answers_domain_errors
    def put_headless(self, pk):
        """PUT {"supplier"?, "note"?, "lines"?} while DRAFT (lines replace the old ones)."""
        order = self._document(pk)
        data = load_schema(OrderUpdateInput())
        order = services.update_order(acting_user(), order, supplier_id=data["supplier"], lines=data["lines"],
                                      note=data["note"])
        return self._answer(200, order)

    @expose("/<int:pk>/send/", methods=["POST"])
    @api_action
    @openapi({200: "the order, SENT, numbered", 404: "no such order in your stores", 409: "not a draft",
              422: "no lines"})
    def send(self, pk):
        """Send a DRAFT order to its supplier: it gets its number (XXX-BC-YYYY-NNNNNN)."""
        return self._answer(200, services.send_order(acting_user(), self._document(pk)))

    @expose("/<int:pk>/cancel/", methods=["POST"])
    @api_action
    @openapi({200: "the order, CANCELLED", 409: "already received or cancelled"}, body={"reason": "string"})
    def cancel(self, pk):
        """Cancel an order not fully received (a reason is required once sent)."""
        return self._answer(200, services.cancel_order(acting_user(), self._document(pk), body_reason()))

    @expose("/<int:pk>/order.pdf", methods=["GET"])
    @api_action
    @openapi({200: "the order, application/pdf", 404: "no such order in your stores", 409: "a draft has no number yet"},
             method="get")
    def order_pdf(self, pk):
        """The A4 purchase order to send to the supplier (PDF)."""
        order = self._document(pk)
        return documents.order_response(order)

    @expose("/order-missing/", methods=["POST"])
    @api_action
    @openapi({201: "the drafts created, and the products left out (no known supplier, enough on order)"},
             body={"store": "integer"})
    def order_missing(self):
        """"Commander ce qui manque": one DRAFT order per supplier from the products at or under their
        reorder level in a store (last supplier of each product, suggested quantities)."""
        data = load_schema(StoreInput())
        orders, left_out = services.order_what_is_missing(acting_user(), data["store"])
        return self.response(201, result=[order_to_dict(order) for order in orders], left_out=[
            {"product": _product_ref(s["product"]), "available": s["available"], "reorder_level": s["reorder_level"],
             "on_order": s["on_order"], "reason": "no_supplier" if s["supplier_id"] is None else "on_order"}
            for s in left_out])

    @expose("/<int:pk>/import-lines/", methods=["POST"])
    @api_action
    @openapi({200: "the report (rows, errors by row and column, lines read)",
              400: "not a readable spreadsheet with the right columns"},
             query={"dry_run": "integer"}, body={"file": {"type": "string", "format": "binary"}},
             content="multipart/form-data")
    def import_lines(self, pk):
        """A DRAFT order's lines from a supplier's spreadsheet (columns: SKU ou code-barres, Quantité, Coût
        unitaire). A dry run unless ?dry_run=0; nothing is written when a row has an error."""
        order = self._document(pk)
        upload = request.files.get("file")
        if upload is None:
            raise BadRequest(_l("Joignez le fichier Excel (champ « file »)."))
        dry_run = request.args.get("dry_run", "1").strip().lower() not in ("0", "false", "non", "no")
        report = services.import_order_lines(acting_user(), order, upload.read(), upload.filename, dry_run=dry_run)
        return self.response(200 if report["error_count"] == 0 else 422, result=report,
                             message=str(_import_message(report)))


def _import_message(report):
    if report["error_count"]:
        return _l("%(count)s erreur(s) : rien n'a été enregistré.", count=report["error_count"])
    if report["dry_run"]:
        return _l("Aperçu : %(count)s ligne(s) prêtes à importer.", count=len(report["lines"]))
    return _l("%(count)s ligne(s) importée(s).", count=len(report["lines"]))


# --- goods receipts ----------------------------------------------------------------------------

class ReceiptLineInput(Schema):
    line = id_field(required=True)
    quantity = fields.Integer(required=True, strict=True)
    serials = optional_texts()


class ReceiptInput(Schema):
    purchase_order = id_field(required=True)
    note = optional_text()
    lines = fields.List(fields.Nested(ReceiptLineInput), required=True)


RECEIPT_LIST_COLUMNS = ["id", "order.id", "order.number", "store.id", "store.code", "note",
                        "created_at"]


class GoodsReceiptApi(DocumentApiMixin, BoutiqueModelRestApi):
    """Deliveries recorded against purchase orders: stock keepers and managers."""

    resource_name = "goods-receipts"
    class_permission_name = "GoodsReceipt"
    datamodel = ScopedInterface(GoodsReceipt)
    include_route_methods = {"get", "get_list", "info", "post"}
    list_columns = show_columns = RECEIPT_LIST_COLUMNS
    add_columns = ["note"]
    search_columns = ["order", "store", "created_at"]
    order_columns = ["id", "created_at"]
    serialise = staticmethod(receipt_to_dict)

    @answers_domain_errors
    def post_headless(self):
        """POST {"purchase_order", "lines": [{"line", "quantity", "serials"?}], "note"?} -> 201; over-receipt 409."""
        data = load_schema(ReceiptInput())
        receipt = services.receive_goods(acting_user(), data["purchase_order"], data["lines"], note=data["note"])
        return self._answer(201, receipt)


def register(appbuilder):
    appbuilder.add_api(SupplierApi)
    appbuilder.add_api(PurchaseOrderApi)
    appbuilder.add_api(GoodsReceiptApi)
