"""The alert checks (SPEC §9) and what people do with an alert (acknowledge, resolve).

A check is one SELECT that lists the causes present now, over all stores at once:
(type, store_id, cause_key, severity, message, object_type, object_id). `run_check` turns
it into alerts with set-based SQL: the causes without an open alert get one (INSERT ...
SELECT ... ON CONFLICT DO NOTHING on the partial unique index of open alerts, so two runs at
once cannot duplicate), and the open alerts whose cause is no longer listed are RESOLVED (one
UPDATE; on PostgreSQL both in one statement). A new job is a Check (its cause query), a Job in
JOBS (its checks and local hour) and one task in tasks.py (check_overdue_credits was added so).
"""
import logging
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import bindparam, func, select, text

from ..core import audit
from ..core.errors import InvalidTransition, NotFound
from ..core.models import UtcDateTime, utcnow
from ..core.scoping import can_access_store, is_admin, role_name, user_store_ids
from ..extensions import db
from ..stores.models import Store
from .models import (ABNORMAL_DISCOUNT, ACKNOWLEDGED, CASH_VARIANCE, LOW_STOCK, NEW, OPEN_STATUSES,
                     OVERDUE_CREDIT, PENDING_PAYMENT, RESOLVED, SELLER_DISCOUNT, STOCK_TYPES, Alert)

log = logging.getLogger(__name__)

OPEN_SQL = "('NEW', 'ACKNOWLEDGED')"
DISCOUNT_WINDOW = timedelta(days=7)  # sales looked at by the discount checks
VARIANCE_WINDOW = timedelta(days=30)  # closed shifts looked at by the cash variance check
# A seller is "far above the store average" at twice its rate and at least 5 points more.
SELLER_FACTOR, SELLER_MIN_GAP = 2, 5


@dataclass(frozen=True)
class Check:
    """The query that lists the causes of one or more kinds of alert (`types`).

    `causes` is a SELECT of type, store_id, cause_key, severity, message, object_type,
    object_id; it may use the parameters :now and :since (now - window),
    `{cutoff_minutes}`, which becomes the dialect's "now minus that many minutes" for the
    store's pending limit, and `{local_today}`, the date at :now in the zone of the store `st`.
    A check that covers several types reads its data once.
    """

    name: str
    types: tuple
    causes: str
    window: timedelta = timedelta(0)


# --- the cause queries (portable SQL: PostgreSQL and SQLite) ---

LOW_STOCK_CAUSES = """
SELECT 'LOW_STOCK' AS type, ps.store_id AS store_id, 'product:' || ps.product_id AS cause_key,
       CASE WHEN ps.quantity - ps.reserved <= 0 THEN 'CRITICAL' ELSE 'WARNING' END AS severity,
       CASE WHEN ps.quantity - ps.reserved <= 0
            THEN 'Rupture de stock : ' || p.name || ' (' || p.sku || ')'
            ELSE 'Stock bas : ' || p.name || ' (' || p.sku || '), ' || (ps.quantity - ps.reserved)
                 || ' disponible(s), seuil ' || p.reorder_level END AS message,
       'Product' AS object_type, ps.product_id AS object_id
FROM product_stock ps
JOIN product p ON p.id = ps.product_id
JOIN store st ON st.id = ps.store_id
WHERE p.is_active AND st.is_active AND ps.quantity - ps.reserved <= p.reorder_level
"""

PENDING_PAYMENT_CAUSES = """
SELECT 'PENDING_PAYMENT' AS type, s.store_id AS store_id, 'sale:' || s.id AS cause_key, 'WARNING' AS severity,
       'Vente ' || s.number || ' en attente de paiement depuis plus de '
           || st.pending_payment_limit_minutes || ' min' AS message,
       'Sale' AS object_type, s.id AS object_id
FROM sale s
JOIN store st ON st.id = s.store_id
WHERE s.status = 'PENDING_PAYMENT' AND st.is_active
  AND s.submitted_at < {cutoff_minutes}
"""

