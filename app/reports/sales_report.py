"""The sales report (SPEC §10 `reports/sales/`): the period's figures grouped by day, week, month,
seller, category or payment method, and its Excel workbook.

Same definitions as the KPIs (services.py): a sale counts on the local day it became PAID, a
refund on the day it was made (against its sale's seller, its lines' categories). The sales are
read once, streamed (`yield_per`), and every time grouping is filled in that one pass, so a year
of sales costs constant memory; the workbook is written by openpyxl in write-only mode to a
temporary file that is streamed to the client.
"""
import os
import tempfile
from collections import defaultdict
from decimal import Decimal

from flask_appbuilder.security.sqla.models import User
from sqlalchemy import exists, func, select
from sqlalchemy.orm import aliased

from ..core.days import local_day_bounds
from ..cashier.models import Payment
from ..catalog.models import Category, Product
from ..extensions import db
from ..sales.models import Refund, RefundLine, Sale, SaleItem
from ..stock.filters import category_and_children
from .services import whole

GROUPINGS = ("day", "week", "month", "seller", "category", "payment_method")
SHEET_TITLES = {"day": "Par jour", "week": "Par semaine", "month": "Par mois", "seller": "Par vendeur",
                "category": "Par catégorie", "payment_method": "Par mode de paiement"}
METHOD_LABELS = {"CASH": "Espèces", "MOBILE_MONEY": "Mobile money", "BANK_TRANSFER": "Virement",
                 "CARD": "Carte", "CREDIT": "Crédit"}
FCFA = '#,##0 "FCFA"'
CHUNK = 2000


def _time_keys(moment, zone):
    local = moment.astimezone(zone)
    year, week, _ = local.isocalendar()
    day = local.date()
    return {"day": day.isoformat(), "week": f"{year}-S{week:02d}", "month": day.strftime("%Y-%m")}


def _ht_share(amount, total, tax):
    return whole(Decimal(amount) * (total - tax) / total) if total else Decimal("0")


def _names(ids):
    if not ids:
        return {}
    return dict(db.session.execute(select(User.id, User.first_name + " " + User.last_name)
                                   .where(User.id.in_(list(ids)))).all())


def _row(key, label, bucket):
    return {"group": key, "label": label, "sales_count": bucket[0], "items_sold": bucket[1],
            "revenue": str(whole(bucket[2])), "revenue_ht": None if bucket[3] is None else str(whole(bucket[3]))}


class Filters:
    """What the report keeps besides the period and the stores: a seller's sales, the sales paid
    (in part or in full) by a payment method, and the lines of a category (with its subcategories)."""

    def __init__(self, seller=None, category=None, method=None):
        self.seller, self.category, self.method = seller, category, method
        self.categories = category_and_children(category) if category else None

    def sales(self):
        """Conditions on Sale: the sales the report counts."""
        where = []
        if self.seller:
            where.append(Sale.seller_id == self.seller)
        if self.method:  # aliases: the queries that use these conditions read the same tables
            payment = aliased(Payment)
            where.append(exists().where(payment.sale_id == Sale.id, payment.method == self.method).correlate(Sale))
        if self.categories:
            item, product = aliased(SaleItem), aliased(Product)
            where.append(exists().where(item.sale_id == Sale.id, item.product_id == product.id,
                                        product.category_id.in_(self.categories)).correlate(Sale))
        return where

    def lines(self):
        """Conditions on the lines' Product: with a category, only its lines count."""
        return [Product.category_id.in_(self.categories)] if self.categories else []


def _add_line(buckets, store, by_lines, sign, moment, seller, category, quantity, amount, rate):
    """A sold line (sign 1) or a refunded one (-1) in its time, seller and category buckets: its items,
    and its amounts where they count by line (a category report, or the category grouping)."""
    keys = _time_keys(moment, store.zone)
    keys["seller"] = seller
    keys["category"] = category
    ht = whole(amount / (1 + rate / 100))
    for name, key in keys.items():
        bucket = buckets[name][key]
        bucket[1] += sign * quantity
        if by_lines or name == "category":
            bucket[2] += sign * amount
            bucket[3] += sign * ht


