"""The till (SPEC §4, §5): open and close a shift, take payments, pay cash out.

- A payment needs the cashier's open shift in the sale's store (locked FOR SHARE, so a
  close waits for payments in flight and counts them).
- The sale row is locked FOR UPDATE first: two cashiers paying the same sale are served
  one after the other and the amount paid never exceeds the total.
- Idempotency-Key: a replay (same key, same request) returns the first payment and charges
  nothing; the same key with another request is refused (422).
- A shift is closed blind: the counted figures are given, then the expected ones computed
  (expected cash = float + cash in - change given - cash refunds - cash payouts) and stored;
  a closed shift never changes again (a trigger guards it on PostgreSQL).
"""
import functools
from dataclasses import dataclass
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, func, select
from sqlalchemy.exc import IntegrityError

from ..core import audit
from ..core.errors import Conflict, Forbidden, InvalidTransition, NotFound, ValidationFailed
from ..core import idempotency
from ..core.models import utcnow
from ..core.scoping import can_access_store, is_admin
from ..credits import services as credits
from ..extensions import db
from ..sales import services as sales
from ..core.inputs import FieldErrors, read_bool, read_id, read_money, read_text
from ..core.money import money_text
from ..sales.models import OPEN_FOR_PAYMENT, PARTIALLY_PAID, Refund
from ..stores.models import Store
from .models import (
    CARD,
    CASH,
    CLOSED,
    CREDIT,
    MOBILE_MONEY,
    MOBILE_OPERATORS,
    OPEN,
    PAYMENT_METHODS,
    BANK_TRANSFER,
    CashPayout,
    CashShift,
    Payment,
)

NON_CASH = (MOBILE_MONEY, BANK_TRANSFER, CARD)
COUNTED_FIELDS = {CASH: "counted_cash", MOBILE_MONEY: "counted_mobile_money",
                  BANK_TRANSFER: "counted_bank_transfer", CARD: "counted_card"}


# --- shifts ----------------------------------------------------------------------------------

def open_shift_of(user_id, store_id, lock=None):
    """The user's open shift in the store, or None; lock: None, "share" or "update"."""
    return db.session.execute(_open_shift_statement(lock), {"store_id": store_id, "user_id": user_id}
                              ).scalar_one_or_none()


@functools.lru_cache(maxsize=3)
def _open_shift_statement(lock):
    """open_shift_of's SELECT, built once per lock mode (every payment asks)."""
    query = select(CashShift).where(CashShift.store_id == bindparam("store_id"),
                                    CashShift.cashier_id == bindparam("user_id"), CashShift.status == OPEN)
    if lock:
        query = query.with_for_update(read=lock == "share").execution_options(populate_existing=True)
    return query


def get_shift(user, shift_id, lock=False):
    query = select(CashShift).where(CashShift.id == shift_id)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    shift = db.session.execute(query).scalar_one_or_none()
    if shift is None or not can_access_store(user, shift.store_id):
        raise NotFound(_l("Caisse introuvable."))
    return shift


def open_shift(user, store, opening_float):
    """Open the user's shift in `store` with its opening float (one open shift per cashier and store)."""
    errors = FieldErrors()
    store_id = store.id if isinstance(store, Store) else read_id(store, "store", errors)
    store_obj = Store.for_action(user, store_id) if store_id else None  # another store, or none: 404
    currency = store_obj.currency if store_obj else "XAF"
    opening_float = read_money(opening_float, "opening_float", errors, currency=currency)
    errors.raise_if_any()
    if open_shift_of(user.id, store_id) is not None:
        raise Conflict(_l("Vous avez déjà une caisse ouverte dans ce magasin : fermez-la d'abord."))
    shift = CashShift(store_id=store_id, cashier_id=user.id, status=OPEN, opening_float=opening_float,
                      opened_at=utcnow())
    db.session.add(shift)
    try:
        db.session.flush()
    except IntegrityError as exc:  # opened at the same moment on another till: the index says no
        db.session.rollback()
        raise Conflict(_l("Vous avez déjà une caisse ouverte dans ce magasin : fermez-la d'abord.")) from exc
    audit.record("shift.open", shift, user_id=user.id,
                 after={"opening_float": money_text(opening_float), "cashier": user.id})
    db.session.commit()
    return shift


@dataclass
class ShiftFigures:
    opening_float: Decimal
    cash_in: Decimal  # cash handed over by customers (tendered)
    change_given: Decimal
    cash_refunds: Decimal
    cash_payouts: Decimal
    expected_cash: Decimal
    by_method: dict  # method -> {"count", "received", "refunds", "expected"}
    payments_count: int

    @property
    def cash_sales(self):
        return self.cash_in - self.change_given


