"""Domain errors and the one place that maps them (and HTTP errors) to answers.

Services raise these; APIs answer JSON `{"message": ..., "errors": {...}}` with the
status of the error; pages show the French message. No answer carries SQL text.
"""
import logging
import re

import prison
import redis

from flask import current_app, jsonify, make_response, render_template, request
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import DataError, IntegrityError, InterfaceError, OperationalError, SQLAlchemyError
from werkzeug.exceptions import HTTPException, SecurityError

from ..extensions import db

log = logging.getLogger(__name__)


class DomainError(Exception):
    status = 409
    default_message = _l("Opération impossible dans l'état actuel.")

    def __init__(self, message=None, errors=None):
        self.message = str(message or self.default_message)
        self.errors = errors or {}
        super().__init__(self.message)

    def to_dict(self):
        body = {"message": self.message}
        if self.errors:
            body["errors"] = {field: [str(m) for m in msgs] for field, msgs in self.errors.items()}
        return body


class Conflict(DomainError):
    status = 409


class Duplicate(Conflict):
    default_message = _l("Cette valeur est déjà utilisée.")


class InvalidTransition(Conflict):
    default_message = _l("Cette action n'est pas possible dans l'état actuel du document.")


class ValidationFailed(DomainError):
    status = 422
    default_message = _l("Certaines valeurs sont invalides.")


class BadRequest(DomainError):
    status = 400
    default_message = _l("Requête invalide.")


class Forbidden(DomainError):
    status = 403
    default_message = _l("Vous n'avez pas le droit de faire cette action.")


class ValueRefused(BadRequest):
    default_message = _l("Valeur refusée : hors limites ou mal formée. Rien n'a été enregistré.")


def value_refused(exc: DataError) -> ValueRefused:
    """PostgreSQL refused a value (out of range, malformed: SQLSTATE class 22). Inputs are checked
    before they get there; one that slipped through is still the request's fault: a 400, not a 500."""
    log.warning("value refused by the database: %s", getattr(exc, "orig", exc))
    return ValueRefused()


class NotFound(DomainError):
    status = 404
    default_message = _l("Introuvable.")


# PostgreSQL or Redis out of reach (down, restarting, network), or a transient refusal of the
# database (deadlock, lock or statement timeout): the request did nothing and may simply be sent
# again (a payment carries its Idempotency-Key).
OUTAGES = (OperationalError, InterfaceError, redis.ConnectionError, redis.TimeoutError)
RETRY_AFTER_SECONDS = 5


HTTP_MESSAGES = {
    400: _l("Requête invalide."),
    401: _l("Authentification requise ou jeton invalide."),
    403: _l("Vous n'avez pas le droit de faire cette action."),
    404: _l("Introuvable."),
    405: _l("Méthode non autorisée."),
    409: _l("Conflit avec l'état actuel."),
    413: _l("Fichier ou requête trop volumineux."),
    422: _l("Certaines valeurs sont invalides."),
    429: _l("Trop de tentatives. Réessayez plus tard."),
    500: _l("Erreur interne. L'opération n'a pas été enregistrée."),
    503: _l("Service momentanément indisponible : rien n'a été enregistré. Réessayez dans un instant."),
}


def integrity_error_to_domain(exc: IntegrityError) -> DomainError:
    """Turn a constraint violation into a clean 409, naming the field when we can tell."""
    text = str(getattr(exc, "orig", exc))
    field = _field_of_constraint(exc, text)
    if "unique" in text.lower() or "duplicate" in text.lower():
        errors = {field: [_l("Cette valeur est déjà utilisée.")]} if field else None
        return Duplicate(errors=errors)
    if "foreign key" in text.lower():
        return Conflict(_l("Cet enregistrement est lié à d'autres données."))
    return Conflict(_l("Valeur refusée par une règle de cohérence."))


def _field_of_constraint(exc, text):
    diag = getattr(getattr(exc, "orig", None), "diag", None)
    constraint = getattr(diag, "constraint_name", None) or ""
    match = re.match(r"^[a-z_]+?_([a-z_]+)_key$", constraint)
    if match:
        return match.group(1)
    match = re.search(r"UNIQUE constraint failed: \w+\.(\w+)", text)
    if match:
        return match.group(1)
    match = re.search(r"Key \((\w+)\)=", text)
    return match.group(1) if match else None


def is_api_request():
    return request.path.startswith("/api/")


def json_error(status, message=None, errors=None):
    body = {"message": str(message or HTTP_MESSAGES.get(status, HTTP_MESSAGES[500]))}
    if errors:
        body["errors"] = errors
    return jsonify(body), status


