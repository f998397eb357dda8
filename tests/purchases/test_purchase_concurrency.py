"""Receipts and order numbers under concurrency, on PostgreSQL with threads and a barrier."""
import re
from collections import defaultdict

from sqlalchemy import select

from app.core.errors import DomainError
from app.extensions import db
from app.purchases import services
from app.purchases.models import GoodsReceiptLine, PurchaseOrder
from app.stock import services as stock
from app.stock.models import InventoryMovement
from tests.purchases.fixtures import sent_order, user
from tests.sales.test_concurrency import run_together


def test_two_receipts_of_the_last_five_units_at_once(postgres, shop):
    app = postgres
    with app.app_context():
        order = sent_order(shop, [(shop.router, 12, "12000")])
        line_id = order.lines[0].id
        services.receive_goods(user(shop.stocker), order.id, [{"line": line_id, "quantity": 7}])
        order_id = order.id
        db.session.remove()

    outcomes = run_together(app, 2, lambda i: services.receive_goods(
        user(shop.stocker if i else shop.manager), order_id, [{"line": line_id, "quantity": 5}]).id)

    results = [result for _, result in outcomes]
    assert sum(isinstance(r, int) for r in results) == 1, results
    refused = [r for r in results if not isinstance(r, int)]
    assert isinstance(refused[0], DomainError) and refused[0].status == 409, refused
    with app.app_context():
        order = db.session.get(PurchaseOrder, order_id)
        assert (order.status, order.lines[0].received_quantity) == ("RECEIVED", 12)
        assert stock.stock_of(shop.dla, shop.router).quantity == 12
        assert stock.ledger_sum(shop.dla, shop.router) == 12
        received = db.session.execute(select(GoodsReceiptLine.quantity)
                                      .where(GoodsReceiptLine.order_line_id == line_id)).scalars().all()
        assert sorted(received) == [5, 7]


def test_one_serial_received_twice_at_once(postgres, shop):
    """Two orders (two stores) receive the same new IMEI at the same moment: one unit enters stock."""
    app = postgres
    with app.app_context():
        orders = [sent_order(shop, [(shop.phone, 1, "80000")], store=store) for store in (shop.dla, shop.yde)]
        targets = [(o.id, o.lines[0].id) for o in orders]
        db.session.remove()

    outcomes = run_together(app, 2, lambda i: services.receive_goods(
        user(shop.manager), targets[i][0], [{"line": targets[i][1], "quantity": 1, "serials": ["IMEI-RACE"]}]).id)

    results = [result for _, result in outcomes]
    assert sum(isinstance(r, int) for r in results) == 1, results
    with app.app_context():
        movements = db.session.execute(select(InventoryMovement).where(
            InventoryMovement.product_id == shop.phone)).scalars().all()
        assert len(movements) == 1


def test_order_numbers_are_gapless_per_store_under_concurrency(postgres, shop):
    app = postgres
    with app.app_context():
        drafts = []
        for index in range(8):
            store = shop.dla if index % 2 else shop.yde
            order = services.create_order(user(shop.manager), store, shop.cfao,
                                          [{"product": shop.cable, "quantity": 10 + index, "unit_cost": 800}])
            drafts.append(order.id)
        db.session.remove()

    outcomes = run_together(app, 8, lambda i: services.send_order(
        user(shop.manager), db.session.get(PurchaseOrder, drafts[i])).number)

    numbers = [result for _, result in outcomes]
    assert all(isinstance(n, str) for n in numbers), numbers
    by_store = defaultdict(list)
    for number in numbers:
        store, kind, year, value = re.fullmatch(r"(\w+)-(BC)-(\d{4})-(\d{6})", number).groups()
        by_store[store].append(int(value))
    assert {store: sorted(values) for store, values in by_store.items()} == {"DLA1": [1, 2, 3, 4],
                                                                             "YDE1": [1, 2, 3, 4]}