def shift_figures(shift) -> ShiftFigures:
    """What should be in the drawer and in each method's account for this shift."""
    zero = Decimal("0")
    rows = db.session.execute(
        select(Payment.method, func.count(Payment.id), func.coalesce(func.sum(Payment.amount), 0),
               func.coalesce(func.sum(Payment.tendered), 0), func.coalesce(func.sum(Payment.change_given), 0))
        .where(Payment.shift_id == shift.id).group_by(Payment.method)).all()
    refunds = dict(db.session.execute(
        select(Refund.method, func.coalesce(func.sum(Refund.amount), 0))
        .where(Refund.shift_id == shift.id).group_by(Refund.method)).all())
    payouts = db.session.execute(
        select(func.coalesce(func.sum(CashPayout.amount), 0)).where(CashPayout.shift_id == shift.id)).scalar_one()
    by_method = {method: {"count": 0, "received": zero, "refunds": zero, "expected": zero}
                 for method in (CASH,) + NON_CASH}
    cash_in = change_given = zero
    count = 0
    # Repayments of customer credit are money in the drawer too (cash counts in the expected cash).
    for method, number, amount, tendered, change in list(rows) + credits.repayment_totals(shift.id):
        entry = by_method.setdefault(method, {"count": 0, "received": zero, "refunds": zero, "expected": zero})
        entry["count"] += number
        entry["received"] += Decimal(amount)
        count += number
        if method == CASH:
            cash_in, change_given = cash_in + Decimal(tendered), change_given + Decimal(change)
    for method, amount in refunds.items():
        by_method.setdefault(method, {"count": 0, "received": zero, "refunds": zero, "expected": zero})
        by_method[method]["refunds"] = Decimal(amount)
    cash_refunds = Decimal(refunds.get(CASH, 0))
    payouts = Decimal(payouts)
    expected_cash = shift.opening_float + cash_in - change_given - cash_refunds - payouts
    for method, entry in by_method.items():
        entry["expected"] = expected_cash if method == CASH else entry["received"] - entry["refunds"]
    return ShiftFigures(opening_float=shift.opening_float, cash_in=cash_in, change_given=change_given,
                        cash_refunds=cash_refunds, cash_payouts=payouts, expected_cash=expected_cash,
                        by_method=by_method, payments_count=count)


def running_figures(user, shift):
    """An open shift's figures so far (the cash its drawer should hold now), for a manager of its
    store; None for anyone else: the cashier closes blind and never sees what is expected."""
    if shift.status != OPEN or not sales.is_manager_of(user, shift.store_id):
        return None
    return shift_figures(shift)


def _own_open_shift(user, shift_id, not_yours, closed):
    """The shift, locked, when it is the user's (or the user is an admin) and still open."""
    shift = get_shift(user, shift_id, lock=True)
    if shift.cashier_id != user.id and not is_admin(user):
        raise Forbidden(not_yours)
    if shift.status != OPEN:
        raise InvalidTransition(closed)
    return shift


def close_shift(user, shift_id, counted_cash, counted_mobile_money=None, counted_bank_transfer=None,
                counted_card=None, note=None):
    """Close blind: the counted figures come in, the expected ones and the variance are computed and kept."""
    shift = _own_open_shift(user, shift_id, _l("Seul le caissier de cette caisse peut la fermer."),
                            _l("Cette caisse est déjà fermée."))
    errors = FieldErrors()
    currency = shift.store.currency
    counted = {
        CASH: read_money(counted_cash, "counted_cash", errors, currency=currency),
        MOBILE_MONEY: read_money(counted_mobile_money, "counted_mobile_money", errors, currency=currency,
                                 required=False),
        BANK_TRANSFER: read_money(counted_bank_transfer, "counted_bank_transfer", errors, currency=currency,
                                  required=False),
        CARD: read_money(counted_card, "counted_card", errors, currency=currency, required=False),
    }
    note = read_text(note, "note", errors, max_length=2000)
    errors.raise_if_any()
    figures = shift_figures(shift)
    for method, field in COUNTED_FIELDS.items():
        setattr(shift, field, counted[method])
    shift.cash_in = figures.cash_in
    shift.change_given = figures.change_given
    shift.cash_refunds = figures.cash_refunds
    shift.cash_payouts = figures.cash_payouts
    shift.expected_cash = figures.expected_cash
    shift.expected_mobile_money = figures.by_method[MOBILE_MONEY]["expected"]
    shift.expected_bank_transfer = figures.by_method[BANK_TRANSFER]["expected"]
    shift.expected_card = figures.by_method[CARD]["expected"]
    shift.variance = counted[CASH] - figures.expected_cash
    shift.note = note
    shift.status = CLOSED
    shift.closed_at = utcnow()
    audit.record("shift.close", shift, user_id=user.id, before={"status": OPEN},
                 after={"status": CLOSED, "counted_cash": money_text(shift.counted_cash),
                        "expected_cash": money_text(shift.expected_cash), "variance": money_text(shift.variance)})
    db.session.commit()
    return shift, figures


