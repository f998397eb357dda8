"""The alert jobs on 100,000 products x 3 stores and 200,000 sales: time per run, beside the same
check written by hand as one SQL query, in the same run.

    .venv/bin/python bench/alerts.py [--products 100000] [--sales 200000] [--runs 5]

Creates a scratch PostgreSQL database (BENCH_DATABASE_URL's server, default the local one),
builds the schema with the migrations and loads with COPY: 3 stores, the products with a stock
row in each store (about 3 % of them low), 200,000 sales over 60 days (1-3 lines each, 1 % still
waiting for payment, some discounted), 3,000 closed cash shifts, 20,000 credit accounts with
60,000 installments (about 10 % of the accounts with some overdue). Then for each job:
- "first run": services.run_job as the scheduler calls it (SQLAlchemy, app context, commit),
  on a table with no alert yet: it raises every alert;
- "next runs": the median of --runs runs over the same data: nothing new, nothing resolved
  (the steady state, what the schedule costs every time);
- "hand SQL": the median of --runs runs of the check as one hand-written SELECT sent by psycopg.
Target: each job's next runs within 2x of its hand SQL, and under 5 s. The database is dropped.
"""
import argparse
import os
import random
import statistics
import sys
import time
import uuid
from datetime import datetime, timedelta, timezone

import psycopg
from sqlalchemy.engine import make_url

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import config  # noqa: E402

