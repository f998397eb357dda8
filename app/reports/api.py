"""GET /api/v1/reports/kpis/ and /api/v1/reports/sales/ (SPEC §10): MANAGER and ADMIN, store-scoped."""
from flask import Response, request
from flask_appbuilder.api import expose, protect

from ..core.api import DATE, BoutiqueApi, answers_domain_errors, openapi
from ..core.scoping import acting_user
from . import sales_report, services
from .filters import read_query

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ReportApi(BoutiqueApi):
    resource_name = "reports"
    openapi_spec_tag = "Reports"
    class_permission_name = "Report"
    method_permission_name = {"kpis": "read", "sales": "read"}
    @expose("/kpis/", methods=["GET"])
    @protect()
    @answers_domain_errors
    @openapi({200: "`result` (all the stores asked together) and `stores` (each one)", 404: "no such store in yours",
              422: "a bad date or period"},
             query={"store": "integer", "date_from": DATE, "date_to": DATE}, method="get")
    def kpis(self):
        """The KPIs of SPEC §9 for the user's stores (or `store`) over date_from..date_to (default: today)."""
        query = read_query(request.args, acting_user())
        body = services.compute_kpis(query.stores, query.date_from, query.date_to)
        return self.response(200, date_from=query.date_from.isoformat(), date_to=query.date_to.isoformat(), **body)

    @expose("/sales/", methods=["GET"])
    @protect()
    @answers_domain_errors
    @openapi({200: "`result`: the rows (group, label, sales_count, items_sold, revenue, revenue_ht)",
              404: "no such store in yours", 422: "a bad date, period, grouping or filter"},
             query={"store": "integer", "seller": "integer",
                    "category": {"schema": {"type": "integer"}, "description": "its lines, subcategories included"},
                    "method": {"type": "string", "enum": ["CASH", "MOBILE_MONEY", "BANK_TRANSFER", "CARD", "CREDIT"]},
                    "date_from": DATE, "date_to": DATE,
                    "group_by": {"type": "string",
                                 "enum": ["day", "week", "month", "seller", "category", "payment_method"]},
                    "format": {"type": "string", "enum": ["json", "xlsx"]}},
             method="get")
    def sales(self):
        """The period's sales grouped by day, week, month, seller, category or payment_method; format=xlsx: a workbook."""
        query = read_query(request.args, acting_user(), grouping=True)
        if query.format == "xlsx":
            return workbook_response(query)
        rows = sales_report.report(query.stores, query.date_from, query.date_to, query.filters)[query.group_by]
        return self.response(200, date_from=query.date_from.isoformat(), date_to=query.date_to.isoformat(),
                             group_by=query.group_by, result=rows)


def workbook_response(query):
    path = sales_report.write_workbook(query.stores, query.date_from, query.date_to, query.group_by, query.filters)
    name = f"ventes-{query.date_from.isoformat()}-{query.date_to.isoformat()}.xlsx"
    return Response(sales_report.stream_file(path), mimetype=XLSX, direct_passthrough=True,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


def register(appbuilder):
    appbuilder.add_api(ReportApi)