def record_payout(user, shift_id, amount, reason):
    """Cash taken out of the drawer (an expense) during the user's open shift."""
    shift = _own_open_shift(user, shift_id, _l("Seul le caissier de cette caisse peut en sortir de l'argent."),
                            _l("Cette caisse est fermée."))
    errors = FieldErrors()
    amount = read_money(amount, "amount", errors, currency=shift.store.currency, positive=True)
    reason = read_text(reason, "reason", errors, required=True, max_length=1000)
    errors.raise_if_any()
    payout = CashPayout(shift_id=shift.id, store_id=shift.store_id, amount=amount, reason=reason,
                        created_by_id=user.id)
    db.session.add(payout)
    db.session.flush()
    audit.record("shift.payout", shift, user_id=user.id, after={"payout": payout.id, "amount": money_text(amount), "reason": reason})
    db.session.commit()
    return payout


def refund_till(user, shift=None):
    """The `till` that sales.cancel_sale / refund_sale take: the shift (named, or found) cash comes back from."""
    return lambda store_id: shift_for_refund(user, store_id, shift)


def shift_for_refund(user, store_id, shift=None):
    """The open shift cash is refunded from: the one named, else the user's own, else the only one
    open in the store. Locked FOR SHARE until the refund commits (a close waits for it)."""
    errors = FieldErrors()
    if shift not in (None, ""):
        shift_id = read_id(shift.id if isinstance(shift, CashShift) else shift, "shift", errors)
        errors.raise_if_any()
        found = db.session.execute(select(CashShift).where(CashShift.id == shift_id).with_for_update(read=True)
                                   .execution_options(populate_existing=True)).scalar_one_or_none()
        if found is None or found.store_id != store_id:
            raise ValidationFailed(errors={"shift": [_l("Caisse introuvable dans ce magasin.")]})
        if found.status != OPEN:
            raise Conflict(_l("Cette caisse est fermée : choisissez une caisse ouverte."))
        return found
    own = open_shift_of(user.id, store_id, lock="share")
    if own is not None:
        return own
    candidates = db.session.execute(select(CashShift).where(CashShift.store_id == store_id,
                                                            CashShift.status == OPEN)).scalars().all()
    if not candidates:
        raise Conflict(_l("Aucune caisse ouverte dans ce magasin : ouvrez une caisse pour rembourser en espèces."))
    if len(candidates) > 1:
        raise ValidationFailed(errors={"shift": [_l("Plusieurs caisses sont ouvertes : précisez laquelle.")]})
    return shift_for_refund(user, store_id, candidates[0].id)


# --- payments --------------------------------------------------------------------------------

@dataclass
class PaymentResult:
    payment: Payment
    replayed: bool = False


