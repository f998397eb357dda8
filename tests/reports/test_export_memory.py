"""A year of sales (100,000) exported in constant memory: write-only workbook, streamed rows."""
import os
import tracemalloc
from datetime import date

from openpyxl import load_workbook
from sqlalchemy import text

from app.extensions import db
from app.reports import sales_report
from tests.factories import make_product, make_store, user_by_email

SALES = 100_000
BOUND = 40 * 1024 * 1024  # bytes of Python memory at the peak; a normal-mode workbook of the same needs far more


def test_a_100000_sale_export_stays_under_the_memory_bound(app, postgres):
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

        tracemalloc.start()
        try:
            path = sales_report.write_workbook([store], date(2026, 1, 1), date(2026, 12, 31), "month")
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        try:
            print(f"peak {peak / 1024 / 1024:.1f} MiB for {SALES} sales")
            assert peak < BOUND
            book = load_workbook(path, read_only=True)
            assert book.sheetnames[0] == "Par mois"
            months = list(book["Par mois"].iter_rows(min_row=2, values_only=True))
            assert sum(row[1] for row in months) == SALES
            assert sum(row[3] for row in months) == SALES * 11925
            assert book["Ventes"].max_row == SALES + 1
            book.close()
        finally:
            os.remove(path)
