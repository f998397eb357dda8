"""Drafts: a seller creates and edits a sale (items, customer, discount, serials) in a store.
"""
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, select

from ...catalog.models import Product
from ...core.errors import InvalidTransition, ValidationFailed
from ...core.inputs import MISSING, FieldErrors, read_id, read_money, read_quantity, read_text
from ...core.scoping import can_access_store
from ...extensions import db
from ...stock.models import ON_HAND_SERIAL_STATUSES, SerialNumber
from ...stores.models import Store
from ..models import DRAFT, Sale, SaleItem
from ..totals import compute_totals
from .base import MAX_ITEMS, _audit, _no_history_yet, _require_owner, _sale_state, commit, get_sale, status_label


def create_draft(user, store, items, customer=None, discount=None, note=None):
    """A new DRAFT of `user` in `store` (ids or objects), with its items. Returns the sale."""
    errors = FieldErrors()
    store_obj = _read_store(user, store, errors)
    currency = store_obj.currency if store_obj else "XAF"
    customer_id = _read_customer(user, customer, errors)
    sale_discount = read_money(discount, "discount", errors, currency=currency, required=False,
                               default=Decimal("0"))
    note = read_text(note, "note", errors, max_length=2000)
    errors.raise_if_any()
    sale = Sale(store_id=store_obj.id, store=store_obj, seller_id=user.id, status=DRAFT,
                customer_id=customer_id, discount=sale_discount, note=note)
    _write_items(sale, items, errors)
    db.session.add(sale)
    db.session.flush()
    _no_history_yet(sale)
    _audit("sale.create", sale, user, after={**_sale_state(sale), "items": len(sale.items)})
    commit()
    return sale


def update_draft(user, sale_id, items=MISSING, customer=MISSING, discount=MISSING, note=MISSING, store=MISSING):
    """Change a DRAFT of its own seller; `items`, when given, replace every item."""
    sale = get_sale(user, sale_id, lock=True, with_items=True)
    _require_owner(user, sale)
    if sale.status != DRAFT:
        raise InvalidTransition(_l("Seul un brouillon peut être modifié : cette vente est « %(status)s ».",
                                   status=status_label(sale.status)))
    before = {**_sale_state(sale), "items": len(sale.items)}
    errors = FieldErrors()
    if store is not MISSING and read_id(store, "store", errors) not in (None, sale.store_id):
        errors.add("store", _l("Le magasin d'une vente ne change pas."))
    if customer is not MISSING:
        sale.customer_id = _read_customer(user, customer, errors)
    if discount is not MISSING:
        sale.discount = read_money(discount, "discount", errors, currency=sale.store.currency, required=False,
                                   default=Decimal("0"))
    if note is not MISSING:
        sale.note = read_text(note, "note", errors, max_length=2000)
    errors.raise_if_any()
    if items is not MISSING:
        for item in list(sale.items):
            sale.items.remove(item)
        db.session.flush()
    _write_items(sale, sale.items if items is MISSING else items, errors, keep=items is MISSING)
    _audit("sale.update", sale, user, before=before, after={**_sale_state(sale), "items": len(sale.items)})
    commit()
    return sale


def delete_draft(user, sale_id):
    """A seller drops their own draft (nothing was numbered, paid or moved)."""
    sale = get_sale(user, sale_id, lock=True)
    _require_owner(user, sale)
    if sale.status != DRAFT:
        raise InvalidTransition(_l("Seul un brouillon peut être supprimé : annulez la vente (gérant)."))
    _audit("sale.delete", sale, user, before=_sale_state(sale))
    db.session.delete(sale)
    db.session.commit()


def _read_store(user, value, errors):
    if isinstance(value, Store):
        store_id = value.id
    else:
        store_id = read_id(value, "store", errors)
    if store_id is None:
        return None
    store = Store.for_action(user, store_id)  # another store, or none: NotFound (404)
    if not store.is_active:
        errors.add("store", _l("Ce magasin est désactivé."))
        return None
    return store


def _read_customer(user, value, errors):
    from ...customers.models import Customer

    if value is None or value == "":
        return None
    customer_id = value.id if isinstance(value, Customer) else read_id(value, "customer", errors)
    if customer_id is None:
        return None
    customer = db.session.get(Customer, customer_id)
    if customer is None or not can_access_store(user, customer.store_id):
        errors.add("customer", _l("Client introuvable."))
        return None
    return customer.id


