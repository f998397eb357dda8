"""The lists' filter bar as a manager uses it, in headless Chromium: today's paid sales of DLA1 in
a few clicks with their count and total, a number found by parts of it, no script error."""
import re

import pytest
from playwright.sync_api import expect

from tests.conftest import DEMO
from tests.sales.fixtures import make_shop, user

pytestmark = pytest.mark.browser
LAPTOP, SMALL = {"width": 1366, "height": 768}, {"width": 1024, "height": 600}


@pytest.fixture
def today(app):
    """Today in DLA1: a paid sale (35 000: MTN), a pending one (2 500), a draft; in YDE1 a paid sale
    (15 000: cash); a closed shift in DLA1."""
    from app.cashier import services as till
    from tests.factories import make_customer, make_draft, make_pending_sale, make_user, store_by_code

    shop = make_shop(app)
    with app.app_context():
        from app.catalog.models import Product
        from app.extensions import db

        dla, yde = store_by_code("DLA1"), store_by_code("YDE1")
        switch, cable = db.session.get(Product, shop.switch), db.session.get(Product, shop.cable)
        seller, cashier = user(shop.seller), user(shop.cashier)
        customer = make_customer(dla, name="Établissements Fotso")
        paid = make_pending_sale(dla, seller, [(switch, 2), (cable, 2)], customer=customer)
        shift = till.open_shift(cashier, dla.id, "10000")
        till.take_payment(cashier, paid.id, "MOBILE_MONEY", "35000", operator="MTN", reference="MP-77")
        make_pending_sale(dla, seller, [(cable, 1)])
        make_draft(dla, seller, [(switch, 1)])
        till.close_shift(cashier, shift.id, "10000")
        yde_seller = make_user("vendeur.yde@boutique.cm", "vendeur123!", "SALES", [yde])
        yde_cashier = make_user("caissier.yde@boutique.cm", "caissier123!", "CASHIER", [yde])
        yaounde = make_pending_sale(yde, yde_seller, [(switch, 1)])
        yde_shift = till.open_shift(yde_cashier, yde.id, "5000")
        till.take_payment(yde_cashier, yaounde.id, "CASH", "15000")
        till.close_shift(yde_cashier, yde_shift.id, "20000")
        return {"number": paid.number, "day": dla.local_now().date().isoformat()}


def _console_errors(page):
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


def _summary(page):
    return page.get_by_test_id("list-summary")


