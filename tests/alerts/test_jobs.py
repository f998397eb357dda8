"""Each job: build the cause, run, one alert; run again, still one; remove the cause, run, RESOLVED;
the cause back after RESOLVED raises a new alert. Plus the 30-minute pending boundary."""
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy import select, update

from app.alerts import services
from app.alerts.models import (ABNORMAL_DISCOUNT, CASH_VARIANCE, LOW_STOCK, NEW, PENDING_PAYMENT, RESOLVED,
                               SELLER_DISCOUNT, Alert)
from app.cashier import services as till
from app.catalog.models import Product
from app.core.models import utcnow
from app.extensions import db
from app.sales.models import CANCELLED, PENDING_PAYMENT as SALE_PENDING, Sale
from app.stock.models import ProductStock
from tests.factories import (make_draft, make_pending_sale, make_product, make_user, open_shift_for, put_in_stock,
                             store_by_code, user_by_email)


def alerts_for(cause_key, alert_type):
    return db.session.execute(select(Alert).where(Alert.cause_key == cause_key, Alert.type == alert_type)
                              .order_by(Alert.id)).scalars().all()


def test_low_stock_raised_once_resolved_and_raised_again(app):
    with app.app_context():
        dla, yde = store_by_code("DLA1"), store_by_code("YDE1")
        product = make_product("ALR-LOW", "Routeur test", reorder_level=5)
        put_in_stock(dla, product, 3)
        put_in_stock(yde, product, 20)
        key = f"product:{product.id}"

        result = services.run_job("check_low_stock")
        alerts = alerts_for(key, LOW_STOCK)
        assert [(a.store_id, a.status, a.severity) for a in alerts] == [(dla.id, NEW, "WARNING")]
        assert alerts[0].object_type == "Product" and alerts[0].object_id == product.id
        assert "Routeur test" in alerts[0].message and "3 disponible" in alerts[0].message
        assert alerts[0].id in [row[0] for row in result.raised]

        again = services.run_job("check_low_stock")
        assert len(alerts_for(key, LOW_STOCK)) == 1
        assert again.raised == []

        put_in_stock(dla, product, 10)  # 13 > 5: the cause has gone
        gone = services.run_job("check_low_stock")
        alerts = alerts_for(key, LOW_STOCK)
        assert [a.status for a in alerts] == [RESOLVED] and alerts[0].resolved_at is not None
        assert [row[0] for row in gone.resolved] == [alerts[0].id]

        put_in_stock(dla, product, -13)  # out of stock: back, a new alert, critical
        services.run_job("check_low_stock")
        alerts = alerts_for(key, LOW_STOCK)
        assert [(a.status, a.severity) for a in alerts] == [(RESOLVED, "WARNING"), (NEW, "CRITICAL")]


def test_low_stock_counts_reserved_units_and_ignores_inactive_products(app):
    with app.app_context():
        dla = store_by_code("DLA1")
        product = make_product("ALR-RES", reorder_level=2)
        put_in_stock(dla, product, 4)
        services.run_job("check_low_stock")
        assert alerts_for(f"product:{product.id}", LOW_STOCK) == []
        db.session.execute(update(ProductStock).where(ProductStock.product_id == product.id).values(reserved=2))
        db.session.commit()
        services.run_job("check_low_stock")
        assert len(alerts_for(f"product:{product.id}", LOW_STOCK)) == 1
        db.session.execute(update(Product).where(Product.id == product.id).values(is_active=False))
        db.session.commit()
        services.run_job("check_low_stock")
        assert [a.status for a in alerts_for(f"product:{product.id}", LOW_STOCK)] == [RESOLVED]


@pytest.fixture
def pending_sale(app):
    """A sale of DLA1 waiting for payment, submitted at a known moment; the store's limit is 30 min."""
    with app.app_context():
        dla = store_by_code("DLA1")
        dla.pending_payment_limit_minutes = 30
        db.session.commit()
        product = make_product("ALR-PND", sale_price="20000")
        put_in_stock(dla, product, 5)
        sale = make_pending_sale(dla, user_by_email("vendeur1@boutique.cm"), [(product, 1)])
        submitted = datetime(2026, 12, 4, 9, 0, 0, tzinfo=timezone.utc)
        db.session.execute(update(Sale).where(Sale.id == sale.id).values(submitted_at=submitted))
        db.session.commit()
        return sale.id, submitted


def test_pending_payment_boundary_is_thirty_minutes(app, pending_sale):
    sale_id, submitted = pending_sale
    with app.app_context():
        key = f"sale:{sale_id}"
        services.run_job("check_pending_payments", now=submitted + timedelta(minutes=30))
        assert alerts_for(key, PENDING_PAYMENT) == []  # exactly the limit: not longer than it
        services.run_job("check_pending_payments", now=submitted + timedelta(minutes=30, seconds=1))
        alerts = alerts_for(key, PENDING_PAYMENT)
        assert len(alerts) == 1 and alerts[0].object_type == "Sale" and "30 min" in alerts[0].message
        services.run_job("check_pending_payments", now=submitted + timedelta(minutes=31))
        assert len(alerts_for(key, PENDING_PAYMENT)) == 1


def test_pending_payment_resolved_when_paid_or_cancelled(app, pending_sale):
    sale_id, submitted = pending_sale
    with app.app_context():
        key = f"sale:{sale_id}"
        later = submitted + timedelta(hours=1)
        services.run_job("check_pending_payments", now=later)
        assert [a.status for a in alerts_for(key, PENDING_PAYMENT)] == [NEW]
        db.session.execute(update(Sale).where(Sale.id == sale_id).values(status=CANCELLED, cancelled_at=later))
        db.session.commit()
        services.run_job("check_pending_payments", now=later)
        assert [a.status for a in alerts_for(key, PENDING_PAYMENT)] == [RESOLVED]


