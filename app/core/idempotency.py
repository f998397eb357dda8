"""A write sent again under its Idempotency-Key (payments, repayments): the row the first one wrote."""
import functools
import hashlib
import json

from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, select

from ..extensions import db
from .errors import ValidationFailed


def fingerprint(*parts):
    """The request's digest, kept with its row: the same key with another request is refused."""
    return hashlib.sha256(json.dumps(list(parts)).encode()).hexdigest()


@functools.cache
def _row_of_key(model):
    return select(model).where(model.idempotency_key == bindparam("key"))


def earlier_row(model, key, digest):
    """The `model` row written under `key`, or None; the key with another request: 422."""
    row = db.session.execute(_row_of_key(model), {"key": key}).scalar_one_or_none()
    if row is not None and row.fingerprint != digest:
        raise ValidationFailed(_l("Cette clé d'idempotence a déjà servi pour un autre paiement."),
                               errors={"Idempotency-Key": [_l("Clé déjà utilisée avec une autre requête.")]})
    return row
