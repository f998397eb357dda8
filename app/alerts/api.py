"""REST API of alerts: GET (list, item), POST {id}/acknowledge/ and {id}/resolve/ (SPEC §10)."""
from flask_appbuilder.api import expose
from flask_appbuilder.models.filters import BaseFilter

from ..core.api import BoutiqueModelRestApi, DocumentApiMixin, ScopedInterface, api_action, moment, openapi
from ..core.scoping import acting_user, store_scope
from ..core.web import API_READ
from . import services
from .links import links_for
from .models import Alert


class VisibleTypes(BaseFilter):
    """A stock keeper sees the stock alerts; the other roles every type."""

    name = "Visible alert types"
    arg_name = None

    def apply(self, query, value):
        types = services.visible_types(acting_user())
        return query if types is None else query.filter(Alert.type.in_(types))


def alert_to_dict(alert, link=None):
    return {
        "id": alert.id, "type": alert.type, "severity": alert.severity, "store": alert.store_id,
        "store_code": alert.store.code if alert.store else None, "message": alert.message, "link": link,
        "object_type": alert.object_type, "object_id": alert.object_id, "status": alert.status,
        "created_at": moment(alert.created_at), "acknowledged_at": moment(alert.acknowledged_at),
        "acknowledged_by": alert.acknowledged_by_id, "resolved_at": moment(alert.resolved_at),
        "resolved_by": alert.resolved_by_id,
    }


class AlertApi(DocumentApiMixin, BoutiqueModelRestApi):
    resource_name = "alerts"
    class_permission_name = "Alert"
    datamodel = ScopedInterface(Alert)
    base_filters = store_scope() + [["type", VisibleTypes, lambda: None]]
    include_route_methods = {"get_list", "get", "acknowledge", "resolve"}
    method_permission_name = {**API_READ, "acknowledge": "acknowledge", "resolve": "resolve"}
    list_columns = show_columns = ["id", "type", "severity", "store.id", "store.code", "message", "object_type",
                                   "object_id", "status", "created_at", "acknowledged_at", "resolved_at"]
    order_columns = ["id", "created_at", "severity", "type", "status"]
    search_columns = ["store", "type", "severity", "status", "created_at"]

    def get_list_headless(self, **kwargs):
        """FAB's list, each row in the shape of SPEC §10 (with `link` and `store` as an id)."""
        response = super().get_list_headless(**kwargs)
        if response.status_code != 200:
            return response
        body = response.get_json()
        alerts = {a.id: a for a in self.datamodel.session.query(Alert).filter(Alert.id.in_(body["ids"]))}
        links = links_for(list(alerts.values()))
        body["result"] = [alert_to_dict(alerts[pk], links.get(pk)) for pk in body["ids"] if pk in alerts]
        return self.response(200, **body)

    @staticmethod
    def serialise(alert):
        return alert_to_dict(alert, links_for([alert])[alert.id])

    @expose("/<int:pk>/acknowledge/", methods=["POST"])
    @api_action
    @openapi({200: "the alert, ACKNOWLEDGED", 404: "no such alert in your stores", 409: "the alert is not NEW"})
    def acknowledge(self, pk):
        """Acknowledge a NEW alert (someone takes care of it)."""
        return self._answer(200, services.acknowledge(acting_user(), pk))

    @expose("/<int:pk>/resolve/", methods=["POST"])
    @api_action
    @openapi({200: "the alert, RESOLVED", 404: "no such alert in your stores",
              409: "the alert is already resolved"})
    def resolve(self, pk):
        """Resolve an open alert by hand."""
        return self._answer(200, services.resolve(acting_user(), pk))


def register(appbuilder):
    appbuilder.add_api(AlertApi)
