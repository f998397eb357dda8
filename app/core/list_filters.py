"""The filter bar of the back-office lists (sales, payments, shifts, refunds, approvals, movements).

A list declares what a manager asks of it, and `FilteredListMixin` (before FAB's ModelView) does
the rest: reads the query string, narrows FAB's query with the same filters as its store scoping,
and gives the template (core/filtered_list.html) the bar, the active filters as chips and the
count and total of the filtered rows::

    list_filters = [Period("created_at"), StoreChoice(), Choice("status", _l("Statut"), STATUS_LABELS,
                    hidden=("DRAFT",)), Contains("number", "customer.name")]
    list_summary = Summary(_l("%(count)s vente"), _l("%(count)s ventes"), total="total")

- Period: presets (aujourd'hui, hier, cette semaine, ce mois) or from/to dates, in the local days of
  the chosen store (else the user's first store): "today" at 23:30 in Douala is Douala's today.
- Choice: codes offered in words; `hidden` codes are left out until asked for (a sale's drafts).
- Contains: every word typed is found anywhere in one of the columns ("000007" finds
  DLA1-FAC-2026-000007; "jean mbarga" finds the customer Jean-Paul Mbarga).
Bad values answer 400 with a French message.
"""
import datetime as dt
import re

from flask import request, url_for
from flask_appbuilder.models.filters import BaseFilter
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, or_, select

from ..extensions import db
from .days import local_day_bounds, zone_of
from .errors import BadRequest
from .formatting import format_money, format_number
from .ids import is_row_id
from .scoping import acting_user, scope_to_stores

PERIOD_PRESETS = {
    "today": _l("Aujourd'hui"),
    "yesterday": _l("Hier"),
    "week": _l("Cette semaine"),
    "month": _l("Ce mois"),
}
MAX_WORDS, MAX_TEXT = 8, 100
_FAB_FILTER_ARG = re.compile(r"^_flt_(\d+)_(.+)$")


class ConditionFilter(BaseFilter):
    """A FAB filter whose value is a ready SQL condition on the view's model."""

    name = "condition"
    arg_name = None

    def apply(self, query, value):
        return query.filter(value)


def _refuse(label, value):
    raise BadRequest(_("%(filter)s : valeur non reconnue « %(value)s ».", filter=label, value=value[:40]))


def local_today(zone):
    return dt.datetime.now(zone).date()


def preset_days(preset, today):
    """The first and last local day of a preset period."""
    if preset == "today":
        return today, today
    if preset == "yesterday":
        day = today - dt.timedelta(days=1)
        return day, day
    if preset == "week":  # Monday to Sunday
        monday = today - dt.timedelta(days=today.weekday())
        return monday, monday + dt.timedelta(days=6)
    first = today.replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return first, following - dt.timedelta(days=1)


class Period:
    """`column` (a UTC moment) within local days: a preset or from/to dates."""

    kind = "period"
    args = ("period", "from", "to")

    def __init__(self, column, label=_l("Période")):
        self.column, self.label = column, label

    def read(self, bar):
        first, last = self._date(bar, "from"), self._date(bar, "to")
        if first is None and last is None:  # typed dates win over a preset the form carried along
            preset = bar.args.get("period") or ""
            if not preset:
                return None
            if preset not in PERIOD_PRESETS:
                _refuse(self.label, preset)
            return preset, *preset_days(preset, bar.today)
        first, last = first or last, last or first
        if last < first:
            raise BadRequest(_l("La fin de la période précède son début."))
        return None, first, last

    def _date(self, bar, arg):
        raw = (bar.args.get(arg) or "").strip()
        if not raw:
            return None
        for read in (dt.date.fromisoformat, lambda text: dt.datetime.strptime(text, "%d/%m/%Y").date()):
            try:
                return read(raw)
            except ValueError:
                pass
        raise BadRequest(_("Date invalide (AAAA-MM-JJ) : « %(value)s ».", value=raw[:40]))

    def condition(self, model, value, bar):
        if value is None:
            return None
        _preset, first, last = value
        start, end = local_day_bounds(first, last, bar.zone)
        column = getattr(model, self.column)
        return and_(column >= start, column < end)

    def chips(self, value, bar):
        preset, first, last = value
        if preset:
            text = str(PERIOD_PRESETS[preset])
        elif first == last:
            text = _("le %(day)s", day=first.strftime("%d/%m/%Y"))
        else:
            text = _("du %(first)s au %(last)s", first=first.strftime("%d/%m/%Y"), last=last.strftime("%d/%m/%Y"))
        return [(f"{self.label} : {text}", bar.url_without(*self.args))]

    def links(self, value, bar):
        """The presets: (label, url, active); a click on the active one removes it."""
        chosen = value[0] if value else None
        return [(label, bar.url_without(*self.args) if code == chosen
                 else bar.url_with(period=code, **{"from": None, "to": None}), code == chosen)
                for code, label in PERIOD_PRESETS.items()]