# Discounts of the window, read once: each sale over the store's threshold (its lines at list
# price against what was asked), and each seller far above the store's average rate.
DISCOUNT_CAUSES = f"""
WITH per_sale AS (
    SELECT s.id AS sale_id, s.store_id AS store_id, s.seller_id AS seller_id, s.number AS number,
           SUM(i.quantity * p.sale_price) AS list_total, MAX(s.subtotal) - MAX(s.discount) AS net_total
    FROM sale s
    JOIN sale_item i ON i.sale_id = s.id
    JOIN product p ON p.id = i.product_id
    WHERE s.status NOT IN ('DRAFT', 'CANCELLED') AND s.submitted_at >= :since AND s.submitted_at <= :now
    GROUP BY s.id, s.store_id, s.seller_id, s.number),
per_seller AS (
    SELECT store_id, seller_id, SUM(list_total) AS list_total, SUM(net_total) AS net_total
    FROM per_sale GROUP BY store_id, seller_id HAVING SUM(list_total) > 0),
per_store AS (
    SELECT store_id, 100.0 * (SUM(list_total) - SUM(net_total)) / SUM(list_total) AS rate
    FROM per_seller GROUP BY store_id)
SELECT 'ABNORMAL_DISCOUNT' AS type, d.store_id AS store_id, 'sale:' || d.sale_id AS cause_key,
       'WARNING' AS severity,
       'Vente ' || d.number || ' : remise de ' || ROUND(100.0 * (d.list_total - d.net_total) / d.list_total, 1)
           || ' % (seuil du magasin ' || ROUND(st.discount_threshold, 1) || ' %)' AS message,
       'Sale' AS object_type, d.sale_id AS object_id
FROM per_sale d
JOIN store st ON st.id = d.store_id
WHERE st.is_active AND d.list_total > 0
  AND 100.0 * (d.list_total - d.net_total) / d.list_total > st.discount_threshold
UNION ALL
SELECT 'SELLER_DISCOUNT', x.store_id, 'user:' || x.seller_id, 'WARNING',
       'Vendeur ' || u.first_name || ' ' || u.last_name || ' : remise moyenne de ' || ROUND(x.rate, 1)
           || ' % sur 7 jours (magasin : ' || ROUND(x.store_rate, 1) || ' %)',
       'User', x.seller_id
FROM (SELECT d.store_id, d.seller_id, 100.0 * (d.list_total - d.net_total) / d.list_total AS rate,
             m.rate AS store_rate
      FROM per_seller d JOIN per_store m ON m.store_id = d.store_id) x
JOIN store st ON st.id = x.store_id
JOIN ab_user u ON u.id = x.seller_id
WHERE st.is_active AND x.rate >= {SELLER_FACTOR} * x.store_rate AND x.rate - x.store_rate >= {SELLER_MIN_GAP}
"""

CASH_VARIANCE_CAUSES = """
SELECT 'CASH_VARIANCE' AS type, cs.store_id AS store_id, 'user:' || cs.cashier_id AS cause_key, 'WARNING' AS severity,
       'Caissier ' || u.first_name || ' ' || u.last_name || ' : ' || COUNT(*)
           || ' écarts de caisse de plus de ' || CAST(st.cash_variance_tolerance AS INTEGER)
           || ' en 30 jours' AS message,
       'User' AS object_type, cs.cashier_id AS object_id
FROM cash_shift cs
JOIN store st ON st.id = cs.store_id
JOIN ab_user u ON u.id = cs.cashier_id
WHERE cs.status = 'CLOSED' AND st.is_active AND cs.closed_at >= :since AND cs.closed_at <= :now
  AND ABS(cs.variance) > st.cash_variance_tolerance
GROUP BY cs.store_id, cs.cashier_id, u.first_name, u.last_name, st.cash_variance_tolerance,
         st.cash_variance_repeat
HAVING COUNT(*) >= st.cash_variance_repeat
"""

