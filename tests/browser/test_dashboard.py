"""The owner's dashboard after `flask seed-demo-data`: a manager logs in, lands on it with its
three charts drawn; screenshots on a 1024x600 tablet and a 390 px phone (tests/screenshots/)."""
import os

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import SCREENSHOTS
from tests.conftest import DEMO

pytestmark = pytest.mark.browser


def test_manager_dashboard_after_demo_history(page, login, app):
    result = app.test_cli_runner().invoke(args=["seed-demo-data", "--days", "14"])
    assert result.exit_code == 0, result.output
    login(*DEMO["MANAGER"])
    dashboard = page.get_by_test_id("dashboard")
    expect(dashboard).to_be_visible()
    for chart in ("chart-revenue", "chart-methods", "chart-stores"):
        expect(page.get_by_test_id(chart)).to_have_attribute("data-drawn", "1")
    # the revenue chart has painted pixels (Chart.js drew on the canvas, not only created it)
    painted = page.evaluate("""() => { const c = document.getElementById('chart-revenue');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let n = 0; for (let i = 3; i < d.length; i += 4) { if (d[i]) n++; } return n; }""")
    assert painted > 1000
    expect(page.get_by_test_id("top-products").locator("tr")).not_to_have_count(1)
    os.makedirs(SCREENSHOTS, exist_ok=True)
    page.screenshot(path=os.path.join(SCREENSHOTS, "dashboard_1024x600.png"), full_page=False)
    page.set_viewport_size({"width": 390, "height": 844})
    page.wait_for_timeout(300)
    page.screenshot(path=os.path.join(SCREENSHOTS, "dashboard_390.png"), full_page=True)
    # the dashboard itself fits the phone's width (its wide table scrolls inside its own box)
    assert page.evaluate("document.querySelector('[data-testid=dashboard]').scrollWidth") <= 390
