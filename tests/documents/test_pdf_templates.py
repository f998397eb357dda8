"""The PDF templates on synthetic documents: text, tax lines, words, QR, fonts, pagination."""
from decimal import Decimal


from app.documents.pdf import qr_svg, render_pdf
from app.documents.words import amount_in_words
from tests.documents.pdf_tools import pdf_fonts, pdf_text, qr_codes


def test_amount_in_words():
    assert amount_in_words(Decimal("182500")) == "Cent quatre-vingt-deux mille cinq cents francs CFA"
    assert amount_in_words(Decimal("1")) == "Un franc CFA"
    assert amount_in_words(Decimal("2000000.40")) == "Deux millions francs CFA"
    assert amount_in_words(Decimal("81")) == "Quatre-vingt-un francs CFA"


def _doc(lines=3):
    items = [{"description": f"Routeur Wi-Fi AX{i}", "sku": f"RT-{i:03d}", "serials": [], "quantity": 1,
              "unit_price": Decimal("59625"), "discount": Decimal("0"), "total": Decimal("59625")} for i in range(lines)]
    total = Decimal("59625") * lines
    ht = (total / Decimal("1.1925")).quantize(Decimal("1"))
    return {
        "number": "DLA1-FAC-2026-000042", "date": "24/11/2026 10:15", "seller": "Valérie Ndongo",
        "status_label": "Payée", "currency": "XAF", "page_height_mm": 120 + 9 * lines,
        "store": {"name": "Douala Akwa", "code": "DLA1", "address": "Bd de la Liberté", "phone": "+237 233 42 00 01",
                  "tax_id": "M012345678901A", "invoice_footer": "Merci de votre confiance.", "logo_url": None},
        "customer": {"name": "Société Wouri SARL", "phone": "+237 6 99 00 00 00", "email": None, "tax_id": "M99"},
        "cashier": "Carine Etoa",
        "lines": items, "discount": Decimal("0"),
        "taxes": [{"rate_label": "19,25 %", "base": ht, "tax": total - ht, "total": total}],
        "total_ht": ht, "total_tva": total - ht, "total_ttc": total,
        "payments": [{"method": "Espèces", "date": "24/11/2026 10:20", "reference": None, "amount": total,
                      "tendered": total + 5000, "change_given": Decimal("5000")}],
        "amount_paid": total, "balance_due": Decimal("0"),
        "amount_words": amount_in_words(total),
        "qr_svg": qr_svg("http://127.0.0.1:8000/verify/abc.def"),
    }


def test_invoice_holds_number_totals_taxes_words_and_qr(app):
    with app.test_request_context("/"):
        pdf = render_pdf("pdf/invoice.html", doc=_doc())
    text = " ".join(" ".join(pdf_text(pdf)).split())
    assert "DLA1-FAC-2026-000042" in text
    assert "Total TTC" in text and "178" in text and "875" in text  # 178 875 FCFA
    assert "TVA" in text and "19,25 %" in text
    assert "Cent soixante-dix-huit mille huit cent soixante-quinze francs CFA" in text
    assert qr_codes(pdf) == ["http://127.0.0.1:8000/verify/abc.def"]
    assert any("DejaVu" in name for name in pdf_fonts(pdf))


def test_a_200_line_invoice_paginates_with_repeated_headers(app):
    with app.test_request_context("/"):
        pdf = render_pdf("pdf/invoice.html", doc=_doc(200))
    pages = pdf_text(pdf)
    assert len(pages) >= 4
    assert all("Désignation" in page for page in pages[:-1])  # the table header on every page of lines
    assert "Page 1 / " in pages[0]
    assert "RT-199" in "\n".join(pages)


def test_ticket_is_80_mm_wide(app):
    from pypdf import PdfReader
    import io

    with app.test_request_context("/"):
        pdf = render_pdf("pdf/ticket.html", doc=_doc(5))
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    assert round(float(page.mediabox.width) / 72 * 25.4) == 80
    text = pdf_text(pdf)[0]
    assert "TOTAL TTC" in text and "Rendu" in text
