"""Transfers between stores: DRAFT -> SENT (TRANSFER_OUT) -> RECEIVED (TRANSFER_IN), or CANCELLED.

One transaction each: check who acts, write the ledger through `move`, audit, commit.
"""
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ...core import audit, inputs
from ...core.errors import ValidationFailed
from ...core.inputs import check, path
from ...core.models import utcnow
from ...core.numbering import allocate_number
from ...extensions import db
from ..models import ON_HAND_SERIAL_STATUSES, SerialNumber, Transfer, TransferLine
from .ledger import (Reference, TRANSFER_DOC_TYPE, _lock_to_act, _product, _set_serial_status, _store, _user_id,
                     clean_serials, move)


def _clean_transfer_lines(lines, source_store_id):
    """[{"product": id, "quantity": n, "serials": [...]?}] -> [(product, quantity, [SerialNumber])]."""
    if not isinstance(lines, list):
        raise ValidationFailed(errors={"lines": [_l("Liste de lignes attendue.")]})
    cleaned, seen, errors = [], set(), inputs.FieldErrors()
    for index, line in enumerate(lines):
        field = path("lines", index)
        if not isinstance(line, dict):
            errors.add(field, _l("Ligne invalide."))
            continue
        try:
            product = _product(line.get("product"))
            quantity = check("quantity", inputs.quantity, line.get("quantity"))
            if product.id in seen:
                raise ValidationFailed(errors={"product": [_l("Ce produit figure déjà dans le transfert.")]})
            seen.add(product.id)
            units = _transfer_serials(product, quantity, line.get("serials"), source_store_id)
        except ValidationFailed as exc:
            errors.nest(field, exc.errors)
            continue
        cleaned.append((product, quantity, units))
    errors.raise_if_any()
    return cleaned


def _transfer_serials(product, quantity, serials, source_store_id):
    """The units a line will carry: optional in a draft, exactly `quantity` on-hand units when given."""
    if not product.track_serial:
        if serials:
            raise ValidationFailed(errors={"serials": [_l("Ce produit n'est pas suivi par numéro de série.")]})
        return []
    if not serials:
        return []
    serials = clean_serials(serials, quantity)
    units = db.session.execute(
        select(SerialNumber).where(SerialNumber.product_id == product.id, SerialNumber.serial.in_(serials),
                                   SerialNumber.store_id == source_store_id,
                                   SerialNumber.status.in_(ON_HAND_SERIAL_STATUSES))
    ).scalars().all()
    absent = sorted(set(serials) - {unit.serial for unit in units})
    if absent:
        raise ValidationFailed(errors={"serials": [_l("Absent(s) du stock du magasin d'origine : %(serials)s.",
                                                      serials=", ".join(absent))]})
    return sorted(units, key=lambda unit: unit.serial)


def _lines_snapshot(transfer):
    return [{"product_id": line.product_id, "quantity": line.quantity, "received_quantity": line.received_quantity,
             "serials": [unit.serial for unit in line.serials]} for line in transfer.lines]


def create_transfer(user, store_id, destination_store_id, lines=(), note=None):
    """A DRAFT transfer from one of the user's stores to another store, numbered XXX-TRF-YYYY-NNNNNN."""
    source = _store(store_id, user=user)
    destination = _store(destination_store_id, field="destination_store")
    if destination.id == source.id:
        raise ValidationFailed(errors={"destination_store": [_l("Choisissez un autre magasin que le magasin d'origine.")]})
    cleaned = _clean_transfer_lines(list(lines or []), source.id)
    transfer = Transfer(store_id=source.id, destination_store_id=destination.id, status="DRAFT",
                        note=(note or "").strip() or None, created_by_id=_user_id(user))
    transfer.lines = [TransferLine(product_id=product.id, quantity=quantity, serials=units)
                      for product, quantity, units in cleaned]
    db.session.add(transfer)
    db.session.flush()
    audit.record("transfer.create", transfer, after={"status": "DRAFT", "destination_store_id": destination.id,
                                                      "lines": _lines_snapshot(transfer)})
    transfer.number = allocate_number(source, TRANSFER_DOC_TYPE, source.local_year)  # last: the sequence lock
    db.session.commit()
    return transfer


