"""Purchase orders and goods receipts (SPEC §7): plain functions, one transaction each.

- A manager creates and edits DRAFT orders, sends them (the number, XXX-BC-YYYY-NNNNNN, is
  taken then, gapless per store) and cancels them. (Who may do what is the permission set of
  each endpoint: PurchaseOrder can_write for managers, GoodsReceipt can_write for stock keepers.)
- A stock keeper records receipts of SENT or PARTIALLY_RECEIVED orders: PURCHASE movements
  (serials IN_STOCK for tracked products), never more than is still due on a line (409), even
  with two receipts of one order at once (the order row is locked; a CHECK constraint and a
  conditional UPDATE of the line hold it too).
- Every receipt line updates the product's weighted average cost (company-wide, the product's
  cost_price) and keeps the cost it used, the cost before and after.
- "Commander ce qui manque": DRAFT orders per supplier from the products at or under their
  reorder level in a store.
- Excel: an order's lines from a supplier's spreadsheet, dry run first, errors per row and column.
"""
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from ..catalog.models import Product
from ..catalog.services import FieldError, clean_count, clean_money
from ..core import audit
from ..core.errors import Conflict, InvalidTransition, ValidationFailed
from ..core.inputs import path
from ..core.models import utcnow
from ..core.numbering import allocate_number
from ..core.scoping import can_access_store
from ..extensions import db
from ..stock import services as stock
from ..stock.models import ProductStock
from ..stock.services import Reference
from .models import (
    OPEN_ORDER_STATUSES,
    ORDER_STATUS_LABELS,
    GoodsReceipt,
    GoodsReceiptLine,
    PurchaseOrder,
    PurchaseOrderLine,
    Supplier,
)

ORDER_DOC_TYPE = "BC"  # bon de commande
MAX_QUANTITY = stock.MAX_QUANTITY
FRANC = Decimal("1")


class OverReceipt(Conflict):
    default_message = _l("La réception dépasse la quantité restant à recevoir.")


def _user_id(user):
    return getattr(user, "id", None)


def _is_id(value):
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def _store(user, store_id):
    """An active store the user may act in (another store, or none: NotFound, 404); `user` None: any store."""
    from ..stores.models import Store

    if user is not None:
        store = Store.for_action(user, store_id)
    else:
        store = db.session.get(Store, store_id) if _is_id(store_id) else None
        if store is None:
            raise ValidationFailed(errors={"store": [_l("Magasin introuvable.")]})
    if not store.is_active:
        raise ValidationFailed(errors={"store": [_l("Ce magasin est fermé.")]})
    return store


def _supplier(supplier_id):
    supplier = db.session.get(Supplier, supplier_id) if _is_id(supplier_id) else None
    if supplier is None:
        raise ValidationFailed(errors={"supplier": [_l("Fournisseur introuvable.")]})
    return supplier


def _year(store):
    return datetime.now(ZoneInfo(store.timezone or "Africa/Douala")).year


def _locked_order(order_id):
    """The order row, locked until COMMIT, read fresh with its lines (receipts of one order queue here)."""
    order = db.session.execute(
        select(PurchaseOrder).where(PurchaseOrder.id == order_id).with_for_update()
        .execution_options(populate_existing=True)).scalar_one()
    db.session.execute(select(PurchaseOrderLine).where(PurchaseOrderLine.order_id == order_id)
                       .execution_options(populate_existing=True)).scalars().all()
    return order


def _require_status(order, *statuses):
    if order.status not in statuses:
        raise InvalidTransition(_l("La commande %(order)s est à l'état « %(status)s » : action impossible.",
                                   order=str(order), status=ORDER_STATUS_LABELS.get(order.status, order.status)))


def _lines_snapshot(order):
    return [{"product_id": line.product_id, "quantity": line.quantity, "unit_cost": str(line.unit_cost),
             "received_quantity": line.received_quantity} for line in order.lines]


# --- order lines -------------------------------------------------------------------------------

