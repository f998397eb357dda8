"""The rules of a sale, seller -> cashier (SPEC §4): `from app.sales import services` gives them all.

Every function takes the acting user explicitly, checks the state machine
(models.TRANSITIONS), raises domain errors (InvalidTransition 409, ValidationFailed 422,
Forbidden 403, NotFound 404, NotEnoughStock 409...), writes an audit row per change and
commits. The REST API, the back-office screens and the POS pages all call these.

Locking: a function that changes a submitted sale locks its row first (SELECT ... FOR
UPDATE), so two cashiers, or a cashier and a manager, are served one after the other.
Stock rows are then locked in product order by the stock service, the invoice Sequence
row last of all (allocate_number is the last statement before COMMIT: it is the hot lock).

base.py: reading and locking, state machine checks, managers, audit; payments.py: what the
till's payments do to a sale; drafts.py; approvals.py: submit and approvals; refunds.py:
cancel and refund; queue.py: the payment queue and the warranty lookup.
"""
from .approvals import *  # noqa: F401,F403
from .base import *  # noqa: F401,F403
from .drafts import *  # noqa: F401,F403
from .payments import *  # noqa: F401,F403
from .queue import *  # noqa: F401,F403
from .refunds import *  # noqa: F401,F403
