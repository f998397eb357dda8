"""The sales report screen with one filter: an admin picks a payment method in words and the
totals and the table follow; screenshot at 1366x768 (tests/screenshots/)."""
import os

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import SCREENSHOTS
from tests.conftest import DEMO
from tests.reports.test_kpis import D
from tests.reports.test_sales_filters import shop  # noqa: F401  (the fixture: three sales on D)

pytestmark = pytest.mark.browser


def test_the_sales_report_filtered_by_payment_method(page, login, shop):  # noqa: F811
    page.set_viewport_size({"width": 1366, "height": 768})
    login(*DEMO["ADMIN"])
    page.goto(f"/reports/sales/?store={shop['store']}&date_from={D}&date_to={D}&group_by=seller")
    totals = page.get_by_test_id("sales-report-totals")
    expect(totals).to_contain_text("3 ventes")
    page.get_by_label("Mode de paiement").select_option(label="Mobile money")
    page.get_by_role("button", name="Afficher").click()
    expect(totals).to_contain_text("2 ventes")
    expect(page.get_by_label("Mode de paiement")).to_have_value("MOBILE_MONEY")
    rows = page.get_by_test_id("sales-report-table").locator("tr")
    expect(rows).to_have_count(2)  # the header and Marc, the only seller paid by mobile money
    expect(rows.nth(1)).to_contain_text("Marc Manga")
    assert "method=MOBILE_MONEY" in page.get_by_test_id("sales-export").get_attribute("href")
    os.makedirs(SCREENSHOTS, exist_ok=True)
    page.screenshot(path=os.path.join(SCREENSHOTS, "sales_report_1366x768.png"), full_page=False)
