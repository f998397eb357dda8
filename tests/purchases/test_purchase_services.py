"""Orders, receipts and the weighted average cost through the services (SPEC §7)."""
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.cashier import services as till
from app.core.errors import InvalidTransition, ValidationFailed
from app.extensions import db
from app.catalog.models import Product
from app.purchases import services
from app.purchases.models import PurchaseOrder
from app.stock import services as stock
from app.stock.models import InventoryMovement, SerialNumber
from app.stock.services import SerialNotAvailable
from tests.factories import make_pending_sale, open_shift_for, put_in_stock, store_by_code
from tests.purchases.fixtures import sent_order, user


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield
        db.session.remove()


def cost_of(product_id):
    db.session.expire_all()
    return db.session.get(Product, product_id).cost_price


def receive(shop, order, *pairs, who=None):
    """pairs: (product id, quantity) or (product id, quantity, serials)."""
    by_product = {line.product_id: line.id for line in order.lines}
    lines = [{"line": by_product[p[0]], "quantity": p[1], **({"serials": p[2]} if len(p) > 2 else {})} for p in pairs]
    return services.receive_goods(user(who or shop.stocker), order.id, lines)


def test_weighted_average_cost_with_stock_in_two_stores(ctx, shop):
    """6 units in Douala and 4 in Yaoundé at 10 000 F; Douala receives 5 at 13 000 F:
    (10 × 10 000 + 5 × 13 000) / 15 = 11 000 F, company-wide. Then 5 more: (15 × 11 000 + 5 × 13 000) / 20 = 11 500."""
    put_in_stock(store_by_code("DLA1"), db.session.get(Product, shop.router), 6)
    put_in_stock(store_by_code("YDE1"), db.session.get(Product, shop.router), 4)
    order = sent_order(shop, [(shop.router, 10, "13000")])

    receipt = receive(shop, order, (shop.router, 5))

    line = receipt.lines[0]
    assert (line.on_hand_before, line.cost_before, line.unit_cost, line.cost_after) == (
        10, Decimal("10000.00"), Decimal("13000.00"), Decimal("11000.00"))
    assert cost_of(shop.router) == Decimal("11000.00")
    assert stock.stock_of(shop.dla, shop.router).quantity == 11
    assert stock.stock_of(shop.yde, shop.router).quantity == 4
    movement = db.session.execute(select(InventoryMovement).where(
        InventoryMovement.product_id == shop.router, InventoryMovement.type == "PURCHASE")).scalar_one()
    assert (movement.quantity, movement.unit_cost, movement.reference) == (5, Decimal("13000.00"), order.number)
    assert db.session.get(PurchaseOrder, order.id).status == "PARTIALLY_RECEIVED"

    receive(shop, order, (shop.router, 5))
    assert cost_of(shop.router) == Decimal("11500.00")
    assert db.session.get(PurchaseOrder, order.id).status == "RECEIVED"


def test_the_average_is_rounded_to_the_franc():
    # (3 × 10 000 + 4 × 12 001) / 7 = 11 143.43 -> 11 143; nothing on hand: the unit cost itself
    assert services.weighted_average_cost(3, Decimal("10000"), 4, Decimal("12001")) == Decimal("11143")
    assert services.weighted_average_cost(1, Decimal("1"), 1, Decimal("2")) == Decimal("2")  # 1.5 rounds up
    assert services.weighted_average_cost(0, Decimal("10000"), 4, Decimal("12500")) == Decimal("12500")


def test_state_machine(ctx, shop):
    manager = user(shop.manager)
    order = services.create_order(manager, shop.dla, shop.cfao, [{"product": shop.router, "quantity": 2,
                                                                  "unit_cost": 12000}])
    assert (order.status, order.number) == ("DRAFT", None)
    with pytest.raises(InvalidTransition):  # a draft is not received
        receive(shop, order, (shop.router, 1))
    services.update_order(manager, order, note="Livraison avant vendredi",
                          lines=[{"product": shop.router, "quantity": 3, "unit_cost": 12500}])
    order = services.send_order(manager, order)
    assert order.status == "SENT" and order.number.startswith("DLA1-BC-")
    with pytest.raises(InvalidTransition):
        services.send_order(manager, order)
    with pytest.raises(InvalidTransition):  # a sent order is no longer edited
        services.update_order(manager, order, note="x")
    receive(shop, order, (shop.router, 1))
    assert db.session.get(PurchaseOrder, order.id).status == "PARTIALLY_RECEIVED"
    receive(shop, order, (shop.router, 2))
    assert db.session.get(PurchaseOrder, order.id).status == "RECEIVED"
    with pytest.raises(InvalidTransition):
        services.cancel_order(manager, order, "Trop tard")
    with pytest.raises(InvalidTransition):
        receive(shop, order, (shop.router, 1))


