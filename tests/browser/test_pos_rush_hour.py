"""The POS at rush hour (issue 18), as a seller with a scanner and a cashier on a 1024x600 tablet
act: Enter on a name with several matches, a scan right after F9, the pay button always in
sight, long names read in full, a sale's number read at phone width."""
import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_cashier_till import sale_waiting_at_an_open_till
from tests.browser.test_pos_seller import scan, shot
from tests.factories import ean
from tests.pos.fixtures import make_pos_shop

pytestmark = pytest.mark.browser

SSD = "Disque SSD Samsung 870 EVO 500 Go SATA III 2,5 pouces MZ-77E500B/EU"
VPN_340 = "Routeur VPN Cisco RV340 double WAN Gigabit RV340-K9-G5"
VPN_345 = "Routeur VPN Cisco RV345P double WAN PoE RV345P-K9-G5"


@pytest.fixture
def shop(app):
    from tests.factories import make_product, put_in_stock, store_by_code

    shop = make_pos_shop(app)
    with app.app_context():
        dla = store_by_code("DLA1")
        for number, (sku, name, price) in enumerate((("POS-SSD-870", SSD, "52000"), ("POS-RV340", VPN_340, "185000"),
                                                     ("POS-RV345", VPN_345, "240000")), start=20):
            product = make_product(sku, name, sale_price=price, barcode=ean(number))
            put_in_stock(dla, product, 5, "PURCHASE")
            setattr(shop, sku.lower().replace("-", "_"), product.id)
            setattr(shop, sku.lower().replace("pos-", "") + "_ean", product.barcode)
        from app.extensions import db
        db.session.remove()
    return shop


@pytest.fixture
def seller(signed_in):
    return signed_in("SALES")


@pytest.fixture
def cashier(signed_in):
    return signed_in("CASHIER")


def box_of(locator):
    box = locator.bounding_box()
    assert box is not None, "not displayed"
    return box


def inside_viewport(page, locator):
    box, view = box_of(locator), page.viewport_size
    return box["x"] >= 0 and box["y"] >= 0 and box["x"] + box["width"] <= view["width"] + 0.5 \
        and box["y"] + box["height"] <= view["height"] + 0.5


def not_visually_covered(page, locator):
    """The element is what a finger pressing its centre would hit (nothing drawn over it)."""
    return locator.evaluate("""el => { const r = el.getBoundingClientRect();
        const hit = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
        return !!hit && (hit === el || el.contains(hit)); }""")


def shown_in_full(locator):
    """Every character of the text is drawn: nothing cut by an ellipsis or a hidden overflow."""
    return locator.evaluate("""el => {
        for (let node = el; node && node !== document.body; node = node.parentElement) {
            const style = getComputedStyle(node);
            if (style.textOverflow === 'ellipsis' && style.overflow !== 'visible' && node.scrollWidth > node.clientWidth) return false;
            if (node.scrollWidth > node.clientWidth + 1 && style.overflowX === 'hidden') return false;
        }
        return el.scrollWidth <= el.clientWidth + 1; }""")


# --- 1. Enter on a name with several matches -----------------------------------------------------

def test_enter_with_several_matches_keeps_the_list_and_arrow_enter_picks(seller, shop):
    seller.goto(f"/pos/{shop.dla}/")
    box = seller.get_by_test_id("search")
    box.click()
    box.type("routeur vpn cisco", delay=15)
    box.press("Enter")
    results = seller.get_by_test_id("result")
    expect(seller.get_by_test_id("results")).to_contain_text("Plusieurs produits : choisissez")
    expect(results.filter(has_text="RV345P")).to_have_count(1)
    count = results.count()
    assert count >= 2
    expect(box).to_have_value("routeur vpn cisco")  # what was typed is never lost
    seller.wait_for_timeout(400)  # any late answer (a delayed as-you-type search) has arrived by now
    expect(results).to_have_count(count)
    expect(box).to_have_value("routeur vpn cisco")
    expect(seller.get_by_test_id("cart-line")).to_have_count(0)
    shot(seller, "rush_enter_several_matches_1024x600")

    seller.keyboard.press("ArrowDown")
    seller.keyboard.press("Enter")
    expect(seller.get_by_test_id("cart-line")).to_have_count(1)
    expect(seller.get_by_test_id("cart-line")).to_contain_text("Routeur VPN Cisco")

    # one match (a reference typed in full): Enter adds it at once
    box.type("POS-SSD-870", delay=15)
    box.press("Enter")
    expect(seller.get_by_test_id("cart-line")).to_have_count(2)
    expect(box).to_have_value("")


