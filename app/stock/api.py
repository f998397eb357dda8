"""REST APIs of the stock domain (SPEC §10): parse -> call a service -> serialise.

- GET  stock/                      rows: store, product, quantity, reserved, available
                                   (?store=, ?product=, ?category=, ?brand=, ?low=1)
- GET  stock-movements/            the ledger (?store=, ?product=, ?type=); POST an ADJUSTMENT
- GET/POST transfers/, PUT transfers/{id} (DRAFT), POST transfers/{id}/send/ | receive/ | cancel/
- GET/POST stock-counts/, POST stock-counts/{id}/counts/ | validate/ (manager) | cancel/
"""
from flask import request
from flask_appbuilder.api import expose
from flask_appbuilder.exceptions import FABException
from flask_babel import lazy_gettext as _l
from marshmallow import Schema, fields

from ..core.api import (BoutiqueModelRestApi, DocumentApiMixin, QuantityField,
                        STRINGS, ScopedInterface, answers_domain_errors, api_action, body_reason, id_field, load_schema,
                        moment, objects, openapi, optional_text, optional_texts, update_schema)
from ..core.web import API_READ_WRITE
from ..core.errors import ValidationFailed
from ..core.ids import row_id
from ..core.scoping import acting_user, store_scope
from . import services
from .filters import ColumnEqualsFilter, LowStockFilter, StockBrandFilter, StockCategoryFilter, transfer_scope
from .models import InventoryMovement, ProductStock, StockCount, Transfer


class QueryArgumentError(FABException):
    """A bad plain query argument (?store=abc): FAB answers 400 with this message."""


def _id_arg(raw, name):
    try:
        return row_id(raw)
    except ValueError:
        raise QueryArgumentError(str(_l("Paramètre « %(name)s » : identifiant attendu.", name=name))) from None


def _bool_arg(raw, name):
    value = raw.strip().lower()
    if value in ("1", "true", "oui", "yes", "y", "on"):
        return True
    if value in ("0", "false", "non", "no", "n", "off"):
        return False
    raise QueryArgumentError(str(_l("Paramètre « %(name)s » : 1 ou 0 attendu.", name=name)))


class QueryArgsFiltersMixin:
    """Plain query arguments (?store=1&low=1) as filters, next to FAB's rison `q`."""

    query_filters = ()  # (argument, column, filter class, parser)

    def _handle_filters_args(self, rison_args):
        filters = super()._handle_filters_args(rison_args)
        for argument, column, filter_class, parse in self.query_filters:
            raw = request.args.get(argument)
            if raw is None or not raw.strip():
                continue
            filters.add_filter(column, filter_class, parse(raw, argument))
        return filters




def _store_ref(store):
    return {"id": store.id, "code": store.code, "name": store.name} if store is not None else None


def _product_ref(product):
    return {"id": product.id, "sku": product.sku, "name": product.name, "track_serial": product.track_serial}


# --- stock -------------------------------------------------------------------------------------

STOCK_COLUMNS = ["id", "store.id", "store.code", "store.name", "product.id", "product.sku", "product.name",
                 "product.reorder_level", "quantity", "reserved", "available"]


class StockApi(QueryArgsFiltersMixin, BoutiqueModelRestApi):
    """Stock per store and product (read-only: goods move through movements and documents)."""

    resource_name = "stock"
    class_permission_name = "ProductStock"
    datamodel = ScopedInterface(ProductStock)
    base_filters = store_scope()
    include_route_methods = {"get", "get_list", "info"}
    list_columns = show_columns = STOCK_COLUMNS
    search_columns = ["store", "product", "quantity", "reserved"]
    order_columns = ["id", "quantity", "reserved"]
    base_order = ("id", "asc")
    query_filters = (
        ("store", "store_id", ColumnEqualsFilter, _id_arg),
        ("product", "product_id", ColumnEqualsFilter, _id_arg),
        ("category", "product_id", StockCategoryFilter, _id_arg),
        ("brand", "product_id", StockBrandFilter, _id_arg),
        ("low", "quantity", LowStockFilter, _bool_arg),
    )


# --- movements ---------------------------------------------------------------------------------

