"""Customer credit rules (SPEC §6). Plain functions; those called by a screen or the API commit
their one transaction, those called from another domain's transaction (the till's CREDIT payment,
a refund) only flush and leave the commit to it.

Locking: every change of an account locks its row (SELECT ... FOR UPDATE) first, so two tills
charging the same account are served one after the other and the limit holds; the balance and
the ledger row are written together, so the balance is always the sum of the ledger.
Lock order: sale, then shift (FOR SHARE, by the till), then account.

Import direction: credits reads sales and customers; the till (cashier) calls credits, credits
never calls the till (the repayment's shift is an argument); sales never imports credits (the
refund calls `credit_back` through the hook wired in app/__init__.py).
"""
import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_DOWN, Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ..core import audit
from ..core.days import local_day_bounds
from ..core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from ..core import idempotency
from ..core.models import utcnow
from ..core.money import money_text
from ..core.scoping import can_access_store, is_admin, role_name, user_store_ids
from ..customers.models import Customer
from ..extensions import db
from ..core.inputs import MISSING, FieldErrors, read_bool, read_id, read_money, read_text
from .models import (
    CANCELLATION,
    CREDIT,
    DEBIT,
    OPENING,
    OVERDUE,
    REVERSAL,
    PAID,
    REFUND,
    REPAYMENT,
    REPAYMENT_METHODS,
    SALE,
    CreditLedgerEntry,
    CreditRepayment,
    CustomerAccount,
    Installment,
)

MANAGER_ROLES = ("MANAGER", "ADMIN")
MAX_INSTALLMENTS = 24
ZERO = Decimal("0")


class CreditLimitExceeded(Conflict):
    default_message = _l("Plafond de crédit dépassé.")


# --- time ------------------------------------------------------------------------------------

def local_today(store, now=None):
    """Today's date in the store's zone (an installment is overdue from the day after its due date there)."""
    return (now or utcnow()).astimezone(store.zone).date()




def add_months(day, months):
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def _format(amount, store):
    from ..core.formatting import format_money

    try:
        return format_money(amount, store.currency)
    except RuntimeError:  # outside a request (CLI, jobs)
        return f"{amount:.0f} {store.currency}"


# --- reading accounts --------------------------------------------------------------------------

def get_account(user, account_id, lock=False):
    """The account if it belongs to one of the user's stores, else NotFound (404)."""
    query = select(CustomerAccount).where(CustomerAccount.id == account_id)
    if lock:
        query = query.with_for_update(of=CustomerAccount).execution_options(populate_existing=True)
    account = db.session.execute(query).scalar_one_or_none()
    if account is None or not can_access_store(user, account.store_id):
        raise NotFound(_l("Compte client introuvable."))
    return account


def account_of_customer(user, customer_id):
    """The customer's account (of the user's stores), or None."""
    account = db.session.execute(
        select(CustomerAccount).where(CustomerAccount.customer_id == customer_id)).scalar_one_or_none()
    if account is None or not can_access_store(user, account.store_id):
        return None
    return account


def scoped_accounts(user, search=None, limit=100):
    query = select(CustomerAccount).join(Customer, Customer.id == CustomerAccount.customer_id)
    if not is_admin(user):
        query = query.where(CustomerAccount.store_id.in_(user_store_ids(user) or [-1]))
    if search:
        pattern = f"%{search.strip()}%"
        query = query.where(Customer.name.ilike(pattern) | Customer.phone.ilike(pattern))
    return db.session.execute(query.order_by(Customer.name).limit(limit)).scalars().all()


def installments_of(account, unpaid_only=False):
    query = select(Installment).where(Installment.account_id == account.id)
    if unpaid_only:
        query = query.where(Installment.paid < Installment.amount)
    return db.session.execute(query.order_by(Installment.due_date, Installment.id)).scalars().all()


def overdue_amount(account, today=None):
    """What is left to pay on the installments past their due date (in the store's zone)."""
    today = today or local_today(account.store)
    return Decimal(db.session.execute(
        select(func.coalesce(func.sum(Installment.amount - Installment.paid), 0))
        .where(Installment.account_id == account.id, Installment.paid < Installment.amount,
               Installment.due_date < today)).scalar_one())


