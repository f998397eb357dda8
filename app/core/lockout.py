"""One failed-password budget per email (SPEC §10), shared by every place a password is typed:
the login page, the token endpoint and a manager's on-the-spot approval (API, POS). At most
TOKEN_FAILED_ATTEMPTS_PER_EMAIL failures per window; during the lockout even the right
password is refused, from whatever address. Kept in the limiter's storage (Redis when
set, with its in-memory fallback)."""
import logging
import time

from flask import current_app
from limits import parse

from ..extensions import limiter

log = logging.getLogger(__name__)
NAMESPACE = "login-failures"


def _limit():
    count, seconds = current_app.config["TOKEN_FAILED_ATTEMPTS_PER_EMAIL"]
    return parse(f"{count} per {seconds} seconds")


def _key(email):
    """The counter's key: the email as typed, case-insensitive (any non-text value shares "-")."""
    return (email.strip().lower() if isinstance(email, str) else "") or "-"


def _run(action):
    try:
        return action(limiter.limiter)
    except Exception:  # noqa: BLE001 - the storage is out of reach: count in this worker's memory
        fallback = getattr(limiter, "_fallback_limiter", None)
        if fallback is None:
            raise
        log.warning("login failure counter: storage out of reach, counting in memory", exc_info=True)
        return action(fallback)


def retry_after(email):
    """Seconds until the account may try again, or None when it is not locked."""
    item, key = _limit(), _key(email)

    def check(strategy):
        if strategy.test(item, NAMESPACE, key):
            return None
        reset_at, _remaining = strategy.get_window_stats(item, NAMESPACE, key)
        return max(1, int(reset_at - time.time()) + 1)

    return _run(check)


def record_failure(email):
    item, key = _limit(), _key(email)
    _run(lambda strategy: strategy.hit(item, NAMESPACE, key))
