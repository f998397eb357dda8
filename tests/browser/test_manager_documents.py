"""Issue 19 item 4: a manager finds the documents where they look for them: the Z report on a closed
shift's page, the invoice reprint on a sale's page, the cash expected so far on an open shift's page."""
import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshots
from tests.browser.test_sale_screens import day  # noqa: F401 (fixture: a paid sale, a closed shift)
from tests.conftest import DEMO
from tests.documents.pdf_tools import pdf_opened_by, pdf_text

pytestmark = pytest.mark.browser


def test_a_manager_prints_the_z_report_and_an_invoice_and_reads_an_open_till(page, login, day, app):  # noqa: F811
    from app.cashier import services as till
    from tests.factories import store_by_code, user_by_email

    with app.app_context():
        open_shift = till.open_shift(user_by_email(DEMO["CASHIER"][0]), store_by_code("DLA1").id, "5000").id

    login(*DEMO["MANAGER"])
    page.goto(f"/cashshiftmodelview/show/{day['shift']}")
    screenshots(page, "i19_documents_1_closed_shift")
    text = " ".join(pdf_text(pdf_opened_by(page, page.get_by_test_id("zreport-link"))))
    assert "Rapport Z" in text and "Douala Akwa (DLA1)" in text and "Carine Etoa" in text

    page.goto(f"/salemodelview/show/{day['sale']}")
    expect(page.get_by_test_id("sale-documents")).to_contain_text("Ticket (PDF)")
    screenshots(page, "i19_documents_2_sale")
    text = " ".join(pdf_text(pdf_opened_by(page, page.get_by_test_id("invoice-link"))))
    assert "FACTURE" in text and day["number"] in text

    page.goto(f"/cashshiftmodelview/show/{open_shift}")
    expect(page.get_by_test_id("shift-expected-so-far")).to_have_text(re.compile(r"^5\s000\sFCFA$"))
    screenshots(page, "i19_documents_3_open_shift")
