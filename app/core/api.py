"""The base of every REST API: French errors, no SQL text, store scoping by default."""
import copy
import functools
import inspect
import sys

import flask_appbuilder.api as fab_api
import flask_appbuilder.models.sqla.filters as fab_filters
import jsonschema
import yaml
from flask import request
from flask_appbuilder.api import BaseApi, ModelRestApi, protect, safe
from flask_appbuilder.exceptions import DatabaseException
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import lazy_gettext as _l
from marshmallow import Schema, ValidationError, fields, validate
from sqlalchemy.exc import DataError, IntegrityError, SQLAlchemyError

from ..extensions import db
from .errors import (HTTP_MESSAGES, OUTAGES, BadRequest, Conflict, DomainError, NotFound, ValidationFailed,
                     integrity_error_to_domain, unavailable, value_refused)
from . import inputs
from .ids import MAX_ID, is_row_id
from .money import to_money
from .scoping import RelatedChoicesScope, acting_user, store_scope
from .web import API_READ, API_READ_WRITE, fresh_token_required

MARSHMALLOW_MESSAGES = {
    "Missing data for required field.": _l("Champ obligatoire."),
    "Field may not be null.": _l("Ce champ ne peut pas être vide."),
    "Unknown field.": _l("Champ inconnu."),
    "Not a valid integer.": _l("Nombre entier invalide."),
    "Not a valid number.": _l("Nombre invalide."),
    "Not a valid decimal.": _l("Montant invalide."),
    "Not a valid string.": _l("Texte invalide."),
    "Not a valid boolean.": _l("Valeur oui/non invalide."),
    "Not a valid email address.": _l("Adresse e-mail invalide."),
    "Not a valid list.": _l("Liste invalide."),
    "Invalid input type.": _l("Type de valeur invalide."),
    "Not a valid datetime.": _l("Date et heure invalides."),
    "Not a valid date.": _l("Date invalide."),
    "Length must be between": _l("Longueur invalide."),
    "Longer than maximum length": _l("Texte trop long."),
    "Related object not found": _l("Objet lié introuvable."),
    "Must be greater than or equal to": _l("Valeur hors limites."),
}


def moment(value):
    """A moment as every API answer writes it: ISO 8601 with its offset (UTC), or None."""
    return value.isoformat() if value is not None else None


def french_field_errors(messages):
    """Marshmallow's English field messages, in French (unknown ones are kept)."""
    if isinstance(messages, dict):
        return {field: french_field_errors(value) for field, value in messages.items()}
    if isinstance(messages, list):
        return [french_field_errors(value) for value in messages]
    text = str(messages)
    for english, french in MARSHMALLOW_MESSAGES.items():
        if text.startswith(english):
            return str(french)
    return text


# FAB's own English answers, said in French.
FAB_MESSAGES = {
    "Request is not JSON": _l("Corps JSON attendu."),
    "Not a valid rison/json argument": _l("Paramètre de requête (q) invalide."),
    "Not a valid rison argument": _l("Paramètre de requête (q) invalide."),
    "OK": _l("Supprimé."),
}


class _ValidatorCache:
    """Stands in for the `jsonschema` module inside flask_appbuilder.api.

    FAB's @rison decorator calls jsonschema.validate(), which re-checks the schema
    itself on every request (~2-8 ms); here each schema's validator is built once.
    """

    ValidationError = jsonschema.ValidationError

    def __init__(self):
        self._validators = {}

    def validate(self, instance, schema):
        cached = self._validators.get(id(schema))
        if cached is None or cached[0] is not schema:
            validator_class = jsonschema.validators.validator_for(schema)
            validator_class.check_schema(schema)
            cached = self._validators[id(schema)] = (schema, validator_class(schema))
        error = jsonschema.exceptions.best_match(cached[1].iter_errors(instance))
        if error is not None:
            raise error


fab_api.jsonschema = _ValidatorCache()

_fab_value_to_type = fab_filters.set_value_to_type
_TRUE_WORDS, _FALSE_WORDS = ("y", "on", "true", "1", "oui"), ("n", "off", "false", "0", "non")


