"""A manager deciding an approval, menus that leave room on a laptop, and no leftover words
(issue 19 items 5, 6, 7 and 10), in headless Chromium."""
import re

import pytest
from playwright.sync_api import expect

from tests.conftest import DEMO
from tests.sales.fixtures import make_shop, user

pytestmark = pytest.mark.browser

LAPTOP = {"width": 1366, "height": 768}
SMALL = {"width": 1024, "height": 600}
# what FAB or a model's repr would put before a person (issue 19 item 10)
LEFTOVERS = re.compile(r"Relation|__None|\bTrue\b|\bFalse\b|Caisse #|Brouillon n°|Brouillon #|\bNone\b")


@pytest.fixture
def week(app):
    """A paid sale (closed shift), a cancelled one with its reason, a draft waiting for a manager
    (20 % off a 15 000 switch, threshold 10 %) and a transfer: something on every list."""
    from app.cashier import services as till
    from app.sales import services
    from app.stock import services as stock
    from tests.factories import make_customer, make_draft, make_pending_sale, store_by_code

    shop = make_shop(app)
    with app.app_context():
        from app.catalog.models import Product
        from app.extensions import db

        dla, yde = store_by_code("DLA1"), store_by_code("YDE1")
        switch, cable = db.session.get(Product, shop.switch), db.session.get(Product, shop.cable)
        seller, cashier, manager = user(shop.seller), user(shop.cashier), user(shop.manager)
        customer = make_customer(dla, name="Établissements Fotso", phone="+237699112233")
        paid = make_pending_sale(dla, seller, [(switch, 1), (cable, 2)], customer=customer)
        shift = till.open_shift(cashier, dla.id, "10000")
        till.take_payment(cashier, paid.id, "CASH", "20000")
        till.close_shift(cashier, shift.id, "30000")
        cancelled = make_pending_sale(dla, seller, [(cable, 1)])
        services.cancel_sale(manager, cancelled.id, "Client parti sans payer")
        asking = make_draft(dla, seller, [(switch, 1, "15000", "3000")], customer=customer)
        with pytest.raises(services.ApprovalRequired):
            services.submit_sale(seller, asking.id)
        stock.create_transfer(manager, dla.id, yde.id, [{"product": cable.id, "quantity": 2}])
        return {"paid": paid.id, "cancelled": cancelled.id, "asking": asking.id, "shift": shift.id}


def test_a_manager_refuses_a_discount_with_a_reason_and_reads_it_in_the_history(page, login, week):
    page.set_viewport_size(LAPTOP)
    login(*DEMO["MANAGER"])
    page.goto("/approvalmodelview/list/")
    row = page.get_by_test_id("pending-approval")
    expect(row).to_have_count(1)
    text = re.sub(r"\s+", " ", row.inner_text())
    for expected in ("Brouillon de Valérie Ndongo", "Établissements Fotso", "12 000 FCFA", "3 000 FCFA", "20 %",
                     "Remise de 20 % (seuil 10 %)"):
        assert expected in text, (expected, text)
    page.screenshot(path="tests/screenshots/approvals_queue_1366.png", full_page=True)
    page.set_viewport_size(SMALL)
    assert not _cut_tables(page)
    page.screenshot(path="tests/screenshots/approvals_queue_1024.png", full_page=True)
    page.set_viewport_size(LAPTOP)

    row.get_by_role("link", name="Brouillon de Valérie Ndongo").click()
    refuse = page.get_by_test_id("sale-approvals").get_by_test_id("refuse-approval")
    refuse.locator("summary").click()
    refuse.get_by_label("Motif du refus").fill("20 % c'est trop pour un seul switch")
    refuse.get_by_label("Votre mot de passe (confirmation)").fill("pas-le-bon")
    refuse.get_by_role("button", name="Confirmer le refus").click()
    expect(page.locator(".alert-danger")).to_contain_text("Mot de passe incorrect")
    expect(page.get_by_test_id("sale-approvals")).to_contain_text("En attente")  # nothing written

    page.set_viewport_size(SMALL)
    refuse.locator("summary").click()
    page.screenshot(path="tests/screenshots/sale_approval_refuse_form_1024.png", full_page=True)
    refuse.get_by_label("Motif du refus").fill("20 % c'est trop pour un seul switch")
    refuse.get_by_label("Votre mot de passe (confirmation)").fill(DEMO["MANAGER"][1])
    refuse.get_by_role("button", name="Confirmer le refus").click()
    expect(page.locator(".alert-success")).to_contain_text("Demande refusée")
    expect(page.get_by_test_id("sale-approvals")).to_contain_text("Refusée")
    trail = page.get_by_test_id("sale-trail")
    expect(trail).to_contain_text("Approbation refusée")
    expect(trail).to_contain_text("Motif : « 20 % c'est trop pour un seul switch »")
    page.screenshot(path="tests/screenshots/sale_approval_refused_1366.png", full_page=True)

    page.goto(f"/salemodelview/show/{week['cancelled']}")  # a cancellation's reason reads the same way
    expect(page.get_by_test_id("sale-trail")).to_contain_text("Motif : « Client parti sans payer »")


