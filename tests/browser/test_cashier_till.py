"""The cashier's till in headless Chromium (CSRF on), with a seller working at the same time:
the queue shows the seller's sale without a reload; part mobile money, the rest cash with change;
the ticket opens as a PDF; the shift closes blind and the Z report opens."""
import io
import os
import re

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from tests.browser.conftest import SCREENSHOTS, sign_in
from tests.browser.test_pos_seller import scan, shot
from tests.conftest import DEMO
from tests.documents.pdf_tools import pdf_opened_by
from tests.pos.fixtures import make_pos_shop

pytestmark = pytest.mark.browser


@pytest.fixture
def shop(app):
    return make_pos_shop(app)


def sale_waiting_at_an_open_till(app, product_id):
    """One unit of the product sold by the demo seller at DLA1 and waiting for payment, with the demo
    cashier's shift open there; the sale's id."""
    from app.catalog.models import Product
    from app.extensions import db
    from tests.factories import make_pending_sale, open_shift_for, store_by_code, user_by_email

    with app.app_context():
        store = store_by_code("DLA1")
        sale_id = make_pending_sale(store, user_by_email("vendeur1@boutique.cm"),
                                    [(db.session.get(Product, product_id), 1)]).id
        open_shift_for(user_by_email("caissier@boutique.cm"), store)
        db.session.remove()
    return sale_id


@pytest.fixture
def seller_page(signed_in):
    return signed_in("SALES")


def test_the_till_from_the_queue_to_the_z_report(page, login, seller_page, shop):
    # the cashier opens the shift
    login(*DEMO["CASHIER"])
    page.goto("/cashier/")
    expect(page).to_have_url(re.compile(rf"/cashier/{shop.dla}/$"))
    page.get_by_test_id("opening-float").fill("50000")
    page.keyboard.press("F9")
    expect(page.get_by_test_id("queue-empty")).to_be_visible()
    expect(page.get_by_test_id("shortcuts")).to_contain_text("Encaisser")
    page.evaluate("window.__sameDocument = true")

    # meanwhile, the seller scans and submits
    seller_page.goto(f"/pos/{shop.dla}/")
    scan(seller_page, shop.router_ean)
    expect(seller_page.get_by_test_id("cart-line")).to_have_count(1)
    scan(seller_page, shop.switch_ean)
    expect(seller_page.get_by_test_id("cart-line")).to_have_count(2)
    seller_page.keyboard.press("F9")
    expect(seller_page.get_by_test_id("sale-number")).to_have_text(re.compile(r"^DLA1-FAC-"))
    number = seller_page.get_by_test_id("sale-number").inner_text()

    # the queue shows it by itself (polling), no reload
    item = page.get_by_test_id("queue-item").filter(has_text=number)
    expect(item).to_be_visible(timeout=10_000)
    expect(item).to_contain_text("60")
    shot(page, "cashier_queue_1024x600")
    page.keyboard.press("F2")  # the first sale of the queue
    expect(page.get_by_test_id("detail-number")).to_have_text(number)
    expect(page.get_by_test_id("due")).to_have_text(re.compile(r"60\s000"))

    # part by mobile money
    page.keyboard.press("Alt+2")
    expect(page.get_by_test_id("method-MOBILE_MONEY")).to_be_checked()
    page.get_by_test_id("pay-amount").fill("20000")
    page.get_by_test_id("operator-MTN").check(force=True)
    page.get_by_test_id("pay-reference").fill("MP2611.1530.B77")
    shot(page, "cashier_detail_momo_1024x600")
    expect(page.get_by_test_id("pay")).to_be_in_viewport()  # no scrolling on the tablet
    page.keyboard.press("F9")
    expect(page.get_by_test_id("paid-banner")).to_contain_text("Mobile money MTN")
    expect(page.get_by_test_id("detail-status")).to_have_text("Partiellement payée")
    expect(page.get_by_test_id("due")).to_have_text(re.compile(r"40\s000"))

    # the rest in cash, with change
    page.keyboard.press("Alt+1")
    page.keyboard.press("F4")
    expect(page.get_by_test_id("pay-tendered")).to_be_focused()
    page.keyboard.type("50000")
    expect(page.locator(".change.preview")).to_contain_text("10")
    page.get_by_test_id("pay").click()
    expect(page.get_by_test_id("change")).to_have_text(re.compile(r"10\s000"))
    expect(page.get_by_test_id("detail-status")).to_have_text("Payée")
    expect(page.get_by_test_id("queue-item").filter(has_text=number)).to_have_count(0)
    shot(page, "cashier_paid_change_1024x600")

    # the ticket opens as a PDF: 80 mm wide, the sale's number and the change on it
    ticket = pdf_opened_by(page, page.get_by_test_id("ticket-link"))
    ticket_page = PdfReader(io.BytesIO(ticket)).pages[0]
    assert round(float(ticket_page.mediabox.width) / 72 * 25.4) == 80
    assert number in ticket_page.extract_text() and "Rendu" in ticket_page.extract_text()
    invoice = pdf_opened_by(page, page.get_by_test_id("invoice-link"))
    assert number in PdfReader(io.BytesIO(invoice)).pages[0].extract_text()

    # the seller sees the sale paid in the day's list
    seller_page.reload()
    expect(seller_page.get_by_test_id("day-sale").filter(has_text=number)).to_contain_text("Payée")

    # blind close: counted cash first, no expected figure on screen
    page.keyboard.press("F8")
    dialog = page.locator("dialog#dialog")
    expect(dialog.get_by_test_id("close-form")).to_be_visible()
    expect(dialog).not_to_contain_text("90 000")  # the expected cash: 50 000 + 40 000
    expect(dialog).not_to_contain_text(re.compile(r"90\s000"))
    shot(page, "cashier_blind_close_1024x600")
    dialog.get_by_test_id("counted-cash").fill("89500")
    dialog.get_by_test_id("close-submit").click()
    closed = page.get_by_test_id("closed")
    expect(closed).to_contain_text("Caisse clôturée")
    expect(page.get_by_test_id("variance")).to_contain_text(re.compile(r"-500"))
    expect(page.get_by_test_id("variance")).to_contain_text(re.compile(r"attendu 90\s000"))
    shot(page, "cashier_closed_1024x600")
    zreport = pdf_opened_by(page, page.get_by_test_id("zreport-link"))
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(zreport)).pages)
    assert "Rapport Z" in text and "Carine Etoa" in text
    assert page.evaluate("window.__sameDocument") is True  # the whole loop without a page load


