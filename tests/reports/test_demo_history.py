"""`flask seed-demo-data`: deterministic, ledgers consistent, snapshots written, figures to show."""
from sqlalchemy import func, select

from app.extensions import db
from app.reports.models import KPISnapshot
from app.sales.models import Sale
from app.stock.models import InventoryMovement, ProductStock


def test_seed_demo_data_writes_a_consistent_history(app):
    result = app.test_cli_runner().invoke(args=["seed-demo-data", "--days", "4", "--stores", "3"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.execute(select(func.count(KPISnapshot.id))).scalar() == 4 * 3
        paid = db.session.execute(select(func.count(Sale.id)).where(Sale.status == "PAID")).scalar()
        assert paid > 4 * 3 * 5
        # the stock is the sum of its movements, for every store and product
        sums = dict(((s, p), q) for s, p, q in db.session.execute(
            select(InventoryMovement.store_id, InventoryMovement.product_id, func.sum(InventoryMovement.quantity))
            .group_by(InventoryMovement.store_id, InventoryMovement.product_id)).all())
        for row in db.session.execute(select(ProductStock)).scalars():
            assert row.quantity == sums.get((row.store_id, row.product_id), 0)
        numbers = list(db.session.execute(select(Sale.number).order_by(Sale.number)).scalars())
    again = app.test_cli_runner().invoke(args=["seed-demo-data", "--reset", "--days", "4", "--stores", "3"])
    assert again.exit_code == 0, again.output
    with app.app_context():
        assert list(db.session.execute(select(Sale.number).order_by(Sale.number)).scalars()) == numbers
