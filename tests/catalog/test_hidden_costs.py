"""Cost prices stay hidden from the roles that may not see them, in exports, sorts and filters
alike (issue 13)."""
import pytest

from tests.catalog.workbooks import read_rows
from tests.conftest import DEMO


def web(app, role):
    client = app.test_client()
    email, password = DEMO[role]
    client.post("/login/", data={"username": email, "password": password})
    return client


def test_the_stockers_export_has_no_cost(app, as_stocker, as_manager):
    stocker_rows = read_rows(as_stocker.get("/api/v1/products/export.xlsx").data)
    assert "Prix d'achat" not in stocker_rows[0] and "SKU" in stocker_rows[0]
    assert len(stocker_rows[1]) == len(stocker_rows[0])
    screen = web(app, "STOCKER").get("/catalog/excel/products.xlsx")
    assert screen.status_code == 200 and "Prix d'achat" not in read_rows(screen.data)[0]
    manager_rows = read_rows(as_manager.get("/api/v1/products/export.xlsx").data)
    assert "Prix d'achat" in manager_rows[0]
    assert len(manager_rows) == len(stocker_rows)


@pytest.mark.parametrize("role", ["SALES", "STOCKER", "CASHIER"])
def test_a_sort_by_cost_is_refused_on_the_screens(app, role):
    client = web(app, role)
    base = "/catalog/products/list/"
    assert client.get(base + "?_oc_ProductModelView=name&_od_ProductModelView=asc").status_code == 200
    refused = client.get(base + "?_oc_ProductModelView=cost_price&_od_ProductModelView=asc")
    assert refused.status_code == 400
    assert "cost" not in refused.get_data(as_text=True).lower()


def test_a_filter_by_cost_is_ignored_on_the_screens(app):
    client = web(app, "SALES")
    everything = client.get("/catalog/products/list/?psize_ProductModelView=100").get_data(as_text=True)
    filtered = client.get("/catalog/products/list/?psize_ProductModelView=100&_flt_2_cost_price=1000000000")
    assert filtered.status_code == 200
    assert filtered.get_data(as_text=True).count("<tr") == everything.count("<tr")
