"""Bench: the 30-day KPIs and the dashboard page on a long demo history, beside hand-written SQL.

    .venv/bin/python bench/reports.py                    # seed-demo-data --days 730 --stores 5
    .venv/bin/python bench/reports.py --days 120 --stores 3 --runs 30

A scratch PostgreSQL database (BENCH_DATABASE_URL's server, default the local one) is migrated,
seeded with `flask seed-data` and `seed-demo-data --days N --stores M` (its past days' KPI
snapshots included, as the 01:00 job writes them), timed, and dropped. Printed, p50 / p95 in ms:
- `compute_kpis` for all the stores over the last 30 days (what the API and the dashboard call:
  29 days from the snapshots, today live);
- the dashboard page (GET / as ADMIN, every store: today, the same weekday last week, 30 days,
  the daily series, the alerts) through the whole app with Flask's test client;
- the same 30-day KPIs as hand-written SQL over the base tables (sales, items, movements,
  payments, refunds), sent by psycopg alone.
Targets: dashboard p95 under 300 ms and within 3x of the SQL.
"""
import argparse
import os
import statistics
import sys
import time
import uuid
from datetime import timedelta

import psycopg
from sqlalchemy.engine import make_url

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import config  # noqa: E402

SERVER = os.environ.get("BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")

HAND_SQL = """
WITH bounds AS (SELECT id AS store_id, (%(first)s::date)::timestamp AT TIME ZONE timezone AS t0,
                       (%(last)s::date + 1)::timestamp AT TIME ZONE timezone AS t1 FROM store WHERE is_active),
paid AS (SELECT s.* FROM sale s JOIN bounds b ON b.store_id = s.store_id AND s.paid_at >= b.t0 AND s.paid_at < b.t1),
refunds AS (SELECT r.amount, ROUND(r.amount * (s.total - s.tax_total) / NULLIF(s.total, 0)) AS ht
            FROM refund r JOIN sale s ON s.id = r.sale_id
            JOIN bounds b ON b.store_id = r.store_id AND r.created_at >= b.t0 AND r.created_at < b.t1)
SELECT (SELECT COALESCE(SUM(total), 0) FROM paid) - (SELECT COALESCE(SUM(amount), 0) FROM refunds) AS revenue,
       (SELECT COALESCE(SUM(total - tax_total), 0) FROM paid) - (SELECT COALESCE(SUM(ht), 0) FROM refunds) AS revenue_ht,
       (SELECT COUNT(*) FROM paid) AS sales_count,
       (SELECT COALESCE(SUM(i.quantity), 0) FROM sale_item i JOIN paid p ON p.id = i.sale_id) AS items,
       (SELECT COALESCE(SUM(-m.quantity * m.unit_cost), 0) FROM inventory_movement m JOIN paid p
          ON m.reference_type = 'Sale' AND m.reference_id = p.id WHERE m.type = 'SALE') AS cost_out,
       (SELECT COALESCE(SUM(m.quantity * m.unit_cost), 0) FROM inventory_movement m JOIN bounds b
          ON b.store_id = m.store_id AND m.created_at >= b.t0 AND m.created_at < b.t1 WHERE m.type = 'RETURN') AS cost_back,
       (SELECT json_object_agg(method, amount) FROM (SELECT method, SUM(amount) AS amount FROM payment y JOIN bounds b
          ON b.store_id = y.store_id AND y.created_at >= b.t0 AND y.created_at < b.t1 GROUP BY method) x) AS methods,
       (SELECT json_agg(x) FROM (SELECT i.product_id, SUM(i.quantity) q, SUM(i.line_total) a FROM sale_item i
          JOIN paid p ON p.id = i.sale_id GROUP BY i.product_id ORDER BY a DESC LIMIT 5) x) AS top_products,
       (SELECT json_agg(x) FROM (SELECT seller_id, COUNT(*) n, SUM(total) a FROM paid GROUP BY seller_id
          ORDER BY a DESC LIMIT 5) x) AS top_sellers
"""


def libpq(url):
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def percentiles(samples):
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def timed(function, runs):
    function()  # warm: the statement caches, the connection pool
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        samples.append((time.perf_counter() - started) * 1000)
    return percentiles(samples)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--days", type=int, default=730)
    parser.add_argument("--stores", type=int, default=5)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    parser.add_argument("--database", help="time again on a database kept by --keep (no migration, no seed)")
    args = parser.parse_args()
    if args.database:
        run(make_url(SERVER).set(database=args.database).render_as_string(hide_password=False), args, seed=False)
        return
    name = f"boutique_bench_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    with psycopg.connect(libpq(SERVER), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = make_url(SERVER).set(database=name).render_as_string(hide_password=False)
    try:
        run(url, args)
    finally:
        if not args.keep:
            with psycopg.connect(libpq(SERVER), autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run(url, args, seed=True):
    from flask_migrate import upgrade

    from app import create_app
    from app.cli import init_security, seed_data
    from app.extensions import db
    from app.reports import services
    from app.reports.demo import seed_demo_history
    from app.stores.models import Store

    class BenchConfig(config.TestConfig):
        SQLALCHEMY_DATABASE_URI = url

    app = create_app(BenchConfig)
    with app.app_context():
        seeded = 0
        if seed:
            upgrade()
            init_security()
            seed_data()
            started = time.perf_counter()
            seed_demo_history(days=args.days, store_count=args.stores, echo=lambda line: None)
            seeded = time.perf_counter() - started
        sales, stores_count, days = db.session.execute(db.text(
            "SELECT COUNT(*), COUNT(DISTINCT store_id), MAX(paid_at)::date - MIN(paid_at)::date FROM sale")).one()
        print(f"history: {days} days, {stores_count} stores, {sales} sales, seeded in {seeded:.0f} s", flush=True)
        stores = Store.of_user(app.appbuilder.sm.find_user(email="admin@boutique.cm"))
        today = stores[0].local_now().date()
        first = today - timedelta(days=29)
        db.session.execute(db.text("ANALYZE"))
        db.session.commit()

        def kpis():
            services.compute_kpis(stores, first, today)
            db.session.rollback()

        kpi_p50, kpi_p95 = timed(kpis, args.runs)
        print(f"compute_kpis p50 {kpi_p50:.1f} ms, p95 {kpi_p95:.1f} ms", flush=True)

    with psycopg.connect(libpq(url)) as conn:
        sql_p50, sql_p95 = timed(lambda: conn.execute(HAND_SQL, {"first": first, "last": today}).fetchall(), args.runs)

    client = app.test_client()
    client.post("/login/", data={"username": "admin@boutique.cm", "password": "admin123!"})
    assert client.get("/").status_code == 200
    page_p50, page_p95 = timed(lambda: client.get("/"), args.runs)

    print(f"{'what':<42}{'p50 ms':>10}{'p95 ms':>10}{'p95 / SQL':>11}")
    for label, p50, p95 in (("compute_kpis, 30 days, all stores", kpi_p50, kpi_p95),
                            ("dashboard page (GET / as ADMIN)", page_p50, page_p95),
                            ("hand-written SQL, 30 days, all stores", sql_p50, sql_p95)):
        print(f"{label:<42}{p50:>10.1f}{p95:>10.1f}{p95 / sql_p95:>10.1f}x")
    print("targets: dashboard p95 under 300 ms and within 3x of the SQL")
    with app.app_context():
        db.engine.dispose()


if __name__ == "__main__":
    main()