def _clean_quantity(value, field="quantity"):
    if not isinstance(value, int) or isinstance(value, bool) or not 0 < value <= MAX_QUANTITY:
        raise ValidationFailed(errors={field: [_l("Quantité entière positive attendue.")]})
    return value


def _clean_cost(value, product):
    if value is None:
        return product.cost_price  # the current weighted average cost as a starting point
    try:
        return clean_money(value)
    except FieldError as exc:
        raise ValidationFailed(errors={"unit_cost": [str(exc)]}) from None


class _LineRefused(Exception):
    def __init__(self, *messages):
        super().__init__()
        self.messages = list(messages)


def _clean_each(lines, clean_line):
    """[clean_line(line) for each line], or ValidationFailed with every refused line's messages (`lines[0]`)."""
    cleaned, errors = [], {}
    for index, line in enumerate(lines):
        try:
            if not isinstance(line, dict):
                raise _LineRefused(_l("Ligne invalide."))
            cleaned.append(clean_line(line))
        except _LineRefused as exc:
            errors[path("lines", index)] = exc.messages
    if errors:
        raise ValidationFailed(errors=errors)
    return cleaned


def clean_order_lines(lines):
    """[{"product", "quantity", "unit_cost"?}] -> [(product, quantity, unit_cost)]; errors per line."""
    if not isinstance(lines, list):
        raise ValidationFailed(errors={"lines": [_l("Liste de lignes attendue.")]})
    seen = set()

    def clean_line(line):
        try:
            product_id = line.get("product")
            product = db.session.get(Product, product_id) if _is_id(product_id) else None
            if product is None:
                raise ValidationFailed(errors={"product": [_l("Produit introuvable.")]})
            if product.id in seen:
                raise ValidationFailed(errors={"product": [_l("Ce produit figure déjà dans la commande.")]})
            seen.add(product.id)
            return product, _clean_quantity(line.get("quantity")), _clean_cost(line.get("unit_cost"), product)
        except ValidationFailed as exc:
            raise _LineRefused(*[f"{key} : {message}" for key, messages in exc.errors.items()
                                 for message in messages]) from None

    return _clean_each(lines, clean_line)


def _set_lines(order, cleaned):
    order.lines = []
    db.session.flush()
    order.lines = [PurchaseOrderLine(product_id=product.id, quantity=quantity, unit_cost=unit_cost,
                                     received_quantity=0) for product, quantity, unit_cost in cleaned]


# --- orders ------------------------------------------------------------------------------------

def create_order(user, store_id, supplier_id, lines=(), note=None):
    """A DRAFT order of one of the user's stores (no number yet: it is taken when sent)."""
    store = _store(user, store_id)
    supplier = _supplier(supplier_id)
    cleaned = clean_order_lines(list(lines or []))
    order = PurchaseOrder(store_id=store.id, supplier_id=supplier.id, status="DRAFT",
                          note=(note or "").strip() or None, created_by_id=_user_id(user))
    db.session.add(order)
    db.session.flush()
    _set_lines(order, cleaned)
    db.session.flush()
    audit.record("purchase_order.create", order, after={"status": "DRAFT", "supplier_id": supplier.id,
                                                        "lines": _lines_snapshot(order)})
    db.session.commit()
    return order


def _draft(user, order):
    order = _locked_order(order.id)
    _require_status(order, "DRAFT")
    return order


def update_order(user, order, *, supplier_id=None, lines=None, note=None):
    """Change a DRAFT: supplier, note, and (when given) all its lines."""
    order = _draft(user, order)
    before = {"supplier_id": order.supplier_id, "note": order.note, "lines": _lines_snapshot(order)}
    if supplier_id is not None:
        order.supplier_id = _supplier(supplier_id).id
    if note is not None:
        order.note = note.strip() or None
    if lines is not None:
        _set_lines(order, clean_order_lines(lines))
    db.session.flush()
    audit.record("purchase_order.update", order, before=before, after={
        "supplier_id": order.supplier_id, "note": order.note, "lines": _lines_snapshot(order)})
    db.session.commit()
    return order


