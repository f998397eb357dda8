"""A year of sales (100,000) exported in constant memory: write-only workbook, streamed rows.

The export runs in a child process whose peak resident memory (ru_maxrss) is measured: tracemalloc
makes openpyxl's cell writing too slow for 800,000 cells on this machine.
"""
import os
import subprocess
import sys
from datetime import date

from openpyxl import load_workbook
from sqlalchemy import text

from app.extensions import db
from app.reports import sales_report
from tests.factories import make_product, make_store, user_by_email

SALES = 100_000
BOUND_MB = 100  # the export's peak above the same process's peak before it; a normal-mode workbook needs several times that
CHILD = """
import resource, sys
from datetime import date
import config
from app import create_app
class C(config.TestConfig):
    SQLALCHEMY_DATABASE_URI = sys.argv[1]
app = create_app(C)
with app.app_context():
    from app.extensions import db
    from app.reports import sales_report
    from app.stores.models import Store
    store = db.session.execute(db.select(Store).where(Store.code == "BIG1")).scalar_one()
    db.session.execute(db.text("SELECT 1"))
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    path = sales_report.write_workbook([store], date(2026, 1, 1), date(2026, 12, 31), "month")
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(path, before, after)
"""


def test_a_100000_sale_export_stays_under_the_memory_bound(app, postgres, database_url):
    with app.app_context():
        store = make_store("BIG1", "Magasin de l'année")
        seller = user_by_email("vendeur1@boutique.cm")
        product = make_product("BIG-PHONE", "Téléphone de l'année", sale_price="11925")
        # Set-based: one sale every 5 minutes from 1 January (347 days), one line each.
        db.session.execute(text("""
            INSERT INTO sale (store_id, number, status, seller_id, discount, subtotal, tax_total, total, amount_paid,
                              amount_refunded, stock_reserved, created_at, updated_at, submitted_at, paid_at)
            SELECT :store, 'BIG1-FAC-' || g, 'PAID', :seller, 0, 11925, 1925, 11925, 11925, 0, false, t, t, t, t
            FROM generate_series(1, :n) AS g, LATERAL (SELECT timestamptz '2026-01-01 07:00+00' + g * interval '5 minutes' AS t) AS m
        """), {"store": store.id, "seller": seller.id, "n": SALES})
        db.session.execute(text("""
            INSERT INTO sale_item (sale_id, position, product_id, quantity, unit_price, discount, tax_rate, line_total,
                                   refunded_quantity)
            SELECT id, 0, :product, 1, 11925, 0, 19.25, 11925, 0 FROM sale WHERE store_id = :store
        """), {"store": store.id, "product": product.id})
        db.session.commit()

    child = subprocess.run([sys.executable, "-c", CHILD, database_url], capture_output=True, text=True, timeout=900,
                           cwd=os.path.dirname(os.path.dirname(os.path.dirname(__file__))))
    assert child.returncode == 0, child.stderr[-2000:]
    path, before, after = child.stdout.strip().splitlines()[-1].split()
    grown_mb = (int(after) - int(before)) / 1024  # ru_maxrss is in KiB on Linux
    print(f"export of {SALES} sales: peak RSS {int(after) / 1024:.0f} MiB, grew by {grown_mb:.1f} MiB")
    with app.app_context():
        try:
            assert grown_mb < BOUND_MB
            book = load_workbook(path, read_only=True)
            assert book.sheetnames[0] == "Par mois"
            months = list(book["Par mois"].iter_rows(min_row=2, values_only=True))
            assert sum(row[1] for row in months) == SALES
            assert sum(row[3] for row in months) == SALES * 11925
            # a write-only sheet records no dimension: the rows are counted
            assert sum(1 for _ in book["Ventes"].iter_rows(values_only=True)) == SALES + 1
            book.close()
        finally:
            os.remove(path)