@pytest.fixture
def french_page(browser, live_server):
    """A manager's browser in Douala speaks French: its date fields read jj/mm/aaaa."""
    context = browser.new_context(viewport=LAPTOP, base_url=live_server, locale="fr-FR")
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def test_today_s_paid_sales_of_dla1_in_a_few_clicks(french_page, today):
    page = french_page
    errors = _console_errors(page)
    page.goto("/login/")
    page.get_by_label("Adresse e-mail").fill(DEMO["MANAGER"][0])
    page.get_by_label("Mot de passe").fill(DEMO["MANAGER"][1])
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_load_state()
    page.goto("/salemodelview/list/")
    bar = page.get_by_test_id("list-filters")
    expect(_summary(page)).to_contain_text("(hors brouillons)")  # drafts apart by default
    expect(page.locator("table")).not_to_contain_text("Brouillon")

    bar.get_by_role("link", name="DLA1").click()  # the manager works in DLA1 and YDE1
    bar.get_by_role("link", name="Aujourd'hui").click()
    bar.get_by_role("link", name="Payée", exact=True).click()
    expect(_summary(page)).to_have_text(re.compile(r"^1 vente · total 35\s000\sFCFA$"))
    chips = page.get_by_test_id("active-filter")
    expect(chips).to_have_count(3)
    expect(chips.nth(0)).to_contain_text("Période : Aujourd'hui")
    expect(chips.nth(2)).to_contain_text("Statut : Payée")
    expect(page.locator("table")).to_contain_text(today["number"])
    expect(bar.get_by_role("link", name="Payée", exact=True)).to_have_attribute("aria-pressed", "true")
    page.screenshot(path="tests/screenshots/list_filters_sales_1366.png")

    # the status chip removed: today's sales of DLA1, drafts still apart
    chips.nth(2).click()
    expect(_summary(page)).to_have_text(re.compile(r"^2 ventes \(hors brouillons\) · total 37\s500\sFCFA$"))
    # drafts on demand
    bar.get_by_role("link", name="Brouillon", exact=True).click()
    expect(_summary(page)).to_have_text(re.compile(r"^1 vente · total 15\s000\sFCFA$"))
    expect(page.locator("table")).to_contain_text("Brouillon")

    # a number by its last digits, kept with the other filters; a search that finds nothing keeps them in view
    page.goto("/salemodelview/list/")
    search = bar.get_by_role("searchbox")
    typed = "dla1 " + today["number"][-6:]  # YDE1's first invoice ends the same way
    search.fill(typed)
    search.press("Enter")
    expect(_summary(page)).to_contain_text("1 vente")
    expect(page.locator("table")).to_contain_text(today["number"])
    bar.get_by_role("link", name="Hier").click()
    expect(_summary(page)).to_have_text("Aucun résultat (hors brouillons)")
    expect(page.get_by_test_id("active-filter")).to_have_count(2)
    expect(search).to_have_value(typed)
    # a period typed in the French date fields, the other filters kept
    expect(bar.get_by_label("Du")).to_have_attribute("lang", "fr")
    bar.get_by_label("Du").fill(today["day"])
    bar.get_by_label("Au").fill(today["day"])
    bar.get_by_role("button", name="Filtrer").click()
    expect(page.get_by_test_id("active-filter").first).to_contain_text("Période : le ")
    expect(_summary(page)).to_contain_text("1 vente")
    page.screenshot(path="tests/screenshots/list_filters_sales_dates_1366.png")
    page.get_by_role("link", name="Tout effacer").click()
    expect(page.get_by_test_id("active-filter")).to_have_count(0)
    page.set_viewport_size(SMALL)
    page.screenshot(path="tests/screenshots/list_filters_sales_1024.png")
    assert errors == []


def test_the_same_bar_on_payments_shifts_refunds_approvals_and_movements(page, login, today):
    errors = _console_errors(page)
    page.set_viewport_size(SMALL)
    login(*DEMO["MANAGER"])
    page.goto("/paymentmodelview/list/?period=today")
    bar = page.get_by_test_id("list-filters")
    bar.get_by_role("link", name="Mobile money").click()
    expect(_summary(page)).to_have_text(re.compile(r"^1 paiement · total 35\s000\sFCFA$"))
    page.screenshot(path="tests/screenshots/list_filters_payments_1024.png")

    page.goto("/cashshiftmodelview/list/")
    bar.get_by_role("link", name="Fermée").click()
    expect(_summary(page)).to_have_text(re.compile(r"^2 caisses · écart total 0\sFCFA$"))

    page.goto("/refundmodelview/list/")
    bar.get_by_role("link", name="Annulations").click()
    expect(page.get_by_test_id("active-filter")).to_have_text(re.compile("Nature : Annulations"))

    page.goto("/approvalmodelview/list/")
    bar.get_by_role("link", name="En attente").click()
    expect(page.get_by_test_id("active-filter")).to_have_text(re.compile("Statut : En attente"))

    page.goto("/stock/movements/list/")
    bar.get_by_role("link", name="Cette semaine").click()
    bar.get_by_role("link", name="Vente", exact=True).click()
    expect(_summary(page)).to_have_text("3 mouvements")  # the paid sales' switches and cables
    page.set_viewport_size(LAPTOP)
    page.screenshot(path="tests/screenshots/list_filters_movements_1366.png")
    assert errors == []