def test_cancel_needs_a_reason_once_sent_and_stops_receipts(ctx, shop):
    manager = user(shop.manager)
    draft = services.create_order(manager, shop.dla, shop.cfao, [])
    assert services.cancel_order(manager, draft).status == "CANCELLED"
    order = sent_order(shop, [(shop.cable, 50, "800")])
    receive(shop, order, (shop.cable, 20))
    with pytest.raises(ValidationFailed):
        services.cancel_order(manager, order, "  ")
    order = services.cancel_order(manager, order, "Le fournisseur ne livrera pas le reste")
    assert order.status == "CANCELLED" and order.lines[0].received_quantity == 20
    assert stock.stock_of(shop.dla, shop.cable).quantity == 20  # what arrived stays
    with pytest.raises(InvalidTransition):
        receive(shop, order, (shop.cable, 1))


def test_an_empty_order_is_not_sent(ctx, shop):
    order = services.create_order(user(shop.manager), shop.dla, shop.cfao, [])
    with pytest.raises(ValidationFailed):
        services.send_order(user(shop.manager), order)


def test_a_receipt_never_exceeds_what_is_due(ctx, shop):
    order = sent_order(shop, [(shop.router, 5, "12000")])
    receive(shop, order, (shop.router, 3))
    with pytest.raises(services.OverReceipt) as error:
        receive(shop, order, (shop.router, 3))
    assert error.value.status == 409 and "2" in error.value.message
    db.session.rollback()
    assert stock.stock_of(shop.dla, shop.router).quantity == 3
    assert db.session.get(PurchaseOrder, order.id).lines[0].received_quantity == 3


def test_another_stores_order_is_not_found(ctx, shop):
    from tests.factories import make_user

    order = sent_order(shop, [(shop.router, 5, "12000")], store=shop.yde)
    outsider = make_user("stock.dla@boutique.cm", "stock123!", "STOCKER", [store_by_code("DLA1")])
    with pytest.raises(ValidationFailed) as error:
        services.receive_goods(outsider, order.id, [{"line": order.lines[0].id, "quantity": 1}])
    assert "purchase_order" in error.value.errors


def test_serials_are_received_once_only(ctx, shop):
    order = sent_order(shop, [(shop.phone, 3, "80000")])
    with pytest.raises(ValidationFailed):  # one serial per unit
        receive(shop, order, (shop.phone, 2, ["IMEI-1"]))
    db.session.rollback()
    receive(shop, order, (shop.phone, 2, ["IMEI-1", "IMEI-2"]))
    units = db.session.execute(select(SerialNumber.serial, SerialNumber.status, SerialNumber.store_id)
                               .where(SerialNumber.product_id == shop.phone).order_by(SerialNumber.serial)).all()
    assert [tuple(u) for u in units] == [("IMEI-1", "IN_STOCK", shop.dla), ("IMEI-2", "IN_STOCK", shop.dla)]

    with pytest.raises(SerialNotAvailable):  # the same unit again, on the same order...
        receive(shop, order, (shop.phone, 1, ["IMEI-2"]))
    db.session.rollback()
    other = sent_order(shop, [(shop.phone, 1, "80000")], store=shop.yde)
    with pytest.raises(SerialNotAvailable):  # ... or on another one
        receive(shop, other, (shop.phone, 1, ["IMEI-1"]))
    db.session.rollback()
    assert db.session.get(PurchaseOrder, order.id).lines[0].received_quantity == 2
    assert stock.stock_of(shop.dla, shop.phone).quantity == 2


