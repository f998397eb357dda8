"""Stock counts (inventory): OPEN with the book quantities, counted lines, VALIDATED (COUNT movements).

One transaction each: check who acts, write the ledger through `move`, audit, commit.
"""
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ...core import audit, inputs
from ...core.errors import Conflict, ValidationFailed
from ...core.inputs import check, path
from ...core.models import utcnow
from ...core.numbering import allocate_number
from ...extensions import db
from ..models import ON_HAND_SERIAL_STATUSES, ProductStock, SerialNumber, StockCount, StockCountLine
from .ledger import (COUNT_DOC_TYPE, NotEnoughStock, Reference, SerialNotAvailable, _bring_serials, _lock_to_act,
                     _product, _quantity, _record, _set_serial_status, _store, _user_id, clean_serials, serials_on_hand)


def open_count(user, store_id, product_ids=None, note=None, category_id=None):
    """An OPEN count of a store, numbered XXX-INV-YYYY-NNNNNN, with the expected quantities snapshotted.

    Without `product_ids`: every product that has a stock row in the store (even at 0),
    or only those of `category_id` and its sub-categories.
    """
    store = _store(store_id, user=user)
    if product_ids is None:
        query = select(ProductStock.product_id, ProductStock.quantity).where(ProductStock.store_id == store.id)
        if category_id is not None:
            from ...catalog.models import Product
            from ..filters import category_and_children

            query = query.where(ProductStock.product_id.in_(
                select(Product.id).where(Product.category_id.in_(category_and_children(category_id)))))
        rows = db.session.execute(query.order_by(ProductStock.product_id)).all()
        expected = {row.product_id: row.quantity for row in rows}
    else:
        if not isinstance(product_ids, list):
            raise ValidationFailed(errors={"products": [_l("Liste de produits attendue.")]})
        expected = {}
        for product_id in product_ids:
            product = _product(product_id)
            expected[product.id] = _quantity(store.id, product.id)
    if not expected:
        raise ValidationFailed(errors={"products": [_l("Aucun produit à compter dans ce magasin.")]})
    count = StockCount(store_id=store.id, status="OPEN", note=(note or "").strip() or None,
                       created_by_id=_user_id(user))
    count.lines = [StockCountLine(product_id=pid, expected_quantity=qty) for pid, qty in sorted(expected.items())]
    db.session.add(count)
    db.session.flush()
    audit.record("stock_count.open", count, after={"status": "OPEN", "products": len(count.lines)})
    count.number = allocate_number(store, COUNT_DOC_TYPE, store.local_year)  # last: the sequence lock
    db.session.commit()
    return count


def _open_count_of_store(user, count):
    return _lock_to_act(user, count, ("OPEN",), _l("Cet inventaire n'est pas celui de vos magasins."))


def enter_counts(user, count, entries):
    """Record counted quantities (again if needed) while the count is OPEN.

    `entries`: [{"product": id, "counted_quantity": n}] or, for a serial-tracked product,
    [{"product": id, "serials": [...]}] (the units found; counted_quantity = their number).
    Each line also notes the stock at that moment (book_quantity): the difference is
    counted - book_quantity. Serials are compared with those on the shelf: the missing
    ones and the unexpected ones are flagged on the line.
    """
    count = _open_count_of_store(user, count)
    if not isinstance(entries, list) or not entries:
        raise ValidationFailed(errors={"lines": [_l("Saisissez au moins une ligne.")]})
    lines = {line.product_id: line for line in count.lines}
    errors, changes = inputs.FieldErrors(), []
    for index, entry in enumerate(entries):
        try:
            line = _count_line(lines, entry)
            changes.append(_enter_count(count, line, entry))
        except (ValidationFailed, SerialNotAvailable) as exc:
            errors.nest(path("lines", index), exc.errors or {"": [exc.message]})
    errors.raise_if_any()
    audit.record("stock_count.count", count, after={"lines": changes})
    db.session.commit()
    return count


def _count_line(lines, entry):
    if not isinstance(entry, dict):
        raise ValidationFailed(errors={"line": [_l("Ligne invalide.")]})
    line = lines.get(entry.get("product"))
    if line is None:
        raise ValidationFailed(errors={"product": [_l("Ce produit ne fait pas partie de l'inventaire.")]})
    return line