def _write_items(sale, items, errors, keep=False):
    """Validate `items` (dicts, or the sale's own items when `keep`) and set them with their totals."""
    currency = sale.store.currency if sale.store else "XAF"
    if keep:
        lines = sale.items
    else:
        lines = _read_items(sale, items, errors, currency)
        errors.raise_if_any()
        for position, line in enumerate(lines):
            line.position = position
            sale.items.append(line)
    totals = compute_totals(sale.items, sale.discount, currency)
    for item, line in zip(sale.items, totals.lines):
        item.line_total = line.line_total
    if sale.discount and sale.discount > totals.subtotal:
        raise ValidationFailed(errors={"discount": [_l("La remise dépasse le montant de la vente.")]})
    _store_totals(sale, totals)


def _store_totals(sale, totals):
    sale.subtotal = totals.subtotal
    sale.tax_total = totals.total_tva
    sale.total = totals.total


def _read_items(sale, items, errors, currency):
    if not isinstance(items, list):
        errors.add("items", _l("Liste d'articles attendue."))
        return []
    if len(items) > MAX_ITEMS:
        errors.add("items", _l("Trop d'articles (%(max)s au plus).", max=MAX_ITEMS))
        return []
    wanted = []
    for index, raw in enumerate(items):
        field = f"items[{index}]"
        if not isinstance(raw, dict):
            errors.add(field, _l("Article invalide."))
            continue
        unknown = set(raw) - {"product", "quantity", "unit_price", "discount", "serials"}
        for name in sorted(unknown):
            errors.add(f"{field}.{name}", _l("Champ inconnu."))
        wanted.append((index, raw, read_id(raw.get("product"), f"{field}.product", errors),
                       read_quantity(raw.get("quantity"), f"{field}.quantity", errors)))
    product_ids = {product_id for _, _, product_id, _ in wanted if product_id}
    products = {p.id: p for p in db.session.execute(
        _PRODUCTS, {"ids": list(product_ids)}).scalars()} if product_ids else {}
    lines = []
    for index, raw, product_id, quantity in wanted:
        field = f"items[{index}]"
        product = products.get(product_id)
        if product_id and (product is None or not product.is_active):
            errors.add(f"{field}.product", _l("Produit introuvable ou inactif."))
            continue
        if product is None or quantity is None:
            continue
        unit_price = read_money(raw.get("unit_price"), f"{field}.unit_price", errors, currency=currency,
                                required=False, default=product.sale_price)
        discount = read_money(raw.get("discount"), f"{field}.discount", errors, currency=currency,
                              required=False, default=Decimal("0"))
        if unit_price is None or discount is None:
            continue
        if discount > unit_price * quantity:
            errors.add(f"{field}.discount", _l("La remise dépasse le montant de la ligne."))
            continue
        line = SaleItem(product_id=product.id, product=product, quantity=quantity, unit_price=unit_price,
                        discount=discount, tax_rate=product.tax_rate, refunded_quantity=0)
        line.serials = _read_serials(sale, product, quantity, raw.get("serials"), f"{field}.serials", errors)
        lines.append(line)
    if not lines and not errors and items:
        errors.add("items", _l("Aucun article valide."))
    _refuse_serials_twice(lines, errors)
    return lines


# Built once with bound parameters (an expanding IN list), like get_sale's: every create and submit asks.
_PRODUCTS = select(Product).where(Product.id.in_(bindparam("ids", expanding=True)))


def _read_serials(sale, product, quantity, raw, field, errors):
    """Serials of a track_serial line: at most one per unit, each IN_STOCK in the sale's store."""
    if raw in (None, []):
        return []
    if not product.track_serial:
        errors.add(field, _l("Ce produit n'est pas suivi par numéro de série."))
        return []
    if not isinstance(raw, list) or not all(isinstance(s, str) and s.strip() for s in raw):
        errors.add(field, _l("Liste de numéros de série attendue."))
        return []
    wanted = [s.strip() for s in raw]
    if len(set(wanted)) != len(wanted):
        errors.add(field, _l("Un numéro de série est en double."))
        return []
    if len(wanted) > quantity:
        errors.add(field, _l("Plus de numéros de série que d'unités."))
        return []
    found = {s.serial: s for s in db.session.execute(select(SerialNumber).where(
        SerialNumber.product_id == product.id, SerialNumber.serial.in_(wanted))).scalars()}
    serials = []
    for serial in wanted:
        row = found.get(serial)
        if row is None or row.store_id != sale.store_id or row.status not in ON_HAND_SERIAL_STATUSES:
            errors.add(field, _l("Le numéro de série %(serial)s n'est pas en stock dans ce magasin.", serial=serial))
        else:
            serials.append(row)
    return serials


def _refuse_serials_twice(lines, errors):
    seen = set()
    for index, line in enumerate(lines):
        for serial in line.serials:
            if serial.id in seen:
                errors.add(f"items[{index}].serials", _l("Un numéro de série est en double."))
            seen.add(serial.id)
