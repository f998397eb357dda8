"""The whole checkout through the HTTP API under gunicorn, against the same writes as raw SQL.

    .venv/bin/python bench/checkout.py [--seconds 15] [--levels 1,4,8] [--workers N] [--no-redis]

A checkout is what a shop does for one customer:
  seller   POST /api/v1/sales/                 a draft with 3 items
  seller   POST /api/v1/sales/{id}/submit/     PENDING_PAYMENT, invoice number
  cashier  POST /api/v1/payments/              mobile money, half (Idempotency-Key)
  cashier  POST /api/v1/payments/              cash for the rest, with change -> PAID (SALE movements)

Setup: a scratch PostgreSQL database on BENCH_DATABASE_URL's server (default the local one) is
created, migrated, given the roles, the demo data, a third store, 3 products with plenty of
stock in each store, and one seller + one cashier (with an open shift) per concurrent till,
the tills spread over the 3 stores. gunicorn serves the app as in production (APP_ENV=production,
SECRET_KEY / JWT_SECRET_KEY set, sync workers = cores, REDIS_URL for the token blocklist and the
rate limits unless --no-redis). Each level runs N threads, each a till with its own two
keep-alive connections (seller, cashier), for --seconds. The client is http.client, not requests:
on a 2-core machine the load generator shares the CPU with gunicorn and PostgreSQL, and requests
spends about 3 ms of CPU per call (measured: a do-nothing Flask app under the same gunicorn
answers 430 calls/s to requests, 1,200 to http.client); the bench measures the server. The baseline does the same writes (sale, 3 items, 2 payments,
3 conditional stock updates + 3 movements, 4 audit rows, the sequence bump last, the final
sale update) as ONE transaction per checkout with psycopg prepared statements, N connections.
Prints checkouts/s of both, the ratio, and p50 / p95 per API call; who used the shared cores
during each run (CPU ms per checkout of the app server, PostgreSQL and this load generator, from
/proc) and how much the app server could spend per call at 1/4 of the raw-SQL rate; and, as a yardstick, the
HTTP floor: the same checkout calls against bench/http_floor.py (a do-nothing Flask app under the
same gunicorn) — what any Python API could reach on this machine before doing any work; and the
stack floor: four authenticated calls to the real app, each refused by the payment's validation
(422) — what this stack (Flask-AppBuilder's protect, flask-jwt-extended, the revocation check, the
user's load) costs per call before a checkout's first rule. The database is dropped at
the end. Targets (SPEC issue 4): at 8 tills >= 1/4 of the raw-SQL rate; at 1 till every call
under 50 ms p95.
"""
import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from datetime import datetime, timezone
from decimal import Decimal

import psycopg
import http.client
from sqlalchemy.engine import make_url

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

import config  # noqa: E402