def overdue_installments(account, today=None):
    today = today or local_today(account.store)
    return [i for i in installments_of(account, unpaid_only=True) if i.status_on(today) == OVERDUE]


def ledger_sum(account_id):
    """DEBIT - CREDIT over the whole ledger of the account (equals its balance)."""
    rows = db.session.execute(select(CreditLedgerEntry.kind, func.coalesce(func.sum(CreditLedgerEntry.amount), 0))
                              .where(CreditLedgerEntry.account_id == account_id)
                              .group_by(CreditLedgerEntry.kind)).all()
    totals = {kind: Decimal(total) for kind, total in rows}
    return totals.get(DEBIT, ZERO) - totals.get(CREDIT, ZERO)


# --- opening an account and changing its limit -----------------------------------------------------

def _require_manager(user, store_id):
    if role_name(user) not in MANAGER_ROLES or not can_access_store(user, store_id):
        raise Forbidden(_l("Seul un responsable ouvre un compte client ou change son plafond."))


def open_account(user, customer, credit_limit, note=None):
    """A manager opens the customer's account in the customer's home store (one per customer)."""
    errors = FieldErrors()
    customer_id = read_id(customer, "customer", errors)
    customer_obj = db.session.get(Customer, customer_id) if customer_id else None
    if customer_id and (customer_obj is None or not can_access_store(user, customer_obj.store_id)):
        errors.add("customer", _l("Client introuvable."))
        customer_obj = None
    currency = customer_obj.store.currency if customer_obj else "XAF"
    credit_limit = read_money(credit_limit, "credit_limit", errors, currency=currency)
    note = read_text(note, "note", errors, max_length=2000)
    errors.raise_if_any()
    _require_manager(user, customer_obj.store_id)
    exists = db.session.execute(select(CustomerAccount.id).where(
        CustomerAccount.customer_id == customer_obj.id)).scalar_one_or_none()
    if exists is not None:
        raise Conflict(_l("Ce client a déjà un compte crédit."))
    account = CustomerAccount(customer_id=customer_obj.id, store_id=customer_obj.store_id, credit_limit=credit_limit,
                              balance=ZERO, is_active=True, note=note, created_by_id=user.id, created_at=utcnow())
    db.session.add(account)
    try:
        db.session.flush()
    except IntegrityError as exc:  # opened at the same moment elsewhere: the unique customer says no
        db.session.rollback()
        raise Conflict(_l("Ce client a déjà un compte crédit.")) from exc
    audit.record("credit.open", account, user_id=user.id,
                 after={"customer": customer_obj.id, "credit_limit": money_text(credit_limit)})
    db.session.commit()
    return account


def update_account(user, account_id, credit_limit=MISSING, is_active=MISSING, note=MISSING):
    """A manager changes the limit (never under what is owed), suspends or reopens the account."""
    account = get_account(user, account_id, lock=True)
    _require_manager(user, account.store_id)
    errors = FieldErrors()
    before = {"credit_limit": money_text(account.credit_limit), "is_active": account.is_active}
    if credit_limit is not MISSING:
        credit_limit = read_money(credit_limit, "credit_limit", errors, currency=account.store.currency)
    if is_active is not MISSING:
        is_active = read_bool(is_active, "is_active", errors, default=account.is_active)
    if note is not MISSING:
        note = read_text(note, "note", errors, max_length=2000)
    errors.raise_if_any()
    if credit_limit is not MISSING:
        if credit_limit < account.balance:
            raise Conflict(_l("Le plafond ne peut pas être inférieur au solde dû (%(balance)s).",
                              balance=_format(account.balance, account.store)))
        account.credit_limit = credit_limit
    if is_active is not MISSING:
        account.is_active = is_active
    if note is not MISSING:
        account.note = note
    audit.record("credit.update", account, user_id=user.id, before=before,
                 after={"credit_limit": money_text(account.credit_limit), "is_active": account.is_active})
    db.session.commit()
    return account


