"""Two runs of one job at once on PostgreSQL: one open alert per cause (the partial unique index)."""
from sqlalchemy import func, select

from app.alerts import services
from app.alerts.models import LOW_STOCK, OPEN_STATUSES, Alert
from app.extensions import db
from tests.factories import make_product, put_in_stock, store_by_code
from tests.sales.test_concurrency import run_together


def test_runs_at_once_raise_one_alert_per_cause(postgres):
    app = postgres
    with app.app_context():
        dla = store_by_code("DLA1")
        products = [make_product(f"ALR-CC{i}", reorder_level=3) for i in range(5)]
        for product in products:
            put_in_stock(dla, product, 1)
        keys = [f"product:{p.id}" for p in products]
        db.session.remove()

    outcomes = run_together(app, 6, lambda index: services.run_job("check_low_stock"))
    assert all(not isinstance(result, Exception) for _, result in outcomes), outcomes

    with app.app_context():
        counts = dict(db.session.execute(
            select(Alert.cause_key, func.count()).where(Alert.type == LOW_STOCK, Alert.cause_key.in_(keys),
                                                       Alert.status.in_(OPEN_STATUSES))
            .group_by(Alert.cause_key)).all())
        assert counts == {key: 1 for key in keys}
        raised = [row for _, result in outcomes for row in result.raised
                  if row[2] and any(p.name in row[2] for p in products)]
        assert len(raised) == 5  # each cause raised by exactly one of the six runs


def test_the_database_refuses_a_second_open_alert_for_one_cause(postgres):
    import pytest
    from sqlalchemy.exc import IntegrityError

    with postgres.app_context():
        dla = store_by_code("DLA1")
        for _ in range(2):
            db.session.add(Alert(type=LOW_STOCK, severity="WARNING", store_id=dla.id, message="x",
                                 object_type="Product", object_id=1, cause_key="product:1"))
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()