SERVER = os.environ.get("BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
STORES = [("DLA1", None), ("YDE1", None), ("BFN1", "Bafoussam Marché A")]
PRODUCTS = [("BN-RTR", "Routeur Wi-Fi 6 (bench)", "45000", 1), ("BN-SW8", "Switch 8 ports (bench)", "15000", 2),
            ("BN-CBL", "Câble Cat6 3 m (bench)", "2500", 3)]
CALLS = ["create", "submit", "pay_momo", "pay_cash"]
PASSWORD = "bench-pass-123!"


def libpq(url):
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def create_database():
    name = f"boutique_bench_checkout_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    with psycopg.connect(libpq(SERVER), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return make_url(SERVER).set(database=name).render_as_string(hide_password=False)


def drop_database(url):
    target = make_url(url)
    with psycopg.connect(libpq(target.set(database="postgres").render_as_string(hide_password=False)),
                         autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)')


# --- setup ------------------------------------------------------------------------------------

def prepare(url, tills):
    """Migrate, seed, and create the stores, products, sellers and cashiers of the bench."""
    from flask_migrate import upgrade

    from app import create_app
    from app.cashier import services as till
    from app.cli import init_security, seed_data
    from app.catalog.models import Product
    from app.extensions import db, security_manager
    from app.security import hash_password
    from app.stock import services as stock
    from app.stores.models import Store
    from app.stores.services import add_user_to_store

    class BenchSetup(config.TestConfig):
        SQLALCHEMY_DATABASE_URI = url
        FAB_PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"

    app = create_app(BenchSetup)
    with app.app_context():
        upgrade()
        init_security()
        seed_data()
        stores = []
        for code, name in STORES:
            store = db.session.execute(db.select(Store).where(Store.code == code)).scalar_one_or_none()
            if store is None:
                store = Store(code=code, name=name)
                db.session.add(store)
                db.session.flush()
            stores.append(store)
        products = []
        for sku, name, price, _ in PRODUCTS:
            product = Product(sku=sku, name=name, sale_price=Decimal(price))
            db.session.add(product)
            products.append(product)
        db.session.commit()
        for store in stores:
            for product in products:
                for _ in range(10):  # a movement is at most core.inputs.MAX_QUANTITY units
                    stock.move(store.id, product.id, 100_000, "PURCHASE", note="bench")
        db.session.commit()
        sm = security_manager()
        people = []
        for index in range(tills):
            store = stores[index % len(stores)]
            pair = {}
            for role, prefix in (("SALES", "vendeur"), ("CASHIER", "caissier")):
                email = f"bench.{prefix}{index}@boutique.cm"
                user = sm.user_model(username=email, email=email, first_name=f"{prefix}{index}", last_name="Bench",
                                     active=True, roles=[sm.find_role(role)], password=hash_password(PASSWORD))
                db.session.add(user)
                db.session.flush()
                add_user_to_store(store, user)
                pair[role] = user
            db.session.commit()
            shift = till.open_shift(pair["CASHIER"], store.id, "50000")
            people.append({"store": store.id, "store_code": store.code, "seller": pair["SALES"].email,
                           "seller_id": pair["SALES"].id, "cashier": pair["CASHIER"].email,
                           "cashier_id": pair["CASHIER"].id, "shift": shift.id})
        ids = [p.id for p in products]
        db.engine.dispose()
    return people, ids


# --- gunicorn ---------------------------------------------------------------------------------

def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(url, workers, use_redis, app_spec="app:create_app()"):
    port = free_port()
    env = {**os.environ, "APP_ENV": "production", "DATABASE_URL": url,
           "SECRET_KEY": uuid.uuid4().hex + uuid.uuid4().hex, "JWT_SECRET_KEY": uuid.uuid4().hex + uuid.uuid4().hex,
           "SESSION_COOKIE_SECURE": "false"}
    env.pop("REDIS_URL", None)
    if use_redis:
        env["REDIS_URL"] = REDIS
    command = [os.path.join(ROOT, ".venv", "bin", "gunicorn"), "-w", str(workers), "-k", "sync",
               "-b", f"127.0.0.1:{port}", "--log-level", "warning", app_spec]
    process = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            if Client(base).request("GET", "/health")[0] == 200:
                return process, base
        except OSError:
            pass
        if process.poll() is not None:
            raise RuntimeError("gunicorn exited")
        time.sleep(0.3)
    raise RuntimeError("gunicorn did not answer /health")


def stop_gunicorn(process):
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=15)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(process.pid, signal.SIGKILL)


# --- where the CPU goes ------------------------------------------------------------------------

CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _process_cpu(pid):
    """User + system CPU seconds of one process (Linux /proc), 0 if it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def _children(pid):
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as listing:
            return [int(child) for child in listing.read().split()]
    except OSError:
        return []


def _postgres_pids():
    pids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/comm") as comm:
                    if comm.read().strip() in ("postgres", "postmaster"):
                        pids.append(int(entry))
            except OSError:
                pass
    return pids


class CpuMeter:
    """CPU seconds spent by the app server (the gunicorn master and its workers), PostgreSQL (all its
    processes) and this load generator between start() and stop(): the 2 cores are shared, so the
    split says who used them. Read while the connections are open (a backend that exits takes its
    counters with it)."""

    def __init__(self, server_pid=None):
        self.server_pid = server_pid
        self.available = os.path.isdir("/proc/self")

    def _read(self):
        server = [self.server_pid, *_children(self.server_pid)] if self.server_pid else []
        return {"app": sum(_process_cpu(pid) for pid in server),
                "postgres": sum(_process_cpu(pid) for pid in _postgres_pids()),
                "client": time.process_time()}

    def start(self):
        self.began = self._read() if self.available else None

    def stop(self):
        if not self.available:
            return None
        ended = self._read()
        return {name: ended[name] - self.began[name] for name in ended}


# --- the API workload -------------------------------------------------------------------------

class Client:
    """One keep-alive HTTP connection speaking JSON (a cashier's tablet keeps its connection too)."""

    def __init__(self, base, token=None):
        host, port = base.removeprefix("http://").split(":")
        self.connection = http.client.HTTPConnection(host, int(port), timeout=30)
        self.headers = {"Content-Type": "application/json"}
        if token:
            self.headers["Authorization"] = "Bearer " + token

    def request(self, method, path, body=None, headers=None):
        payload = None if body is None else json.dumps(body)
        self.connection.request(method, path, payload, {**self.headers, **(headers or {})})
        answer = self.connection.getresponse()
        data = answer.read()
        return answer.status, data


def session_for(base, email):
    status, data = Client(base).request("POST", "/api/v1/auth/token/", {"email": email, "password": PASSWORD})
    if status != 200:
        raise RuntimeError(f"token for {email}: {status} {data[:200]!r}")
    return Client(base, json.loads(data)["access"])


class Till:
    """One seller and one cashier at one store: a thread of checkouts over HTTP."""

    def __init__(self, base, person, product_ids):
        self.base = base
        self.person = person
        self.seller = session_for(base, person["seller"])
        self.cashier = session_for(base, person["cashier"])
        self.items = [{"product": pid, "quantity": qty, "unit_price": int(price), "discount": 0}
                      for pid, (_, _, price, qty) in zip(product_ids, PRODUCTS)]
        self.timings = {call: [] for call in CALLS}
        self.done = 0
        self.errors = []

    def call(self, name, session, path, body, headers=None):
        started = time.perf_counter()
        status, data = session.request("POST", path, body, headers)
        self.timings[name].append(time.perf_counter() - started)
        if status not in (200, 201):
            raise RuntimeError(f"{name}: {status} {data[:200]!r}")
        return json.loads(data)

    def checkout(self):
        sale = self.call("create", self.seller, "/api/v1/sales/",
                         {"store": self.person["store"], "items": self.items})["id"]
        total = Decimal(self.call("submit", self.seller, f"/api/v1/sales/{sale}/submit/", None)["result"]["total"])
        half = (total / 2).quantize(Decimal("1"))
        self.call("pay_momo", self.cashier, "/api/v1/payments/",
                  {"sale": sale, "method": "MOBILE_MONEY", "amount": str(half), "operator": "MTN",
                   "reference": f"MP{uuid.uuid4().hex[:10]}"}, {"Idempotency-Key": uuid.uuid4().hex})
        rest = total - half
        tendered = ((rest // 5000) + 1) * 5000
        result = self.call("pay_cash", self.cashier, "/api/v1/payments/",
                           {"sale": sale, "method": "CASH", "amount": str(rest), "tendered": str(tendered)},
                           {"Idempotency-Key": uuid.uuid4().hex})["result"]
        if result["sale_status"] != "PAID":
            raise RuntimeError(f"sale {sale} is {result['sale_status']}")
        self.done += 1


class AuthenticatedNothing(Till):
    """The stack floor: four calls as a checkout's, each authenticated (JWT, revocation check, the
    user's load, the permission check) and refused by the payment's validation (422) before any
    rule reads the database: what this app's stack costs per call before the checkout's work.
    The cashier makes the four calls (a seller may not pay: 403 before the validation)."""

    def checkout(self):
        for name in CALLS:
            started = time.perf_counter()
            status, data = self.cashier.request("POST", "/api/v1/payments/", {})
            self.timings[name].append(time.perf_counter() - started)
            if status != 422:
                raise RuntimeError(f"stack floor: {status} {data[:200]!r}")
        self.done += 1


def run_api_level(base, people, product_ids, count, seconds, meter, till_class=Till):
    tills = [till_class(base, people[i], product_ids) for i in range(count)]
    for till in tills:  # warm the workers (imports, caches, connection pools)
        for _ in range(2):
            till.checkout()
        till.timings = {call: [] for call in CALLS}
        till.done = 0
    barrier = threading.Barrier(count + 1)
    stop_at = [0.0]

    def start(till):
        barrier.wait()
        while time.perf_counter() < stop_at[0]:
            try:
                till.checkout()
            except Exception as exc:  # noqa: BLE001 - counted and shown, the run goes on
                till.errors.append(str(exc))

    threads = [threading.Thread(target=start, args=(till,)) for till in tills]
    for thread in threads:
        thread.start()
    stop_at[0] = time.perf_counter() + seconds
    meter.start()
    began = time.perf_counter()
    barrier.wait()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    done = sum(till.done for till in tills)
    cpu = meter.stop()
    timings = {call: [t for till in tills for t in till.timings[call]] for call in CALLS}
    errors = [e for till in tills for e in till.errors]
    return done / elapsed, timings, errors, cpu_per_checkout(cpu, done)


# --- the raw-SQL baseline ---------------------------------------------------------------------

RAW = {
    "sale": "INSERT INTO sale (store_id, status, seller_id, discount, subtotal, tax_total, total, amount_paid, "
            "amount_refunded, stock_reserved, created_at, updated_at) VALUES (%s, 'DRAFT', %s, 0, %s, %s, %s, 0, 0, "
            "false, now(), now()) RETURNING id",
    "item": "INSERT INTO sale_item (sale_id, position, product_id, quantity, unit_price, discount, tax_rate, "
            "line_total, refunded_quantity) VALUES (%s, %s, %s, %s, %s, 0, 19.25, %s, 0)",
    "audit": "INSERT INTO audit_log (created_at, user_id, store_id, action, object_type, object_id, before, after) "
             "VALUES (now(), %s, %s, %s, 'Sale', %s, %s, %s)",
    "payment": "INSERT INTO payment (sale_id, store_id, shift_id, cashier_id, method, amount, tendered, change_given, "
               "operator, reference, idempotency_key, fingerprint, sale_status_after, balance_due_after, created_at) "
               "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, now()) RETURNING id",
    "stock": "UPDATE product_stock SET quantity = quantity - %s WHERE store_id = %s AND product_id = %s "
             "AND quantity - reserved >= %s RETURNING quantity",
    "movement": "INSERT INTO inventory_movement (store_id, product_id, type, quantity, balance_after, reference_type, "
                "reference_id, user_id, created_at) VALUES (%s, %s, 'SALE', %s, %s, 'Sale', %s, %s, now())",
    "bump": "UPDATE sequence SET last_value = last_value + 1 WHERE store_id = %s AND doc_type = 'FAC' AND year = %s "
            "RETURNING last_value",
    "final": "UPDATE sale SET status = 'PAID', number = %s, amount_paid = %s, submitted_at = now(), paid_at = now(), "
             "updated_at = now() WHERE id = %s",
}


def raw_checkout(conn, person, product_ids, year):
    prices = [(pid, Decimal(price), qty) for pid, (_, _, price, qty) in zip(product_ids, PRODUCTS)]
    total = sum(price * qty for _, price, qty in prices)
    tva = total - (total * 100 / Decimal("119.25")).quantize(Decimal("1"))
    half = (total / 2).quantize(Decimal("1"))
    rest = total - half
    tendered = ((rest // 5000) + 1) * 5000
    store, seller, cashier, shift = person["store"], person["seller_id"], person["cashier_id"], person["shift"]
    with conn.transaction():
        sale = conn.execute(RAW["sale"], (store, seller, total, tva, total), prepare=True).fetchone()[0]
        for position, (pid, price, qty) in enumerate(prices):
            conn.execute(RAW["item"], (sale, position, pid, qty, price, price * qty), prepare=True)
        conn.execute(RAW["audit"], (seller, store, "sale.create", str(sale), None, json.dumps({"status": "DRAFT"})),
                     prepare=True)
        conn.execute(RAW["audit"], (seller, store, "sale.submit", str(sale), json.dumps({"status": "DRAFT"}),
                                    json.dumps({"status": "PENDING_PAYMENT"})), prepare=True)
        conn.execute(RAW["payment"], (sale, store, shift, cashier, "MOBILE_MONEY", half, None, 0, "MTN",
                                      uuid.uuid4().hex[:12], uuid.uuid4().hex, "f" * 64, "PARTIALLY_PAID", rest),
                     prepare=True)
        conn.execute(RAW["audit"], (cashier, store, "sale.payment", str(sale), None,
                                    json.dumps({"status": "PARTIALLY_PAID"})), prepare=True)
        for pid, _, qty in sorted(prices):
            balance = conn.execute(RAW["stock"], (qty, store, pid, qty), prepare=True).fetchone()[0]
            conn.execute(RAW["movement"], (store, pid, -qty, balance, sale, cashier), prepare=True)
        conn.execute(RAW["payment"], (sale, store, shift, cashier, "CASH", rest, tendered, tendered - rest, None, None,
                                      uuid.uuid4().hex, "f" * 64, "PAID", 0), prepare=True)
        conn.execute(RAW["audit"], (cashier, store, "sale.payment", str(sale), None, json.dumps({"status": "PAID"})),
                     prepare=True)
        value = conn.execute(RAW["bump"], (store, year), prepare=True).fetchone()[0]  # the hot lock, last
        conn.execute(RAW["final"], (f"{person['store_code']}-FAC-{year}-{value:06d}", total, sale), prepare=True)


def run_raw_level(url, people, product_ids, count, seconds, meter):
    year = datetime.now(timezone.utc).year
    connections = [psycopg.connect(libpq(url)) for _ in range(count)]
    for conn, person in zip(connections, people):  # warm up: prepared statements, the sequence rows
        raw_checkout(conn, person, product_ids, year)
    done = [0] * count
    barrier = threading.Barrier(count + 1)
    stop_at = [0.0]

    def work(index):
        barrier.wait()
        while time.perf_counter() < stop_at[0]:
            raw_checkout(connections[index], people[index], product_ids, year)
            done[index] += 1

    threads = [threading.Thread(target=work, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    stop_at[0] = time.perf_counter() + seconds
    meter.start()
    began = time.perf_counter()
    barrier.wait()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    cpu = meter.stop()
    for conn in connections:
        conn.close()
    return sum(done) / elapsed, cpu_per_checkout(cpu, sum(done))


def cpu_per_checkout(cpu, done):
    """CPU milliseconds per checkout of each party, or None without /proc."""
    if cpu is None or not done:
        return None
    return {name: seconds * 1000 / done for name, seconds in cpu.items()}


# --- report -----------------------------------------------------------------------------------

def percentile(samples, q):
    if not samples:
        return float("nan")
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def print_cpu_split(rows):
    """Who used the cores, in CPU ms per checkout, and what the app server may spend per call at 1/4
    of the raw-SQL rate once PostgreSQL and the load generator have had what the API run needed."""
    if not any(row["cpu"]["api"] for row in rows):
        return
    cores = os.cpu_count() or 1
    runs = ("api", "raw", "stack", "http")
    print("\nCPU ms per checkout (app server / PostgreSQL / load generator):")
    print("tills | API run            | raw-SQL run        | stack floor run    | HTTP floor run     | "
          "app per call | allowed at 1/4 raw | stack floor per call")
    for row in rows:
        cpu = row["cpu"]
        if not all(cpu[run] for run in runs):
            continue
        api = cpu["api"]
        budget = cores * 1000 / (row["rate"]["raw"] / 4) - api["postgres"] - api["client"]
        cells = " | ".join(f"{cpu[run]['app']:5.1f} / {cpu[run]['postgres']:4.1f} / {cpu[run]['client']:4.1f}"
                           for run in runs)
        print(f"{row['tills']:5d} | {cells} | {api['app'] / len(CALLS):9.1f} ms | {budget / len(CALLS):15.1f} ms"
              f" | {cpu['stack']['app'] / len(CALLS):6.1f} ms (do-nothing app {cpu['http']['app'] / len(CALLS):.1f})")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--levels", default="1,4,8")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--no-redis", action="store_true", help="token blocklist and rate limits in-process/DB")
    args = parser.parse_args()
    levels = [int(x) for x in args.levels.split(",")]
    url = create_database()
    process = None
    print(f"scratch database {make_url(url).database}; gunicorn {args.workers} sync workers; "
          f"{args.seconds:g} s per level; Redis: {'no' if args.no_redis else REDIS}")
    try:
        people, product_ids = prepare(url, max(levels))
        process, base = start_gunicorn(url, args.workers, not args.no_redis)
        floor_process, floor_base = start_gunicorn(url, args.workers, False, "bench.http_floor:app")
        rows = []
        try:
            for count in levels:
                row = {"tills": count, "rate": {}, "cpu": {}}
                row["rate"]["api"], row["timings"], row["errors"], row["cpu"]["api"] = run_api_level(
                    base, people, product_ids, count, args.seconds, CpuMeter(process.pid))
                row["rate"]["raw"], row["cpu"]["raw"] = run_raw_level(url, people, product_ids, count, args.seconds,
                                                                      CpuMeter())
                row["rate"]["stack"], _, _, row["cpu"]["stack"] = run_api_level(
                    base, people, product_ids, count, args.seconds, CpuMeter(process.pid), AuthenticatedNothing)
                row["rate"]["http"], _, _, row["cpu"]["http"] = run_api_level(
                    floor_base, people, product_ids, count, args.seconds, CpuMeter(floor_process.pid))
                rows.append(row)
                rate = row["rate"]
                print(f"  {count} till(s): API {rate['api']:7.1f} checkouts/s, raw SQL {rate['raw']:7.1f} tx/s, "
                      f"stack floor {rate['stack']:7.1f}/s, HTTP floor {rate['http']:7.1f}/s, "
                      f"{len(row['errors'])} error(s)", flush=True)
        finally:
            stop_gunicorn(floor_process)
        print()
        print("tills | API checkouts/s | raw SQL checkouts/s | ratio API/raw | stack floor/s | stack/raw | "
              "HTTP floor/s | " + " | ".join(f"{c} p50/p95 ms" for c in CALLS))
        for row in rows:
            rate, timings = row["rate"], row["timings"]
            cells = [f"{percentile(timings[c], 50) * 1000:6.1f} / {percentile(timings[c], 95) * 1000:6.1f}"
                     for c in CALLS]
            print(f"{row['tills']:5d} | {rate['api']:15.1f} | {rate['raw']:19.1f} | {rate['api'] / rate['raw']:13.3f} | "
                  f"{rate['stack']:13.1f} | {rate['stack'] / rate['raw']:9.3f} | {rate['http']:12.1f} | "
                  + " | ".join(cells))
            for error in sorted(set(row["errors"]))[:3]:
                print(f"      error: {error}")
        print_cpu_split(rows)
        by_tills = {row["tills"]: row for row in rows}
        if 8 in by_tills:
            ratio = by_tills[8]["rate"]["api"] / by_tills[8]["rate"]["raw"]
            print(f"\ntarget at 8 tills, API >= 1/4 of raw SQL: {ratio:.3f} -> {'met' if ratio >= 0.25 else 'NOT met'}")
        if 1 in by_tills:
            worst = max(percentile(by_tills[1]["timings"][c], 95) for c in CALLS) * 1000
            print(f"target at 1 till, every call p95 < 50 ms: worst {worst:.1f} ms -> "
                  f"{'met' if worst < 50 else 'NOT met'}")
    finally:
        if process is not None:
            stop_gunicorn(process)
        drop_database(url)


if __name__ == "__main__":
    main()