# --- the ledger --------------------------------------------------------------------------------

def _append(account, kind, source, amount, user_id, **refs):
    """One ledger row and the balance it leaves, written together (the account is locked)."""
    account.balance = account.balance + amount if kind == DEBIT else account.balance - amount
    entry = CreditLedgerEntry(account_id=account.id, store_id=account.store_id, kind=kind, source=source,
                              amount=amount, balance_after=account.balance, user_id=user_id, created_at=utcnow(),
                              **refs)
    db.session.add(entry)
    db.session.flush()
    return entry


def _lock_account_of_customer(customer_id):
    return db.session.execute(
        select(CustomerAccount).where(CustomerAccount.customer_id == customer_id)
        .with_for_update(of=CustomerAccount).execution_options(populate_existing=True)).scalar_one_or_none()


def read_installments(value, errors, field="installments"):
    """Optional number of monthly installments (1 to 24)."""
    if value is None or value == "":
        return None
    if isinstance(value, bool) or isinstance(value, float) and not value.is_integer():
        errors.add(field, _l("Nombre d'échéances entre 1 et %(max)s attendu.", max=MAX_INSTALLMENTS))
        return None
    try:
        number = int(value)
    except (TypeError, ValueError, OverflowError):
        errors.add(field, _l("Nombre d'échéances entre 1 et %(max)s attendu.", max=MAX_INSTALLMENTS))
        return None
    if not 1 <= number <= MAX_INSTALLMENTS:
        errors.add(field, _l("Nombre d'échéances entre 1 et %(max)s attendu.", max=MAX_INSTALLMENTS))
        return None
    return number


def charge_sale(user, sale, amount, installments=None, payment_id=None):
    """Put `amount` of `sale` (locked by the till) on its customer's account: the DEBIT entry and
    the schedule (one installment after the store's credit term, or N monthly ones).
    Runs inside the till's transaction: flushes, never commits."""
    if sale.customer_id is None:
        raise Conflict(_l("Un paiement à crédit demande le client de la vente : choisissez le client d'abord."))
    account = _lock_account_of_customer(sale.customer_id)
    if account is None or not account.is_active:
        raise Conflict(_l("Ce client n'a pas de compte crédit actif."))
    if account.store_id != sale.store_id:
        raise Conflict(_l("Le compte de ce client est tenu dans son magasin d'origine : la vente à crédit s'y fait."))
    available = account.credit_limit - account.balance
    if amount > available:
        raise CreditLimitExceeded(_l("Plafond de crédit dépassé : crédit disponible %(available)s.",
                                     available=_format(max(available, ZERO), account.store)))
    entry = _append(account, DEBIT, SALE, amount, user.id, sale_id=sale.id, payment_id=payment_id)
    schedule = _schedule(account, entry, amount, installments, sale_id=sale.id)
    audit.record("credit.charge", account, user_id=user.id,
                 after={"sale": sale.id, "amount": money_text(amount), "balance": money_text(account.balance),
                        "installments": [[i.due_date.isoformat(), money_text(i.amount)] for i in schedule]})
    return entry


def _schedule(account, entry, amount, count, sale_id=None, first_due=None):
    store = account.store
    today = local_today(store)
    if count is None:
        dates = [first_due or today + timedelta(days=store.credit_term_days or 30)]
    else:
        dates = [add_months(first_due or today, n) for n in range(1, count + 1)]
    share = (amount / len(dates)).quantize(Decimal("1"), rounding=ROUND_DOWN)
    if share <= 0:
        raise ValidationFailed(errors={"installments": [_l("Trop d'échéances pour ce montant.")]})
    rows = []
    for number, due in enumerate(dates, start=1):
        part = amount - share * (len(dates) - 1) if number == len(dates) else share  # the last takes the rest
        rows.append(Installment(account_id=account.id, store_id=account.store_id, entry_id=entry.id, sale_id=sale_id,
                                number=number, due_date=due, amount=part, paid=ZERO, created_at=utcnow()))
    db.session.add_all(rows)
    db.session.flush()
    return rows


