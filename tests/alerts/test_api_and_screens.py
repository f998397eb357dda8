"""alerts/ API (shape, scoping, acknowledge/resolve) and the back-office list and bell count."""
from sqlalchemy import select

from app.alerts import services
from app.alerts.models import ACKNOWLEDGED, LOW_STOCK, NEW, PENDING_PAYMENT, RESOLVED, Alert
from app.core.models import AuditLog
from app.extensions import db
from tests.conftest import DEMO
from tests.factories import make_product, put_in_stock, store_by_code


def make_alerts(app):
    """A low stock alert (by the job) and a pending payment alert, both in DLA1."""
    with app.app_context():
        dla = store_by_code("DLA1")
        product = make_product("ALR-API", "Switch 8 ports", reorder_level=5)
        put_in_stock(dla, product, 2)
        services.run_job("check_low_stock")
        stock_id = db.session.execute(select(Alert.id).where(Alert.cause_key == f"product:{product.id}")).scalar_one()
        sale = Alert(type=PENDING_PAYMENT, severity="WARNING", store_id=dla.id, message="Vente en attente",
                     object_type="Sale", object_id=1, cause_key="sale:1")
        db.session.add(sale)
        db.session.commit()
        return stock_id, sale.id, product.id


def test_list_rows_have_the_spec_fields(app, as_manager):
    stock_id, sale_id, product_id = make_alerts(app)
    body = as_manager.get("/api/v1/alerts/?q=(page_size:100)").get_json()
    rows = {row["id"]: row for row in body["result"]}
    row = rows[stock_id]
    assert {"type", "severity", "store", "message", "link", "object_type", "object_id", "status",
            "created_at"} <= set(row)
    assert (row["type"], row["object_type"], row["object_id"], row["status"]) == (
        LOW_STOCK, "Product", product_id, NEW)
    assert row["link"].startswith("/stock/levels/list/") and "ALR-API" in row["link"]
    assert rows[sale_id]["link"] == "/salemodelview/show/1"


def test_stock_keepers_see_the_stock_alerts_only(app, as_stocker):
    stock_id, sale_id, _ = make_alerts(app)
    ids = as_stocker.get("/api/v1/alerts/?q=(page_size:100)").get_json()["ids"]
    assert stock_id in ids and sale_id not in ids
    assert as_stocker.get(f"/api/v1/alerts/{sale_id}").status_code == 404


def test_acknowledge_then_resolve_audited_and_no_second_time(app, as_manager):
    stock_id, _, _ = make_alerts(app)
    answer = as_manager.post(f"/api/v1/alerts/{stock_id}/acknowledge/")
    assert answer.status_code == 200 and answer.get_json()["result"]["status"] == ACKNOWLEDGED
    again = as_manager.post(f"/api/v1/alerts/{stock_id}/acknowledge/")
    assert again.status_code == 409 and again.get_json()["message"]
    assert as_manager.post(f"/api/v1/alerts/{stock_id}/resolve/").get_json()["result"]["status"] == RESOLVED
    assert as_manager.post(f"/api/v1/alerts/{stock_id}/resolve/").status_code == 409
    with app.app_context():
        alert = db.session.get(Alert, stock_id)
        assert alert.acknowledged_by_id and alert.resolved_by_id and alert.resolved_at
        actions = db.session.execute(select(AuditLog.action).where(AuditLog.object_type == "Alert",
                                                                   AuditLog.object_id == str(stock_id))).scalars()
        assert sorted(actions) == ["alert.acknowledge", "alert.resolve"]


def test_a_resolved_alert_whose_cause_is_still_there_comes_back(app, as_manager):
    stock_id, _, product_id = make_alerts(app)
    as_manager.post(f"/api/v1/alerts/{stock_id}/resolve/")
    with app.app_context():
        services.run_job("check_low_stock")
        statuses = db.session.execute(select(Alert.status).where(Alert.cause_key == f"product:{product_id}")
                                      .order_by(Alert.id)).scalars().all()
        assert statuses == [RESOLVED, NEW]


def login(client, role):
    email, password = DEMO[role]
    assert client.post("/login/", data={"username": email, "password": password}).status_code == 302


def test_alert_list_filters_and_one_click_acknowledge(app, client):
    stock_id, sale_id, _ = make_alerts(app)
    login(client, "MANAGER")
    page = client.get("/alerts/list/").get_data(as_text=True)
    assert "Switch 8 ports" in page and "Vente en attente" in page and 'data-testid="alert-bell"' in page
    only_stock = client.get(f"/alerts/list/?type={LOW_STOCK}").get_data(as_text=True)
    assert "Switch 8 ports" in only_stock and "Vente en attente" not in only_stock
    assert client.get("/alerts/count").get_json()["count"] >= 2
    before = client.get("/alerts/count").get_json()["count"]
    answer = client.post(f"/alerts/{stock_id}/acknowledge", data={"type": LOW_STOCK})
    assert answer.status_code == 302 and answer.headers["Location"].endswith(f"/alerts/list/?type={LOW_STOCK}")
    assert client.get("/alerts/count").get_json()["count"] == before - 1
    with app.app_context():
        assert db.session.get(Alert, stock_id).status == ACKNOWLEDGED


def test_no_bell_nor_list_for_a_cashier(app, client):
    make_alerts(app)
    login(client, "CASHIER")
    home = client.get("/", follow_redirects=True).get_data(as_text=True)
    assert 'data-testid="alert-bell"' not in home
    assert client.get("/alerts/list/").status_code in (302, 403)
    assert client.get("/alerts/count").status_code in (302, 403)