def take_payment(user, sale, method, amount, tendered=None, operator=None, reference=None, reserve=False,
                 idempotency_key=None, installments=None):
    """Take a payment for `sale` (an id) in the user's open shift of the sale's store.

    Non-cash never above the balance due; cash may exceed it (change computed and recorded).
    A partial payment may reserve the goods; the final one moves them (SALE) and sells the
    serials, in the same transaction.
    """
    errors = FieldErrors()
    sale_id = read_id(sale, "sale", errors)
    method = read_text(method, "method", errors, required=True, max_length=16)
    if method is not None and method not in PAYMENT_METHODS:
        errors.add("method", _l("Mode de paiement inconnu (CASH, MOBILE_MONEY, BANK_TRANSFER, CARD, CREDIT)."))
    installments = credits.read_installments(installments, errors) if method == CREDIT else None
    amount = read_money(amount, "amount", errors, positive=True)
    tendered = read_money(tendered, "tendered", errors, required=False, positive=True)
    operator = read_text(operator, "operator", errors, max_length=16)
    reference = read_text(reference, "reference", errors, max_length=64)
    reserve = read_bool(reserve, "reserve", errors)
    key = read_text(idempotency_key, "idempotency_key", errors, max_length=128)
    if method == MOBILE_MONEY:
        operator = operator.upper() if operator else None
        if operator not in MOBILE_OPERATORS:
            errors.add("operator", _l("Opérateur attendu : MTN ou ORANGE."))
        if not reference:
            errors.add("reference", _l("La référence de la transaction mobile money est obligatoire."))
    elif operator is not None:
        errors.add("operator", _l("L'opérateur ne concerne que le mobile money."))
    if method == BANK_TRANSFER and not reference:
        errors.add("reference", _l("La référence du virement est obligatoire."))
    if method != CASH and tendered is not None:
        errors.add("tendered", _l("Le montant remis ne concerne que les espèces."))
    if method == CASH and tendered is not None and amount is not None and tendered < amount:
        errors.add("tendered", _l("Le montant remis est inférieur au montant encaissé."))
    errors.raise_if_any()
    fingerprint = _fingerprint(user.id, sale_id, method, amount, tendered, operator, reference, reserve, installments)
    try:
        return _take_payment(user, sale_id, method, amount, tendered, operator, reference, reserve, key,
                             fingerprint, installments)
    except IntegrityError:
        # The same key committed by a concurrent request (another sale): answer as a replay would.
        db.session.rollback()
        replay = _replay(key, fingerprint) if key else None
        if replay is None:
            raise
        return replay


def _take_payment(user, sale_id, method, amount, tendered, operator, reference, reserve, key, fingerprint,
                  installments=None):
    sale = sales.get_sale(user, sale_id, lock=True)
    if key:  # checked once the sale is locked: a concurrent request with the key has committed by now
        replay = _replay(key, fingerprint)
        if replay is not None:
            db.session.rollback()
            return replay
    if sale.status not in OPEN_FOR_PAYMENT:
        raise InvalidTransition(_l("Cette vente n'attend pas de paiement : elle est « %(status)s ».",
                                   status=sales.status_label(sale.status)))
    shift = open_shift_of(user.id, sale.store_id, lock="share")
    if shift is None:
        raise Conflict(_l("Ouvrez votre caisse dans ce magasin avant d'encaisser."))
    due = sale.total - sale.amount_paid
    change = Decimal("0")
    if method == CASH:
        tendered = tendered if tendered is not None else amount
        applied = min(amount, due)
        change = tendered - applied
    else:
        if amount > due:
            raise Conflict(_l("Le montant dépasse le reste à payer (%(due)s).", due=_format(due, sale)))
        applied = amount
    before = {"status": sale.status, "amount_paid": money_text(sale.amount_paid)}
    sale.amount_paid += applied
    if sale.amount_paid == sale.total:
        sales.load_items(sale)
        sales.complete_sale(user, sale)
    else:
        if sale.status != PARTIALLY_PAID:
            sales.ensure_transition(sale, PARTIALLY_PAID)
            sale.status = PARTIALLY_PAID
        if reserve:
            sales.reserve_stock(sale)
    payment = Payment(sale_id=sale.id, store_id=sale.store_id, shift_id=shift.id, cashier_id=user.id,
                      method=method, amount=applied, tendered=tendered if method == CASH else None,
                      change_given=change, operator=operator, reference=reference, idempotency_key=key,
                      fingerprint=fingerprint, sale_status_after=sale.status,
                      balance_due_after=sale.total - sale.amount_paid)
    db.session.add(payment)
    db.session.flush()
    if method == CREDIT:  # the customer's account: row lock, limit, DEBIT entry and schedule
        credits.charge_sale(user, sale, applied, installments, payment_id=payment.id)
    audit.record("sale.payment", object_type="Sale", object_id=sale.id, store_id=sale.store_id, user_id=user.id,
                 before=before,
                 after={"status": sale.status, "amount_paid": money_text(sale.amount_paid), "payment": payment.id,
                        "method": method, "amount": money_text(applied), "change_given": money_text(change),
                        "shift": shift.id})
    sales.commit()
    return PaymentResult(payment)


def _replay(key, digest):
    payment = idempotency.earlier_row(Payment, key, digest)
    return None if payment is None else PaymentResult(payment, replayed=True)


def _fingerprint(user_id, sale_id, method, amount, tendered, operator, reference, reserve, installments=None):
    tendered = str(tendered) if tendered is not None else None
    return idempotency.fingerprint(user_id, sale_id, method, str(amount), tendered, operator, reference, bool(reserve),
                                   *([installments] if installments else []))


def _format(amount, sale):
    from ..core.formatting import format_money

    try:
        return format_money(amount, sale.store.currency)
    except RuntimeError:  # outside a request
        return str(amount)