def _settle(account, amount, sale_id=None):
    """Apply `amount` to the unpaid installments: the given sale's first (a refund), then the
    oldest due date first; a partly paid installment stays partly paid."""
    unpaid = installments_of(account, unpaid_only=True)
    if sale_id is not None:
        unpaid = [i for i in unpaid if i.sale_id == sale_id] + [i for i in unpaid if i.sale_id != sale_id]
    left = amount
    for installment in unpaid:
        if left <= 0:
            break
        take = min(installment.left, left)
        installment.paid += take
        left -= take
    db.session.flush()
    return left


def record_opening_balance(user, account, amount, due_date, note=None, audited=True):
    """A balance carried over from before the app (the demo data, a shop's old notebook): a DEBIT
    with one installment due on `due_date`. Commits. (The demo seed writes no audit row.)"""
    account = db.session.execute(select(CustomerAccount).where(CustomerAccount.id == account.id)
                                 .with_for_update().execution_options(populate_existing=True)).scalar_one()
    amount = Decimal(amount)
    if amount > account.credit_limit - account.balance:
        raise CreditLimitExceeded()
    entry = _append(account, DEBIT, OPENING, amount, user.id if user else None, note=note)
    _schedule(account, entry, amount, None, first_due=due_date)
    if audited:
        audit.record("credit.opening", account, user_id=user.id if user else None,
                     after={"amount": money_text(amount), "due_date": due_date.isoformat()})
    db.session.commit()
    return entry


def reverse_entry(user, entry_id, note):
    """A manager corrects a ledger entry by a reversing one (the ledger is append-only): a DEBIT is
    cancelled by a CREDIT that settles its own installments first; a CREDIT by a DEBIT that un-pays
    the most recently due paid installments. Refused when the balance would pass the limit. Commits."""
    errors = FieldErrors()
    note = read_text(note, "note", errors, required=True, max_length=1000)
    errors.raise_if_any()
    entry = db.session.get(CreditLedgerEntry, entry_id)
    if entry is None or not can_access_store(user, entry.store_id):
        raise NotFound(_l("Écriture introuvable."))
    _require_manager(user, entry.store_id)
    account = get_account(user, entry.account_id, lock=True)
    if entry.source == REVERSAL:
        raise Conflict(_l("Une correction ne se corrige pas : passez une nouvelle écriture."))
    if db.session.execute(select(CreditLedgerEntry.id).where(CreditLedgerEntry.reverses_id == entry.id)
                          ).scalar_one_or_none() is not None:
        raise Conflict(_l("Cette écriture est déjà corrigée."))
    if entry.kind == DEBIT:
        if entry.amount > account.balance:
            raise Conflict(_l("Le solde dû est inférieur à cette écriture : corrigez d'abord les suivantes."))
        reversal = _append(account, CREDIT, REVERSAL, entry.amount, user.id, reverses_id=entry.id,
                           sale_id=entry.sale_id, note=note)
        own = [i for i in installments_of(account, unpaid_only=True) if i.entry_id == entry.id]
        left = entry.amount
        for installment in own:  # its own installments first, then the oldest
            take = min(installment.left, left)
            installment.paid += take
            left -= take
        if left > 0:
            _settle(account, left)
    else:
        if entry.amount > account.credit_limit - account.balance:
            raise CreditLimitExceeded(_l("Plafond de crédit dépassé : crédit disponible %(available)s.",
                                         available=_format(account.available, account.store)))
        reversal = _append(account, DEBIT, REVERSAL, entry.amount, user.id, reverses_id=entry.id,
                           sale_id=entry.sale_id, note=note)
        left = entry.amount
        paid = [i for i in reversed(installments_of(account)) if i.paid > 0]
        for installment in paid:  # un-pay the latest due first: the oldest stay settled
            give = min(installment.paid, left)
            installment.paid -= give
            left -= give
            if left <= 0:
                break
    db.session.flush()
    audit.record("credit.reverse", account, user_id=user.id,
                 after={"entry": entry.id, "reversal": reversal.id, "amount": money_text(entry.amount),
                        "balance": money_text(account.balance), "note": note})
    db.session.commit()
    return reversal


