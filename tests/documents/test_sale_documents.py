"""The PDFs of real sales and shifts: what the invoice says, its QR code and the public
verification page, the 80 mm ticket, the Z report, and who may get them."""
import io
import os
import re
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from pypdf import PdfReader

from app.extensions import db
from tests.documents.pdf_tools import pdf_fonts, pdf_text, qr_codes
from tests.pos.fixtures import text_of


SCREENSHOTS = os.path.join(os.path.dirname(os.path.dirname(__file__)), "screenshots")


def _keep_picture(pdf, name, page=0):
    """A PNG of the page in tests/screenshots/ (gitignored), for people to look at."""
    import pypdfium2

    os.makedirs(SCREENSHOTS, exist_ok=True)
    pypdfium2.PdfDocument(pdf)[page].render(scale=2).to_pil().save(os.path.join(SCREENSHOTS, name + ".png"))


def _squeeze(text):
    return re.sub(r"\s+", "", text)


def _money(amount):
    """'178 875 FCFA' without its spaces (pypdf renders narrow no-break spaces its own way)."""
    from babel.numbers import format_currency

    return _squeeze(format_currency(Decimal(amount), "XAF", locale="fr_CM"))


@pytest.fixture
def invoice_sale(app, shop):
    """A DLA1 sale: a company customer, 19.25 % and 0 % lines, a line discount, a sale discount,
    paid in part by mobile money (so a balance is due)."""
    from app.catalog.models import Product
    from app.cashier import services as till
    from app.sales import services as sales
    from tests.factories import make_customer, store_by_code, user_by_email

    with app.app_context():
        store = store_by_code("DLA1")
        seller, cashier = user_by_email("vendeur1@boutique.cm"), user_by_email("caissier@boutique.cm")
        customer = make_customer(store, name="Société Wouri SARL", phone="+237699001122", tax_id="M098765432101Z")
        router, cable = db.session.get(Product, shop.router), db.session.get(Product, shop.cable)
        draft = sales.create_draft(seller, store.id, [
            {"product": router.id, "quantity": 2, "unit_price": "45000", "discount": "2000"},
            {"product": cable.id, "quantity": 4}], customer=customer.id, discount="1000")
        sale = sales.submit_sale(seller, draft.id)
        till.open_shift(cashier, store.id, "20000")
        till.take_payment(cashier, sale.id, "MOBILE_MONEY", "50000", operator="MTN", reference="MP2611.0042")
        ids = {"id": sale.id, "number": sale.number}
        db.session.remove()
        return ids


