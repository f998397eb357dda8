"""When the jobs run: Huey's own scheduler asked what is due at given moments (server in UTC,
stores in Douala), a failing job logged and retried, `make run`'s in-process consumer running
the periodic jobs, and `flask alerts run`."""
import logging
import signal
import time
from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from app.alerts import services, tasks
from app.alerts.models import LOW_STOCK, NEW, Alert
from app.catalog.models import Product
from app.extensions import bind_jobs, db, huey, start_in_process_consumer
from tests.factories import make_product, put_in_stock, store_by_code


def utc(*parts):
    return datetime(*parts, tzinfo=timezone.utc)


@pytest.fixture(autouse=True)
def empty_queue():
    huey.flush()
    yield
    huey.flush()


def test_daily_jobs_are_due_at_the_stores_local_hour(app):
    with app.app_context():
        both = sorted([store_by_code("DLA1").id, store_by_code("YDE1").id])
        # 21:59 in Douala is 20:59 UTC: nothing daily, nothing at all (minute 59)
        assert tasks.due_jobs(utc(2026, 12, 4, 20, 59)) == {}
        # 22:00 in Douala = 21:00 UTC: the discount check for both stores, and the half-hourly one
        assert tasks.due_jobs(utc(2026, 12, 4, 21, 0)) == {"check_abnormal_discounts": both,
                                                           "check_pending_payments": both}
        # 23:00 in Douala = 22:00 UTC: the cash variances; the low stock check (every 2 h) too
        assert tasks.due_jobs(utc(2026, 12, 4, 22, 0)) == {"check_cash_variance": both,
                                                           "check_low_stock": both,
                                                           "check_pending_payments": both}
        assert tasks.due_jobs(utc(2026, 12, 4, 22, 30)) == {"check_pending_payments": both}
        # 08:00 in Douala is 07:00 UTC (the overdue credit job's hour), not 08:00 UTC
        assert services.stores_at_local_hour(8, utc(2026, 12, 4, 7, 0)) == both
        assert services.stores_at_local_hour(8, utc(2026, 12, 4, 8, 0)) == []


def test_a_store_in_another_zone_gets_its_own_22_00(app):
    with app.app_context():
        yde = store_by_code("YDE1")
        yde.timezone = "America/New_York"  # UTC-5 in December
        db.session.commit()
        dla = store_by_code("DLA1").id
        assert tasks.due_jobs(utc(2026, 12, 4, 21, 0))["check_abnormal_discounts"] == [dla]
        assert tasks.due_jobs(utc(2026, 12, 5, 3, 0))["check_abnormal_discounts"] == [yde.id]


def test_every_job_of_the_table_is_a_periodic_task():
    names = {task.name for task in huey._registry.periodic_tasks}
    assert set(services.JOBS) <= names


def low_stock_cause():
    product = make_product("ALR-SCH", reorder_level=4)
    put_in_stock(store_by_code("DLA1"), product, 1)
    return f"product:{product.id}"


def open_alerts(key):
    return db.session.execute(select(Alert).where(Alert.cause_key == key, Alert.type == LOW_STOCK,
                                                  Alert.status == NEW)).scalars().all()


def test_a_failing_job_is_logged_with_its_traceback_retried_and_stops_no_other(app, monkeypatch, caplog):
    real_run_job = services.run_job

    def failing(name, **kwargs):
        if name == "check_pending_payments":
            raise RuntimeError("base injoignable")
        return real_run_job(name, **kwargs)

    monkeypatch.setattr(services, "run_job", failing)
    with app.app_context():
        key = low_stock_cause()
        with caplog.at_level(logging.ERROR):
            tasks.check_pending_payments()  # immediate mode in tests: runs now, as a worker would
        logged = [r for r in caplog.records if "check_pending_payments failed" in r.getMessage()]
        assert logged and logged[0].exc_info and "base injoignable" in caplog.text
        retries = [t for t in huey.scheduled() if t.name == "check_pending_payments"]
        assert [t.retries for t in retries] == [1]  # Huey will run it again

        tasks.check_low_stock()
        assert len(open_alerts(key)) == 1


def test_make_run_in_process_consumer_runs_the_periodic_jobs(app, monkeypatch):
    """The consumer `python run.py` starts (no REDIS_URL), with Huey's clock at 22:00 UTC, when
    the low stock job is due: its worker thread runs it and the alert appears."""
    monkeypatch.delenv("REDIS_URL", raising=False)
    with app.app_context():
        key = low_stock_cause()
        db.session.remove()
    bind_jobs(app)
    monkeypatch.setattr(huey, "_get_timestamp", lambda: datetime(2026, 12, 4, 22, 0))
    handlers = signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)
    huey.immediate = False
    consumer = start_in_process_consumer()
    try:
        deadline = time.monotonic() + 20
        found = []
        while time.monotonic() < deadline and not found:
            time.sleep(0.2)
            with app.app_context():
                found = open_alerts(key)
                db.session.remove()
        assert len(found) == 1
    finally:
        consumer.stop(graceful=True)
        huey.immediate = True
        signal.signal(signal.SIGINT, handlers[0])
        signal.signal(signal.SIGTERM, handlers[1])


def test_no_in_process_consumer_when_redis_runs_the_jobs(monkeypatch):
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/0")
    assert start_in_process_consumer() is None


def test_flask_alerts_run_prints_what_it_raised_and_resolved(app):
    with app.app_context():
        key = low_stock_cause()
        product_id = int(key.split(":")[1])
    runner = app.test_cli_runner()
    first = runner.invoke(args=["alerts", "run", "check_low_stock"])
    assert first.exit_code == 0, first.output
    assert "raised" in first.output and "ALR-SCH" in first.output
    again = runner.invoke(args=["alerts", "run", "check_low_stock"])
    assert again.output.strip().endswith("check_low_stock: 0 raised, 0 resolved")
    with app.app_context():
        put_in_stock(store_by_code("DLA1"), db.session.get(Product, product_id), 10)
    gone = runner.invoke(args=["alerts", "run", "check_low_stock"])
    assert "resolved" in gone.output and "1 resolved" in gone.output
    unknown = runner.invoke(args=["alerts", "run", "check_everything"])
    assert unknown.exit_code != 0
