"""`POST credit-accounts/{id}/repay/`: a repayment taken at the till (the till finds the shift;
the credit domain never calls the till, so the action lives here, on the credit-accounts path)."""
from flask_appbuilder.api import BaseApi, expose

from ..core.api import api_action, idempotency_key, idempotent_answer, openapi
from ..core.scoping import acting_user
from ..core.web import json_body
from ..credits.serialize import repayment_to_dict
from .repayments import take_repayment


class CreditRepaymentApi(BaseApi):
    resource_name = "credit-accounts"
    class_permission_name = "CreditAccount"
    method_permission_name = {"repay": "repay"}
    allow_browser_login = False
    openapi_spec_tag = "Credit Accounts"

    @expose("/<int:pk>/repay/", methods=["POST"])
    @api_action
    @openapi({201: "the repayment with the new balance", 404: "not one of your stores' accounts",
              409: "no open shift, nothing owed, more than owed"},
             body={"amount": "number",
                   "method": {"type": "string", "enum": ["CASH", "MOBILE_MONEY", "BANK_TRANSFER", "CARD"]},
                   "operator": "string", "reference": "string"})
    def repay(self, pk):
        """Take a repayment of the customer's credit in your open shift (Idempotency-Key like payments)."""
        body = json_body({"amount", "method", "operator", "reference"})
        result = take_repayment(acting_user(), pk, body.get("amount"), body.get("method"),
                                operator=body.get("operator"), reference=body.get("reference"),
                                idempotency_key=idempotency_key())
        answer = repayment_to_dict(result)
        return idempotent_answer(self.response(201, id=result.repayment.id, result=answer, balance=answer["balance"]),
                                 result.replayed)


def register(appbuilder):
    appbuilder.add_api(CreditRepaymentApi)