# --- repayments ----------------------------------------------------------------------------------

@dataclass
class RepaymentResult:
    repayment: CreditRepayment
    entry: CreditLedgerEntry | None
    replayed: bool = False


def read_repayment(amount, method, operator, reference, currency, errors):
    """Check a repayment's fields (any method but CREDIT; mobile money needs operator and reference)."""
    amount = read_money(amount, "amount", errors, currency=currency, positive=True)
    method = read_text(method, "method", errors, required=True, max_length=16)
    operator = read_text(operator, "operator", errors, max_length=16)
    reference = read_text(reference, "reference", errors, max_length=64)
    if method == "CREDIT":
        errors.add("method", _l("Un crédit ne se rembourse pas à crédit : espèces, mobile money, virement ou carte."))
    elif method is not None and method not in REPAYMENT_METHODS:
        errors.add("method", _l("Mode de paiement inconnu (CASH, MOBILE_MONEY, BANK_TRANSFER, CARD)."))
    if method == "MOBILE_MONEY":
        operator = operator.upper() if operator else None
        if operator not in ("MTN", "ORANGE"):
            errors.add("operator", _l("Opérateur attendu : MTN ou ORANGE."))
        if not reference:
            errors.add("reference", _l("La référence de la transaction mobile money est obligatoire."))
    elif operator is not None:
        errors.add("operator", _l("L'opérateur ne concerne que le mobile money."))
    if method == "BANK_TRANSFER" and not reference:
        errors.add("reference", _l("La référence du virement est obligatoire."))
    return amount, method, operator, reference


def repayment_fingerprint(user_id, account_id, amount, method, operator, reference):
    return idempotency.fingerprint(user_id, account_id, str(amount), method, operator, reference)


def repayment_replay(key, digest):
    """The repayment already recorded under `key`, or None; the key with another request: 422."""
    repayment = idempotency.earlier_row(CreditRepayment, key, digest)
    return None if repayment is None else RepaymentResult(repayment, None, replayed=True)


def repay(user, account_id, shift, amount, method, operator=None, reference=None, key=None, fingerprint=None):
    """Record a repayment taken in `shift` (the cashier's open shift, locked FOR SHARE by the till):
    a CREDIT entry, the oldest installments settled first. Flushes; the till commits."""
    account = get_account(user, account_id, lock=True)
    if key:  # checked once the account is locked: a concurrent request with the key has committed by now
        replay = repayment_replay(key, fingerprint)
        if replay is not None:
            return replay
    if account.store_id != shift.store_id:
        raise Conflict(_l("Ce compte est tenu dans un autre magasin : encaissez-le dans une caisse de ce magasin."))
    if account.balance <= 0:
        raise Conflict(_l("Ce client ne doit rien."))
    if amount > account.balance:
        raise Conflict(_l("Le montant dépasse le solde dû (%(balance)s).",
                          balance=_format(account.balance, account.store)))
    repayment = CreditRepayment(account_id=account.id, store_id=account.store_id, shift_id=shift.id,
                                cashier_id=user.id, method=method, amount=amount, operator=operator,
                                reference=reference, idempotency_key=key, fingerprint=fingerprint,
                                balance_after=account.balance - amount, created_at=utcnow())
    db.session.add(repayment)
    db.session.flush()
    entry = _append(account, CREDIT, REPAYMENT, amount, user.id, repayment_id=repayment.id)
    _settle(account, amount)
    audit.record("credit.repay", account, user_id=user.id,
                 after={"repayment": repayment.id, "amount": money_text(amount), "method": method,
                        "shift": shift.id, "balance": money_text(account.balance)})
    return RepaymentResult(repayment, entry)


def repayment_totals(shift_id):
    """Repayments of a shift per method, shaped like the till's payment totals:
    (method, count, amount, tendered, change) - no change is given on a repayment."""
    rows = db.session.execute(
        select(CreditRepayment.method, func.count(CreditRepayment.id),
               func.coalesce(func.sum(CreditRepayment.amount), 0))
        .where(CreditRepayment.shift_id == shift_id).group_by(CreditRepayment.method)).all()
    return [(method, count, total, total, 0) for method, count, total in rows]