def filter_value_to_type(datamodel, column_name, value):
    """A search value in its column's type, or None (which matches nothing): FAB leaves amounts and
    most booleans as text and an id as any integer, which PostgreSQL refuses (`numeric = varchar`,
    integer out of range) with a 500 on the screens' and the API's filters."""
    if datamodel.is_numeric(column_name):
        try:
            amount = to_money(value)
        except ValueError:
            return None
        return amount if abs(amount) < 10**12 else None
    if datamodel.is_boolean(column_name):
        word = str(value).strip().lower()
        return True if word in _TRUE_WORDS else False if word in _FALSE_WORDS else None
    value = _fab_value_to_type(datamodel, column_name, value)
    if datamodel.is_integer(column_name) and value is not None and abs(value) > MAX_ID:
        return None
    return value


fab_filters.set_value_to_type = filter_value_to_type


def _split_list(item):
    if not isinstance(item, str):
        return [item]
    return [part.strip() for part in item.replace(";", ",").split(",") if part.strip()]


class _ListFromText:
    """The screens' "Parmi" / "Hors de" have one text box: for a number, an amount or a date,
    "45000, 85000" (or ";") is a list of two values. Text columns keep their commas."""

    def apply(self, query, value):
        values = value if isinstance(value, list) else [value]
        if not (self.datamodel.is_string(self.column_name) or self.datamodel.is_text(self.column_name)):
            values = [part for item in values for part in _split_list(item)]
        return super().apply(query, values)


class _FilterIn(_ListFromText, fab_filters.FilterIn):
    pass


class _FilterNotIn(_ListFromText, fab_filters.FilterNotIn):
    pass


_LIST_FILTERS = {fab_filters.FilterIn: _FilterIn, fab_filters.FilterNotIn: _FilterNotIn}


class FilterConverter(fab_filters.SQLAFilterConverter):
    conversion_table = tuple((test, [_LIST_FILTERS.get(kind, kind) for kind in kinds])
                             for test, kinds in fab_filters.SQLAFilterConverter.conversion_table)


class ScopedInterface(SQLAInterface):
    """FAB's datamodel, raising clean domain errors instead of SQL text.

    `write`: the record's one write path, a service `write(user, item)` that checks, audits and
    commits; the API and the screens built on this datamodel then add and edit through it.

    Related choices: every relation's choices (the screens' search, add and edit forms, the API's
    `_info`) come from `get_related_interface`, whose queries keep the rows of the user's stores
    (scoping.RelatedChoicesScope); `open_relations` names the relations that offer every store's rows
    (a transfer's destination).
    """

    filter_converter_class = FilterConverter
    related_choices = False  # True on the interface that lists a relation's choices

    def __init__(self, obj, session=None, write=None, open_relations=()):
        super().__init__(obj, session)
        self.write = write
        self.open_relations = frozenset(open_relations)

    def get_related_interface(self, col_name):
        related = ScopedInterface(self.get_related_model(col_name), self._session)
        related.related_choices = col_name not in self.open_relations
        return related

    def query(self, filters=None, *args, **kwargs):
        if self.related_choices:
            filters = (filters or self.get_filters()).copy().add_filter_list([["id", RelatedChoicesScope, None]])
        return super().query(filters, *args, **kwargs)

    def get(self, id, *args, **kwargs):  # noqa: A002 - FAB's name
        """None (a 404) for a pk that cannot be a row of ours: FAB would send 2**70 to PostgreSQL."""
        if not is_row_id(id):
            return None
        return super().get(id, *args, **kwargs)

    def get_related_obj(self, col_name, value):
        """The row a relation filter names, None (no match) for a value that names no row."""
        if not is_row_id(value):
            return None
        return super().get_related_obj(col_name, value)

    def _write(self, operation, item, commit):
        try:
            operation(item, commit=commit)
        except (SQLAlchemyError, DatabaseException) as exc:
            db.session.rollback()
            # FAB wraps edit/delete errors in DatabaseException; the cause says what happened.
            failure = exc if isinstance(exc, SQLAlchemyError) else exc.__cause__
            if isinstance(failure, IntegrityError):
                raise integrity_error_to_domain(failure) from exc
            if isinstance(failure, OUTAGES):
                raise failure  # the database is out of reach or gave up waiting: a 503, not a conflict
            raise Conflict() from exc

    def _through_service(self, item, commit=True):
        self.write(acting_user(), item)

    def add(self, item, commit=True):
        self._write(super().add if self.write is None else self._through_service, item, commit)

    def edit(self, item, commit=True):
        self._write(super().edit if self.write is None else self._through_service, item, commit)

    def delete(self, item, commit=True):
        self._write(super().delete, item, commit)