MOVEMENT_COLUMNS = ["id", "created_at", "store.id", "store.code", "product.id", "product.sku", "product.name",
                    "type", "quantity", "balance_after", "reference_type", "reference_id", "reference",
                    "user.id", "user.email", "note"]


class AdjustmentInput(Schema):
    store = id_field(required=True)
    product = id_field(required=True)
    type = fields.String(required=True)
    quantity = QuantityField(minimum=None, required=True)
    note = optional_text()
    serials = optional_texts()
    serial_status = optional_text()


class InventoryMovementApi(QueryArgsFiltersMixin, BoutiqueModelRestApi):
    """The append-only ledger; people post ADJUSTMENTs only (the documents write the rest)."""

    resource_name = "stock-movements"
    class_permission_name = "InventoryMovement"
    datamodel = ScopedInterface(InventoryMovement)
    base_filters = store_scope()
    include_route_methods = {"get", "get_list", "info", "post"}
    list_columns = show_columns = MOVEMENT_COLUMNS
    add_columns = ["store", "product", "type", "quantity", "note"]
    add_query_rel_fields = {"store": store_scope("id")}
    search_columns = ["store", "product", "type", "reference_type", "reference_id", "created_at"]
    order_columns = ["id", "created_at"]
    base_order = ("id", "desc")
    query_filters = (
        ("store", "store_id", ColumnEqualsFilter, _id_arg),
        ("product", "product_id", ColumnEqualsFilter, _id_arg),
        ("type", "type", ColumnEqualsFilter, lambda raw, name: raw.strip().upper()),
    )

    @answers_domain_errors
    def post_headless(self):
        """POST {"store", "product", "type": "ADJUSTMENT", "quantity": -2, "note", "serials"?}."""
        data = load_schema(AdjustmentInput())
        if data["type"] != "ADJUSTMENT":
            raise ValidationFailed(errors={"type": [_l(
                "Seuls les ajustements (ADJUSTMENT) se saisissent ici : ventes, transferts et inventaires "
                "passent par leurs documents.")]})
        movement = services.adjust_stock(acting_user(), data["store"], data["product"], data["quantity"],
                                         data["note"], serials=data["serials"], serial_status=data["serial_status"])
        return self.response(201, id=movement.id, result=self.show_model_schema.dump(movement))


# --- transfers ---------------------------------------------------------------------------------

class TransferLineInput(Schema):
    product = id_field(required=True)
    quantity = QuantityField(required=True)
    serials = optional_texts()


class TransferInput(Schema):
    store = id_field(required=True)
    destination_store = id_field(required=True)
    note = optional_text()
    lines = fields.List(fields.Nested(TransferLineInput), load_default=list)


TransferUpdateInput = update_schema(TransferInput, "store")


class ReceiptLineInput(Schema):
    product = id_field(required=True)
    received_quantity = fields.Integer(required=True, strict=True)
    serials = optional_texts()


class ReceiptInput(Schema):
    lines = fields.List(fields.Nested(ReceiptLineInput), load_default=list)
    note = optional_text()


def transfer_to_dict(transfer):
    return {
        "id": transfer.id,
        "number": transfer.number,
        "status": transfer.status,
        "store": _store_ref(transfer.store),
        "destination_store": _store_ref(transfer.destination_store),
        "note": transfer.note,
        "receipt_note": transfer.receipt_note,
        "cancel_reason": transfer.cancel_reason,
        "created_by": transfer.created_by.email if transfer.created_by else None,
        "created_at": moment(transfer.created_at),
        "sent_at": moment(transfer.sent_at),
        "received_at": moment(transfer.received_at),
        "lines": [{
            "id": line.id,
            "product": _product_ref(line.product),
            "quantity": line.quantity,
            "received_quantity": line.received_quantity,
            "difference": line.difference,
            "serials": [unit.serial for unit in line.serials],
        } for line in transfer.lines],
    }


TRANSFER_LIST_COLUMNS = ["id", "number", "status", "store.id", "store.code", "destination_store.id",
                         "destination_store.code", "note", "created_at", "sent_at", "received_at"]