# --- 2. the next customer's first scan right after F9 --------------------------------------------

def test_a_scan_right_after_f9_lands_in_the_search_box(seller, shop):
    seller.goto(f"/pos/{shop.dla}/")
    scan(seller, shop.router_ean)
    expect(seller.get_by_test_id("cart-line")).to_have_count(1)
    seller.keyboard.press("F9")
    expect(seller.get_by_test_id("sale-number")).to_have_text(re.compile(r"^DLA1-FAC-"))
    expect(seller.get_by_test_id("search")).to_be_focused()
    shot(seller, "rush_after_f9_1024x600")
    # the scanner types without clicking anywhere: digits fast, then Enter
    seller.keyboard.type(shop.switch_ean, delay=5)
    seller.keyboard.press("Enter")
    expect(seller.get_by_test_id("cart-line")).to_have_count(1)
    expect(seller.get_by_test_id("cart-line")).to_contain_text("Switch 8 ports")
    expect(seller.get_by_test_id("search")).to_be_focused()

    # "Nouvelle vente" by finger: the focus comes back to the search box too
    seller.keyboard.press("F9")
    expect(seller.get_by_test_id("sale-number")).to_be_visible()
    seller.get_by_role("button", name="Nouvelle vente").click()
    expect(seller.get_by_test_id("empty-cart")).to_be_visible()
    expect(seller.get_by_test_id("search")).to_be_focused()
    # a stray Enter on the empty box starts nothing
    seller.keyboard.press("Enter")
    seller.wait_for_timeout(300)
    expect(seller.get_by_test_id("empty-cart")).to_be_visible()
    expect(seller.get_by_test_id("results")).not_to_contain_text("Aucun produit")


# --- 3. "Encaisser" always in sight --------------------------------------------------------------

def test_the_pay_button_stays_in_sight_at_1024x600_and_on_a_phone(app, cashier, shop):
    sale_waiting_at_an_open_till(app, shop.pos_rv340)  # 185 000
    cashier.goto(f"/cashier/{shop.dla}/")
    cashier.keyboard.press("F2")
    pay = cashier.get_by_test_id("pay")
    expect(pay).to_be_visible()
    assert inside_viewport(cashier, pay) and not_visually_covered(cashier, pay)

    # mobile money, part of it
    cashier.keyboard.press("Alt+2")
    cashier.get_by_test_id("pay-amount").fill("85000")
    cashier.get_by_test_id("operator-MTN").check(force=True)
    cashier.get_by_test_id("pay-reference").fill("MP2612.0930.C55")
    shot(cashier, "rush_pay_momo_form_1024x600")
    assert inside_viewport(cashier, pay) and not_visually_covered(cashier, pay)
    cashier.keyboard.press("F9")
    expect(cashier.get_by_test_id("paid-banner")).to_contain_text("Mobile money MTN")
    shot(cashier, "rush_pay_after_momo_1024x600")
    assert inside_viewport(cashier, pay) and not_visually_covered(cashier, pay)

    # the rest in cash, with the received cash typed: the change shows, the button stays
    cashier.keyboard.press("Alt+1")
    cashier.keyboard.press("F4")
    cashier.keyboard.type("120000")
    preview = cashier.locator(".change.preview")
    expect(preview).to_contain_text("20")
    shot(cashier, "rush_pay_cash_change_1024x600")
    assert inside_viewport(cashier, pay) and not_visually_covered(cashier, pay)
    assert inside_viewport(cashier, preview) and not_visually_covered(cashier, preview)  # the change, read before paying

    # on a phone: reachable without scrolling the page
    cashier.set_viewport_size({"width": 390, "height": 844})
    cashier.wait_for_timeout(100)
    assert cashier.evaluate("window.scrollY") == 0
    shot(cashier, "rush_pay_cash_change_390x844")
    assert inside_viewport(cashier, pay) and not_visually_covered(cashier, pay)
    assert inside_viewport(cashier, preview) and not_visually_covered(cashier, preview)
    pay.click()
    expect(cashier.get_by_test_id("change")).to_have_text(re.compile(r"20\s000"))
    expect(cashier.get_by_test_id("detail-status")).to_have_text("Payée")


