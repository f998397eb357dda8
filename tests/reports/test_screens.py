"""The dashboard is the home page of managers and admins; sellers and cashiers keep theirs."""
import pytest

from tests.conftest import sign_in
from tests.reports.test_kpis import D, NEXT, build_shop


@pytest.mark.parametrize("role", ["MANAGER", "ADMIN"])
def test_the_home_page_of_managers_and_admins_is_the_dashboard(client, role):
    sign_in(client, role)
    page = client.get("/").get_data(as_text=True)
    assert 'data-testid="dashboard"' in page and "chart.umd.min.js" in page
    assert 'data-testid="home-role"' in page  # the rest of the home page stays under it


@pytest.mark.parametrize("role", ["SALES", "CASHIER", "STOCKER"])
def test_other_roles_keep_their_home_and_have_no_reports(client, role):
    sign_in(client, role)
    assert 'data-testid="dashboard"' not in client.get("/").get_data(as_text=True)
    assert client.get("/reports/dashboard/").status_code in (302, 403)
    assert client.get("/reports/sales/").status_code in (302, 403)


def test_the_sales_report_screen_shows_totals_and_exports(client, app):
    with app.app_context():
        store_id = build_shop().id
    sign_in(client, "ADMIN")
    page = client.get(f"/reports/sales/?store={store_id}&date_from={D}&date_to={NEXT}&group_by=day").get_data(as_text=True)
    assert 'data-testid="sales-report-totals"' in page and "95" in page
    export = client.get(f"/reports/sales/?store={store_id}&date_from={D}&date_to={NEXT}&format=xlsx")
    assert export.status_code == 200 and export.mimetype.endswith("spreadsheetml.sheet")
    bad = client.get("/reports/sales/?date_from=demain")
    assert bad.status_code == 200 and "AAAA-MM-JJ" in bad.get_data(as_text=True)


def test_the_vendored_chart_library_is_served(client):
    response = client.get("/static/vendor/chartjs-4.6.1/chart.umd.min.js")
    assert response.status_code == 200 and b"Chart" in response.data[:2000]