def report(stores, date_from, date_to, filters=None):
    """{grouping: [rows]} for every grouping, each sorted by its key.

    With a category, amounts and items are those of the category's lines (its refund lines less)
    and a sale counts when it has one; the payments of such a sale count in proportion of the
    category's part of it."""
    filters = filters or Filters()
    by_lines = bool(filters.categories)
    buckets = {name: defaultdict(lambda: [0, 0, Decimal("0"), Decimal("0")]) for name in GROUPINGS}
    categories = {}
    for store in stores:
        start, end = local_day_bounds(date_from, date_to, store.zone)
        paid = [Sale.store_id == store.id, Sale.paid_at >= start, Sale.paid_at < end, *filters.sales()]
        rows = db.session.execute(
            select(Sale.paid_at, Sale.total, Sale.tax_total, Sale.seller_id).where(*paid)
            .execution_options(yield_per=CHUNK))
        for paid_at, total, tax, seller in rows:
            keys = _time_keys(paid_at, store.zone)
            keys["seller"] = seller
            for name, key in keys.items():
                bucket = buckets[name][key]
                bucket[0] += 1
                if not by_lines:
                    bucket[2] += total
                    bucket[3] += total - tax
        refund_where = [Refund.store_id == store.id, Refund.created_at >= start, Refund.created_at < end,
                        *filters.sales()]
        if not by_lines:
            for created_at, amount, total, tax, seller in db.session.execute(
                    select(Refund.created_at, Refund.amount, Sale.total, Sale.tax_total, Sale.seller_id)
                    .join(Sale, Sale.id == Refund.sale_id).where(*refund_where)):
                keys = _time_keys(created_at, store.zone)
                keys["seller"] = seller
                for name, key in keys.items():
                    buckets[name][key][2] -= amount
                    buckets[name][key][3] -= _ht_share(amount, total, tax)
        # Items sold: per time key and seller from the lines, less the refunded quantities.
        for paid_at, seller, category, quantity, amount, rate in db.session.execute(
                select(Sale.paid_at, Sale.seller_id, Product.category_id, SaleItem.quantity, SaleItem.line_total,
                       SaleItem.tax_rate)
                .join(Sale, Sale.id == SaleItem.sale_id).join(Product, Product.id == SaleItem.product_id)
                .where(*paid, *filters.lines()).execution_options(yield_per=CHUNK)):
            _add_line(buckets, store, by_lines, 1, paid_at, seller, category, quantity, amount, rate)
        for created_at, seller, category, quantity, amount, rate in db.session.execute(
                select(Refund.created_at, Sale.seller_id, Product.category_id, RefundLine.quantity,
                       RefundLine.amount, SaleItem.tax_rate)
                .join(Refund, Refund.id == RefundLine.refund_id).join(SaleItem, SaleItem.id == RefundLine.sale_item_id)
                .join(Sale, Sale.id == Refund.sale_id).join(Product, Product.id == SaleItem.product_id)
                .where(*refund_where, *filters.lines())):
            _add_line(buckets, store, by_lines, -1, created_at, seller, category, quantity, amount, rate)
        for category, count in db.session.execute(  # a sale counts once in each category it has lines of
                select(Product.category_id, func.count(func.distinct(Sale.id)))
                .join(SaleItem, SaleItem.sale_id == Sale.id).join(Product, Product.id == SaleItem.product_id)
                .where(*paid, *filters.lines()).group_by(Product.category_id)):
            buckets["category"][category][0] += count
        payment_where = [Payment.store_id == store.id, Payment.created_at >= start, Payment.created_at < end,
                         *filters.sales()]
        if filters.method:
            payment_where.append(Payment.method == filters.method)
        amount = Payment.amount
        query = select(Payment.method, func.count(Payment.id), func.sum(amount)).join(Sale, Sale.id == Payment.sale_id)
        if by_lines:  # the category's part of each sale's payments
            part = (select(SaleItem.sale_id, func.sum(SaleItem.line_total).label("part"))
                    .join(Product, Product.id == SaleItem.product_id).where(*filters.lines())
                    .group_by(SaleItem.sale_id).subquery())
            amount = Payment.amount * part.c.part / func.nullif(Sale.total, 0)
            query = (select(Payment.method, func.count(Payment.id), func.sum(amount))
                     .join(Sale, Sale.id == Payment.sale_id).join(part, part.c.sale_id == Sale.id))
        for method, count, total in db.session.execute(query.where(*payment_where).group_by(Payment.method)):
            bucket = buckets["payment_method"][method]
            bucket[0] += count
            bucket[2] += total or 0
            bucket[3] = None
    for category_id, name in db.session.execute(select(Category.id, Category.name)):
        categories[category_id] = name
    sellers = _names([k for k in buckets["seller"]])
    result = {}
    for name in ("day", "week", "month"):
        result[name] = [_row(key, key, bucket) for key, bucket in sorted(buckets[name].items())]
    result["seller"] = [_row(key, sellers.get(key, str(key)), bucket)
                        for key, bucket in sorted(buckets["seller"].items(), key=lambda kv: -kv[1][2])]
    result["category"] = [_row(key, categories.get(key, "Sans catégorie"), bucket)
                          for key, bucket in sorted(buckets["category"].items(), key=lambda kv: -kv[1][2])]
    result["payment_method"] = [_row(key, METHOD_LABELS.get(key, key), bucket)
                                for key, bucket in sorted(buckets["payment_method"].items())]
    return result