# --- 4. long names read in full ------------------------------------------------------------------

def test_long_names_wrap_in_the_results_and_the_cart(seller, shop):
    seller.goto(f"/pos/{shop.dla}/")
    seller.get_by_test_id("search").type("routeur vpn cisco", delay=15)
    results = seller.get_by_test_id("result")
    expect(results.filter(has_text="RV345P")).to_have_count(1)
    for index in range(results.count()):
        name = results.nth(index).locator(".name")
        assert shown_in_full(name), name.inner_text()
    expect(results.locator(".name").filter(has_text="RV340-K9-G5")).to_be_visible()
    results.filter(has_text="RV345P").click()
    seller.get_by_test_id("search").type("POS-SSD-870", delay=15)
    seller.get_by_test_id("search").press("Enter")
    lines = seller.get_by_test_id("cart-line")
    expect(lines).to_have_count(2)
    shot(seller, "rush_long_names_1024x600")
    for index in range(2):
        assert shown_in_full(lines.nth(index).locator(".line-top .name"))
    expect(lines.nth(1)).to_contain_text("MZ-77E500B/EU")


# --- 5. the day's sales on a phone ----------------------------------------------------------------

def test_the_end_of_a_sale_number_reads_at_390px_and_the_badge_keeps_off_the_amount(seller, shop):
    seller.set_viewport_size({"width": 390, "height": 844})
    seller.goto(f"/pos/{shop.dla}/")
    scan(seller, shop.rv345_ean)
    expect(seller.get_by_test_id("cart-line")).to_have_count(1)
    seller.get_by_test_id("submit").click()
    number = seller.get_by_test_id("sale-number").inner_text()
    row = seller.get_by_test_id("day-sale").filter(has_text=number[-6:])
    expect(row).to_have_count(1)
    row.scroll_into_view_if_needed()
    shot(seller, "rush_day_390x844")
    shown = row.locator(".day-number")
    assert shown_in_full(shown)
    assert shown.inner_text().replace("\n", "") == number
    badge, amount = box_of(row.locator(".badge")), box_of(row.locator(":scope > .num"))
    assert badge["x"] + badge["width"] + 4 <= amount["x"]
    assert badge["y"] + badge["height"] >= 0 and amount["x"] + amount["width"] <= 390


# --- 7. the smaller ones --------------------------------------------------------------------------

def test_tab_from_the_search_reaches_the_cart_before_the_days_invoices(seller, shop):
    seller.goto(f"/pos/{shop.dla}/")
    scan(seller, shop.router_ean)
    expect(seller.get_by_test_id("cart-line")).to_have_count(1)
    seller.keyboard.press("F9")
    expect(seller.get_by_test_id("day-sale")).to_have_count(1)
    scan(seller, shop.switch_ean)
    expect(seller.get_by_test_id("cart-line")).to_have_count(1)
    seller.get_by_test_id("search").focus()
    reached = []
    for _ in range(6):
        seller.keyboard.press("Tab")
        reached.append(seller.evaluate("""() => { const el = document.activeElement;
            return (el.closest('#cart') ? 'cart' : el.closest('#day') ? 'day' : 'other') + ':' + (el.textContent || el.name || '').trim().slice(0, 20); }"""))
    first_cart = next(i for i, where in enumerate(reached) if where.startswith("cart"))
    days = [i for i, where in enumerate(reached) if where.startswith("day")]
    assert not days or first_cart < days[0], reached