class TransferApi(DocumentApiMixin, BoutiqueModelRestApi):
    """Transfers between stores; the source's and the destination's staff both see them."""

    resource_name = "transfers"
    class_permission_name = "Transfer"
    datamodel = ScopedInterface(Transfer, open_relations=("destination_store",))
    base_filters = transfer_scope()
    include_route_methods = {"get", "get_list", "info", "post", "put", "send", "receive", "cancel"}
    method_permission_name = {**API_READ_WRITE, "send": "write", "receive": "write", "cancel": "write"}
    list_columns = show_columns = TRANSFER_LIST_COLUMNS
    add_columns = ["store", "destination_store", "note"]
    edit_columns = ["destination_store", "note"]
    add_query_rel_fields = {"store": store_scope("id")}
    search_columns = ["number", "status", "store", "destination_store", "created_at", "sent_at", "received_at"]
    order_columns = ["id", "number", "created_at", "sent_at", "received_at"]
    serialise = staticmethod(transfer_to_dict)

    @answers_domain_errors
    def post_headless(self):
        """POST {"store", "destination_store", "note", "lines": [{"product", "quantity", "serials"?}]} -> DRAFT."""
        data = load_schema(TransferInput())
        transfer = services.create_transfer(acting_user(), data["store"], data["destination_store"],
                                            data["lines"], note=data["note"])
        return self._answer(201, transfer)

    @answers_domain_errors
    def put_headless(self, pk):
        """PUT {"destination_store"?, "note"?, "lines"?} while DRAFT (lines replace the old ones)."""
        transfer = self._document(pk)
        data = load_schema(TransferUpdateInput())
        transfer = services.update_transfer(acting_user(), transfer, destination_store_id=data["destination_store"],
                                            lines=data["lines"], note=data["note"])
        return self._answer(200, transfer)

    @expose("/<int:pk>/send/", methods=["POST"])
    @api_action
    @openapi({200: "the transfer, SENT", 404: "no such transfer in your stores",
              409: "not a draft, or not enough stock"})
    def send(self, pk):
        """Send a DRAFT transfer: the source's stock goes down."""
        return self._answer(200, services.send_transfer(acting_user(), self._document(pk)))

    @expose("/<int:pk>/receive/", methods=["POST"])
    @api_action
    @openapi({200: "the transfer, RECEIVED, with received quantities and differences",
              403: "you do not work in the destination store", 409: "not SENT", 422: "bad quantities or serials"},
             body={"note": "string", "lines": objects(product="integer", received_quantity="integer", serials=STRINGS)})
    def receive(self, pk):
        """Receive a SENT transfer at the destination; lines not listed arrived in full."""
        transfer = self._document(pk)
        data = load_schema(ReceiptInput(), request.get_json(silent=True) or {})
        received = {}
        for line in data["lines"]:
            if line["product"] in received:
                raise ValidationFailed(errors={"lines": [_l("Un produit est répété.")]})
            received[line["product"]] = {"quantity": line["received_quantity"], "serials": line["serials"]}
        transfer = services.receive_transfer(acting_user(), transfer, received, note=data["note"])
        return self._answer(200, transfer)

    @expose("/<int:pk>/cancel/", methods=["POST"])
    @api_action
    @openapi({200: "the transfer, CANCELLED", 409: "already received or cancelled"}, body={"reason": "string"})
    def cancel(self, pk):
        """Cancel a DRAFT, or a SENT transfer whose goods came back to the source (reason required)."""
        return self._answer(200, services.cancel_transfer(acting_user(), self._document(pk), body_reason()))


# --- stock counts ------------------------------------------------------------------------------

class CountInput(Schema):
    store = id_field(required=True)
    products = fields.List(id_field(), load_default=None, allow_none=True)
    note = optional_text()


class CountLineInput(Schema):
    product = id_field(required=True)
    counted_quantity = QuantityField(minimum=0, load_default=None, allow_none=True)
    serials = optional_texts()


class CountsInput(Schema):
    lines = fields.List(fields.Nested(CountLineInput), required=True)