# One alert per credit account with installments unpaid past their due date, overdue from the
# day after it in the store's zone (as credits.services.overdue_amount and Installment.status_on
# count it); gone when they are repaid.
OVERDUE_CREDIT_CAUSES = """
SELECT 'OVERDUE_CREDIT' AS type, a.store_id AS store_id, 'account:' || a.id AS cause_key, 'WARNING' AS severity,
       'Crédit en retard : ' || c.name || ', ' || CAST(SUM(i.amount - i.paid) AS INTEGER) || ' ' || st.currency
           || ' échu(s) non payé(s) (' || COUNT(*) || ' échéance(s))' AS message,
       'CustomerAccount' AS object_type, a.id AS object_id
FROM credit_installment i
JOIN customer_account a ON a.id = i.account_id
JOIN customer c ON c.id = a.customer_id
JOIN store st ON st.id = a.store_id
WHERE st.is_active AND i.paid < i.amount AND i.due_date < {local_today}
GROUP BY a.id, a.store_id, c.name, st.currency
"""

CHECKS = {check.name: check for check in (
    Check("low_stock", (LOW_STOCK,), LOW_STOCK_CAUSES),
    Check("pending_payments", (PENDING_PAYMENT,), PENDING_PAYMENT_CAUSES),
    Check("discounts", (ABNORMAL_DISCOUNT, SELLER_DISCOUNT), DISCOUNT_CAUSES, DISCOUNT_WINDOW),
    Check("cash_variance", (CASH_VARIANCE,), CASH_VARIANCE_CAUSES, VARIANCE_WINDOW),
    Check("overdue_credits", (OVERDUE_CREDIT,), OVERDUE_CREDIT_CAUSES),
)}


@dataclass(frozen=True)
class Job:
    """A periodic job: its checks, and the local hour of the stores it runs for (None: every run)."""

    name: str
    checks: tuple
    local_hour: int | None = None


JOBS = {job.name: job for job in (
    Job("check_low_stock", ("low_stock",)),
    Job("check_pending_payments", ("pending_payments",)),
    Job("check_abnormal_discounts", ("discounts",), local_hour=22),
    Job("check_cash_variance", ("cash_variance",), local_hour=23),
    Job("check_overdue_credits", ("overdue_credits",), local_hour=8),
)}


@dataclass
class JobResult:
    """What one run did: (alert id, store id, message) of the alerts raised and resolved."""

    job: str
    raised: list = field(default_factory=list)
    resolved: list = field(default_factory=list)


def _cutoff_minutes(dialect):
    """`now` minus the store's pending limit, in the dialect's words."""
    if dialect == "postgresql":
        return "(CAST(:now AS timestamptz) - make_interval(mins => st.pending_payment_limit_minutes))"
    # SQLite keeps moments as 'YYYY-MM-DD HH:MM:SS[.ffffff]' text in UTC: compare as text.
    return "datetime(:now, '-' || st.pending_payment_limit_minutes || ' minutes')"


def _local_today(dialect, now):
    """Today's date in the zone of the store `st` at :now, in the dialect's words."""
    if dialect == "postgresql":
        return "CAST(timezone(st.timezone, CAST(:now AS timestamptz)) AS date)"
    # SQLite knows no zones: each store's date at `now` is computed here (a handful of stores).
    stores = db.session.execute(select(Store)).scalars().all()
    if not stores:
        return "NULL"
    days = " ".join(f"WHEN {int(store.id)} THEN '{now.astimezone(store.zone).date().isoformat()}'"
                    for store in stores)
    return f"(CASE st.id {days} END)"


def _statement(sql, store_ids):
    statement = text(sql).bindparams(bindparam("now", type_=UtcDateTime()))
    if ":types" in sql:
        statement = statement.bindparams(bindparam("types", expanding=True))
    if ":since" in sql:
        statement = statement.bindparams(bindparam("since", type_=UtcDateTime()))
    if store_ids is not None:
        statement = statement.bindparams(bindparam("stores", expanding=True))
    return statement