def test_price_fields_show_grouped_amounts_and_accept_what_people_type(seller, shop):
    seller.goto(f"/pos/{shop.dla}/")
    scan(seller, shop.router_ean)
    price = seller.get_by_test_id("line-price")
    expect(price).to_have_value("45 000")
    price.fill("44000")
    price.press("Tab")
    expect(seller.get_by_test_id("cart-total")).to_have_text(re.compile(r"44\s000"))
    expect(seller.get_by_test_id("line-price")).to_have_value("44 000")
    seller.get_by_test_id("line-price").fill("43 500")
    seller.get_by_test_id("line-price").press("Tab")
    expect(seller.get_by_test_id("cart-total")).to_have_text(re.compile(r"43\s500"))
    expect(seller.get_by_test_id("line-price")).to_have_value("43 500")
    shot(seller, "rush_grouped_prices_1024x600")


def test_the_search_placeholder_is_not_cut(seller, shop):
    for width, height in ((1024, 600), (390, 844)):
        seller.set_viewport_size({"width": width, "height": height})
        seller.goto(f"/pos/{shop.dla}/")
        fits = seller.get_by_test_id("search").evaluate("""el => {
            const style = getComputedStyle(el), ctx = document.createElement('canvas').getContext('2d');
            ctx.font = style.font;
            const room = el.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight) - 24;  // the clear button
            return [ctx.measureText(el.placeholder).width, room]; }""")
        shot(seller, f"rush_placeholder_{width}")
        assert fits[0] <= fits[1], (width, fits)


def test_the_pages_have_a_favicon(seller, shop):
    for path in (f"/pos/{shop.dla}/", "/"):
        seller.goto(path)
        href = seller.locator("link[rel=icon]").first.get_attribute("href")
        answer = seller.request.get(href)
        assert answer.status == 200 and answer.headers["content-type"].startswith("image/svg+xml")