class Choice:
    """`column` equals one of `labels`' codes, offered in words. `hidden`: codes left out while no
    choice is made (shown on demand); `conditions`: code -> condition(model) for codes that are
    not the column's value (a yes/no column)."""

    kind = "choice"

    def __init__(self, column, label, labels, arg=None, hidden=(), hidden_note=None, conditions=None):
        self.column, self.label, self.labels = column, label, labels
        self.arg = arg or column
        self.args = (self.arg,)
        self.hidden, self.hidden_note = tuple(hidden), hidden_note
        self.conditions = conditions or {}

    def read(self, bar):
        raw = bar.args.get(self.arg) or ""
        if not raw:
            return None
        if raw not in self.labels:
            _refuse(self.label, raw)
        return raw

    def condition(self, model, value, bar):
        if value is None:
            return getattr(model, self.column).notin_(self.hidden) if self.hidden else None
        if value in self.conditions:
            return self.conditions[value](model)
        return getattr(model, self.column) == value

    def chips(self, value, bar):
        return [(f"{self.label} : {self.labels[value]}", bar.url_without(self.arg))]

    def links(self, value, bar):
        return [(label, bar.url_without(self.arg) if code == value else bar.url_with(**{self.arg: code}),
                 code == value) for code, label in self.labels.items()]


class StoreChoice:
    """One of the user's stores (offered when they have more than one)."""

    kind = "store"
    arg = "store"
    args = (arg,)
    label = _l("Magasin")

    def __init__(self, column="store_id"):
        self.column = column

    def read(self, bar):
        raw = bar.args.get(self.arg) or ""
        if not raw:
            return None
        store = next((store for store in bar.stores if is_row_id(raw) and store.id == int(raw)), None)
        if store is None:
            _refuse(self.label, raw)
        return store

    def condition(self, model, value, bar):
        return getattr(model, self.column) == value.id if value is not None else None

    def chips(self, value, bar):
        return [(f"{self.label} : {value.code}", bar.url_without(self.arg))]

    def links(self, value, bar):
        if len(bar.stores) < 2:
            return []
        return [(store.code, bar.url_without(self.arg) if value is not None and store.id == value.id
                 else bar.url_with(store=store.id), value is not None and store.id == value.id)
                for store in bar.stores]


class Contains:
    """Every word typed is in one of `paths` (a column, or relation.column), case ignored."""

    kind = "text"
    arg = "q"
    args = (arg,)

    def __init__(self, *paths, label=_l("Recherche"), placeholder=None):
        self.paths, self.label, self.placeholder = paths, label, placeholder

    def read(self, bar):
        text = (bar.args.get(self.arg) or "").strip()
        if len(text) > MAX_TEXT:
            raise BadRequest(_l("Recherche trop longue (100 caractères au plus)."))
        return text or None

    def _found(self, model, path, word):
        if "." not in path:
            return getattr(model, path).icontains(word, autoescape=True)
        relation, column = path.split(".", 1)
        related = getattr(model, relation)
        target = related.property.mapper.class_
        return related.has(getattr(target, column).icontains(word, autoescape=True))

    def condition(self, model, value, bar):
        if value is None:
            return None
        words = value.split()[:MAX_WORDS]
        return and_(*[or_(*[self._found(model, path, word) for path in self.paths]) for word in words])

    def chips(self, value, bar):
        return [(_("contient « %(text)s »", text=value), bar.url_without(self.arg))]


class Summary:
    """The line under the bar: "12 ventes" (`one` or `many`, with %(count)s) and, with `total`, the
    sum of that column."""

    def __init__(self, one, many, total=None, total_label=_l("total")):
        self.one, self.many, self.total, self.total_label = one, many, total, total_label

    def counted(self, count):
        return str(self.one if count == 1 else self.many) % {"count": format_number(count)}


class _Store:
    def __init__(self, row):
        self.id, self.code, self.name, self.timezone = row

    @property
    def zone(self):
        return zone_of(self.timezone)


def stores_of(user):
    """The user's stores (ADMIN: all) as (id, code, name, timezone), by code. Core reads the
    stores domain's table directly: it imports no domain."""
    table = db.metadata.tables["store"]
    query = scope_to_stores(select(table.c.id, table.c.code, table.c.name, table.c.timezone)
                            .order_by(table.c.code), table.c.id, user)
    return [_Store(row) for row in db.session.execute(query)]