def run_check(check, now=None, store_ids=None):
    """Raise an alert for each new cause, resolve the open alerts whose cause has gone.

    `store_ids`: the stores to check (None: every store). Does not commit.
    Returns (raised, resolved): lists of (id, store_id, message).
    """
    now = now or utcnow()
    if store_ids is not None and not store_ids:
        return [], []
    dialect = db.session.get_bind().dialect.name
    causes = check.causes.replace("{cutoff_minutes}", _cutoff_minutes(dialect))
    if "{local_today}" in causes:
        causes = causes.replace("{local_today}", _local_today(dialect, now))
    if store_ids is not None:
        causes = f"SELECT * FROM ({causes}) c0 WHERE c0.store_id IN :stores"
    in_stores = " AND a.store_id IN :stores" if store_ids is not None else ""
    params = {"now": now, "since": now - check.window, "types": list(check.types)}
    if store_ids is not None:
        params["stores"] = list(store_ids)
    # Causes that already have an open alert are skipped by an anti-join (cheap, set-based); a
    # run at the same moment that raised one too is caught by ON CONFLICT on the unique index.
    # `o.type IN :types` keeps the anti-join to this check's open alerts (an index range): on a
    # table without statistics yet, PostgreSQL hashed every open alert of every type instead.
    insert = f"""
        INSERT INTO alert (type, severity, store_id, message, object_type, object_id, cause_key, status, created_at)
        SELECT c.type, c.severity, c.store_id, c.message, c.object_type, c.object_id, c.cause_key, 'NEW', :now
        FROM {{causes}} c
        WHERE NOT EXISTS (SELECT 1 FROM alert o WHERE o.type IN :types AND o.type = c.type
                          AND o.store_id = c.store_id AND o.cause_key = c.cause_key AND o.status IN {OPEN_SQL})
        ON CONFLICT (type, store_id, cause_key) WHERE status IN {OPEN_SQL} DO NOTHING
        RETURNING id, store_id, message"""
    if dialect == "postgresql":
        # One statement: the causes are computed once and serve the insert and the resolution.
        # The alerts whose cause has gone come from EXCEPT (a hash or sort set operation): an
        # anti-join planned on a freshly filled alert table (no statistics yet) chose a nested
        # loop over the causes, 9,000 x 9,000 comparisons (25 s in bench/alerts.py).
        sql = f"""
            WITH causes AS MATERIALIZED ({causes}),
            raised AS ({insert.format(causes="causes")}),
            gone AS MATERIALIZED (
                SELECT a.type, a.store_id, a.cause_key FROM alert a
                WHERE a.type IN :types AND a.status IN {OPEN_SQL}{in_stores}
                EXCEPT SELECT c.type, c.store_id, c.cause_key FROM causes c),
            resolved AS (
                UPDATE alert a SET status = 'RESOLVED', resolved_at = :now
                WHERE a.type IN :types AND a.status IN {OPEN_SQL}
                  AND (a.type, a.store_id, a.cause_key) IN (SELECT g.type, g.store_id, g.cause_key FROM gone g)
                RETURNING a.id, a.store_id, a.message)
            SELECT 'raised' AS kind, id, store_id, message FROM raised
            UNION ALL SELECT 'resolved', id, store_id, message FROM resolved"""
        rows = db.session.execute(_statement(sql, store_ids), params).all()
        raised = [tuple(r[1:]) for r in rows if r.kind == "raised"]
        resolved = [tuple(r[1:]) for r in rows if r.kind == "resolved"]
    else:
        raised = [tuple(r) for r in db.session.execute(
            _statement(insert.format(causes=f"({causes})"), store_ids), params)]
        resolve = f"""
            UPDATE alert AS a SET status = 'RESOLVED', resolved_at = :now
            WHERE a.type IN :types AND a.status IN {OPEN_SQL}{in_stores}
              AND (a.type || ':' || a.store_id || ':' || a.cause_key) NOT IN (
                  SELECT c.type || ':' || c.store_id || ':' || c.cause_key FROM ({causes}) c)
            RETURNING id, store_id, message"""
        resolved = [tuple(r) for r in db.session.execute(_statement(resolve, store_ids), params)]
    return sorted(raised), sorted(resolved)