SERVER = os.environ.get("BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
STORES = 3
SELLERS, CASHIERS = 12, 6

# The checks, written by hand: what a person would type to answer the same question.
HAND_SQL = {
    "check_low_stock": """
        SELECT ps.store_id, ps.product_id, ps.quantity - ps.reserved AS available
        FROM product_stock ps JOIN product p ON p.id = ps.product_id JOIN store st ON st.id = ps.store_id
        WHERE p.is_active AND st.is_active AND ps.quantity - ps.reserved <= p.reorder_level""",
    "check_pending_payments": """
        SELECT s.store_id, s.id FROM sale s JOIN store st ON st.id = s.store_id
        WHERE s.status = 'PENDING_PAYMENT' AND st.is_active
          AND s.submitted_at < %(now)s - make_interval(mins => st.pending_payment_limit_minutes)""",
    "check_abnormal_discounts": """
        WITH per_sale AS (
            SELECT s.id, s.store_id, s.seller_id, SUM(i.quantity * p.sale_price) AS list_total,
                   MAX(s.subtotal) - MAX(s.discount) AS net_total
            FROM sale s JOIN sale_item i ON i.sale_id = s.id JOIN product p ON p.id = i.product_id
            WHERE s.status NOT IN ('DRAFT', 'CANCELLED') AND s.submitted_at >= %(since)s AND s.submitted_at <= %(now)s
            GROUP BY s.id, s.store_id, s.seller_id),
        per_seller AS (
            SELECT store_id, seller_id, 100.0 * (SUM(list_total) - SUM(net_total)) / SUM(list_total) AS rate
            FROM per_sale GROUP BY store_id, seller_id),
        per_store AS (
            SELECT store_id, 100.0 * (SUM(list_total) - SUM(net_total)) / SUM(list_total) AS rate
            FROM per_sale GROUP BY store_id)
        SELECT 'sale', x.store_id, x.id FROM per_sale x JOIN store st ON st.id = x.store_id
        WHERE x.list_total > 0 AND 100.0 * (x.list_total - x.net_total) / x.list_total > st.discount_threshold
        UNION ALL
        SELECT 'seller', d.store_id, d.seller_id FROM per_seller d JOIN per_store m ON m.store_id = d.store_id
        WHERE d.rate >= 2 * m.rate AND d.rate - m.rate >= 5""",
    "check_cash_variance": """
        SELECT cs.store_id, cs.cashier_id, COUNT(*) FROM cash_shift cs JOIN store st ON st.id = cs.store_id
        WHERE cs.status = 'CLOSED' AND cs.closed_at >= %(since30)s AND cs.closed_at <= %(now)s
          AND ABS(cs.variance) > st.cash_variance_tolerance
        GROUP BY cs.store_id, cs.cashier_id, st.cash_variance_repeat HAVING COUNT(*) >= st.cash_variance_repeat""",
    "check_overdue_credits": """
        SELECT a.store_id, a.id, SUM(i.amount - i.paid) FROM credit_installment i
        JOIN customer_account a ON a.id = i.account_id JOIN store st ON st.id = a.store_id
        WHERE st.is_active AND i.paid < i.amount AND i.due_date < (%(now)s AT TIME ZONE st.timezone)::date
        GROUP BY a.store_id, a.id""",
}
ACCOUNTS, INSTALLMENTS_PER_ACCOUNT = 20_000, 3


def libpq(url):
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def create_database():
    name = f"boutique_bench_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    with psycopg.connect(libpq(SERVER), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return make_url(SERVER).set(database=name).render_as_string(hide_password=False)


def drop_database(url):
    name = make_url(url).database
    with psycopg.connect(libpq(SERVER), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def load(url, products, sales, now, rng):
    started = time.perf_counter()
    with psycopg.connect(libpq(url)) as conn:
        for n in range(1, STORES + 1):
            conn.execute("INSERT INTO store (code, name, currency, timezone, discount_threshold, "
                         "pending_payment_limit_minutes, cash_variance_tolerance, cash_variance_repeat, is_active) "
                         "VALUES (%s, %s, 'XAF', 'Africa/Douala', 10, 30, 1000, 3, true)", (f"ST{n}", f"Magasin {n}"))
        for n in range(1, SELLERS + CASHIERS + 1):
            conn.execute("INSERT INTO ab_user (first_name, last_name, username, email, active) "
                         "VALUES (%s, 'Bench', %s, %s, true)", (f"Personne{n}", f"p{n}", f"p{n}@bench.cm"))
        prices = {}
        with conn.cursor().copy(
                "COPY product (sku, name, search_text, cost_price, sale_price, tax_rate, reorder_level, is_active, "
                "track_serial, warranty_months, created_at, updated_at) FROM STDIN") as copy:
            for n in range(1, products + 1):
                price = rng.randint(10, 5000) * 100
                prices[n] = price
                copy.write_row((f"SKU-{n:06d}", f"Produit {n}", f"produit {n}", price * 0.8, price, "19.25",
                                5, True, False, 0, "2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z"))
        with conn.cursor().copy("COPY product_stock (store_id, product_id, quantity, reserved) FROM STDIN") as copy:
            for store in range(1, STORES + 1):
                for product in range(1, products + 1):
                    quantity = rng.randint(0, 5) if rng.random() < 0.03 else rng.randint(6, 60)
                    copy.write_row((store, product, quantity, 0))
        # two COPYs cannot run at once on one connection: the lines are kept, then copied
        items = []
        with conn.cursor().copy(
                "COPY sale (id, store_id, number, status, seller_id, discount, subtotal, tax_total, total, amount_paid, "
                "amount_refunded, stock_reserved, created_at, updated_at, submitted_at, paid_at) FROM STDIN") as copy:
            for n in range(1, sales + 1):
                store = rng.randint(1, STORES)
                seller = rng.randint(1, SELLERS)
                moment = now - timedelta(seconds=rng.randint(60, 60 * 86400))
                subtotal = 0
                for position in range(rng.randint(1, 3)):
                    product = rng.randint(1, products)
                    quantity = rng.randint(1, 3)
                    off = rng.choice([0] * 20 + [5, 8, 12, 15] + ([25] if seller == 1 else []))
                    unit = prices[product] * (100 - off) // 100
                    line = unit * quantity
                    subtotal += line
                    items.append((n, position, product, quantity, unit, 0, "19.25", line, 0))
                pending = rng.random() < 0.01
                status = "PENDING_PAYMENT" if pending else "PAID"
                copy.write_row((n, store, f"ST{store}-FAC-2026-{n:07d}", status, seller, 0, subtotal, 0, subtotal,
                                0 if pending else subtotal, 0, False, moment, moment, moment,
                                None if pending else moment))
        with conn.cursor().copy(
                "COPY sale_item (sale_id, position, product_id, quantity, unit_price, discount, tax_rate, "
                "line_total, refunded_quantity) FROM STDIN") as copy:
            for row in items:
                copy.write_row(row)
        conn.execute("SELECT setval(pg_get_serial_sequence('sale', 'id'), %s)", (sales,))
        with conn.cursor().copy(
                "COPY cash_shift (store_id, cashier_id, status, opening_float, opened_at, closed_at, counted_cash, "
                "expected_cash, variance) FROM STDIN") as copy:
            for _ in range(3000):
                closed = now - timedelta(seconds=rng.randint(3600, 90 * 86400))
                variance = rng.choice([0] * 8 + [-2500, 1500, -500])
                copy.write_row((rng.randint(1, STORES), SELLERS + rng.randint(1, CASHIERS), "CLOSED", 50000,
                                closed - timedelta(hours=8), closed, 50000 + variance, 50000, variance))
        load_credit(conn, now, rng)
        conn.commit()
        conn.autocommit = True
        for table in ("product", "product_stock", "sale", "sale_item", "cash_shift", "store", "ab_user",
                      "customer", "customer_account", "credit_ledger_entry", "credit_installment"):
            conn.execute(f"VACUUM ANALYZE {table}")
    print(f"loaded {products:,} products x {STORES} stores, {sales:,} sales ({len(items):,} lines), "
          f"3,000 shifts, {ACCOUNTS:,} credit accounts in {time.perf_counter() - started:.1f} s")


def load_credit(conn, now, rng):
    """The credit accounts: one DEBIT each, its installments a month apart; 10 % of the accounts
    have their first installment past due and unpaid, the others are due later or paid."""
    today = now.date()
    with conn.cursor().copy("COPY customer (id, name, phone, store_id, is_active, created_at) FROM STDIN") as copy:
        for n in range(1, ACCOUNTS + 1):
            copy.write_row((n, f"Client {n}", f"+2376{n:08d}", (n % STORES) + 1, True, now))
    with conn.cursor().copy("COPY customer_account (id, customer_id, store_id, credit_limit, balance, is_active, "
                            "created_at) FROM STDIN") as copy:
        for n in range(1, ACCOUNTS + 1):
            copy.write_row((n, n, (n % STORES) + 1, 1_000_000, 300_000, True, now))
    with conn.cursor().copy("COPY credit_ledger_entry (id, account_id, store_id, kind, source, amount, balance_after, "
                            "created_at) FROM STDIN") as copy:
        for n in range(1, ACCOUNTS + 1):
            copy.write_row((n, n, (n % STORES) + 1, "DEBIT", "OPENING", 300_000, 300_000, now))
    with conn.cursor().copy("COPY credit_installment (account_id, store_id, entry_id, number, due_date, amount, paid, "
                            "created_at) FROM STDIN") as copy:
        for n in range(1, ACCOUNTS + 1):
            late = rng.random() < 0.10
            first = today - timedelta(days=rng.randint(1, 60)) if late else today + timedelta(days=rng.randint(0, 30))
            for number in range(1, INSTALLMENTS_PER_ACCOUNT + 1):
                due = first + timedelta(days=30 * (number - 1))
                paid = 0 if late or rng.random() < 0.8 else 100_000
                copy.write_row((n, (n % STORES) + 1, n, number, due, 100_000, paid, now))
    for table in ("customer", "customer_account", "credit_ledger_entry"):
        conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), %s)", (ACCOUNTS,))