def _menu_links(page):
    hrefs = page.eval_on_selector_all(".navbar a[href^='/']", "links => links.map(a => a.getAttribute('href'))")
    return [href for href in dict.fromkeys(hrefs) if not href.startswith(("/logout", "/lang", "/pos", "/cashier"))]


def _read(page, path):
    """The page's visible words and the choices of its selects (a person reads both)."""
    response = page.goto(path)
    assert response.status < 400, (path, response.status)
    return page.evaluate(
        "() => document.body.innerText + ' ' + Array.from(document.querySelectorAll('option'))"
        ".map(o => o.textContent).join(' ')")


def _cut_tables(page):
    """Tables wider than their box (their last columns hidden behind a scroll bar)."""
    return page.eval_on_selector_all(
        ".table-responsive", "boxes => boxes.filter(b => b.scrollWidth > b.clientWidth + 1).length")


@pytest.mark.parametrize("role", ["MANAGER", "ADMIN"])
def test_no_leftover_words_on_the_lists_and_records(page, login, week, role):
    """The menus at 1366 px: the manager's on one line, the admin's on two. Then every list of the
    role's menus and the first record of each, and a sale, a draft and a shift: no leftover word;
    on a 1024 px screen (the manager's) no list cuts a column."""
    page.set_viewport_size(LAPTOP)
    login(*DEMO[role])
    page.goto("/")
    navbar = page.locator(".navbar").first.bounding_box()
    assert navbar["height"] < (60 if role == "MANAGER" else 110), navbar
    page.screenshot(path=f"tests/screenshots/menus_{role.lower()}_1366.png")
    if role == "MANAGER":
        page.set_viewport_size(SMALL)
    found, cut = {}, []
    pages = _menu_links(page) + [f"/salemodelview/show/{week['asking']}", f"/salemodelview/show/{week['paid']}",
                                 f"/cashshiftmodelview/show/{week['shift']}"]
    assert len(pages) > 12, pages
    for path in pages:
        text = _read(page, path)
        found.update({path: match.group(0) for match in [LEFTOVERS.search(text)] if match})
        if "/list/" in path:
            if role == "MANAGER" and _cut_tables(page):
                cut.append(path)
            show = page.locator("a[href*='/show/']").first
            if show.count():
                record = show.get_attribute("href")
                found.update({record: match.group(0) for match in [LEFTOVERS.search(_read(page, record))] if match})
    assert not found, found
    assert not cut, cut


def test_fifteen_rows_of_a_list_on_a_laptop(page, login, app):
    from tests.factories import make_customer, store_by_code

    with app.app_context():
        dla = store_by_code("DLA1")
        for index in range(20):
            make_customer(dla, name=f"Client {index:02d}", phone=f"+2376990000{index:02d}")
    page.set_viewport_size(LAPTOP)
    login(*DEMO["MANAGER"])
    page.goto("/customermodelview/list/")
    bottoms = page.eval_on_selector_all(".table-responsive tbody tr", "rows => rows.map(r => r.getBoundingClientRect().bottom)")
    assert len([bottom for bottom in bottoms if bottom <= LAPTOP["height"]]) >= 15, bottoms
    page.screenshot(path="tests/screenshots/customers_list_1366.png")


def test_the_roles_screen_in_french_words_by_area(page, login):
    page.set_viewport_size(LAPTOP)
    login(*DEMO["ADMIN"])
    page.goto("/roles/list/")
    listing = page.locator("div.table-responsive").first
    expect(listing).to_contain_text("Gérant (MANAGER)")
    manager = listing.locator("tr", has_text="Gérant (MANAGER)")
    for area in ("Ventes", "Caisse", "Stock", "Catalogue", "Administration"):
        expect(manager.locator(f".permission-area[data-area='{area}']")).to_have_count(1)
    expect(manager.locator(".permission-area[data-area='Ventes']")).to_contain_text("Approbations : approuver, consulter")
    text = listing.inner_text()
    assert not re.search(r"can_|menu_access| on [A-Z]", text), text[:500]
    page.screenshot(path="tests/screenshots/roles_list_1366.png")
    manager.locator("a[href*='/show/']").first.click()
    expect(page.locator(".permission-area[data-area='Caisse']")).to_contain_text("Caisses :")
    page.screenshot(path="tests/screenshots/role_show_1366.png", full_page=True)
    page.goto("/roles/list/")
    manager = page.locator("div.table-responsive").first.locator("tr", has_text="Gérant (MANAGER)")
    manager.locator("a[href*='/edit/']").first.click()
    expect(page.locator("select#permissions option").first).to_be_attached()
    choices = page.eval_on_selector_all("select#permissions option", "options => options.map(o => o.textContent)")
    assert "Ventes · ventes : annuler" in choices and "Ventes · menu « Approbations »" in choices, choices[:10]
    assert not [choice for choice in choices if re.search(r"can_|menu_access| on ", choice)], choices[:10]
