"""POS product search on 100,000 products: p50 / p95 / max, through the service and as raw SQL.

    .venv/bin/python bench/search.py [--products 100000] [--runs 300] [--explain]

Creates a scratch PostgreSQL database (BENCH_DATABASE_URL's server, default the local one),
builds the schema with the migrations (pg_trgm, the trigram and sku-prefix indexes), loads
the products and one store's stock with COPY, then times three kinds of queries:
- an exact barcode (one product),
- a sku prefix (a dozen products share it),
- two words of a name (a product type and a brand: several hundred matches, 20 returned),
each through app.catalog.services.search_products (SQLAlchemy, app context: what the API
and the POS pages call) and as the same SQL sent by psycopg alone (the baseline).
The database is dropped at the end. Target: p95 under 30 ms for each kind.
"""
import argparse
import os
import random
import statistics
import sys
import time
import uuid

import psycopg
from sqlalchemy.engine import make_url

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import config  # noqa: E402
from app.catalog.models import search_text_of  # noqa: E402
from app.catalog.services import ean13_check_digit  # noqa: E402

SERVER = os.environ.get("BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")

TYPES = [
    ("RTR", "Routeur Wi-Fi"), ("SWI", "Switch Gigabit"), ("CAB", "Câble réseau"), ("ECR", "Écran"),
    ("TEL", "Smartphone"), ("ORD", "Ordinateur portable"), ("USB", "Clé USB"), ("SSD", "Disque SSD"),
    ("OND", "Onduleur"), ("IMP", "Imprimante"), ("CAM", "Caméra IP"), ("PDA", "Point d'accès"),
    ("CHG", "Chargeur"), ("ECO", "Écouteurs Bluetooth"), ("SOU", "Souris sans fil"), ("CLA", "Clavier"),
]
BRANDS = ["HP", "Dell", "Lenovo", "TP-Link", "Cisco", "Ubiquiti", "MikroTik", "Samsung", "Tecno", "Infinix", "Itel",
          "Hikvision"]
VARIANTS = ["8 ports", "16 ports", "24 pouces", "22 pouces", "128 Go", "256 Go", "512 Go", "1 To", "AC1200",
            "AX1800", "5 m", "10 m", "20 W", "650 VA", "1200 VA", "noir", "blanc", "PoE", "Wi-Fi 6", "4G LTE"]


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