def time_job(app, name, now):
    from app.alerts import services

    with app.app_context():
        started = time.perf_counter()
        result = services.run_job(name, now=now)
        return time.perf_counter() - started, len(result.raised), len(result.resolved)


def time_hand_sql(url, name, now):
    params = {"now": now, "since": now - timedelta(days=7), "since30": now - timedelta(days=30)}
    with psycopg.connect(libpq(url)) as conn:
        started = time.perf_counter()
        rows = conn.execute(HAND_SQL[name], params).fetchall()
        return time.perf_counter() - started, len(rows)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--sales", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    now = datetime.now(timezone.utc)

    url = create_database()
    print(f"scratch database: {make_url(url).database}")
    try:
        from flask_migrate import upgrade

        from app import create_app
        from app.alerts.services import JOBS

        class BenchConfig(config.TestConfig):
            SQLALCHEMY_DATABASE_URI = url
            DB_STATEMENT_TIMEOUT_MS = 0

        app = create_app(BenchConfig)
        with app.app_context():
            upgrade()
        load(url, args.products, args.sales, now, rng)
        print(f"\ntimes in ms; next runs and hand SQL: median of {args.runs}\n")
        header = (f"{'job':<26} {'first run':>10} {'raised':>7} {'next runs':>10} {'hand SQL':>9} {'causes':>7}"
                  f" {'ratio':>6}  verdict")
        print(header)
        print("-" * len(header))
        for name in JOBS:
            first, raised, _ = time_job(app, name, now)
            nexts, hands, causes = [], [], 0
            for _ in range(args.runs):
                elapsed, again, resolved = time_job(app, name, now)
                assert again == resolved == 0, (name, again, resolved)
                nexts.append(elapsed)
                elapsed, causes = time_hand_sql(url, name, now)
                hands.append(elapsed)
            job, hand = statistics.median(nexts), statistics.median(hands)
            ratio = job / hand if hand else float("inf")
            ok = ratio <= 2 and job < 5 and first < 5
            print(f"{name:<26} {first * 1000:10.1f} {raised:7d} {job * 1000:10.1f} {hand * 1000:9.1f} {causes:7d}"
                  f" {ratio:6.2f}  {'OK' if ok else 'OVER'}")
        with app.app_context():
            from app.extensions import db

            db.engine.dispose()
    finally:
        drop_database(url)
        print(f"\ndropped {make_url(url).database}")


if __name__ == "__main__":
    main()
