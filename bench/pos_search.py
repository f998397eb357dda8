"""A POS search keystroke answered as the HTML fragment, on 100,000 products: p50 / p95 / max.

    .venv/bin/python bench/pos_search.py [--products 100000] [--runs 300]

What is timed is what the seller's page asks on every keystroke: GET /pos/<store>/search?q=...
(HX-Request), through the whole app (FAB session login, permission check, store scoping, the
catalog's search_products, the Jinja fragment), with a signed-in seller's session cookie
(Flask's test client: the WSGI app in-process, no HTTP server or network in the figure).
In the same run, the same searches are timed through `search_products` alone (SQLAlchemy) and
as the same SQL sent by psycopg alone (the baseline), so a slow figure can be told apart.

Setup (the catalog bench's loader, bench/search.py): a scratch PostgreSQL database on
BENCH_DATABASE_URL's server (default the local one), the migrations (trigram and sku-prefix
indexes), 100,000 products and one store's stock loaded with COPY; then the roles and the demo
accounts (`flask init-security`, `flask seed-data`). The database is dropped at the end.

Queries: an exact barcode (a scanner), a sku prefix, two words of a name, and every prefix of
a product name typed letter by letter ("r", "ro", "rou", ... "routeur tp-link"), as a seller
types them (the page answers one or two letters with a hint and queries the catalog from the
third character: the service and raw-SQL rows of that kind time those only). Target: the
fragment under 100 ms p95 for each kind.
"""
import argparse
import os
import random
import sys
import time

from sqlalchemy.engine import make_url

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.join(ROOT, "bench"))

import config  # noqa: E402
import search as catalog_bench  # noqa: E402  bench/search.py: loader, raw SQL, percentiles

TARGET_MS = 100
SELLER = ("vendeur1@boutique.cm", "vendeur123!")


def typed_prefixes(rng, runs):
    """What a seller's keystrokes send: every prefix of a few product names ("r", "ro", ...)."""
    texts = []
    while len(texts) < runs:
        _, kind = rng.choice(catalog_bench.TYPES)
        brand = rng.choice(catalog_bench.BRANDS)
        words = f"{kind.split()[0]} {brand}".lower()
        texts.extend(words[:n] for n in range(1, len(words) + 1) if not words[:n].endswith(" "))
    return texts[:runs]


def signed_in_client(app):
    client = app.test_client()
    response = client.post("/login/", data={"username": SELLER[0], "password": SELLER[1]})
    assert response.status_code == 302, response.status_code
    return client


def time_fragment(client, store_id, texts):
    """Each search as the page sends it; returns (timings in ms, mean results per answer)."""
    headers = {"HX-Request": "true"}
    for q in texts[:20]:  # warm-up: connections, templates, caches
        client.get(f"/pos/{store_id}/search", query_string={"q": q}, headers=headers)
    timings, results = [], 0
    for q in texts:
        started = time.perf_counter()
        response = client.get(f"/pos/{store_id}/search", query_string={"q": q}, headers=headers)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (q, response.status_code)
        results += response.get_data(as_text=True).count('data-testid="result"')
    return timings, results / len(texts)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    rng = random.Random(args.seed)

    url = catalog_bench.create_database()
    print(f"scratch database: {make_url(url).database}")
    try:
        from flask_migrate import upgrade

        from app import create_app
        from app.cli import init_security, seed_data

        class BenchConfig(config.TestConfig):
            SQLALCHEMY_DATABASE_URI = url
            RATELIMIT_ENABLED = False

        app = create_app(BenchConfig)
        with app.app_context():
            upgrade()
        rows = catalog_bench.load(url, args.products, rng)  # stores DLA1 (id 1) and YDE1, products, stock
        with app.app_context():
            init_security()
            seed_data()  # the demo accounts (the seller works in DLA1) and the small demo catalog
            from app.extensions import db

            db.session.remove()
        kinds = catalog_bench.queries(rows, rng, args.runs)
        kinds["keystrokes"] = typed_prefixes(rng, args.runs)
        client = signed_in_client(app)

        print(f"\n{args.runs} searches of each kind, store DLA1, {args.products:,} products (times in ms)\n")
        header = f"{'query':<15} {'path':<28} {'p50':>7} {'p95':>7} {'max':>7} {'rows':>6}"
        print(header)
        print("-" * len(header))
        verdict = []
        for kind, texts in kinds.items():
            fragment, shown = time_fragment(client, 1, texts)
            # The page queries the catalog from the third character on (one or two letters get a hint).
            searched = [q for q in texts if len(q) >= 3]
            service, _ = catalog_bench.time_service(app, 1, searched)
            raw = catalog_bench.time_raw(url, searched)
            suffix = " (3+ chars)" if len(searched) != len(texts) else ""
            for path, timings in (("HTML fragment (session)", fragment), ("search_products" + suffix, service),
                                  ("raw SQL" + suffix, raw)):
                p50, p95, worst = catalog_bench.percentiles(timings)
                print(f"{kind:<15} {path:<28} {p50:7.2f} {p95:7.2f} {worst:7.2f} {shown:6.1f}")
            verdict.append((kind, catalog_bench.percentiles(fragment)[1]))
        print()
        for kind, p95 in verdict:
            print(f"{kind:<15} fragment p95 {p95:6.2f} ms  {'OK' if p95 < TARGET_MS else 'OVER'} "
                  f"(target < {TARGET_MS} ms)")
        with app.app_context():
            from app.extensions import db

            db.engine.dispose()
    finally:
        catalog_bench.drop_database(url)
        print(f"\ndropped {make_url(url).database}")


if __name__ == "__main__":
    main()