# --- refunds and cancellations -----------------------------------------------------------------------

def credit_back(user, sale, amount, is_cancellation=False):
    """The refund hook (wired into sales in app/__init__.py): give back to the account, first, the
    part of `amount` the sale put on credit and the customer still owes; returns that part.
    Runs inside the refund's transaction."""
    debited_account = db.session.execute(
        select(CreditLedgerEntry.account_id).where(CreditLedgerEntry.sale_id == sale.id,
                                                   CreditLedgerEntry.source == SALE).limit(1)).scalar_one_or_none()
    if debited_account is None:
        return ZERO
    account = db.session.execute(select(CustomerAccount).where(CustomerAccount.id == debited_account)
                                 .with_for_update().execution_options(populate_existing=True)).scalar_one()
    rows = dict(db.session.execute(
        select(CreditLedgerEntry.kind, func.coalesce(func.sum(CreditLedgerEntry.amount), 0))
        .where(CreditLedgerEntry.sale_id == sale.id,
               CreditLedgerEntry.source.in_((SALE, REFUND, CANCELLATION)))
        .group_by(CreditLedgerEntry.kind)).all())
    on_credit = Decimal(rows.get(DEBIT, 0)) - Decimal(rows.get(CREDIT, 0))
    take = min(on_credit, amount, account.balance)
    if take <= 0:
        return ZERO
    _append(account, CREDIT, CANCELLATION if is_cancellation else REFUND, take, user.id, sale_id=sale.id)
    _settle(account, take, sale_id=sale.id)
    audit.record("credit.refund", account, user_id=user.id,
                 after={"sale": sale.id, "amount": money_text(take), "balance": money_text(account.balance)})
    return take


# --- statement --------------------------------------------------------------------------------------

@dataclass
class Statement:
    account: CustomerAccount
    date_from: date
    date_to: date
    opening_balance: Decimal
    entries: list
    closing_balance: Decimal
    installments_due: list
    installments_overdue: list
    today: date


def statement(account, date_from=None, date_to=None):
    """The account over a period of local days (both ends included): opening balance, entries,
    closing balance, and the unpaid installments (due and overdue) as of today."""
    today = local_today(account.store)
    date_to = date_to or today
    date_from = date_from or date_to.replace(day=1)
    if date_from > date_to:
        raise ValidationFailed(errors={"date_from": [_l("La date de début est après la date de fin.")]})
    start, end = local_day_bounds(date_from, date_to, account.store.zone)
    before = db.session.execute(
        select(CreditLedgerEntry.balance_after).where(CreditLedgerEntry.account_id == account.id,
                                                      CreditLedgerEntry.created_at < start)
        .order_by(CreditLedgerEntry.id.desc()).limit(1)).scalar_one_or_none()
    opening = Decimal(before) if before is not None else ZERO
    entries = db.session.execute(
        select(CreditLedgerEntry).where(CreditLedgerEntry.account_id == account.id,
                                        CreditLedgerEntry.created_at >= start, CreditLedgerEntry.created_at < end)
        .order_by(CreditLedgerEntry.id)).scalars().all()
    closing = entries[-1].balance_after if entries else opening
    unpaid = installments_of(account, unpaid_only=True)
    return Statement(account=account, date_from=date_from, date_to=date_to, opening_balance=opening,
                     entries=entries, closing_balance=closing,
                     installments_due=[i for i in unpaid if i.status_on(today) != OVERDUE],
                     installments_overdue=[i for i in unpaid if i.status_on(today) == OVERDUE], today=today)


def account_summary(account, today=None):
    """What screens and the API show of an account."""
    today = today or local_today(account.store)
    installments = installments_of(account)
    return {
        "balance": account.balance, "available": account.available, "credit_limit": account.credit_limit,
        "overdue_amount": sum((i.left for i in installments if i.status_on(today) == OVERDUE), ZERO),
        "installments": installments, "today": today,
        "paid_status": PAID,
    }