class FilterBar:
    """One request's filters: values read, conditions, chips, links, summary."""

    def __init__(self, view, args):
        self.view, self.args = view, args
        self.stores = stores_of(acting_user())
        self.values = {}
        store_filter = next((f for f in view.list_filters if f.kind == "store"), None)
        store = store_filter.read(self) if store_filter else None
        self.zone = (store or (self.stores[0] if self.stores else None) or
                     _Store((None, None, None, None))).zone
        self.today = local_today(self.zone)
        for index, flt in enumerate(view.list_filters):
            self.values[index] = store if flt is store_filter else flt.read(self)
        self.count = self.total = None

    def conditions(self, model):
        found = (flt.condition(model, self.values[index], self) for index, flt in enumerate(self.view.list_filters))
        return [condition for condition in found if condition is not None]

    # --- links: the current query string with some values changed; a new filter starts on page 1
    def _args(self, drop=(), **changes):
        page_args = (f"page_{type(self.view).__name__}",)
        kept = {key: value for key, value in self.args.items() if key not in drop and key not in page_args}
        for key, value in changes.items():
            if value is None:
                kept.pop(key, None)
            else:
                kept[key] = value
        return kept

    def url_with(self, **changes):
        return url_for(request.endpoint, **self._args(**changes))

    def url_without(self, *keys):
        return url_for(request.endpoint, **self._args(drop=keys))

    def hidden_args(self, *owned):
        """The other filters' values, carried by the form of the text and dates."""
        return self._args(drop=owned).items()

    # --- what the template shows
    @property
    def filters(self):
        return [(flt, self.values[index]) for index, flt in enumerate(self.view.list_filters)]

    def chips(self):
        chips = [chip for flt, value in self.filters if value is not None for chip in flt.chips(value, self)]
        return chips + self._fab_chips()

    def _fab_chips(self):
        """FAB's own `_flt_<n>_<column>` filters (links, bookmarks): shown and removable like the others."""
        chips = []
        search_filters = getattr(self.view._filters, "_search_filters", {})
        for key, value in self.args.items():
            match = _FAB_FILTER_ARG.match(key)
            if not match:
                continue
            column, index = match.group(2), int(match.group(1))
            label = self.view.label_columns.get(column, column)
            datamodel = self.view.datamodel
            if datamodel.is_relation(column):  # the row it names, in words (FAB says "Relation")
                related = datamodel.get_related_obj(column, value)
                text = f"{label} : {related if related is not None else value}"
            else:
                operations = search_filters.get(column) or []
                operation = str(operations[index].name).lower() if index < len(operations) else ":"
                text = f"{label} {operation} « {value} »"
            chips.append((text, self.url_without(key)))
        return chips

    def clear_url(self):
        owned = {arg for flt in self.view.list_filters for arg in flt.args}
        owned |= {key for key in self.args if _FAB_FILTER_ARG.match(key)}
        return self.url_without(*owned)

    def hidden_notes(self):
        return [flt.hidden_note for flt, value in self.filters
                if value is None and getattr(flt, "hidden", None) and flt.hidden_note]

    def summary(self):
        summary = self.view.list_summary
        if summary is None or self.count is None:
            return ""
        text = summary.counted(self.count) if self.count else _("Aucun résultat")
        notes = self.hidden_notes()
        if notes:
            text += " (" + ", ".join(str(note) for note in notes) + ")"
        if summary.total and self.count:
            text += f" · {summary.total_label} {format_money(self.total)}"
        return text


class FilteredListMixin:
    """Put before ModelView: the list gets the filter bar of `list_filters` and `list_summary`."""

    list_filters = ()
    list_summary = None
    list_template = "core/filtered_list.html"

    def _get_list_widget(self, filters, **kwargs):
        bar = FilterBar(self, request.args)
        model = self.datamodel.obj
        filters = filters.copy()
        for condition in bar.conditions(model):
            filters.add_filter("id", ConditionFilter, condition)
        widgets = super()._get_list_widget(filters, **kwargs)
        bar.count = widgets["list"].template_args.get("count")
        summary = self.list_summary
        if summary is not None and summary.total:
            joined = filters.get_joined_filters(self._base_filters)
            query = self.datamodel.session.query(func.coalesce(func.sum(getattr(model, summary.total)), 0))
            bar.total = self.datamodel.apply_filters(query.select_from(model), joined).scalar()
        widgets["filter_bar"] = bar
        return widgets
