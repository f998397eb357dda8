"""Rules about customers: a valid international phone (default Cameroon), a home store of the user."""
import phonenumbers
from flask_babel import lazy_gettext as _l

from ..core import audit
from ..core.errors import ValidationFailed
from ..extensions import db
from ..stores.models import Store

DEFAULT_REGION = "CM"


def normalise_phone(raw, region=DEFAULT_REGION):
    """'6 99 12 34 56' -> '+237699123456'; raises ValidationFailed when it is not a valid number."""
    if raw is None or not str(raw).strip():
        return None
    try:
        number = phonenumbers.parse(str(raw).strip(), region)
    except phonenumbers.NumberParseException as exc:
        raise ValidationFailed(errors={"phone": [_l("Numéro de téléphone invalide.")]}) from exc
    if not phonenumbers.is_valid_number(number):
        raise ValidationFailed(errors={"phone": [_l(
            "Numéro de téléphone invalide (ex. 6 99 12 34 56 ou +237 6 99 12 34 56).")]})
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def display_phone(e164):
    """'+237699123456' -> '+237 6 99 12 34 56' (for screens and documents)."""
    if not e164:
        return ""
    try:
        return phonenumbers.format_number(phonenumbers.parse(e164, None),
                                          phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    except phonenumbers.NumberParseException:
        return e164


def prepare_customer(user, customer):
    """Check and normalise a customer about to be written (used by the API and the screens).

    A home store the user may not act in is "not found" (NotFound, 404), as everywhere."""
    errors = {}
    # The relation first: an edit sets `store` and leaves the old `store_id` until the flush.
    store_id = customer.store.id if customer.store is not None else customer.store_id
    if store_id is None:
        errors["store"] = [_l("Champ obligatoire.")]
    else:
        Store.for_action(user, store_id)
    customer.name = (customer.name or "").strip()
    if not customer.name:
        errors["name"] = [_l("Champ obligatoire.")]
    try:
        customer.phone = normalise_phone(customer.phone)
    except ValidationFailed as exc:
        errors.update(exc.errors)
    customer.email = (customer.email or "").strip().lower() or None
    customer.tax_id = (customer.tax_id or "").strip().upper() or None
    if errors:
        raise ValidationFailed(errors=errors)
    if customer.id is None and customer.created_by_id is None and user is not None:
        customer.created_by_id = user.id


def save_customer(user, customer):
    """The one write path of a customer (API, screens, POS quick-create): check and normalise,
    write, audit (customer.create / customer.update) and commit, in one transaction."""
    action = "customer.create" if customer.id is None else "customer.update"
    prepare_customer(user, customer)
    db.session.add(customer)
    db.session.flush()
    audit.record(action, customer, store_id=customer.store_id,
                 after={"name": customer.name, "phone": customer.phone, "email": customer.email})
    db.session.commit()
    return customer
