"""REST API of customer credit: credit-accounts (+ statement.pdf) and credit-ledger (GET).
The repayment action (`credit-accounts/{id}/repay/`) belongs to the till: app/cashier/repayments_api.py."""
from datetime import date

from flask import request
from flask_appbuilder.api import expose
from flask_babel import lazy_gettext as _l

from ..core.api import (DATE, BoutiqueModelRestApi, DocumentApiMixin, ReadOnlyDocumentApi, ScopedInterface,
                        answers_domain_errors, api_action, openapi)
from ..core.errors import ValidationFailed
from ..core.scoping import acting_user
from ..core.inputs import MISSING
from ..core.web import API_READ, json_body
from . import documents, services
from .models import CreditLedgerEntry, CustomerAccount
from .serialize import account_to_dict, entry_to_dict

ACCOUNT_COLUMNS = ["id", "customer.id", "customer.name", "store.id", "store.code", "credit_limit", "balance",
                   "is_active", "created_at"]
ENTRY_COLUMNS = ["id", "account.id", "store.id", "kind", "source", "amount", "balance_after", "sale.id",
                 "sale.number", "created_at", "user.id", "note"]


def read_day(value, field):
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise ValidationFailed(errors={field: [_l("Date attendue au format AAAA-MM-JJ.")]}) from None


class CreditAccountApi(DocumentApiMixin, BoutiqueModelRestApi):
    resource_name = "credit-accounts"
    class_permission_name = "CreditAccount"
    datamodel = ScopedInterface(CustomerAccount)
    include_route_methods = {"get_list", "get", "post", "put", "statement"}
    method_permission_name = {**API_READ, "post": "write", "put": "write", "statement": "read"}
    list_columns = show_columns = ACCOUNT_COLUMNS
    order_columns = ["id", "balance", "credit_limit", "created_at"]
    search_columns = ["store", "customer", "is_active"]
    base_order = ("id", "asc")

    def pre_get_list(self, data):
        """Each row also says what is available and overdue (SPEC §10)."""
        accounts = {a.id: a for a in CustomerAccount.query.filter(CustomerAccount.id.in_(data["ids"]))}
        for pk, row in zip(data["ids"], data["result"]):
            full = account_to_dict(accounts[pk], with_installments=False)
            row.update({"available": full["available"], "overdue_amount": full["overdue_amount"],
                        "customer": full["customer"], "customer_name": full["customer_name"],
                        "store": full["store"]})

    serialise = staticmethod(account_to_dict)

    @answers_domain_errors
    def post_headless(self):
        body = json_body({"customer", "credit_limit", "note"})
        account = services.open_account(acting_user(), body.get("customer"), body.get("credit_limit"),
                                        note=body.get("note"))
        return self._answer(201, account)

    @answers_domain_errors
    def put_headless(self, pk):
        found = self._document(pk)
        body = json_body({"credit_limit", "is_active", "note"})
        account = services.update_account(acting_user(), found.id, credit_limit=body.get("credit_limit", MISSING),
                                          is_active=body.get("is_active", MISSING), note=body.get("note", MISSING))
        return self._answer(200, account)

    @expose("/<int:pk>/statement.pdf", methods=["GET"])
    @api_action
    @openapi({200: {"description": "the statement PDF", "content": {"application/pdf": {}}},
              404: "not one of your stores' accounts"}, query={"date_from": DATE, "date_to": DATE}, method="get")
    def statement(self, pk):
        """The customer's statement (A4 PDF) over a period: `date_from`, `date_to` (local days, ISO dates)."""
        period = services.statement(self._document(pk), read_day(request.args.get("date_from"), "date_from"),
                                    read_day(request.args.get("date_to"), "date_to"))
        return documents.statement_response(period)


class CreditLedgerApi(ReadOnlyDocumentApi):
    resource_name = "credit-ledger"
    class_permission_name = "CreditAccount"
    datamodel = ScopedInterface(CreditLedgerEntry)
    list_columns = show_columns = ENTRY_COLUMNS
    order_columns = ["id", "created_at", "amount"]
    search_columns = ["account", "store", "kind", "source", "sale", "created_at"]
    serialise = staticmethod(entry_to_dict)

    def pre_get_list(self, data):
        """Rows as SPEC §10 names them: account, kind, amount, balance_after, sale, created_at, user, note."""
        entries = {e.id: e for e in CreditLedgerEntry.query.filter(CreditLedgerEntry.id.in_(data["ids"]))}
        data["result"] = [entry_to_dict(entries[pk]) for pk in data["ids"]]


def register(appbuilder):
    appbuilder.add_api(CreditAccountApi)
    appbuilder.add_api(CreditLedgerApi)