def _ticket_text_layout(pdf):
    """The ticket rendered as a person sees it (pdftoppm) and its words with their boxes (pdftotext -bbox)."""
    import os
    import subprocess
    import tempfile

    from tests.browser.conftest import SCREENSHOTS

    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "ticket.pdf")
        with open(path, "wb") as out:
            out.write(pdf)
        os.makedirs(SCREENSHOTS, exist_ok=True)
        subprocess.run(["pdftoppm", "-png", "-r", "150", "-singlefile", path,
                        os.path.join(SCREENSHOTS, "rush_ticket_momo")], check=True)
        html = subprocess.run(["pdftotext", "-bbox", path, "-"], check=True, capture_output=True, text=True).stdout
    return [(float(m[1]), float(m[2]), float(m[3]), float(m[4]), m[5])
            for m in re.finditer(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', html)]


def test_unpaid_documents_say_what_they_print_and_the_ticket_keeps_the_reference_off_the_amount(app, cashier, shop):
    sale_waiting_at_an_open_till(app, shop.pos_rv340)  # 185 000
    cashier.goto(f"/cashier/{shop.dla}/")
    cashier.keyboard.press("F2")
    expect(cashier.get_by_test_id("ticket-link")).to_have_text("Ticket pro forma 80 mm")
    expect(cashier.get_by_test_id("invoice-link")).to_have_text("Facture pro forma A4")
    cashier.keyboard.press("Alt+2")
    cashier.get_by_test_id("pay-amount").fill("85000")
    cashier.get_by_test_id("operator-ORANGE").check(force=True)
    reference = "MP261204.1530.C55A7Z9Q"
    cashier.get_by_test_id("pay-reference").fill(reference)
    cashier.keyboard.press("F9")
    expect(cashier.get_by_test_id("paid-banner")).to_be_visible()
    expect(cashier.get_by_test_id("ticket-link")).to_have_text("Ticket 80 mm (solde dû)")
    expect(cashier.get_by_test_id("invoice-link")).to_have_text("Facture A4 (solde dû)")
    shot(cashier, "rush_unpaid_documents_1024x600")

    pdf = cashier.request.get(cashier.get_by_test_id("ticket-link").get_attribute("href")).body()
    words = _ticket_text_layout(pdf)
    ref = [w for w in words if reference[:8] in w[4]]
    assert ref, words
    amount_row = [w for w in words if w[4].startswith("85")]
    assert amount_row
    for x0, y0, x1, y1, _ in ref:  # the reference shares no line with, and never reaches, the amount
        for a0, b0, a1, b1, _ in amount_row:
            assert y1 <= b0 or b1 <= y0 or x1 < a0


# --- 8. slow links: a lost answer -----------------------------------------------------------------

def test_a_payment_whose_answer_is_lost_is_retried_and_recorded_once(app, cashier, shop):
    from app.cashier.models import Payment
    from app.extensions import db

    sale_id = sale_waiting_at_an_open_till(app, shop.router)  # 45 000
    cashier.goto(f"/cashier/{shop.dla}/")
    cashier.keyboard.press("F2")
    expect(cashier.get_by_test_id("pay")).to_be_visible()
    keys = []
    cashier.on("request", lambda request: keys.append(re.search(r"idempotency_key=(\w+)", request.post_data or "")[1])
               if request.url.endswith("/pay") else None)

    def lose_the_answer(route):
        route.fetch()  # the request reaches the server and the payment is recorded ...
        route.abort("connectionreset")  # ... but its answer never reaches the till

    cashier.route(re.compile(r"/pay$"), lose_the_answer, times=1)
    cashier.keyboard.press("F4")
    cashier.keyboard.type("50000")
    cashier.get_by_test_id("pay").click()
    alert = cashier.get_by_role("alert")
    expect(alert).to_contain_text("Réponse perdue")
    expect(cashier.get_by_test_id("retry")).to_be_visible()
    shot(cashier, "rush_payment_answer_lost_1024x600")
    cashier.get_by_test_id("retry").click()
    expect(cashier.get_by_test_id("paid-banner")).to_contain_text("déjà enregistré")
    expect(cashier.get_by_test_id("detail-status")).to_have_text("Payée")
    expect(cashier.get_by_test_id("change")).to_have_text(re.compile(r"5\s000"))
    shot(cashier, "rush_payment_retried_1024x600")
    assert len(keys) == 2 and keys[0] == keys[1]
    with app.app_context():
        assert db.session.query(Payment).filter_by(sale_id=sale_id).count() == 1
        db.session.remove()


def test_a_failed_search_says_so_in_french_and_retries(seller, shop):
    seller.goto(f"/pos/{shop.dla}/")
    seller.route(re.compile(r"/search\?"), lambda route: route.abort("internetdisconnected"), times=1)
    seller.get_by_test_id("search").type("archer ax5", delay=10)
    expect(seller.get_by_role("alert")).to_contain_text("Connexion perdue")
    seller.get_by_test_id("retry").click()
    expect(seller.get_by_test_id("result")).to_have_count(1)


# --- 6. landing where the work is ------------------------------------------------------------------

@pytest.mark.parametrize("role,lands,menu", [
    ("SALES", r"/pos/\d+/$", None), ("CASHIER", r"/cashier/\d+/$", "Caisse"), ("MANAGER", r"/$", "Caisse")])
def test_each_role_lands_where_the_work_is_and_the_back_office_stays_reachable(page, login, role, lands, menu):
    from tests.conftest import DEMO

    login(*DEMO[role])
    expect(page).to_have_url(re.compile(lands))
    shot(page, f"rush_landing_{role}")
    page.goto("/")
    expect(page.get_by_test_id("home")).to_be_visible()
    navigation = page.locator(".navbar")
    expect(navigation).not_to_contain_text("Encaissement")
    if menu:  # one clear entry for the till; the till's records have their own name
        expect(navigation.get_by_role("link", name=menu, exact=True)).to_have_count(1)
        expect(navigation.get_by_text("Caisses", exact=True)).to_have_count(0)
    shot(page, f"rush_home_{role}")
