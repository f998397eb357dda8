"""Issue 19 item 3: a manager reads a cancellation in the audit log in words: the action in French,
the invoice number, the changed fields as a small table; filters by action in words."""
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshots
from tests.conftest import DEMO

pytestmark = pytest.mark.browser


def _shots(page, name):
    screenshots(page, f"i19_audit_{name}")


@pytest.fixture
def cancelled_sale(app):
    from app.extensions import db
    from app.sales import services
    from tests.factories import make_pending_sale, make_product, put_in_stock, store_by_code, user_by_email

    with app.app_context():
        dla = store_by_code("DLA1")
        router = make_product("RT-AX55", "Routeur Wi-Fi 6 AX1800", sale_price="45000")
        put_in_stock(dla, router, 5, "PURCHASE")
        sale = make_pending_sale(dla, user_by_email(DEMO["SALES"][0]), [(router, 1)])
        services.cancel_sale(user_by_email(DEMO["MANAGER"][0]), sale.id, "Client parti sans payer")
        number = sale.number
        db.session.remove()
        return number


def test_a_manager_reads_a_cancellation_in_words(page, login, cancelled_sale):
    login(*DEMO["MANAGER"])
    page.goto("/")
    page.get_by_test_id("home-entries").get_by_role("link", name="Journal d'audit").click()
    expect(page.get_by_text("sale.cancel")).to_have_count(0)
    # filter by action, chosen in words
    page.get_by_text("Rechercher").first.click()
    page.get_by_text("Ajouter un filtre").click()
    page.locator("a.filter", has_text="Action").first.click()
    page.locator(".filters select.filter_val").last.select_option(label="Vente annulée")
    _shots(page, "1_filter_in_words")
    page.get_by_role("button", name="Rechercher").click()
    row = page.locator("table tbody tr", has_text=cancelled_sale)
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Vente annulée")
    expect(row).to_contain_text(f"Vente {cancelled_sale}")
    _shots(page, "2_list_in_words")
    row.locator("a[href*='/show/']").first.click()
    changes = page.get_by_test_id("audit-changes")
    expect(changes).to_contain_text("Statut")
    expect(changes.locator("tr", has_text="Statut")).to_contain_text("En attente de paiement")
    expect(changes.locator("tr", has_text="Statut")).to_contain_text("Annulé")
    expect(changes.locator("tr", has_text="Motif")).to_contain_text("Client parti sans payer")
    expect(changes).not_to_contain_text("PENDING_PAYMENT")
    expect(page.get_by_text("{'")).to_have_count(0)  # no raw dictionary
    expect(page.get_by_text(f"Vente {cancelled_sale}")).to_be_visible()
    _shots(page, "3_entry_in_words")
