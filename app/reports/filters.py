"""The query string of the reports (API and screens alike): period, store, seller, grouping."""
from datetime import timedelta

from flask_babel import lazy_gettext as _l

from ..core import inputs
from ..core.inputs import FieldErrors
from ..stores.models import Store
from .sales_report import GROUPINGS

MAX_DAYS = 731  # two years: the longest period one request may ask for


class ReportQuery:
    def __init__(self, stores, date_from, date_to, group_by="day", seller=None, store=None, format="json"):
        self.stores, self.date_from, self.date_to = stores, date_from, date_to
        self.group_by, self.seller, self.store, self.format = group_by, seller, store, format


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
    seller = errors.read("seller", inputs.row, args.get("seller"), required=False) if grouping else None
    errors.raise_if_any()
    return ReportQuery(stores, date_from, date_to, group_by or "day", seller, store, output)
