"""GET /api/v1/sales/{id}/invoice.pdf and /ticket.pdf (SPEC §10), with a JWT.

The sales resource (SaleApi) belongs to the sales domain; these two document routes live
here, in their own FAB BaseApi mounted on the same /api/v1/sales prefix, with their own
permission (`can_read on SaleDocument`) so that neither API rewrites the other's permissions.
A sale of another store is a 404, a draft (no number yet) a 409.
"""
from flask_appbuilder.api import expose

from ..core.api import BoutiqueApi, api_action, openapi
from ..core.scoping import acting_user
from ..sales import services as sales
from . import documents


class SaleDocumentApi(BoutiqueApi):
    resource_name = "sales"
    openapi_spec_tag = "Sales"
    class_permission_name = "SaleDocument"
    method_permission_name = {"invoice": "read", "ticket": "read"}
    @expose("/<int:pk>/invoice.pdf", methods=["GET"])
    @api_action
    @openapi({200: "the invoice, application/pdf", 404: "no such sale in your stores",
              409: "a draft has no invoice yet"}, method="get")
    def invoice(self, pk):
        """The A4 invoice of a sale (PDF)."""
        return documents.invoice_response(sales.get_sale(acting_user(), pk))

    @expose("/<int:pk>/ticket.pdf", methods=["GET"])
    @api_action
    @openapi({200: "the ticket, application/pdf", 404: "no such sale in your stores", 409: "a draft has no ticket yet"},
             method="get")
    def ticket(self, pk):
        """The 80 mm till ticket of a sale (PDF)."""
        return documents.ticket_response(sales.get_sale(acting_user(), pk))


def register(appbuilder):
    appbuilder.add_api(SaleDocumentApi)