def _draft_for_source(user, transfer):
    return _lock_to_act(user, transfer, ("DRAFT",), _l("Seul le magasin d'origine peut modifier ce transfert."))


def update_transfer(user, transfer, *, destination_store_id=None, lines=None, note=None):
    """Change a DRAFT: destination, note, and (when given) all its lines."""
    transfer = _draft_for_source(user, transfer)
    before = {"destination_store_id": transfer.destination_store_id, "note": transfer.note,
              "lines": _lines_snapshot(transfer)}
    if destination_store_id is not None:
        destination = _store(destination_store_id, field="destination_store")
        if destination.id == transfer.store_id:
            raise ValidationFailed(errors={"destination_store": [_l("Choisissez un autre magasin que le magasin d'origine.")]})
        transfer.destination_store_id = destination.id
    if note is not None:
        transfer.note = note.strip() or None
    if lines is not None:
        cleaned = _clean_transfer_lines(lines, transfer.store_id)
        transfer.lines = []
        db.session.flush()
        transfer.lines = [TransferLine(product_id=product.id, quantity=quantity, serials=units)
                          for product, quantity, units in cleaned]
    db.session.flush()
    audit.record("transfer.update", transfer, before=before, after={
        "destination_store_id": transfer.destination_store_id, "note": transfer.note,
        "lines": _lines_snapshot(transfer)})
    db.session.commit()
    return transfer


def set_transfer_line(user, transfer, product_id, quantity, serials=None):
    """Add a product to a DRAFT, or change its quantity and serials (the screens add lines one by one)."""
    transfer = _draft_for_source(user, transfer)
    lines = [{"product": line.product_id, "quantity": line.quantity,
              "serials": [unit.serial for unit in line.serials]} for line in transfer.lines
             if line.product_id != product_id]
    lines.append({"product": product_id, "quantity": quantity, "serials": serials})
    return update_transfer(user, transfer, lines=lines)


def remove_transfer_line(user, transfer, product_id):
    transfer = _draft_for_source(user, transfer)
    lines = [{"product": line.product_id, "quantity": line.quantity,
              "serials": [unit.serial for unit in line.serials]} for line in transfer.lines
             if line.product_id != product_id]
    return update_transfer(user, transfer, lines=lines)


def send_transfer(user, transfer):
    """DRAFT -> SENT: the source's stock goes down (TRANSFER_OUT); serials travel (IN_TRANSIT)."""
    transfer = _draft_for_source(user, transfer)
    if not transfer.lines:
        raise ValidationFailed(errors={"lines": [_l("Le transfert n'a aucune ligne.")]})
    reference = Reference("Transfer", transfer.id, transfer.number)
    for line in sorted(transfer.lines, key=lambda line: line.product_id):  # locks in product order
        serials = [unit.serial for unit in line.serials]
        if line.product.track_serial and len(serials) != line.quantity:
            raise ValidationFailed(errors={"serials": [_l(
                "%(product)s : indiquez %(count)s numéro(s) de série avant l'envoi.",
                product=line.product.name, count=line.quantity)]})
        move(transfer.store_id, line.product_id, -line.quantity, "TRANSFER_OUT", reference=reference,
             user_id=_user_id(user), serials=serials or None,
             note=f"Vers {transfer.destination_store.code}")  # ledger notes are data, kept in French
    transfer.status = "SENT"
    transfer.sent_at = utcnow()
    audit.record("transfer.send", transfer, before={"status": "DRAFT"},
                 after={"status": "SENT", "lines": _lines_snapshot(transfer)})
    db.session.commit()
    return transfer


