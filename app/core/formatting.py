"""Amounts and dates formatted for people: FCFA with Babel, times in the store's zone."""
from datetime import timezone
from decimal import Decimal

from babel.dates import format_datetime as babel_format_datetime
from babel.numbers import format_currency, format_decimal, get_currency_symbol
from flask import current_app, has_request_context, request, session
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

MONEY_LOCALES = {"fr": "fr_CM", "en": "en_CM"}


def _locale():
    locale = str(get_locale() or "fr")
    return MONEY_LOCALES.get(locale.split("_")[0], locale)


def format_money(amount, currency=None):
    if amount is None:
        return ""
    return format_currency(amount, currency or current_app.config["DEFAULT_CURRENCY"], locale=_locale())


def currency_symbol(currency=None):
    """What people call the currency: 'FCFA', not the ISO code 'XAF'."""
    return get_currency_symbol(currency or current_app.config["DEFAULT_CURRENCY"], locale=_locale())


def format_number(value):
    """30.00 -> '30', 12.5 -> '12,5' in French (the locale's decimal sign, no useless zeros)."""
    if value is None or value == "":
        return ""
    return format_decimal(Decimal(str(value)), format="#,##0.##", locale=str(get_locale() or "fr"))


def format_percent(rate):
    """19.25 -> '19,25 %' (a no-break space before the sign, as French typography wants)."""
    return "" if rate is None or rate == "" else format_number(rate) + "\u00a0%"


def yes_no(value):
    return _l("Oui") if value else _l("Non")


def _nothing_for_none(value):
    """Every {{ value }} of every template: a missing value shows as nothing, not "None"
    (Flask-AppBuilder's generated lists and detail pages print values as they are)."""
    return "" if value is None else value


def format_local_datetime(moment, zone=None, fmt="short"):
    """A UTC timestamp shown in the store's time zone (default Africa/Douala)."""
    if moment is None:
        return ""
    if moment.tzinfo is None:  # Flask-AppBuilder's own columns (a user's last login) are naive UTC
        moment = moment.replace(tzinfo=timezone.utc)
    zone = zone or current_app.config["DEFAULT_TIMEZONE"]
    return babel_format_datetime(moment, fmt, tzinfo=zone, locale=str(get_locale() or "fr"))


def chosen_locale():
    """The language of this request: `?_l_=en` (FAB's API convention), else the one the user chose
    in the menu (FAB's locale view keeps it in the session), else French. FAB's own selector also
    wrote the default into the session, so every API answer carried a Set-Cookie that no script
    keeps (and signed a cookie per call for nothing)."""
    languages = current_app.config["LANGUAGES"]
    default = current_app.config["BABEL_DEFAULT_LOCALE"]
    if not has_request_context():  # a job, the CLI, a service called outside a request
        return default
    asked = request.args.get("_l_")
    if asked is not None:
        return asked if asked in languages else default
    chosen = session.get("locale")
    return chosen if chosen in languages else default


def register(app):
    app.extensions["babel"].locale_selector = chosen_locale  # instead of FAB's, set by AppBuilder
    app.jinja_env.finalize = _nothing_for_none
    app.jinja_env.filters["money"] = format_money
    app.jinja_env.filters["currency_symbol"] = currency_symbol
    app.jinja_env.filters["local_datetime"] = format_local_datetime
    app.jinja_env.filters["number"] = format_number
    app.jinja_env.filters["percent"] = format_percent