def _enter_count(count, line, entry):
    counted = entry.get("counted_quantity")
    if line.product.track_serial:
        if entry.get("serials") is None:
            raise ValidationFailed(errors={"serials": [_l("Produit suivi par numéro de série : saisissez les numéros trouvés.")]})
        serials = clean_serials(entry["serials"])
        if counted is not None and counted != len(serials):
            raise ValidationFailed(errors={"counted_quantity": [_l(
                "La quantité comptée doit égaler le nombre de numéros de série (%(count)s).", count=len(serials))]})
        on_hand = set(serials_on_hand(count.store_id, line.product_id))
        unexpected = sorted(set(serials) - on_hand)
        _check_unexpected_serials(count.store_id, line.product_id, unexpected)
        line.counted_serials = sorted(serials)
        line.missing_serials = sorted(on_hand - set(serials))
        line.unexpected_serials = unexpected
        counted = len(serials)
    else:
        if entry.get("serials"):
            raise ValidationFailed(errors={"serials": [_l("Ce produit n'est pas suivi par numéro de série.")]})
        counted = check("counted_quantity", inputs.quantity, counted, minimum=0)
    line.counted_quantity = counted
    line.book_quantity = _quantity(count.store_id, line.product_id)
    line.counted_at = utcnow()
    return {"product_id": line.product_id, "counted": counted, "book": line.book_quantity,
            "missing_serials": line.missing_serials, "unexpected_serials": line.unexpected_serials}


def _check_unexpected_serials(store_id, product_id, serials):
    """A unit found on the shelf but not in the books must be unknown or MISSING, not elsewhere."""
    if not serials:
        return
    elsewhere = db.session.execute(
        select(SerialNumber.serial, SerialNumber.status).where(
            SerialNumber.product_id == product_id, SerialNumber.serial.in_(serials),
            SerialNumber.status != "MISSING")
    ).all()
    if elsewhere:
        raise SerialNotAvailable(_l("Numéro(s) de série enregistré(s) hors du stock de ce magasin : %(detail)s. "
                                    "Vérifiez le comptage.",
                                    detail=", ".join(f"{row.serial} ({row.status})" for row in elsewhere)))


def validate_count(user, count):
    """OPEN -> VALIDATED by a manager (the permission can_validate): one COUNT movement per difference.

    The difference of a line is counted - book_quantity (the stock when it was counted),
    applied to today's stock: sales made after the count are kept. If applying it would
    take the stock below zero (the count is stale), nothing is validated (409): recount.
    Serials: the missing units become MISSING, the unexpected ones enter the stock; if
    any of them changed since the count, validation is refused (409): recount.
    Every line must have been counted.
    """
    count = _open_count_of_store(user, count)
    uncounted = [line.product.name for line in count.lines if line.counted_quantity is None]
    if uncounted:
        raise Conflict(_l("Ligne(s) non comptée(s) : %(products)s.", products=", ".join(uncounted[:10])
                          + (" …" if len(uncounted) > 10 else "")))
    reference = Reference("StockCount", count.id, count.number)
    differences = []
    for line in sorted(count.lines, key=lambda line: line.product_id):
        delta = line.difference
        if delta:
            try:
                _record(count.store_id, line.product_id, delta, "COUNT", reference=reference, user_id=_user_id(user),
                        note=f"Inventaire {count.number}")
            except NotEnoughStock:
                raise Conflict(_l("L'écart de « %(product)s » (%(delta)s) ferait passer le stock sous zéro : "
                                  "des ventes ont eu lieu depuis le comptage. Recomptez ce produit.",
                                  product=line.product.name, delta=delta)) from None
        if line.product.track_serial:
            _apply_counted_serials(count, line)
        if delta or line.missing_serials or line.unexpected_serials:
            differences.append({"product_id": line.product_id, "counted": line.counted_quantity,
                                "book": line.book_quantity, "difference": delta,
                                "missing_serials": line.missing_serials or [],
                                "unexpected_serials": line.unexpected_serials or []})
    count.status = "VALIDATED"
    count.validated_by_id = _user_id(user)
    count.validated_at = utcnow()
    audit.record("stock_count.validate", count, before={"status": "OPEN"},
                 after={"status": "VALIDATED", "differences": differences})
    db.session.commit()
    return count


def _apply_counted_serials(count, line):
    missing = line.missing_serials or []
    unexpected = line.unexpected_serials or []
    gone = _set_serial_status(line.product_id, missing, ON_HAND_SERIAL_STATUSES, "MISSING", store_id=count.store_id)
    if len(gone) != len(missing):
        raise Conflict(_l("Les numéros de série de « %(product)s » ont changé depuis le comptage : recomptez ce produit.",
                          product=line.product.name))
    try:
        _bring_serials(count.store_id, line.product_id, unexpected, ("MISSING",), new_allowed=True, status="IN_STOCK")
    except SerialNotAvailable:
        raise Conflict(_l("Les numéros de série de « %(product)s » ont changé depuis le comptage : recomptez ce produit.",
                          product=line.product.name)) from None


def cancel_count(user, count, reason=None):
    """OPEN -> CANCELLED: nothing moves; the number stays used."""
    count = _open_count_of_store(user, count)
    count.status = "CANCELLED"
    count.cancel_reason = (reason or "").strip() or None
    audit.record("stock_count.cancel", count, before={"status": "OPEN"},
                 after={"status": "CANCELLED", "reason": count.cancel_reason})
    db.session.commit()
    return count