def _line_dicts(order, skip_product_id=None):
    return [{"product": line.product_id, "quantity": line.quantity, "unit_cost": line.unit_cost}
            for line in order.lines if line.product_id != skip_product_id]


def set_order_line(user, order, product_id, quantity, unit_cost=None):
    """Add a product to a DRAFT, or change its quantity and cost (the screens add lines one by one)."""
    order = _draft(user, order)
    lines = _line_dicts(order, skip_product_id=product_id)
    lines.append({"product": product_id, "quantity": quantity, "unit_cost": unit_cost})
    return update_order(user, order, lines=lines)


def remove_order_line(user, order, product_id):
    order = _draft(user, order)
    return update_order(user, order, lines=_line_dicts(order, skip_product_id=product_id))


def send_order(user, order):
    """DRAFT -> SENT: the order gets its number (the last statement before COMMIT: the sequence lock)."""
    order = _draft(user, order)
    if not order.lines:
        raise ValidationFailed(errors={"lines": [_l("La commande n'a aucune ligne.")]})
    audit.record("purchase_order.send", order, before={"status": "DRAFT"},
                 after={"status": "SENT", "total": str(order.total), "lines": _lines_snapshot(order)})
    number = allocate_number(order.store, ORDER_DOC_TYPE, _year(order.store))
    order.number, order.status, order.sent_at = number, "SENT", utcnow()  # flushed by the COMMIT
    db.session.commit()
    return order


def cancel_order(user, order, reason=None):
    """DRAFT, SENT or PARTIALLY_RECEIVED -> CANCELLED. For a sent order a reason is required; what was
    already received stays in stock, only what is still due is no longer expected."""
    order = _locked_order(order.id)
    _require_status(order, "DRAFT", *OPEN_ORDER_STATUSES)
    reason = (reason or "").strip() or None
    if order.status != "DRAFT" and not reason:
        raise ValidationFailed(errors={"reason": [_l("Indiquez pourquoi la commande envoyée est annulée.")]})
    before = order.status
    order.status = "CANCELLED"
    order.cancel_reason = reason
    order.cancelled_at = utcnow()
    audit.record("purchase_order.cancel", order, before={"status": before},
                 after={"status": "CANCELLED", "reason": reason, "quantity_due": order.quantity_due})
    db.session.commit()
    return order


# --- goods receipts ----------------------------------------------------------------------------

def weighted_average_cost(on_hand, old_cost, received, unit_cost):
    """(on hand × old cost + received × unit cost) / (on hand + received), rounded to the franc."""
    on_hand = max(on_hand, 0)
    if on_hand + received <= 0:
        return Decimal(old_cost).quantize(FRANC, rounding=ROUND_HALF_UP)
    value = (Decimal(on_hand) * Decimal(old_cost) + Decimal(received) * Decimal(unit_cost)) / (on_hand + received)
    return value.quantize(FRANC, rounding=ROUND_HALF_UP)


def units_on_hand(product_id):
    """The product's units in all stores."""
    return db.session.execute(select(func.coalesce(func.sum(ProductStock.quantity), 0))
                              .where(ProductStock.product_id == product_id)).scalar_one()


def _locked_product(product_id):
    return db.session.execute(select(Product).where(Product.id == product_id).with_for_update()
                              .execution_options(populate_existing=True)).scalar_one()


def find_order(user, order_id):
    """An order of the user's stores, for a receipt (another store's order is "not found")."""
    order = db.session.get(PurchaseOrder, order_id) if _is_id(order_id) else None
    if order is None or (user is not None and not can_access_store(user, order.store_id)):
        raise ValidationFailed(errors={"purchase_order": [_l("Commande introuvable.")]})
    return order