def _cost_of_goods_sold(sale_id):
    rows = db.session.execute(select(InventoryMovement.quantity, InventoryMovement.unit_cost).where(
        InventoryMovement.reference_type == "Sale", InventoryMovement.reference_id == sale_id,
        InventoryMovement.type == "SALE")).all()
    return sum(-quantity * unit_cost for quantity, unit_cost in rows)


def test_a_sales_margin_is_unchanged_by_a_later_receipt(ctx, shop):
    dla = store_by_code("DLA1")
    receive(shop, sent_order(shop, [(shop.router, 4, "10000")]), (shop.router, 4))  # 4 at 10 000
    seller, cashier = user(shop.seller), user(shop.cashier)
    sale = make_pending_sale(dla, seller, [(db.session.get(Product, shop.router), 2)])
    open_shift_for(cashier, dla)
    till.take_payment(user(shop.cashier), sale.id, "CASH", sale.total, tendered=sale.total)
    db.session.expire_all()
    from app.sales.models import Sale

    sale = db.session.get(Sale, sale.id)
    assert sale.status == "PAID"
    revenue_ht = sale.total - sale.tax_total
    margin = revenue_ht - _cost_of_goods_sold(sale.id)
    assert _cost_of_goods_sold(sale.id) == Decimal("20000.00")

    receive(shop, sent_order(shop, [(shop.router, 2, "19000")]), (shop.router, 2))  # (2 × 10 000 + 2 × 19 000) / 4
    assert cost_of(shop.router) == Decimal("14500.00")
    assert revenue_ht - _cost_of_goods_sold(sale.id) == margin  # the cost the sale carried, not today's


def test_returns_record_their_cost_too(ctx, shop):
    put_in_stock(store_by_code("DLA1"), db.session.get(Product, shop.cable), 5, "RETURN")
    movement = db.session.execute(select(InventoryMovement).where(InventoryMovement.product_id == shop.cable)
                                  ).scalar_one()
    assert movement.unit_cost == Decimal("900.00")
    put_in_stock(store_by_code("DLA1"), db.session.get(Product, shop.cable), 5)  # an adjustment carries none
    assert db.session.execute(select(InventoryMovement.unit_cost).where(
        InventoryMovement.type == "ADJUSTMENT", InventoryMovement.product_id == shop.cable)).scalar_one() is None


def test_order_what_is_missing(ctx, shop):
    """Router: 1 left for a level of 3 (last bought from Sonic at 11 000, 2 still due on an open order);
    cable: 4 left for a level of 10 (from CFAO); phone: at its level but never bought (left out)."""
    dla = store_by_code("DLA1")
    put_in_stock(dla, db.session.get(Product, shop.cable), 4)
    receive(shop, sent_order(shop, [(shop.cable, 10, "850")], store=shop.yde), (shop.cable, 10))
    router_order = sent_order(shop, [(shop.router, 3, "11000")], supplier=shop.sonic)
    receive(shop, router_order, (shop.router, 1))  # 1 in DLA1, 2 still due
    stock.receive_serials(shop.dla, shop.phone, ["IMEI-9", "IMEI-8"], "ADJUSTMENT", note="trouvé")
    db.session.commit()

    orders, left_out = services.order_what_is_missing(user(shop.manager), shop.dla)

    lines = {(o.supplier_id, line.product_id): (line.quantity, line.unit_cost) for o in orders for line in o.lines}
    assert all(o.status == "DRAFT" and o.store_id == shop.dla for o in orders)
    # router: 2 × 3 - 1 available - 2 on order = 3 ; cable: 2 × 10 - 4 = 16 at CFAO's last cost
    assert lines == {(shop.sonic, shop.router): (3, Decimal("11000.00")),
                     (shop.cfao, shop.cable): (16, Decimal("850.00"))}
    left_out_ids = {s["product"].id for s in left_out}  # (demo products never bought are left out too)
    assert shop.phone in left_out_ids and not left_out_ids & {shop.router, shop.cable}
    again, _ = services.order_what_is_missing(user(shop.manager), shop.dla)
    assert again == []  # the drafts count as on order