class QuantityField(fields.Field):
    """A quantity in an API's marshmallow schema, read by core.inputs.quantity: the limits,
    messages and field paths (lines[0].quantity) of every other quantity."""

    def __init__(self, minimum=1, **kwargs):
        super().__init__(**kwargs)
        self.minimum = minimum

    def _deserialize(self, value, attr, data, **kwargs):
        try:
            return inputs.quantity(value, minimum=self.minimum)
        except inputs.FieldError as exc:
            raise ValidationError(str(exc.message)) from None


def answers_domain_errors(method):
    """Let a custom action raise DomainError; FAB's @safe would turn it into a 500."""

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except DomainError as exc:
            db.session.rollback()
            return self.response(exc.status, **exc.to_dict())
        except IntegrityError as exc:
            db.session.rollback()
            error = integrity_error_to_domain(exc)
            return self.response(error.status, **error.to_dict())
        except DataError as exc:
            db.session.rollback()
            error = value_refused(exc)
            return self.response(error.status, **error.to_dict())

    return wrapper


def api_action(method):
    """A custom API action (under @expose): permission checked, domain errors answered with their
    status and French message, anything else a 500 without a trace (@protect, @safe)."""
    return protect()(safe(answers_domain_errors(method)))


def idempotency_key():
    """The Idempotency-Key header of a write that may be sent again (payments, repayments)."""
    return request.headers.get("Idempotency-Key")


def idempotent_answer(response, replayed):
    """A write sent again with its Idempotency-Key gets the first answer, marked as replayed."""
    if replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return response


def fresh_api_action(guard=None):
    """An api_action that needs a fresh token (SPEC §10); `guard` wraps it right under @protect
    (a password budget, whose 429 must pass above @safe)."""

    def decorate(method):
        view = safe(fresh_token_required(answers_domain_errors(method)))
        return protect()(guard(view) if guard else view)

    return decorate


STRINGS = {"type": "array", "items": {"type": "string"}}
DATE = {"type": "string", "format": "date"}


def objects(**properties):
    """The OpenAPI schema of a list of objects (an action's lines)."""
    return {"type": "array", "items": {"type": "object", "properties": _schemas(properties)}}


def _schemas(properties):
    return {name: {"type": kind} if isinstance(kind, str) else kind for name, kind in properties.items()}


def openapi(responses, body=None, query=None, method="post", content="application/json"):
    """A custom action's OpenAPI text, written after its one-line docstring as FAB reads it (YAML
    after `---`): the view's arguments as integer path parameters, `query` parameters ({name: type,
    schema, or a parameter with its "schema"}), the body's properties ({name: type or schema}) and
    each response's description (or response object)."""

    def decorate(view):
        parameters = [{"in": "path", "name": name, "schema": {"type": "integer"}}
                      for name in list(inspect.signature(view).parameters)[1:]]
        parameters += [{"in": "query", "name": name, **(kind if "schema" in kind else {"schema": kind})}
                       for name, kind in _schemas(query or {}).items()]
        operation = {"parameters": parameters} if parameters else {}
        if body is not None:
            schema = {"type": "object", "properties": _schemas(body)}
            operation["requestBody"] = {"content": {content: {"schema": schema}}}
        operation["responses"] = {code: {"description": text} if isinstance(text, str) else text
                                  for code, text in responses.items()}
        view.__doc__ = inspect.cleandoc(view.__doc__ or "") + "\n---\n" + yaml.safe_dump({method: operation})
        return view

    return decorate


