"""Web helpers every domain's api.py and views.py share.

- permission sets: `API_READ`, `API_READ_WRITE` (REST APIs), `SCREEN_READ`, `SCREEN_READ_WRITE` (screens);
- `json_body(allowed)`: the request's JSON object (400 otherwise, unknown fields refused);
- `fresh_token_required`: SPEC §10's "needs a fresh token" on an API method;
- `password_failures_limited(email_of, failed_status)`: one budget of failed passwords per email;
- `confirm_own_password(user, password)`: a screen's "confirm with your password" (SPEC §10's fresh login);
- `describe_error(error)` / `flash_error(error)`: a domain error in one French sentence, for a screen.
"""
import functools

from flask import after_this_request, flash, request
from flask_babel import lazy_gettext as _l

from werkzeug.exceptions import TooManyRequests

from ..extensions import db
from . import lockout
from .errors import BadRequest, Forbidden

API_READ = {"get_list": "read", "get": "read", "info": "read"}
API_READ_WRITE = {**API_READ, "post": "write", "put": "write", "delete": "delete"}
SCREEN_READ = {"list": "read", "show": "read", "api_read": "read", "api": "read", "api_get": "read"}
SCREEN_READ_WRITE = {
    **SCREEN_READ, "download": "read", "api_readvalues": "read", "api_column_add": "write",
    "api_column_edit": "write", "add": "write", "edit": "write", "api_create": "write", "api_update": "write",
    "delete": "delete", "api_delete": "delete", "action": "write", "action_post": "write",
}


def json_body(allowed=None):
    """The request's JSON object, or a 400; unknown top-level fields are refused when `allowed` is given."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise BadRequest(_l("Corps JSON attendu (un objet)."))
    if allowed is not None:
        unknown = sorted(set(body) - set(allowed))
        if unknown:
            raise BadRequest(errors={name: [_l("Champ inconnu.")] for name in unknown})
    return body


def fresh_token_required(method):
    """SPEC §10: refunds and approvals need a fresh token (one issued from the password, not refreshed)."""
    from flask_jwt_extended import get_jwt

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        if not get_jwt().get("fresh"):
            return self.response(401, message=str(_l(
                "Cette action demande une connexion récente : reconnectez-vous avec votre mot de passe.")))
        return method(self, *args, **kwargs)

    return wrapper


def password_failures_limited(email_of, failed_status):
    """The email's one failed-password budget (core.lockout) around a view that checks a password:
    a locked email gets 429 with Retry-After before the view runs; an answer `failed_status`
    uses one attempt. Counted per email, not per address: one person's typos never lock out
    the other tills behind the same address."""

    def decorator(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            email = email_of()
            wait = lockout.retry_after(email)
            if wait:
                raise TooManyRequests(retry_after=wait)

            @after_this_request  # also sees the answers the error handlers make of a refusal
            def count_failure(response):
                if response.status_code == failed_status:
                    lockout.record_failure(email)
                return response

            return view(*args, **kwargs)

        return wrapper

    return decorator


def confirm_own_password(user, password):
    """A screen's answer to the API's fresh token: the user retypes their password before a
    cancellation or a refund. A wrong one uses an attempt of the email's one budget (core.lockout)
    and, like a locked account, raises Forbidden before anything is written."""
    from werkzeug.security import check_password_hash

    if lockout.retry_after(user.email):
        raise Forbidden(_l("Trop d'essais de mot de passe : réessayez dans quelques minutes."))
    if not check_password_hash(user.password or "", password or ""):
        lockout.record_failure(user.email)
        raise Forbidden(_l("Mot de passe incorrect : confirmez l'opération avec votre mot de passe."))


def json_field(name):
    """A field of the request's JSON object (None when absent or not an object)."""
    body = request.get_json(silent=True)
    return body.get(name) if isinstance(body, dict) else None


def describe_error(error):
    """The error's message and its field messages, in one sentence for a screen."""
    details = [str(message) for messages in (error.errors or {}).values() for message in messages]
    return " ".join([str(error.message), *details])


def flash_error(error):
    """A screen's answer to a domain error: nothing written, the message flashed."""
    db.session.rollback()
    flash(describe_error(error), "danger")
