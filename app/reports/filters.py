"""The query string of the reports (API and screens alike): period, store, grouping, and the sales
report's filters (seller, category, payment method), with the choices the screen offers."""
from datetime import timedelta

from flask_babel import lazy_gettext as _l

from sqlalchemy import select

from ..cashier.models import METHOD_LABELS, PAYMENT_METHODS
from ..catalog.models import Category
from ..core import inputs
from ..core.inputs import FieldErrors
from ..extensions import db
from ..stores.models import Store, StoreUser
from .sales_report import GROUPINGS, Filters

MAX_DAYS = 731  # two years: the longest period one request may ask for


class ReportQuery:
    def __init__(self, stores, date_from, date_to, group_by="day", filters=None, store=None, format="json"):
        self.stores, self.date_from, self.date_to = stores, date_from, date_to
        self.group_by, self.filters, self.store, self.format = group_by, filters or Filters(), store, format


def read_query(args, user, grouping=False):
    """ReportQuery from request args; 422 with field errors, 404 for a store outside the user's."""
    errors = FieldErrors()
    store = Store.for_action(user, args["store"]) if args.get("store") else None
    stores = [store] if store else Store.of_user(user)
    today = (stores[0].local_now() if stores else Store().local_now()).date()
    date_from = errors.read("date_from", inputs.date, args.get("date_from"))
    date_to = errors.read("date_to", inputs.date, args.get("date_to"))
    date_from = date_from or date_to or today
    date_to = date_to or (today if date_from <= today else date_from)
    if date_to < date_from:
        errors.add("date_to", _l("La fin de la période précède son début."))
    elif date_to - date_from > timedelta(days=MAX_DAYS):
        errors.add("date_to", _l("Période trop longue (deux ans au plus)."))
    group_by = errors.read("group_by", inputs.choice, args.get("group_by") or "day", GROUPINGS) if grouping else None
    output = errors.read("format", inputs.choice, args.get("format") or "json", ("json", "xlsx")) if grouping else "json"
    filters = None
    if grouping:
        seller = errors.read("seller", inputs.row, args.get("seller"), required=False)
        category = errors.read("category", inputs.row, args.get("category"), required=False)
        if category and db.session.get(Category, category) is None:
            errors.add("category", _l("Catégorie inconnue."))
        method = errors.read("method", inputs.choice, args.get("method"), PAYMENT_METHODS, required=False)
        filters = Filters(seller, category if "category" not in errors else None, method)
    errors.raise_if_any()
    return ReportQuery(stores, date_from, date_to, group_by or "day", filters, store, output)


def filter_choices(user):
    """The sales report's choices, in words: the sellers of the user's stores, the categories (by
    their path), the payment methods."""
    from flask_appbuilder.security.sqla.models import User

    store_ids = [store.id for store in Store.of_user(user)]
    sellers = db.session.execute(
        select(User.id, User.first_name + " " + User.last_name).distinct()
        .join(StoreUser, StoreUser.user_id == User.id).where(StoreUser.store_id.in_(store_ids or [0]))).all()
    categories = db.session.execute(select(Category)).scalars().all()
    return {"sellers": sorted(sellers, key=lambda row: row[1].lower()),
            "categories": sorted(((c.id, c.path) for c in categories), key=lambda row: row[1].lower()),
            "methods": [(method, METHOD_LABELS[method]) for method in PAYMENT_METHODS]}