def test_a_double_click_on_pay_takes_one_payment(page, login, app, shop):
    from app.extensions import db
    from app.sales.models import Sale

    sale_id = sale_waiting_at_an_open_till(app, shop.switch)
    login(*DEMO["CASHIER"])
    page.goto(f"/cashier/{shop.dla}/?sale={sale_id}")
    page.keyboard.press("Alt+4")  # card
    page.get_by_test_id("pay-reference").fill("CB-0042")
    page.get_by_test_id("pay").dblclick()
    expect(page.get_by_test_id("detail-status")).to_have_text("Payée")
    with app.app_context():
        assert len(db.session.get(Sale, sale_id).payments) == 1
        db.session.remove()


def test_the_till_at_phone_width(browser, live_server, app, shop):
    sale_id = sale_waiting_at_an_open_till(app, shop.router)
    context = browser.new_context(viewport={"width": 390, "height": 844}, base_url=live_server, locale="fr-FR",
                                  has_touch=True, is_mobile=True)
    page = context.new_page()
    try:
        sign_in(page, "CASHIER")
        page.goto(f"/cashier/{shop.dla}/")
        page.get_by_test_id("queue-item").first.tap()
        expect(page.get_by_test_id("detail-number")).to_be_visible()
        page.get_by_test_id("pay-tendered").fill("50000")
        expect(page.get_by_test_id("pay")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.screenshot(path=os.path.join(SCREENSHOTS, "cashier_phone_390.png"), full_page=True)
        page.get_by_test_id("pay").tap()
        expect(page.get_by_test_id("change")).to_have_text(re.compile(r"5\s000"))
        assert sale_id
    finally:
        context.close()


def test_a_sale_forgotten_at_the_till_stands_out(page, login, app, shop):
    """DLA1 allows 120 minutes between the submit and the payment: older sales are flagged."""
    from datetime import timedelta

    from app.catalog.models import Product
    from app.core.models import utcnow
    from app.extensions import db
    from tests.factories import make_pending_sale, store_by_code, user_by_email

    with app.app_context():
        seller = user_by_email("vendeur1@boutique.cm")
        router = db.session.get(Product, shop.router)
        forgotten = make_pending_sale(store_by_code("DLA1"), seller, [(router, 1)])
        forgotten.submitted_at = utcnow() - timedelta(hours=2, minutes=35)
        recent = make_pending_sale(store_by_code("DLA1"), seller, [(router, 1)])
        numbers = forgotten.number, recent.number
        db.session.commit()
        db.session.remove()

    login(*DEMO["CASHIER"])
    page.goto("/cashier/")
    page.get_by_test_id("opening-float").fill("50000")
    page.keyboard.press("F9")
    old = page.get_by_test_id("queue-item").filter(has_text=numbers[0])
    expect(old.get_by_test_id("queue-late")).to_contain_text("En attente depuis 2 h 35")
    expect(page.get_by_test_id("queue-item").filter(has_text=numbers[1]).get_by_test_id("queue-late")).to_have_count(0)
    shot(page, "cashier_queue_late_1024x600")
