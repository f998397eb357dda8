"""What the POS pages share: the FAB base view, HTMX answers, and French refusals.

- Every exposed method of a view needs one permission (`permission`, e.g. "sell" ->
  "can_sell on Pos"), checked by FAB's @has_access.
- A refusal never shows a stack trace: domain errors, 403/404, an expired CSRF token, a
  constraint violation become a French alert fragment for HTMX requests (swapped into
  #alerts, or into the dialog's alert box when the request says so) and a French page
  in the POS layout otherwise.
- An HTMX request from a signed-out browser is sent to the login page (HX-Redirect)
  instead of getting the login form swapped into a fragment.
"""
import logging
import re

from flask import current_app, g, make_response, render_template, request, url_for
from flask_appbuilder import BaseView
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import HTTPException

from ..core.errors import HTTP_MESSAGES, DomainError, integrity_error_to_domain
from ..extensions import db

log = logging.getLogger(__name__)

ALERT_TARGETS = {"alerts", "dialog-alerts"}
FIELD_LABELS = {
    "product": _l("Produit"),
    "quantity": _l("Quantité"),
    "unit_price": _l("Prix unitaire"),
    "discount": _l("Remise"),
    "serials": _l("N° de série"),
    "customer": _l("Client"),
    "store": _l("Magasin"),
    "items": _l("Articles"),
    "total": _l("Total"),
    "name": _l("Nom"),
    "phone": _l("Téléphone"),
    "email": _l("E-mail"),
    "password": _l("Mot de passe"),
    "amount": _l("Montant"),
    "tendered": _l("Montant reçu"),
    "operator": _l("Opérateur"),
    "reference": _l("Référence"),
    "method": _l("Mode de paiement"),
    "opening_float": _l("Fonds de caisse"),
    "counted_cash": _l("Espèces comptées"),
    "counted_mobile_money": _l("Mobile money compté"),
    "counted_bank_transfer": _l("Virements comptés"),
    "counted_card": _l("Cartes comptées"),
    "note": _l("Note"),
    "Idempotency-Key": _l("Clé d'idempotence"),
}
LINE_FIELD = re.compile(r"^items\[(\d+)\](?:\.(\w+))?$")


def is_htmx():
    return request.headers.get("HX-Request") == "true"


def field_label(field):
    """'items[1].serials' -> 'Ligne 2 — N° de série'; 'phone' -> 'Téléphone'."""
    match = LINE_FIELD.match(field)
    if match:
        line = str(_l("Ligne %(number)s", number=int(match.group(1)) + 1))
        return f"{line} — {FIELD_LABELS.get(match.group(2), match.group(2))}" if match.group(2) else line
    return str(FIELD_LABELS.get(field, field))


def field_messages(errors):
    """[(label, message), ...] from a DomainError's field errors."""
    messages = []
    for field, texts in (errors or {}).items():
        for text in texts if isinstance(texts, (list, tuple)) else [texts]:
            messages.append((field_label(field), str(text)))
    return messages


def alert(message, status=409, errors=None, level="error"):
    """A French alert: a fragment swapped into the alert box (HTMX) or a whole page."""
    details = field_messages(errors)
    if is_htmx():
        response = make_response(render_template("pos/_alert.html", message=str(message), details=details,
                                                 level=level), status)
        target = request.headers.get("X-Pos-Alerts")
        response.headers["HX-Retarget"] = "#" + (target if target in ALERT_TARGETS else "alerts")
        response.headers["HX-Reswap"] = "innerHTML"
        return response
    return make_response(render_template("pos/error.html", status=status, message=str(message), details=details,
                                         appbuilder=current_app.appbuilder), status)


def _domain_error(exc):
    db.session.rollback()
    return alert(exc.message, exc.status, exc.errors)


def _integrity_error(exc):
    db.session.rollback()
    error = integrity_error_to_domain(exc)
    return alert(error.message, error.status, error.errors)


def _http_error(exc):
    if isinstance(exc, CSRFError):
        return alert(_l("Votre session a expiré ou le formulaire est trop ancien : rechargez la page (F5) "
                        "puis recommencez."), 400)
    if exc.code is None or exc.code >= 500:
        return exc
    return alert(HTTP_MESSAGES.get(exc.code, exc.description), exc.code)


def _signed_out_htmx():
    """An HTMX call after the session ended: send the whole page to the login form."""
    user = getattr(g, "user", None)
    if is_htmx() and (user is None or not user.is_authenticated):
        response = make_response("", 200)
        page = request.headers.get("HX-Current-URL") or request.url
        login = current_app.appbuilder.sm.auth_view.__class__.__name__ + ".login"
        response.headers["HX-Redirect"] = url_for(login, next=_same_site_path(page))
        return response
    return None


def _same_site_path(url):
    """Only the path of the page (never another host) goes into ?next=."""
    match = re.match(r"^https?://[^/]+(/[^\s]*)$", url or "")
    path = match.group(1) if match else "/"
    return path if path.startswith("/") and not path.startswith("//") else "/"


class PosBaseView(BaseView):
    """A POS page: one permission for every exposed method, French refusals, HTMX-aware."""

    permission = None  # "sell" -> can_sell
    default_view = "index"

    def __init__(self):
        cls = type(self)
        self.method_permission_name = {
            name: self.permission for name in dir(cls) if hasattr(getattr(cls, name, None), "_urls")}
        super().__init__()

    def create_blueprint(self, appbuilder, endpoint=None, static_folder=None):
        blueprint = super().create_blueprint(appbuilder, endpoint=endpoint, static_folder=static_folder)
        blueprint.before_request(_signed_out_htmx)
        blueprint.register_error_handler(DomainError, _domain_error)
        blueprint.register_error_handler(IntegrityError, _integrity_error)
        blueprint.register_error_handler(HTTPException, _http_error)
        return blueprint

    def page(self, template, **context):
        """A whole page in the POS layout."""
        return render_template(template, appbuilder=self.appbuilder, **context)

    @staticmethod
    def fragment(template, status=200, trigger=None, retarget=None, **context):
        """An HTML fragment; `trigger`: client events fired once it is in place, e.g. {"pos:dialog": "close"}."""
        import json

        response = make_response(render_template(template, **context).strip(), status)
        if trigger:
            response.headers["HX-Trigger-After-Settle"] = json.dumps(trigger)
        if retarget:  # e.g. a dialog's content instead of the element that asked
            response.headers["HX-Retarget"] = retarget
            response.headers["HX-Reswap"] = "innerHTML"
        return response
