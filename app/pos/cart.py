"""The seller's cart is a DRAFT sale in the database: each change is one call to
`sales.services.create_draft` / `update_draft` (the same checks as `POST/PUT /api/v1/sales/`).

`update_draft(items=...)` replaces every item, so a change to one line sends the cart's
items as they are with that one line changed. Lines are addressed by position; the product
id travels along, so a cart changed meanwhile (another tab) is refused, never mixed up.
"""
from flask_babel import lazy_gettext as _l

from ..core.errors import Conflict
from ..sales import services as sales
from ..core.inputs import MISSING


class CartChanged(Conflict):
    default_message = _l("Le panier a changé entre-temps (autre onglet ?) : rechargez la page.")


def items_of(sale):
    """The items of a draft as `update_draft` takes them."""
    return [{"product": item.product_id, "quantity": item.quantity, "unit_price": str(item.unit_price),
             "discount": str(item.discount), "serials": [serial.serial for serial in item.serials]}
            for item in sale.items]


def add_product(user, store, cart, product_id, quantity=1):
    """One more unit of the product (a new line, or +1 on its line). Returns the draft."""
    if cart is None:
        return sales.create_draft(user, store.id, [{"product": product_id, "quantity": quantity}])
    items = items_of(cart)
    for item in items:
        if item["product"] == product_id:
            item["quantity"] += quantity
            break
    else:
        items.append({"product": product_id, "quantity": quantity})
    return sales.update_draft(user, cart.id, items=items)


def add_unit_with_serial(user, store, cart, product_id, serial):
    """A scanned serial (IMEI): it fills a line of that product still short of serials, else one
    more unit comes with it. The draft service checks the unit is on this store's shelf."""
    if cart is None:
        return sales.create_draft(user, store.id, [{"product": product_id, "quantity": 1, "serials": [serial]}])
    items = items_of(cart)
    if any(serial in item["serials"] for item in items):
        raise Conflict(_l("Le numéro de série %(serial)s est déjà dans le panier.", serial=serial))
    for item in items:
        if item["product"] == product_id and len(item["serials"]) < item["quantity"]:
            item["serials"].append(serial)
            break
    else:
        for item in items:
            if item["product"] == product_id:
                item["quantity"] += 1
                item["serials"].append(serial)
                break
        else:
            items.append({"product": product_id, "quantity": 1, "serials": [serial]})
    return sales.update_draft(user, cart.id, items=items)


def _line(items, index, product_id):
    if not 0 <= index < len(items) or items[index]["product"] != product_id:
        raise CartChanged()
    return items[index]


def change_line(user, cart, index, product_id, quantity=MISSING, unit_price=MISSING, discount=MISSING,
                serials=MISSING):
    items = items_of(cart)
    line = _line(items, index, product_id)
    for name, value in (("quantity", quantity), ("unit_price", unit_price), ("discount", discount),
                        ("serials", serials)):
        if value is not MISSING:
            line[name] = value
    return sales.update_draft(user, cart.id, items=items)


def remove_line(user, cart, index, product_id):
    items = items_of(cart)
    _line(items, index, product_id)
    del items[index]
    return sales.update_draft(user, cart.id, items=items)


def set_discount(user, cart, discount):
    return sales.update_draft(user, cart.id, discount=discount)


def set_customer(user, store, cart, customer_id):
    if cart is None:
        return sales.create_draft(user, store.id, [], customer=customer_id)
    return sales.update_draft(user, cart.id, customer=customer_id)