def _clean_receipt_lines(order, lines):
    """[{"line", "quantity", "serials"?}] -> [(order line, quantity, serials)], checked against what is due."""
    if not isinstance(lines, list) or not lines:
        raise ValidationFailed(errors={"lines": [_l("Indiquez au moins une ligne reçue.")]})
    by_id = {line.id: line for line in order.lines}
    seen = set()

    def clean_line(entry):
        line = by_id.get(entry.get("line")) if _is_id(entry.get("line")) else None
        if line is None:
            raise _LineRefused(_l("Ligne absente de cette commande."))
        if line.id in seen:
            raise _LineRefused(_l("Cette ligne de commande est répétée."))
        seen.add(line.id)
        quantity = entry.get("quantity")
        if not isinstance(quantity, int) or isinstance(quantity, bool) or not 0 < quantity <= MAX_QUANTITY:
            raise _LineRefused(_l("Quantité entière positive attendue."))
        serials = entry.get("serials")
        if line.product.track_serial:
            try:
                serials = stock.clean_serials(serials, quantity)
            except ValidationFailed as exc:
                raise _LineRefused(*[message for messages in exc.errors.values() for message in messages]) from None
        elif serials:
            raise _LineRefused(_l("Ce produit n'est pas suivi par numéro de série."))
        return line, quantity, serials or None

    return _clean_each(lines, clean_line)


def _check_due(line, quantity):
    if quantity > line.due:
        raise OverReceipt(_l("%(product)s : %(quantity)s reçu(s), mais il ne reste que %(due)s à recevoir sur "
                             "cette ligne (commandé %(ordered)s, déjà reçu %(received)s).",
                             product=line.product.name, quantity=quantity, due=line.due, ordered=line.quantity,
                             received=line.received_quantity))


def receive_goods(user, order_id, lines, note=None):
    """Record a delivery of a SENT or PARTIALLY_RECEIVED order; returns the GoodsReceipt."""
    order = find_order(user, order_id)
    order = _locked_order(order.id)  # two receipts of one order queue here
    _require_status(order, *OPEN_ORDER_STATUSES)
    cleaned = _clean_receipt_lines(order, lines)
    receipt = GoodsReceipt(purchase_order_id=order.id, store_id=order.store_id,
                           note=(note or "").strip() or None, received_by_id=_user_id(user))
    db.session.add(receipt)
    db.session.flush()
    reference = Reference("PurchaseOrder", order.id, order.number)
    for line, quantity, serials in sorted(cleaned, key=lambda item: item[0].product_id):  # lock order
        _check_due(line, quantity)
        done = db.session.execute(  # and the database agrees (a belt to the order lock's braces)
            update(PurchaseOrderLine)
            .where(PurchaseOrderLine.id == line.id,
                   PurchaseOrderLine.received_quantity + quantity <= PurchaseOrderLine.quantity)
            .values(received_quantity=PurchaseOrderLine.received_quantity + quantity)
            .returning(PurchaseOrderLine.received_quantity)
            .execution_options(synchronize_session="fetch")).scalar_one_or_none()
        if done is None:
            raise OverReceipt()
        product = _locked_product(line.product_id)  # one cost update at a time per product
        on_hand, cost_before = units_on_hand(product.id), product.cost_price
        cost_after = weighted_average_cost(on_hand, cost_before, quantity, line.unit_cost)
        stock.receive_purchase(order.store_id, product.id, quantity, line.unit_cost, reference=reference,
                               serials=serials, user_id=_user_id(user))
        product.cost_price = cost_after
        receipt.lines.append(GoodsReceiptLine(
            order_line_id=line.id, product_id=product.id, quantity=quantity, unit_cost=line.unit_cost,
            on_hand_before=on_hand, cost_before=cost_before, cost_after=cost_after, serials=serials))
    db.session.flush()
    order = _locked_order(order.id)  # the lines' received quantities as the database now has them
    status_before = order.status
    if all(line.due == 0 for line in order.lines):
        order.status = "RECEIVED"
        order.received_at = utcnow()
    else:
        order.status = "PARTIALLY_RECEIVED"
    audit.record("goods_receipt.create", receipt, before={"status": status_before}, after={
        "purchase_order_id": order.id, "status": order.status,
        "lines": [{"order_line_id": rl.order_line_id, "product_id": rl.product_id, "quantity": rl.quantity,
                   "unit_cost": str(rl.unit_cost), "cost_before": str(rl.cost_before),
                   "cost_after": str(rl.cost_after), "serials": rl.serials} for rl in receipt.lines]})
    db.session.commit()
    return receipt