def test_pending_payment_limit_is_per_store(app, pending_sale):
    sale_id, submitted = pending_sale
    with app.app_context():
        dla = store_by_code("DLA1")
        dla.pending_payment_limit_minutes = 120
        db.session.commit()
        services.run_job("check_pending_payments", now=submitted + timedelta(minutes=90))
        assert alerts_for(f"sale:{sale_id}", PENDING_PAYMENT) == []


def discounted_sale(store, seller, product, unit_price, submitted_at):
    """A submitted sale at `unit_price` (its approval is not what these checks look at)."""
    sale = make_draft(store, seller, [(product, 1, unit_price)])
    db.session.execute(update(Sale).where(Sale.id == sale.id).values(
        status=SALE_PENDING, number=f"{store.code}-T-{sale.id}", submitted_at=submitted_at))
    db.session.commit()
    return sale.id


def test_abnormal_discounts_per_sale_and_per_seller(app):
    with app.app_context():
        dla = store_by_code("DLA1")
        now = utcnow()
        product = make_product("ALR-DSC", sale_price="100000")
        seller = user_by_email("vendeur1@boutique.cm")
        other = make_user("vendeur2@boutique.cm", "vendeur123!", "SALES", [dla])
        big = discounted_sale(dla, seller, product, "75000", now - timedelta(hours=2))  # 25 % off
        for _ in range(3):
            discounted_sale(dla, other, product, "100000", now - timedelta(hours=3))  # no discount

        services.run_job("check_abnormal_discounts", now=now)
        services.run_job("check_abnormal_discounts", now=now)
        sale_alerts = alerts_for(f"sale:{big}", ABNORMAL_DISCOUNT)
        assert [(a.status, a.object_type) for a in sale_alerts] == [(NEW, "Sale")]
        assert "25.0 %" in sale_alerts[0].message
        seller_alerts = alerts_for(f"user:{seller.id}", SELLER_DISCOUNT)
        assert [(a.status, a.object_id) for a in seller_alerts] == [(NEW, seller.id)]
        assert alerts_for(f"user:{other.id}", SELLER_DISCOUNT) == []

        db.session.execute(update(Sale).where(Sale.id == big).values(status=CANCELLED, cancelled_at=now))
        db.session.commit()
        services.run_job("check_abnormal_discounts", now=now)
        assert [a.status for a in alerts_for(f"sale:{big}", ABNORMAL_DISCOUNT)] == [RESOLVED]
        assert [a.status for a in alerts_for(f"user:{seller.id}", SELLER_DISCOUNT)] == [RESOLVED]


def test_a_discount_under_the_threshold_raises_nothing(app):
    with app.app_context():
        dla = store_by_code("DLA1")
        product = make_product("ALR-DS2", sale_price="100000")
        sale_id = discounted_sale(dla, user_by_email("vendeur1@boutique.cm"), product, "92000", utcnow())
        services.run_job("check_abnormal_discounts")
        assert alerts_for(f"sale:{sale_id}", ABNORMAL_DISCOUNT) == []  # 8 % < 10 %


def close_with_variance(cashier, store, variance):
    shift = open_shift_for(cashier, store, "50000")
    return till.close_shift(cashier, shift.id, str(Decimal("50000") + Decimal(variance)))


def test_repeated_cash_variances(app):
    with app.app_context():
        dla = store_by_code("DLA1")
        cashier = user_by_email("caissier@boutique.cm")
        key = f"user:{cashier.id}"
        close_with_variance(cashier, dla, "-3000")
        close_with_variance(cashier, dla, "500")  # within the 1,000 tolerance: not counted
        close_with_variance(cashier, dla, "2500")
        services.run_job("check_cash_variance")
        assert alerts_for(key, CASH_VARIANCE) == []  # two of three needed

        close_with_variance(cashier, dla, "-1500")
        services.run_job("check_cash_variance")
        services.run_job("check_cash_variance")
        alerts = alerts_for(key, CASH_VARIANCE)
        assert [(a.status, a.object_type, a.object_id) for a in alerts] == [(NEW, "User", cashier.id)]
        assert "3 écarts" in alerts[0].message

        # a month later those shifts are out of the window: the cause has gone
        services.run_job("check_cash_variance", now=utcnow() + timedelta(days=31))
        assert [a.status for a in alerts_for(key, CASH_VARIANCE)] == [RESOLVED]


def test_a_daily_job_run_by_the_scheduler_checks_only_the_stores_at_its_hour(app):
    with app.app_context():
        dla, yde = store_by_code("DLA1"), store_by_code("YDE1")
        yde.timezone = "Europe/Moscow"  # UTC+3: 22:00 there is 19:00 UTC
        db.session.commit()
        product = make_product("ALR-HR", sale_price="100000")
        seller = user_by_email("admin@boutique.cm")  # sells in both stores
        moment = datetime(2026, 12, 4, 21, 0, tzinfo=timezone.utc)  # 22:00 in Douala
        in_dla = discounted_sale(dla, seller, product, "50000", moment - timedelta(hours=1))
        in_yde = discounted_sale(yde, seller, product, "50000", moment - timedelta(hours=1))
        assert services.stores_at_local_hour(22, moment) == [dla.id]
        services.run_job("check_abnormal_discounts", now=moment, scheduled=True)
        assert len(alerts_for(f"sale:{in_dla}", ABNORMAL_DISCOUNT)) == 1
        assert alerts_for(f"sale:{in_yde}", ABNORMAL_DISCOUNT) == []
        # and a scheduled run at another hour checks nothing
        result = services.run_job("check_abnormal_discounts", now=moment + timedelta(hours=1), scheduled=True)
        assert result.raised == result.resolved == []
