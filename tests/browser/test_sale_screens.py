"""The sale detail screen, the approvals queue and the shift variances, in headless Chromium."""
import re

import pytest
from playwright.sync_api import expect

from tests.conftest import DEMO
from tests.sales.fixtures import make_shop, user

pytestmark = pytest.mark.browser


@pytest.fixture
def day(app):
    """A paid sale (2 switches + 1 cable: MTN 20000 + cash 15000), a pending approval, a closed shift."""
    from app.cashier import services as till
    from app.sales import services
    from tests.factories import make_customer, make_draft, make_pending_sale, store_by_code

    shop = make_shop(app)
    with app.app_context():
        from app.catalog.models import Product
        from app.extensions import db

        dla = store_by_code("DLA1")
        switch, cable = db.session.get(Product, shop.switch), db.session.get(Product, shop.cable)
        seller, cashier = user(shop.seller), user(shop.cashier)
        customer = make_customer(dla, name="Établissements Fotso", phone="+237699112233")
        sale = make_pending_sale(dla, seller, [(switch, 2), (cable, 1)], customer=customer)
        shift = till.open_shift(cashier, dla.id, "10000")
        till.take_payment(cashier, sale.id, "MOBILE_MONEY", "20000", operator="MTN", reference="MP261124.0930")
        till.take_payment(cashier, sale.id, "CASH", "15000", tendered="20000")
        till.close_shift(cashier, shift.id, "24000")
        asking = make_draft(dla, seller, [(switch, 1, "15000", "4500")])
        try:
            services.submit_sale(seller, asking.id)
        except services.ApprovalRequired:
            pass
        return {"sale": sale.id, "number": sale.number, "shift": shift.id, "cable": sale.items[1].id}


def test_the_sale_detail_screen_and_a_refund(page, login, day):
    login(*DEMO["MANAGER"])
    page.goto(f"/salemodelview/show/{day['sale']}")

    detail = page.get_by_test_id("sale-detail")
    expect(detail).to_contain_text(f"Facture {day['number']}")
    expect(page.get_by_test_id("sale-status")).to_have_text("Payée")
    expect(detail).to_contain_text("Établissements Fotso")
    items = page.get_by_test_id("sale-items")
    expect(items.locator("tbody tr")).to_have_count(2)
    expect(items).to_contain_text("Switch 8 ports Gigabit")
    expect(items).to_contain_text("TVA 19,25\u00a0%")
    payments = page.get_by_test_id("sale-payments")
    expect(payments.locator("tbody tr")).to_have_count(2)
    expect(payments).to_contain_text("Mobile money MTN")
    expect(payments).to_contain_text("MP261124.0930")
    trail = page.get_by_test_id("sale-trail")
    expect(trail).to_contain_text("Transmise à la caisse")
    expect(trail).to_contain_text("Partiellement payée → Payée")
    expect(page.get_by_test_id("balance-due")).to_contain_text("0")
    page.screenshot(path="tests/screenshots/sale_detail_paid.png", full_page=True)

    # one cable comes back broken: refunded in cash, not back in stock
    page.get_by_label("Quantité rendue Câble réseau Cat6 3 m").fill("1")
    page.get_by_label("Défectueux Câble réseau Cat6 3 m").check()
    page.get_by_label("Mode").select_option("CARD")
    page.get_by_label("Motif", exact=True).last.fill("Connecteur cassé")
    page.locator("#refund-password").fill(DEMO["MANAGER"][1])  # the manager confirms (issue 13)
    page.get_by_role("button", name="Rembourser", exact=True).click()
    page.wait_for_load_state()
    expect(page.locator(".alert-success")).to_contain_text("Remboursement enregistré")
    expect(page.get_by_test_id("sale-refunds")).to_contain_text("Carte")
    expect(page.get_by_test_id("sale-trail")).to_contain_text("Remboursement")


def test_the_approvals_queue(page, login, day):
    login(*DEMO["MANAGER"])
    page.goto("/approvalmodelview/list/")
    queue = page.get_by_test_id("approvals-queue")
    expect(queue.get_by_test_id("pending-approval")).to_have_count(1)
    expect(queue).to_contain_text("Remise de 30 % (seuil 10 %)")
    page.screenshot(path="tests/screenshots/approvals_queue.png", full_page=True)
    queue.get_by_role("button", name="Approuver").click()
    page.wait_for_load_state()
    expect(page.locator(".alert-success")).to_contain_text("Demande approuvée")
    expect(page.get_by_test_id("approvals-queue")).to_contain_text("Aucune demande en attente")


def test_the_shift_and_the_variances_per_cashier(page, login, day):
    login(*DEMO["MANAGER"])
    page.goto(f"/cashshiftmodelview/show/{day['shift']}")
    # expected 10000 + 20000 handed - 7500 change = 22500; 24000 counted: 1500 over
    expect(page.get_by_test_id("shift-variance")).to_contain_text(re.compile(r"^1\s500\sFCFA$"))
    expect(page.get_by_test_id("shift-methods")).to_contain_text("Mobile money")
    page.screenshot(path="tests/screenshots/shift_closed.png", full_page=True)
    page.goto("/ecarts-de-caisse/")
    table = page.get_by_test_id("variances-by-cashier")
    expect(table).to_contain_text("Carine Etoa")
    page.screenshot(path="tests/screenshots/shift_variances.png", full_page=True)


def test_the_manager_screens_fit_a_phone(page, login, day):
    """A manager checks a sale or a till from a phone: wide tables scroll inside their box, the page
    itself does not grow wider than the screen (the menu bar would then cover half of it)."""
    page.set_viewport_size({"width": 390, "height": 844})
    login(*DEMO["MANAGER"])
    for path in (f"/salemodelview/show/{day['sale']}", f"/cashshiftmodelview/show/{day['shift']}",
                 "/ecarts-de-caisse/", "/approvalmodelview/list/"):
        page.goto(path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"{path} is {width} px wide on a 390 px screen"
    page.goto(f"/salemodelview/show/{day['sale']}")
    page.screenshot(path="tests/screenshots/sale_detail_phone.png", full_page=True)