# --- "Commander ce qui manque" -------------------------------------------------------------------

def _last_purchases(product_ids):
    """product id -> (supplier id, unit cost) of its most recent order that was sent."""
    if not product_ids:
        return {}
    rows = db.session.execute(
        select(PurchaseOrderLine.product_id, PurchaseOrder.supplier_id, PurchaseOrderLine.unit_cost)
        .join(PurchaseOrder, PurchaseOrder.id == PurchaseOrderLine.order_id)
        .where(PurchaseOrderLine.product_id.in_(product_ids), PurchaseOrder.sent_at.is_not(None))
        .order_by(PurchaseOrder.sent_at.desc(), PurchaseOrder.id.desc())).all()
    last = {}
    for row in rows:
        last.setdefault(row.product_id, (row.supplier_id, row.unit_cost))
    return last


def _on_order(store_id, product_ids):
    """Units already ordered for the store and not yet received (drafts included)."""
    rows = db.session.execute(
        select(PurchaseOrderLine.product_id,
               func.sum(PurchaseOrderLine.quantity - PurchaseOrderLine.received_quantity))
        .join(PurchaseOrder, PurchaseOrder.id == PurchaseOrderLine.order_id)
        .where(PurchaseOrder.store_id == store_id, PurchaseOrderLine.product_id.in_(product_ids),
               PurchaseOrder.status.in_(("DRAFT", *OPEN_ORDER_STATUSES)))
        .group_by(PurchaseOrderLine.product_id)).all()
    return {product_id: int(quantity or 0) for product_id, quantity in rows}


def suggested_quantity(reorder_level, available, on_order):
    """Enough to bring the store back to twice its reorder level (at least 1 unit), minus what is
    already on order."""
    return max(2 * reorder_level, 1) - available - on_order


def reorder_suggestions(store_id):
    """[{product, available, reorder_level, on_order, quantity, supplier_id, unit_cost}] for the
    active products whose available stock in the store is at or under their reorder level."""
    available = ProductStock.quantity - ProductStock.reserved
    rows = db.session.execute(
        select(Product, available.label("available"))
        .join(ProductStock, ProductStock.product_id == Product.id)
        .where(ProductStock.store_id == store_id, Product.is_active.is_(True), available <= Product.reorder_level)
        .order_by(Product.name)).all()
    ids = [product.id for product, _ in rows]
    last, on_order = _last_purchases(ids), _on_order(store_id, ids)
    suggestions = []
    for product, units in rows:
        supplier_id, unit_cost = last.get(product.id, (None, product.cost_price))
        quantity = suggested_quantity(product.reorder_level, units, on_order.get(product.id, 0))
        suggestions.append({"product": product, "available": units, "reorder_level": product.reorder_level,
                            "on_order": on_order.get(product.id, 0), "quantity": quantity,
                            "supplier_id": supplier_id, "unit_cost": unit_cost})
    return suggestions


def order_what_is_missing(user, store_id):
    """One DRAFT order per supplier (the last supplier of each product) with suggested quantities.
    Returns (orders created, suggestions left out: no known supplier, or enough already on order)."""
    store = _store(user, store_id)
    by_supplier, left_out = {}, []
    for suggestion in reorder_suggestions(store.id):
        if suggestion["supplier_id"] is None or suggestion["quantity"] <= 0:
            left_out.append(suggestion)
        else:
            by_supplier.setdefault(suggestion["supplier_id"], []).append(suggestion)
    orders = []
    for supplier_id, suggestions in sorted(by_supplier.items()):
        order = PurchaseOrder(store_id=store.id, supplier_id=supplier_id, status="DRAFT",
                              note=str(_l("Commande préparée depuis les produits sous le seuil de réapprovisionnement.")),
                              created_by_id=_user_id(user))
        order.lines = [PurchaseOrderLine(product_id=s["product"].id, quantity=s["quantity"],
                                         unit_cost=s["unit_cost"], received_quantity=0) for s in suggestions]
        db.session.add(order)
        db.session.flush()
        audit.record("purchase_order.create", order, after={"status": "DRAFT", "supplier_id": supplier_id,
                                                            "from": "reorder", "lines": _lines_snapshot(order)})
        orders.append(order)
    db.session.commit()
    return orders, left_out