def sale_lines(stores, date_from, date_to, filters=None):
    """Every sale the report counts in the period, one tuple each, streamed: for the workbook's detail sheet."""
    filters = filters or Filters()
    for store in stores:
        start, end = local_day_bounds(date_from, date_to, store.zone)
        where = [Sale.store_id == store.id, Sale.paid_at >= start, Sale.paid_at < end, *filters.sales()]
        rows = db.session.execute(
            select(Sale.number, Sale.paid_at, Sale.seller_id, Sale.total, Sale.tax_total, Sale.amount_refunded,
                   Sale.status).where(*where).order_by(Sale.paid_at, Sale.id).execution_options(yield_per=CHUNK))
        for number, paid_at, seller, total, tax, refunded, status in rows:
            yield (number, paid_at.astimezone(store.zone).replace(tzinfo=None), store.code, seller,
                   int(total), int(total - tax), int(refunded), status)


COLUMNS = ("Groupe", "Ventes", "Articles", "Chiffre d'affaires TTC", "Chiffre d'affaires HT")
DETAIL_COLUMNS = ("Numéro", "Payée le", "Magasin", "Vendeur", "Total TTC", "Total HT", "Remboursé", "Statut")


def write_workbook(stores, date_from, date_to, group_by, filters=None):
    """The report as an .xlsx file on disk (write-only openpyxl): one sheet per grouping, the asked
    one first, then every sale. Returns the file's path; the caller streams and removes it."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    groups = report(stores, date_from, date_to, filters)
    book = Workbook(write_only=True)
    bold = Font(bold=True)

    def header(sheet, titles):
        cells = []
        for title in titles:
            cell = WriteOnlyCell(sheet, value=title)
            cell.font = bold
            cells.append(cell)
        sheet.append(cells)

    def money_cell(sheet, value):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = FCFA
        return cell

    for name in (group_by,) + tuple(g for g in GROUPINGS if g != group_by):
        sheet = book.create_sheet(SHEET_TITLES[name])
        header(sheet, COLUMNS)
        for row in groups[name]:
            sheet.append([str(row["label"]), row["sales_count"], row["items_sold"],
                          money_cell(sheet, int(row["revenue"])),
                          money_cell(sheet, None if row["revenue_ht"] is None else int(row["revenue_ht"]))])
    detail = book.create_sheet("Ventes")
    header(detail, DETAIL_COLUMNS)
    seller_names = {}
    for number, paid_at, code, seller, total, ht, refunded, status in sale_lines(stores, date_from, date_to, filters):
        if seller not in seller_names:
            seller_names.update(_names([seller]))
        when = WriteOnlyCell(detail, value=paid_at)
        when.number_format = "dd/mm/yyyy hh:mm"
        detail.append([number, when, code, seller_names.get(seller, str(seller)), money_cell(detail, total),
                       money_cell(detail, ht), money_cell(detail, refunded), status])
    handle, path = tempfile.mkstemp(suffix=".xlsx", prefix="ventes-")
    os.close(handle)
    book.save(path)
    return path


def stream_file(path, chunk=64 * 1024):
    """The file's bytes in chunks, then the file removed."""
    try:
        with open(path, "rb") as handle:
            while True:
                data = handle.read(chunk)
                if not data:
                    break
                yield data
    finally:
        os.remove(path)