def products(count, rng):
    """(sku, barcode, name) rows: 16 types x 12 brands x models x variants."""
    for n in range(1, count + 1):
        code, kind = TYPES[n % len(TYPES)]
        brand = BRANDS[(n // len(TYPES)) % len(BRANDS)]
        model = f"{brand[:3].upper()}{rng.randint(100, 9999)}"
        sku = f"{code}-{brand[:3].upper()}-{n:06d}"
        first_twelve = f"62{n:010d}"
        barcode = first_twelve + str(ean13_check_digit(first_twelve))
        name = f"{kind} {brand} {model} {rng.choice(VARIANTS)}"
        yield sku, barcode, name


def load(url, count, rng):
    started = time.perf_counter()
    rows = list(products(count, rng))
    with psycopg.connect(libpq(url)) as conn:
        conn.execute("INSERT INTO store (code, name, currency, timezone, discount_threshold, "
                     "pending_payment_limit_minutes, is_active) VALUES ('DLA1', 'Douala', 'XAF', 'Africa/Douala', "
                     "10, 120, true), ('YDE1', 'Yaoundé', 'XAF', 'Africa/Douala', 10, 120, true)")
        with conn.cursor().copy(
            "COPY product (sku, barcode, name, search_text, cost_price, sale_price, min_sale_price, tax_rate, "
            "reorder_level, is_active, track_serial, warranty_months, created_at, updated_at) FROM STDIN"
        ) as copy:
            for sku, barcode, name in rows:
                price = rng.randint(10, 5000) * 100
                copy.write_row((sku, barcode, name, search_text_of(name, sku), price * 0.8, price, price * 0.95,
                                "19.25", 2, True, False, 0, "2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z"))
        with conn.cursor().copy("COPY product_stock (store_id, product_id, quantity, reserved) FROM STDIN") as copy:
            for product_id in range(1, count + 1):
                if rng.random() < 0.7:
                    quantity = rng.randint(0, 50)
                    copy.write_row((1, product_id, quantity, min(quantity, rng.choice([0, 0, 0, 1, 2]))))
        conn.commit()
        conn.autocommit = True
        conn.execute("VACUUM ANALYZE product")
        conn.execute("VACUUM ANALYZE product_stock")
    print(f"loaded {count:,} products and their stock in {time.perf_counter() - started:.1f} s")
    return rows


RAW_SQL = """
SELECT f.id, f.sku, f.barcode, f.name, f.sale_price, f.min_sale_price, f.tax_rate, f.track_serial,
       coalesce(s.quantity - s.reserved, 0) AS available
FROM (
    SELECT p.id, p.sku, p.barcode, p.name, p.sale_price, p.min_sale_price, p.tax_rate, p.track_serial,
           CASE WHEN p.barcode = %(q)s THEN 0 WHEN lower(p.sku) LIKE %(prefix)s THEN 1 ELSE 2 END AS rank
    FROM product p
    WHERE p.is_active IS true AND (p.barcode = %(q)s OR lower(p.sku) LIKE %(prefix)s {words})
    ORDER BY rank, p.name, p.id
    LIMIT 20
) f
LEFT OUTER JOIN product_stock s ON s.product_id = f.id AND s.store_id = %(store)s
ORDER BY f.rank, f.name, f.id
"""


def raw_query(q):
    """The service's SQL, written by hand (same predicates, same order), and its parameters."""
    from app.catalog.models import normalise
    from app.catalog.services import _escape_like

    words = normalise(q).split()
    params = {"store": 1, "q": q, "prefix": _escape_like(q.lower()) + "%"}
    clause = ""
    if words:
        parts = []
        for i, word in enumerate(words):
            params[f"w{i}"] = "%" + _escape_like(word) + "%"
            parts.append(f"p.search_text LIKE %(w{i})s")
        clause = "OR (" + " AND ".join(parts) + ")"
    return RAW_SQL.format(words=clause), params


def queries(rows, rng, runs):
    barcode = [rng.choice(rows)[1] for _ in range(runs)]
    prefix = [rng.choice(rows)[0][:11].lower() for _ in range(runs)]  # "rtr-tpl-012": ~10 products
    words = []
    for _ in range(runs):
        _, kind = rng.choice(TYPES)
        words.append(f"{kind.split()[0]} {rng.choice(BRANDS)}".lower())  # "écran samsung"
    return {"barcode exact": barcode, "sku prefix": prefix, "two-word name": words}


def percentiles(samples):
    ordered = sorted(samples)
    p95 = ordered[max(0, int(round(0.95 * len(ordered))) - 1)]
    return statistics.median(ordered), p95, ordered[-1]


def time_service(app, store_id, texts):
    from app.catalog.services import search_products
    from app.extensions import db

    timings, found = [], 0
    with app.app_context():
        for q in texts[:20]:  # warm-up: connections, statement caches
            search_products(q, store_id)
        for q in texts:
            started = time.perf_counter()
            rows = search_products(q, store_id)
            timings.append((time.perf_counter() - started) * 1000)
            found += len(rows)
            db.session.rollback()
    return timings, found / len(texts)


def time_raw(url, texts):
    timings = []
    with psycopg.connect(libpq(url), autocommit=True) as conn:
        for q in texts[:20]:
            sql, params = raw_query(q)
            conn.execute(sql, params).fetchall()
        for q in texts:
            sql, params = raw_query(q)
            started = time.perf_counter()
            conn.execute(sql, params).fetchall()
            timings.append((time.perf_counter() - started) * 1000)
    return timings


def explain(url, text_):
    sql, params = raw_query(text_)
    with psycopg.connect(libpq(url), autocommit=True) as conn:
        plan = conn.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params).fetchall()
    return "\n".join(line for (line,) in plan)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--explain", action="store_true", help="print the plan of one query of each kind")
    args = parser.parse_args()
    rng = random.Random(args.seed)

    url = create_database()
    print(f"scratch database: {make_url(url).database}")
    try:
        from flask_migrate import upgrade

        from app import create_app

        class BenchConfig(config.TestConfig):
            SQLALCHEMY_DATABASE_URI = url

        app = create_app(BenchConfig)
        with app.app_context():
            upgrade()
        rows = load(url, args.products, rng)
        kinds = queries(rows, rng, args.runs)
        print(f"\n{args.runs} searches of each kind, store 1, {args.products:,} products (times in ms)\n")
        header = f"{'query':<15} {'path':<18} {'p50':>7} {'p95':>7} {'max':>7} {'rows':>6}"
        print(header)
        print("-" * len(header))
        verdict = []
        for kind, texts in kinds.items():
            service, rows_found = time_service(app, 1, texts)
            raw = time_raw(url, texts)
            for path, timings in (("service (SQLA)", service), ("raw SQL (psycopg)", raw)):
                p50, p95, worst = percentiles(timings)
                print(f"{kind:<15} {path:<18} {p50:7.2f} {p95:7.2f} {worst:7.2f} {rows_found:6.1f}")
            verdict.append((kind, percentiles(service)[1]))
        print()
        for kind, p95 in verdict:
            print(f"{kind:<15} service p95 {p95:6.2f} ms  {'OK' if p95 < 30 else 'OVER'} (target < 30 ms)")
        if args.explain:
            for kind, texts in kinds.items():
                print(f"\n--- plan: {kind} ({texts[0]!r})\n{explain(url, texts[0])}")
        with app.app_context():
            from app.extensions import db

            db.engine.dispose()
    finally:
        drop_database(url)
        print(f"\ndropped {make_url(url).database}")


if __name__ == "__main__":
    main()