# --- Excel: an order's lines from a supplier's spreadsheet -----------------------------------------

def import_order_lines(user, order, data, filename=None, *, dry_run=True):
    """Read the lines (sku or barcode, quantity, unit cost) of a spreadsheet into a DRAFT order.

    Same rules as the product import (catalog/spreadsheets.py, whose header check and report this
    reuses): every row checked, errors by row and column, nothing written when there is one; the
    lines read replace or add to the order's lines (a product already in the order gets the new
    quantity and cost). Returns the report (dict) with the lines read.
    """
    from ..catalog.spreadsheets import ImportColumn, ImportReport, _read_headers
    from ..documents import excel

    columns = [ImportColumn("code", "SKU ou code-barres", required=True),
               ImportColumn("quantity", "Quantité", required=True),
               ImportColumn("unit_cost", "Coût unitaire", required=True)]
    order = _draft(user, order)
    workbook = excel.open_workbook(data, filename)
    report = ImportReport(dry_run=dry_run)
    read = {}
    try:
        sheet = excel.first_sheet(workbook)
        keys = _read_headers(sheet.headers, columns)
        labels = {key: sheet.headers[index] for index, key in keys.items()}
        for number, values in sheet.rows:
            report.rows += 1
            cells = {key: values[index] for index, key in keys.items()}
            product, quantity, unit_cost = _import_row(report, number, cells, labels, read)
            if product is not None and quantity is not None and unit_cost is not None:
                read[product.id] = {"row": number, "product": product, "quantity": quantity, "unit_cost": unit_cost}
    finally:
        workbook.close()
    if report.rows == 0:
        raise excel.SpreadsheetError(_l("Le fichier ne contient aucune ligne (seulement la ligne d'en-têtes)."))
    already = {line.product_id for line in order.lines}
    if report.ok and not dry_run:
        lines = _line_dicts(order, skip_product_id=None)
        lines = [line for line in lines if line["product"] not in read]
        lines += [{"product": r["product"].id, "quantity": r["quantity"], "unit_cost": r["unit_cost"]}
                  for r in read.values()]
        update_order(user, order, lines=lines)
    else:
        db.session.rollback()
    return {"dry_run": dry_run, "committed": not dry_run and report.ok, "rows": report.rows,
            "error_count": report.error_count, "errors": report.errors,
            "lines": [{"row": r["row"], "sku": r["product"].sku, "name": r["product"].name,
                       "quantity": r["quantity"], "unit_cost": str(r["unit_cost"]),
                       "replaces": pid in already}
                      for pid, r in read.items()]}


def _import_row(report, number, cells, labels, read):
    product = quantity = unit_cost = None
    code = cells.get("code")
    if isinstance(code, float) and code.is_integer():
        code = int(code)
    code = str(code).strip() if code is not None else ""
    if not code:
        report.add_error(number, labels["code"], _l("Valeur obligatoire."))
    else:
        try:
            product = stock.product_by_code(code)
        except ValidationFailed:
            report.add_error(number, labels["code"], _l("Produit introuvable : %(code)s.", code=code))
        else:
            if product.id in read:
                report.add_error(number, labels["code"], _l(
                    "Produit déjà présent à la ligne %(row)s du fichier.", row=read[product.id]["row"]))
                product = None
    try:
        quantity = clean_count(cells.get("quantity"))
        if not quantity:
            raise FieldError(_l("Quantité entière positive attendue."))
    except FieldError as exc:
        report.add_error(number, labels["quantity"], exc)
        quantity = None
    try:
        unit_cost = clean_money(cells.get("unit_cost"))
    except FieldError as exc:
        report.add_error(number, labels["unit_cost"], exc)
        unit_cost = None
    return product, quantity, unit_cost