class BoutiqueApi(BaseApi):
    """An API with no model of its own (documents, reports): bearer token only, 401 and 403 in French."""

    allow_browser_login = False

    def response_401(self):
        return self.response(401, message=str(HTTP_MESSAGES[401]))

    def response_403(self):
        return self.response(403, message=str(HTTP_MESSAGES[403]))


class BoutiqueModelRestApi(ModelRestApi):
    """Every resource API derives from this one."""

    allow_browser_login = False
    method_permission_name = API_READ_WRITE
    page_size = 25
    max_page_size = 100

    @staticmethod
    def response(code, **kwargs):
        message = kwargs.get("message")
        if isinstance(message, str):
            if message in FAB_MESSAGES:
                kwargs["message"] = str(FAB_MESSAGES[message])
            elif message.startswith("Not a valid rison schema"):
                kwargs["message"] = str(FAB_MESSAGES["Not a valid rison argument"])
        return ModelRestApi.response(code, **kwargs)

    def _get_field_info(self, field, filter_rel_field, page=None, page_size=None):
        from .field_labels import field_info_text

        info = super()._get_field_info(field, filter_rel_field, page=page, page_size=page_size)
        info["label"], info["description"] = field_info_text(self, field.name)
        return info

    def _document(self, pk):
        """The row `pk` among those the user may see (base filters), else NotFound (404)."""
        item = self.datamodel.get(pk, self._base_filters)
        if item is None:
            raise NotFound()
        return item

    def response_400(self, message=None):
        return self.response(400, message=str(message or HTTP_MESSAGES[400]))

    def response_401(self):
        return self.response(401, message=str(HTTP_MESSAGES[401]))

    def response_403(self):
        return self.response(403, message=str(HTTP_MESSAGES[403]))

    def response_404(self):
        return self.response(404, message=str(HTTP_MESSAGES[404]))

    def response_422(self, message=None):
        if isinstance(message, (dict, list)):
            return self.response(422, message=str(HTTP_MESSAGES[422]), errors=french_field_errors(message))
        return self.response(422, message=str(message or HTTP_MESSAGES[422]))

    def response_500(self, message=None):
        failure = sys.exc_info()[1]  # FAB's @safe calls this while handling the exception
        if isinstance(failure, OUTAGES):
            return unavailable(failure)
        return self.response(500, message=str(HTTP_MESSAGES[500]))

    # FAB hands page numbers, filter values and related ids to the database as given: a negative
    # page, an id like 2**70 or "abc" made PostgreSQL fail, which FAB answers with a 500. They are
    # refused (or, for a number searched as text, mended) here.

    def get_list_headless(self, **kwargs):
        rison = kwargs.get("rison", {})
        page = rison.get("page")
        if page is not None and not (isinstance(page, int) and 0 <= page <= MAX_ID):
            return self.response_400(message=str(_l("Numéro de page invalide (0 ou plus).")))
        for condition in rison.get("filters") or []:
            if isinstance(condition, dict) and not self._fit_filter_value(condition):
                return self.response_400(message=str(_l(
                    "Filtre sur « %(column)s » : valeur invalide.", column=condition.get("col"))))
        return super().get_list_headless(**kwargs)

    def _fit_filter_value(self, condition):
        """False for a value filter_value_to_type cannot mend: a text filter adds "%" to its value,
        so a number becomes its text ("name starts with 5", changed in place) and anything else is
        refused; `in` and `not_in` need a list."""
        column, value = condition.get("col"), condition.get("value")
        if condition.get("opr") in ("in", "not_in") and not isinstance(value, list):
            return False
        if not isinstance(column, str) or column not in self.datamodel.list_columns:
            return True  # FAB refuses a column that is not searchable
        if not (self.datamodel.is_string(column) or self.datamodel.is_text(column)):
            return True
        values = value if isinstance(value, list) else [value]
        if all(isinstance(item, (int, float)) and not isinstance(item, bool) for item in values):
            condition["value"] = [str(item) for item in value] if isinstance(value, list) else str(value)
            return True
        return all(isinstance(item, str) for item in values)

    @answers_domain_errors
    def post_headless(self):
        return self._refuse_bad_related_ids(self.add_columns) or super().post_headless()

    @answers_domain_errors
    def put_headless(self, pk):
        return self._refuse_bad_related_ids(self.edit_columns) or super().put_headless(pk)

    @answers_domain_errors
    def delete_headless(self, pk):
        return super().delete_headless(pk)

    def _refuse_bad_related_ids(self, columns):
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            return None  # FAB answers a body that is not an object
        errors = {}
        for column in columns:
            if column not in body or not self.datamodel.is_relation(column):
                continue
            value = body[column]
            many = self.datamodel.is_relation_many_to_many(column) or self.datamodel.is_relation_one_to_many(column)
            values = value if many and isinstance(value, list) else [value]
            if not all(item is None or is_row_id(item) for item in values):
                errors[column] = [str(_l("Identifiant invalide."))]
        if errors:
            return self.response(422, message=str(HTTP_MESSAGES[422]), errors=errors)
        return None