def test_the_invoice_says_the_number_totals_taxes_and_words_as_the_api_does(client, as_cashier, invoice_sale):
    api = as_cashier.get(f"/api/v1/sales/{invoice_sale['id']}").get_json()["result"]
    response = as_cashier.get(f"/api/v1/sales/{invoice_sale['id']}/invoice.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert 'filename="facture-' in response.headers["Content-Disposition"]
    text = " ".join(pdf_text(response.data)).replace("\u00a0", " ").replace("\u202f", " ")
    flat = _squeeze(text)
    _keep_picture(response.data, "pdf_invoice_a4")

    assert invoice_sale["number"] in text
    assert "Société Wouri SARL" in text and "M098765432101Z" in text and "+237 6 99 00 11 22" in text
    assert "Douala Akwa" in text and "M012345678901A" in text  # the store's header and tax id
    # the figures of the API (one totals function), formatted
    assert api["total"] == "97000.00"  # 2 x 45 000 - 2 000 + 4 x 2 500 - 1 000
    for figure in (api["total"], api["total_ht"], api["total_tva"], api["amount_paid"], api["balance_due"]):
        assert _money(figure) in flat, figure
    # one tax row per rate
    assert "19,25 %" in text and "0 %" in text
    for row in api["taxes"]:
        assert _money(row["ht"]) in flat and _money(row["tva"]) in flat
    assert "Quatre-vingt-dix-sept mille francs CFA" in " ".join(text.split())
    assert "Mobile money MTN" in text and "MP2611.0042" in text
    assert "Reste à payer" in text
    assert any("DejaVu" in name for name in pdf_fonts(response.data))


def test_the_qr_code_opens_the_public_verification_page_of_that_invoice(app, client, as_cashier, invoice_sale):
    pdf = as_cashier.get(f"/api/v1/sales/{invoice_sale['id']}/invoice.pdf").data
    [url] = qr_codes(pdf)
    parts = urlsplit(url)
    assert parts.path.startswith("/verify/")

    page = client.get(parts.path)  # no login
    assert page.status_code == 200
    shown = text_of(page)
    assert invoice_sale["number"] in shown and "Douala Akwa" in shown and "Facture authentique" in shown
    assert _money("97000") in _squeeze(shown)
    assert re.search(r"\d{2}/\d{2}/\d{4}", shown)  # the date
    # and nothing else: no customer, no item, no seller, no payment
    for secret in ("Wouri", "Routeur", "Câble", "Valérie", "MTN", "M098765432101Z"):
        assert secret not in shown


def test_a_cancelled_invoice_is_not_called_authentic(app, client, as_cashier, invoice_sale):
    """The page still shows the four facts, but says the invoice no longer proves a purchase."""
    from app.cashier.services import refund_till
    from app.sales import services as sales
    from tests.factories import user_by_email

    [url] = qr_codes(as_cashier.get(f"/api/v1/sales/{invoice_sale['id']}/invoice.pdf").data)
    with app.app_context():
        manager = user_by_email("manager@boutique.cm")
        sales.cancel_sale(manager, invoice_sale["id"], "Erreur de caisse", till=refund_till(manager))
    shown = text_of(client.get(urlsplit(url).path))
    assert "Facture annulée" in shown and "ne vaut plus preuve d'achat" in shown
    assert "authentique" not in shown and invoice_sale["number"] in shown


def test_the_qr_code_points_to_the_public_address_when_one_is_set(app, as_cashier, invoice_sale, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "https://boutique.example.cm")
    [url] = qr_codes(as_cashier.get(f"/api/v1/sales/{invoice_sale['id']}/invoice.pdf").data)
    assert url.startswith("https://boutique.example.cm/verify/")


def test_an_altered_token_is_refused(app, client, as_cashier, invoice_sale):
    from app.documents.verification import make_token

    [url] = qr_codes(as_cashier.get(f"/api/v1/sales/{invoice_sale['id']}/invoice.pdf").data)
    token = urlsplit(url).path.rsplit("/", 1)[1]
    altered = token[:-2] + ("AA" if token[-2:] != "AA" else "BB")
    response = client.get(f"/verify/{altered}")
    assert response.status_code == 404
    assert "Ce lien de vérification n'est pas valide" in text_of(response)
    assert invoice_sale["number"] not in text_of(response)
    with app.test_request_context():
        moved = make_token(invoice_sale["id"], "DLA1-FAC-2026-999999")  # signed, but not that sale's number
    assert client.get(f"/verify/{moved}").status_code == 404


def test_the_ticket_is_80_mm_wide_and_as_tall_as_its_content(as_cashier, invoice_sale, app, shop):
    from app.cashier import services as till
    from tests.factories import user_by_email

    with app.app_context():  # pay the rest in cash: the ticket shows what was received and given back
        till.take_payment(user_by_email("caissier@boutique.cm"), invoice_sale["id"], "CASH", "47000",
                          tendered="50000")
        db.session.remove()
    response = as_cashier.get(f"/api/v1/sales/{invoice_sale['id']}/ticket.pdf")
    assert response.status_code == 200
    pages = PdfReader(io.BytesIO(response.data)).pages
    assert len(pages) == 1
    width_mm = float(pages[0].mediabox.width) / 72 * 25.4
    height_mm = float(pages[0].mediabox.height) / 72 * 25.4
    assert round(width_mm) == 80 and 80 < height_mm < 300
    text = pdf_text(response.data)[0]
    _keep_picture(response.data, "pdf_ticket_80mm")
    assert invoice_sale["number"] in text and "TOTAL TTC" in text and "Rendu" in text
    assert _money("3000") in _squeeze(text)  # 50 000 received, 47 000 due: 3 000 back


def test_a_200_line_invoice_paginates_with_its_table_header_on_every_page(app, shop, as_seller):
    from app.catalog.models import Product
    from app.sales import services as sales
    from tests.factories import put_in_stock, store_by_code, user_by_email

    with app.app_context():
        store = store_by_code("DLA1")
        put_in_stock(store, db.session.get(Product, shop.cable), 200, "PURCHASE")
        seller = user_by_email("vendeur1@boutique.cm")
        draft = sales.create_draft(seller, store.id, [{"product": shop.cable, "quantity": 1}] * 200)
        sale_id = sales.submit_sale(seller, draft.id).id
        db.session.remove()
    response = as_seller.get(f"/api/v1/sales/{sale_id}/invoice.pdf")
    pages = pdf_text(response.data)
    assert len(pages) >= 4
    assert all("Désignation" in page for page in pages)
    assert "Page 1 / " in pages[0] and f"Page {len(pages)} / {len(pages)}" in pages[-1]
    assert "Arrêtée la présente facture" in pages[-1]


def test_the_z_report_of_a_closed_shift(app, client, shop):
    from app.catalog.models import Product
    from app.cashier import services as till
    from tests.factories import make_pending_sale, store_by_code, user_by_email
    from tests.pos.fixtures import login

    with app.app_context():
        store = store_by_code("DLA1")
        cashier = user_by_email("caissier@boutique.cm")
        shift = till.open_shift(cashier, store.id, "50000")
        sale = make_pending_sale(store, user_by_email("vendeur1@boutique.cm"),
                                 [(db.session.get(Product, shop.router), 1)])
        till.take_payment(cashier, sale.id, "CASH", "45000", tendered="50000")
        till.close_shift(cashier, shift.id, "94500", counted_mobile_money="0")
        shift_id, sale_number = shift.id, sale.number
        db.session.remove()
    login(client, "CASHIER")
    response = client.get(f"/cashier/shift/{shift_id}/z-report.pdf")
    assert response.status_code == 200
    text = " ".join(pdf_text(response.data))
    flat = _squeeze(text)
    _keep_picture(response.data, "pdf_zreport")
    assert "Rapport Z" in text and "Carine Etoa" in text and "Douala Akwa" in text
    assert _money("95000") in flat and _money("94500") in flat and _squeeze("-500") in flat
    assert "Espèces" in text and "Mobile money" in text
    assert "Ventes réglées" in text and f"{sale_number}" in text  # each payment of the shift is listed


def test_document_api_scoping_drafts_and_login(app, client, shop, as_seller, as_manager, api_as):
    from app.catalog.models import Product
    from tests.factories import make_draft, make_pending_sale, store_by_code, user_by_email

    with app.app_context():
        manager = user_by_email("manager@boutique.cm")
        yde_sale = make_pending_sale(store_by_code("YDE1"), manager, [(db.session.get(Product, shop.switch), 1)]).id
        draft = make_draft(store_by_code("DLA1"), user_by_email("vendeur1@boutique.cm"),
                           [(db.session.get(Product, shop.switch), 1)]).id
        db.session.remove()
    missing = as_seller.get(f"/api/v1/sales/{yde_sale}/invoice.pdf")  # the seller works in DLA1 only
    assert missing.status_code == 404 and missing.get_json()["message"] == "Vente introuvable."
    assert as_manager.get(f"/api/v1/sales/{yde_sale}/ticket.pdf").status_code == 200
    refused = as_seller.get(f"/api/v1/sales/{draft}/invoice.pdf")
    assert refused.status_code == 409 and "pas encore de facture" in refused.get_json()["message"]
    assert client.get(f"/api/v1/sales/{yde_sale}/invoice.pdf").status_code == 401
    assert api_as("STOCKER").get(f"/api/v1/sales/{yde_sale}/invoice.pdf").status_code == 403