def render_error(status, message):
    """A French error page inside the back-office layout; a plain one when the layout cannot be
    drawn because the database is out of reach (its menu asks the database who may see what)."""
    appbuilder = current_app.appbuilder
    try:
        return render_template("errors/error.html", status=status, message=str(message),
                               base_template=appbuilder.base_template, appbuilder=appbuilder)
    except OUTAGES as exc:
        log.error("error page drawn without its layout, the database is out of reach: %s", exc)
        _rollback_quietly()
        return render_plain_page(status, message)


def render_plain_page(status, message):
    """An error page from its template alone, for when the database is out of reach: Flask's
    context processors would load the signed-in user (Flask-Login) and FAB's layout its menu."""
    template = current_app.jinja_env.get_template("errors/plain.html")
    return template.render(status=status, message=str(message), config=current_app.config, request=request)


def unavailable(exc):
    """The answer while PostgreSQL or Redis is out of reach (OUTAGES): 503, Retry-After, French."""
    log.error("service unavailable (%s): %s", type(exc).__name__, exc)
    _rollback_quietly()
    body = json_error(503)[0] if is_api_request() else render_plain_page(503, HTTP_MESSAGES[503])
    answer = make_response(body, 503)
    answer.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return answer


def _rollback_quietly():
    """Roll back what the request began; a connection that is already gone has nothing to undo."""
    try:
        db.session.rollback()
    except SQLAlchemyError:
        log.warning("rollback impossible: the connection is gone", exc_info=True)


def _carries_nul(request):
    if "\x00" in request.path:
        return True
    if any("\x00" in value for value in request.headers.values()):
        return True
    for values in (request.args, request.form):
        if any("\x00" in key or "\x00" in value for key, value in values.items(multi=True)):
            return True
    return request.is_json and _json_has_nul(request.get_json(silent=True))


def _json_has_nul(value):
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_json_has_nul(key) or _json_has_nul(item) for key, item in value.items())
    if isinstance(value, list):
        return any(_json_has_nul(item) for item in value)
    return False


def register(app):
    @app.before_request
    def _reject_unreadable_query_argument():
        """FAB's rison parser can recurse without end on input like `(((`: check it first."""
        raw = request.args.get("q")
        if raw is None or not is_api_request():
            return None
        try:
            prison.loads(raw)
        except prison.decoder.ParserException:
            return None  # FAB answers it (and accepts JSON there)
        except Exception:  # noqa: BLE001 - RecursionError and the like: bad input
            return json_error(400, _l("Paramètre de requête (q) invalide."))
        return None

    @app.before_request
    def _refuse_nul_characters():
        """PostgreSQL text cannot hold U+0000: refuse it at the door with a clear 400 rather than let
        an INSERT or a search fail on it (a 500)."""
        if not _carries_nul(request):
            return None
        message = _l("Le caractère nul (U+0000) n'est pas accepté.")
        if is_api_request():
            return json_error(400, message)
        return render_error(400, message), 400

    @app.errorhandler(DomainError)
    def _domain_error(exc):
        db.session.rollback()
        if is_api_request():
            return jsonify(exc.to_dict()), exc.status
        return render_error(exc.status, exc.message), exc.status

    @app.errorhandler(IntegrityError)
    def _integrity_error(exc):
        db.session.rollback()
        return _domain_error(integrity_error_to_domain(exc))

    @app.errorhandler(HTTPException)
    def _http_error(exc):
        if isinstance(exc, SecurityError):  # untrusted Host header: no URL can be built, answer plainly
            return str(HTTP_MESSAGES[400]), 400, {"Content-Type": "text/plain; charset=utf-8"}
        if exc.code == 429:
            return _too_many(exc)
        message = HTTP_MESSAGES.get(exc.code, exc.description)
        if is_api_request():
            return json_error(exc.code, message)
        if exc.code in (400, 403, 404, 405, 413):
            return render_error(exc.code, message), exc.code
        return exc

    @app.errorhandler(DataError)
    def _data_error(exc):
        return _domain_error(value_refused(exc))

    for outage in OUTAGES:
        app.register_error_handler(outage, unavailable)

    @app.errorhandler(SQLAlchemyError)
    def _database_error(exc):
        log.exception("database error")
        db.session.rollback()
        return _server_error(exc)

    @app.errorhandler(Exception)
    def _server_error(exc):
        if isinstance(exc, HTTPException):
            return _http_error(exc)
        log.exception("unhandled error")
        db.session.rollback()
        if is_api_request():
            return json_error(500)
        return render_error(500, HTTP_MESSAGES[500]), 500

    def _too_many(exc):
        response = exc.get_response()
        retry_after = response.headers.get("Retry-After")
        if is_api_request():
            body, status = json_error(429)
        else:
            body = render_error(429, HTTP_MESSAGES[429])
        answer = make_response(body, 429)
        for header, value in response.headers.items():
            if header.lower().startswith(("retry-after", "x-ratelimit")):
                answer.headers[header] = value
        if retry_after:
            answer.headers["Retry-After"] = retry_after
        return answer