def count_to_dict(count, blind=False):
    """blind: the sheet of a person who counts (no can_validate): no expected or book quantity,
    no difference and no missing/unexpected serials, which would give the expected stock away."""
    answer = {
        "id": count.id,
        "number": count.number,
        "status": count.status,
        "store": _store_ref(count.store),
        "note": count.note,
        "cancel_reason": count.cancel_reason,
        "created_by": count.created_by.email if count.created_by else None,
        "created_at": moment(count.created_at),
        "validated_by": count.validated_by.email if count.validated_by else None,
        "validated_at": moment(count.validated_at),
        "lines": [{
            "id": line.id,
            "product": _product_ref(line.product),
            "expected_quantity": line.expected_quantity,
            "counted_quantity": line.counted_quantity,
            "book_quantity": line.book_quantity,
            "difference": line.difference,
            "counted_at": moment(line.counted_at),
            "counted_serials": line.counted_serials,
            "missing_serials": line.missing_serials,
            "unexpected_serials": line.unexpected_serials,
        } for line in count.lines],
    }
    if blind:
        for line in answer["lines"]:
            for key in BLIND_HIDDEN:
                del line[key]
    return answer


# What the counter must not see, like the cashier's blind close (issue 19 item 9).
BLIND_HIDDEN = ("expected_quantity", "book_quantity", "difference", "missing_serials", "unexpected_serials")


COUNT_LIST_COLUMNS = ["id", "number", "status", "store.id", "store.code", "note", "created_at", "validated_at"]


class StockCountApi(DocumentApiMixin, BoutiqueModelRestApi):
    """Inventories: opened and counted by stock keepers, validated by a manager."""

    resource_name = "stock-counts"
    class_permission_name = "StockCount"
    datamodel = ScopedInterface(StockCount)
    include_route_methods = {"get", "get_list", "info", "post", "counts", "validate", "cancel"}
    method_permission_name = {**API_READ_WRITE, "counts": "write", "validate": "validate", "cancel": "write"}
    list_columns = show_columns = COUNT_LIST_COLUMNS
    add_columns = ["store", "note"]
    add_query_rel_fields = {"store": store_scope("id")}
    search_columns = ["number", "status", "store", "created_at", "validated_at"]
    order_columns = ["id", "number", "created_at", "validated_at"]
    serialise = staticmethod(count_to_dict)

    def _answer(self, status, item):
        blind = not self.appbuilder.sm.has_access("can_validate", "StockCount")
        return self.response(status, id=item.id, result=count_to_dict(item, blind=blind))

    @answers_domain_errors
    def post_headless(self):
        """POST {"store", "products"?: [ids], "note"?} -> OPEN, expected quantities snapshotted."""
        data = load_schema(CountInput())
        count = services.open_count(acting_user(), data["store"], data["products"], note=data["note"])
        return self._answer(201, count)

    @expose("/<int:pk>/counts/", methods=["POST"])
    @api_action
    @openapi({200: "the count with its lines, differences and flagged serials", 409: "not OPEN", 422: "bad lines"},
             body={"lines": objects(product="integer", counted_quantity="integer", serials=STRINGS)})
    def counts(self, pk):
        """Enter counted quantities (serials for serial-tracked products) while OPEN."""
        count = services.enter_counts(acting_user(), self._document(pk), load_schema(CountsInput())["lines"])
        return self._answer(200, count)

    @expose("/<int:pk>/validate/", methods=["POST"])
    @api_action
    @openapi({200: "the count, VALIDATED", 403: "managers only",
              409: "not OPEN, lines not counted, or a stale count (recount)"})
    def validate(self, pk):
        """Validate an OPEN count (managers): one COUNT movement per difference."""
        return self._answer(200, services.validate_count(acting_user(), self._document(pk)))

    @expose("/<int:pk>/cancel/", methods=["POST"])
    @api_action
    @openapi({200: "the count, CANCELLED", 409: "not OPEN"})
    def cancel(self, pk):
        """Cancel an OPEN count: nothing moves."""
        return self._answer(200, services.cancel_count(acting_user(), self._document(pk), body_reason()))


def register(appbuilder):
    appbuilder.add_api(StockApi)
    appbuilder.add_api(InventoryMovementApi)
    appbuilder.add_api(TransferApi)
    appbuilder.add_api(StockCountApi)