def stores_at_local_hour(hour, now=None):
    """Ids of the active stores whose local time (their own zone) is in `hour` at `now`."""
    now = now or utcnow()
    stores = db.session.execute(select(Store).where(Store.is_active).order_by(Store.id)).scalars().all()
    return [store.id for store in stores if now.astimezone(store.zone).hour == hour]


def all_store_ids():
    return list(db.session.execute(select(Store.id).where(Store.is_active).order_by(Store.id)).scalars())


def run_job(name, now=None, store_ids=None, scheduled=False):
    """Run a job now and commit. `scheduled`: a daily job runs only for the stores whose local
    hour is the job's hour (the hourly tick of the scheduler); otherwise for `store_ids` or all."""
    job = JOBS[name]
    now = now or utcnow()
    if scheduled and job.local_hour is not None:
        store_ids = stores_at_local_hour(job.local_hour, now)
        if not store_ids:
            return JobResult(name)
    result = JobResult(name)
    try:
        for check_name in job.checks:
            raised, resolved = run_check(CHECKS[check_name], now, store_ids)
            result.raised += raised
            result.resolved += resolved
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    if result.raised or result.resolved:
        log.info("%s: %d raised, %d resolved", name, len(result.raised), len(result.resolved))
    return result


# --- what people do with alerts ---

def visible_types(user):
    """None: every type; else the types this role sees (a stock keeper: the stock alerts)."""
    return None if role_name(user) != "STOCKER" else STOCK_TYPES


def visible_alerts(user):
    """A query of the alerts the user sees: their stores' (all for ADMIN), their types."""
    query = select(Alert)
    if not is_admin(user):
        query = query.where(Alert.store_id.in_(user_store_ids(user)))
    types = visible_types(user)
    if types is not None:
        query = query.where(Alert.type.in_(types))
    return query


def open_count(user):
    query = visible_alerts(user).where(Alert.status == NEW).with_only_columns(func.count(Alert.id))
    return db.session.execute(query).scalar_one()


def get_alert(user, alert_id, lock=False):
    """The alert if the user sees it, else NotFound (another store's alert does not exist for them)."""
    query = visible_alerts(user).where(Alert.id == alert_id)
    if lock:
        query = query.with_for_update()
    alert = db.session.execute(query).scalar_one_or_none()
    if alert is None or not can_access_store(user, alert.store_id):
        raise NotFound()
    return alert


def acknowledge(user, alert_id):
    """NEW -> ACKNOWLEDGED: someone has seen it and takes care of it."""
    return _move(user, alert_id, (NEW,), ACKNOWLEDGED, "acknowledge", "acknowledged")


def resolve(user, alert_id):
    """An open alert -> RESOLVED by hand (if its cause is still there, the next run raises a new one)."""
    return _move(user, alert_id, OPEN_STATUSES, RESOLVED, "resolve", "resolved")


def _move(user, alert_id, allowed, status, action, stamp):
    """A person's transition of an alert from one of `allowed`: when and by whom (`<stamp>_at`, `_by_id`), audited."""
    alert = get_alert(user, alert_id, lock=True)
    if alert.status not in allowed:
        raise InvalidTransition()
    before = alert.status
    alert.status = status
    setattr(alert, f"{stamp}_at", utcnow())
    setattr(alert, f"{stamp}_by_id", user.id)
    audit.record(f"alert.{action}", alert, before={"status": before}, after={"status": status}, user_id=user.id)
    db.session.commit()
    return alert
