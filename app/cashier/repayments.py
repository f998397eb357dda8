"""Repayments of customer credit at the till (SPEC §6): inside the cashier's open shift of the
account's store, any method but CREDIT, Idempotency-Key like payments. The till finds and locks
the shift; the credit domain writes the repayment, the ledger entry and settles the installments."""
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from ..core.errors import Conflict
from ..credits import services as credits
from ..extensions import db
from ..core.inputs import FieldErrors, read_text
from .services import open_shift_of


def take_repayment(user, account_id, amount, method, operator=None, reference=None, idempotency_key=None):
    account = credits.get_account(user, account_id)  # 404 outside the user's stores
    errors = FieldErrors()
    amount, method, operator, reference = credits.read_repayment(amount, method, operator, reference,
                                                                 account.store.currency, errors)
    key = read_text(idempotency_key, "idempotency_key", errors, max_length=128)
    errors.raise_if_any()
    fingerprint = credits.repayment_fingerprint(user.id, account.id, amount, method, operator, reference)
    try:
        shift = open_shift_of(user.id, account.store_id, lock="share")
        if shift is None:
            raise Conflict(_l("Ouvrez votre caisse dans ce magasin avant d'encaisser."))
        result = credits.repay(user, account.id, shift, amount, method, operator, reference, key, fingerprint)
        if result.replayed:
            db.session.rollback()
            return result
        db.session.commit()
        return result
    except IntegrityError:
        # The same key committed by a concurrent request: answer as a replay would.
        db.session.rollback()
        replay = credits.repayment_replay(key, fingerprint) if key else None
        if replay is None:
            raise
        return replay