def receive_transfer(user, transfer, received=None, note=None):
    """SENT -> RECEIVED at the destination (TRANSFER_IN), by the destination's staff.

    `received`: {product_id: {"quantity": n, "serials": [...]}} for the lines that did
    not arrive in full (0 <= n <= sent); lines not named arrived in full. For a
    serial-tracked line received partly, name the serials that arrived: the others
    become MISSING. Each line keeps its received_quantity, so the difference with the
    sent quantity stays on the document and in the audit trail.
    """
    transfer = _lock_to_act(user, transfer, ("SENT",), store="destination_store_id",
                            message=_l("Seul le magasin de destination peut réceptionner ce transfert."))
    received = dict(received or {})
    lines = {line.product_id: line for line in transfer.lines}
    unknown = sorted(str(pid) for pid in received if pid not in lines)
    if unknown:
        raise ValidationFailed(errors={"lines": [_l("Produit(s) absent(s) du transfert : %(products)s.",
                                                    products=", ".join(unknown))]})
    reference = Reference("Transfer", transfer.id, transfer.number)
    receipt = []
    for product_id, line in sorted(lines.items()):
        sent_serials = [unit.serial for unit in line.serials]
        entry = received.get(product_id) or {}
        quantity = entry.get("quantity", line.quantity)
        if not isinstance(quantity, int) or isinstance(quantity, bool) or not 0 <= quantity <= line.quantity:
            raise ValidationFailed(errors={"received_quantity": [_l(
                "%(product)s : quantité reçue entre 0 et %(sent)s attendue.", product=line.product.name,
                sent=line.quantity)]})
        arrived = sent_serials
        if sent_serials and quantity != line.quantity:
            if entry.get("serials") is None:
                raise ValidationFailed(errors={"serials": [_l(
                    "%(product)s : indiquez les numéros de série reçus.", product=line.product.name)]})
            arrived = clean_serials(entry["serials"], quantity)
            strangers = sorted(set(arrived) - set(sent_serials))
            if strangers:
                raise ValidationFailed(errors={"serials": [_l(
                    "%(product)s : numéro(s) non envoyé(s) avec ce transfert : %(serials)s.",
                    product=line.product.name, serials=", ".join(strangers))]})
        if quantity:
            move(transfer.destination_store_id, product_id, quantity, "TRANSFER_IN", reference=reference,
                 user_id=_user_id(user), serials=arrived or None,
                 note=f"Depuis {transfer.store.code}")
        lost = sorted(set(sent_serials) - set(arrived))
        _set_serial_status(product_id, lost, ("IN_TRANSIT",), "MISSING")
        line.received_quantity = quantity
        receipt.append({"product_id": product_id, "sent": line.quantity, "received": quantity,
                        "difference": quantity - line.quantity, "missing_serials": lost})
    transfer.status = "RECEIVED"
    transfer.received_at = utcnow()
    transfer.receipt_note = (note or "").strip() or None
    audit.record("transfer.receive", transfer, store_id=transfer.store_id, before={"status": "SENT"},
                 after={"status": "RECEIVED", "destination_store_id": transfer.destination_store_id,
                        "lines": receipt, "note": transfer.receipt_note})
    db.session.commit()
    return transfer


def cancel_transfer(user, transfer, reason=None):
    """DRAFT or SENT -> CANCELLED, by the source's staff.

    A SENT transfer is cancelled only when its goods came back: they re-enter the
    source's stock (TRANSFER_IN movements in the source store, serials IN_STOCK again),
    so the ledger shows the way out and the way back. A reason is required then.
    A RECEIVED transfer cannot be cancelled (send the goods back with a new transfer).
    """
    transfer = _lock_to_act(user, transfer, ("DRAFT", "SENT"),
                            _l("Seul le magasin d'origine peut annuler ce transfert."))
    reason = (reason or "").strip() or None
    before = transfer.status
    if before == "SENT":
        if not reason:
            raise ValidationFailed(errors={"reason": [_l(
                "Indiquez pourquoi le transfert envoyé est annulé (les marchandises reviennent au magasin d'origine).")]})
        reference = Reference("Transfer", transfer.id, transfer.number)
        for line in sorted(transfer.lines, key=lambda line: line.product_id):
            move(transfer.store_id, line.product_id, line.quantity, "TRANSFER_IN", reference=reference,
                 user_id=_user_id(user), serials=[unit.serial for unit in line.serials] or None,
                 note="Annulation : retour au magasin d'origine")
    transfer.status = "CANCELLED"
    transfer.cancel_reason = reason
    audit.record("transfer.cancel", transfer, before={"status": before},
                 after={"status": "CANCELLED", "reason": reason, "goods_returned": before == "SENT"})
    db.session.commit()
    return transfer
