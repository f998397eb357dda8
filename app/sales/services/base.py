"""What every sale rule shares: reading and locking a sale, the state machine's checks, who
manages a store, the audit row."""
import functools

from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from ...core import audit
from ...core.errors import Conflict, Forbidden, InvalidTransition, NotFound
from ...core.money import money_text
from ...core.scoping import can_access_store, is_admin, role_name
from ...extensions import db
from ..models import CANCELLED, DRAFT, PAID, PARTIALLY_PAID, PENDING_PAYMENT, REFUNDED, Sale, SaleItem


INVOICE = "FAC"
MANAGER_ROLES = ("MANAGER", "ADMIN")
MAX_ITEMS = 200


class ApprovalRequired(Conflict):
    """Submit is blocked until a manager approves: the answer lists the pending approvals."""

    default_message = _l("Une approbation d'un gérant est nécessaire avant de transmettre cette vente.")

    def __init__(self, approvals, message=None):
        super().__init__(message)
        self.approvals = approvals

    def to_dict(self):
        body = super().to_dict()
        body["approvals"] = [approval_summary(a) for a in self.approvals]
        return body


def approval_summary(approval):
    return {"id": approval.id, "kind": approval.kind, "status": approval.status, "details": approval.details}


# --- reading and locking -------------------------------------------------------------------

def get_sale(user, sale_id, lock=False, with_items=False):
    """The sale if the user may see it (one of their stores), else NotFound.

    lock: SELECT ... FOR UPDATE of the sale row (only that row), fresh from the database.
    with_items: its items, their products and serials loaded in two more queries (not one per item).
    """
    sale = db.session.execute(_sale_statement(lock, with_items), {"sale_id": sale_id}).scalar_one_or_none()
    if sale is None or not can_access_store(user, sale.store_id):
        raise NotFound(_l("Vente introuvable."))
    return sale


@functools.lru_cache(maxsize=4)
def _sale_statement(lock, with_items):
    """get_sale's SELECT, built once per variant: building and keying a statement with these
    loader options cost about as much CPU as running it (three times per checkout)."""
    query = select(Sale).where(Sale.id == bindparam("sale_id")).options(joinedload(Sale.store))
    if lock:
        query = query.with_for_update(of=Sale).execution_options(populate_existing=True)
    if with_items:
        query = query.options(selectinload(Sale.items).options(joinedload(SaleItem.product),
                                                               selectinload(SaleItem.serials)))
    return query


def commit():
    """COMMIT, keeping the objects' state: the answer is built from what was just written
    instead of reading every row back (the session expires everything on commit otherwise)."""
    session = db.session()
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = True


def _no_history_yet(sale):
    """A new sale has no payment, refund or approval: say so instead of asking the database."""
    for name in ("payments", "refunds", "approvals"):
        set_committed_value(sale, name, [])


def ensure_transition(sale, target, action=None):
    if not sale.can_become(target):
        raise InvalidTransition(_l(
            "Action impossible : la vente %(sale)s est « %(status)s ».", sale=str(sale), status=status_label(sale.status)))


def status_label(status):
    return str(STATUS_LABELS.get(status, status))


STATUS_LABELS = {
    DRAFT: _l("Brouillon"),
    PENDING_PAYMENT: _l("En attente de paiement"),
    PARTIALLY_PAID: _l("Partiellement payée"),
    PAID: _l("Payée"),
    CANCELLED: _l("Annulée"),
    REFUNDED: _l("Remboursée"),
}


def is_manager_of(user, store_id):
    return user is not None and role_name(user) in MANAGER_ROLES and can_access_store(user, store_id)


def require_manager(user, store_id):
    if not is_manager_of(user, store_id):
        raise Forbidden(_l("Seul un gérant de ce magasin peut faire cette action."))


def _require_owner(user, sale):
    if sale.seller_id != user.id and not is_admin(user):
        raise Forbidden(_l("Seul le vendeur qui a créé ce brouillon peut le modifier ou le transmettre."))


def _sale_state(sale):
    return {"status": sale.status, "number": sale.number, "total": money_text(sale.total),
            "amount_paid": money_text(sale.amount_paid), "amount_refunded": money_text(sale.amount_refunded)}


def _audit(action, sale, user, before=None, after=None):
    """Every change of a sale, its approvals, payments and refunds is written on the sale's trail."""
    audit.record(action, object_type="Sale", object_id=sale.id, store_id=sale.store_id,
                 before=before, after=after, user_id=user.id if user is not None else None)