# --- JSON bodies read by marshmallow schemas, and document resources (stock, purchases) ---

def id_field(**kwargs):
    """A row id in a JSON body: beyond the integer column PostgreSQL would fail (a 500), not answer."""
    return fields.Integer(strict=True, validate=validate.Range(min=1, max=MAX_ID), **kwargs)


def optional_text():
    """A text in a JSON body that may be left out or null."""
    return fields.String(load_default=None, allow_none=True)


def optional_texts():
    """A list of texts (serial numbers) in a JSON body that may be left out or null."""
    return fields.List(fields.String(), load_default=None, allow_none=True)


def update_schema(create, *left_out):
    """The schema of a PUT: the POST's fields but `left_out`, each optional (missing or null: None)."""
    optional = {}
    for name, field in create._declared_fields.items():
        if name not in left_out:
            field = copy.deepcopy(field)
            field.required, field.load_default, field.allow_none = False, None, True
            optional[name] = field
    return Schema.from_dict(optional, name=f"{create.__name__}Update")


class _ReasonInput(Schema):
    reason = optional_text()


def body_reason():
    """The optional `reason` of an action's JSON body (no body at all: none)."""
    return load_schema(_ReasonInput(), request.get_json(silent=True) or {})["reason"]


def load_schema(schema, body=None):
    """The JSON body checked by a marshmallow schema (400 when not JSON, 422 per field)."""
    if body is None:
        body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise BadRequest(_l("Corps JSON attendu."))
    try:
        return schema.load(body)
    except ValidationError as err:
        raise ValidationFailed(errors=_flatten(french_field_errors(err.messages))) from None


def _flatten(errors, *prefix):
    """{"lines": {0: {"quantity": [...]}}} -> {"lines[0].quantity": [...]} (core.inputs' field paths)."""
    flat = {}
    for key, value in errors.items():
        if isinstance(value, dict):
            flat.update(_flatten(value, *prefix, key))
        else:
            flat[inputs.path(*prefix, key)] = value if isinstance(value, list) else [value]
    return flat


class DocumentApiMixin:
    """Records of the user's stores, newest first; the item answer is `serialise(item)` (a document:
    lines included), and actions answer it too."""

    base_filters = store_scope()
    base_order = ("id", "desc")
    serialise = None

    def _answer(self, status, item):
        return self.response(status, id=item.id, result=type(self).serialise(item))

    @answers_domain_errors
    def get_headless(self, pk, **kwargs):
        return self._answer(200, self._document(pk))


class ReadOnlyDocumentApi(DocumentApiMixin, BoutiqueModelRestApi):
    """Records written by other actions (refunds, ledger entries): list and item only."""

    include_route_methods = {"get_list", "get"}
    method_permission_name = API_READ
