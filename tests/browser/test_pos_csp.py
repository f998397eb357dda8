"""The seller's POS and the till under their policy (no eval, no inline script; issue 13): the main
flows in Chromium report no CSP violation and no script error, and the Alpine parts still work."""
import re
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import expect

from tests.browser.test_cashier_till import sale_waiting_at_an_open_till
from tests.browser.test_pos_seller import shot
from tests.conftest import DEMO
from tests.pos.fixtures import make_pos_shop

pytestmark = pytest.mark.browser

# Every securitypolicyviolation event of the document, kept for the test to read.
RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (event) {
  window.__csp.push(event.violatedDirective + " " + event.blockedURI + " " + event.sourceFile + ":" + event.lineNumber);
});
"""


@pytest.fixture
def shop(app):
    return make_pos_shop(app)


@pytest.fixture
def watched(page):
    """The page, and what its console and scripts complained about (CSP refusals are console errors;
    Alpine's CSP build warns about an expression it cannot run)."""
    complaints = []
    page.context.add_init_script(RECORD_VIOLATIONS)
    page.on("console", lambda message: complaints.append(f"{message.type}: {message.text}")
            if message.type in ("error", "warning") else None)
    page.on("pageerror", lambda error: complaints.append(f"pageerror: {error}"))
    return page, complaints


def assert_clean(page, complaints):
    assert page.evaluate("window.__csp") == []
    assert complaints == []


def test_seller_pos_runs_under_its_policy(watched, login, shop):
    page, complaints = watched
    login(*DEMO["SALES"])
    answer = page.goto(f"/pos/{shop.dla}/")
    assert "'unsafe-eval'" not in answer.headers["content-security-policy"]

    page.get_by_test_id("search").fill("archer")  # search as you type, then add from the results
    page.get_by_test_id("result").first.click()
    expect(page.get_by_test_id("cart-line")).to_have_count(1)

    page.keyboard.press("F4")  # the customer dialog (Alpine component posCustomerDialog)
    dialog = page.locator("dialog#dialog")
    expect(dialog.get_by_test_id("customer-search")).to_be_visible()
    dialog.get_by_test_id("customer-new").click()
    expect(dialog.get_by_test_id("customer-name")).to_be_focused()
    expect(dialog.get_by_test_id("customer-search")).to_be_hidden()
    shot(page, "pos_csp_seller_customer_form_1024x600")
    dialog.get_by_role("button", name="Retour").click()
    expect(dialog.get_by_test_id("customer-search")).to_be_visible()
    dialog.get_by_role("button", name="Fermer").click()  # data-close-dialog, no inline handler
    expect(dialog).to_be_hidden()
    assert_clean(page, complaints)


def test_till_runs_under_its_policy(watched, login, app, shop):
    page, complaints = watched
    sale_id = sale_waiting_at_an_open_till(app, shop.router)
    login(*DEMO["CASHIER"])
    answer = page.goto(f"/cashier/{shop.dla}/")
    assert "'unsafe-eval'" not in answer.headers["content-security-policy"]

    page.get_by_test_id("queue-item").first.click()  # the payment form (Alpine component posPayment)
    expect(page.get_by_test_id("pay-amount")).to_have_value("45 000")
    reference = page.locator("label[for=pay-reference]")
    page.keyboard.press("Alt+2")
    expect(page.get_by_test_id("operator-MTN")).to_be_attached()
    expect(page.locator(".operators")).to_be_visible()
    expect(reference).to_have_text("Référence de la transaction mobile money")
    page.keyboard.press("Alt+3")
    expect(reference).to_have_text("Référence du virement")
    expect(page.locator(".operators")).to_be_hidden()
    page.keyboard.press("Alt+1")
    expect(reference).to_be_hidden()
    page.keyboard.press("F4")
    page.keyboard.type("50000")
    expect(page.locator(".change.preview")).to_contain_text(re.compile(r"5\s000"))
    shot(page, "pos_csp_till_payment_form_1024x600")

    # the queue's refresh says which sale is chosen (it stays marked)
    with page.expect_request(lambda request: "/queue?" in request.url, timeout=8_000) as poll:
        pass
    assert parse_qs(urlparse(poll.value.url).query)["selected"] == [str(sale_id)]

    page.keyboard.press("F8")  # the blind close dialog, and its "Annuler"
    dialog = page.locator("dialog#dialog")
    expect(dialog.get_by_test_id("close-form")).to_be_visible()
    dialog.get_by_role("button", name="Annuler").click()
    expect(dialog).to_be_hidden()
    assert_clean(page, complaints)
