"""Customer credit at the till in headless Chromium (CSRF on): the cashier sees the customer's
available credit and overdue amount, pays the sale on credit, then takes a repayment under
"Remboursement crédit" and opens its 80 mm receipt."""
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from tests.browser.test_pos_seller import shot

pytestmark = pytest.mark.browser


@pytest.fixture
def credit_sale(app):
    from app.credits import services as credits
    from app.credits.models import CustomerAccount
    from app.extensions import db
    from tests.credits.fixtures import priced_product
    from tests.factories import make_customer, make_pending_sale, open_shift_for, store_by_code, user_by_email

    with app.app_context():
        dla = store_by_code("DLA1")
        customer = make_customer(dla, name="Awa Ngono", phone="+237677001122")
        account = credits.open_account(user_by_email("manager@boutique.cm"), customer.id, "300000")
        yesterday = credits.local_today(dla) - timedelta(days=1)
        credits.record_opening_balance(None, db.session.get(CustomerAccount, account.id), 25000, yesterday,
                                       note="Ancien cahier")
        product = priced_product("BR-CREDIT", price="120000")
        sale = make_pending_sale(dla, user_by_email("vendeur1@boutique.cm"), [(product, 1)], customer=customer)
        open_shift_for(user_by_email("caissier@boutique.cm"), dla, "10000")
        ids = {"store": dla.id, "sale": sale.id, "account": account.id}
        db.session.remove()
    return ids


def test_pay_a_sale_on_credit_then_take_a_repayment(page, credit_sale):
    sign_in(page, "CASHIER")
    page.goto(f"/cashier/{credit_sale['store']}/")
    page.get_by_test_id("queue-item").first.click()
    panel = page.get_by_test_id("credit-panel")
    expect(panel).to_be_visible()
    expect(page.get_by_test_id("credit-available")).to_contain_text("275")
    expect(page.get_by_test_id("credit-overdue")).to_contain_text("25")
    page.get_by_test_id("credit-installments").select_option("3")
    shot(page, "credit_till_before_credit_payment")
    page.get_by_test_id("credit-pay").click()
    expect(page.get_by_test_id("detail-status")).to_contain_text("Payée")
    expect(page.get_by_test_id("paid-banner")).to_contain_text("Crédit client")
    shot(page, "credit_till_paid_on_credit")

    page.get_by_test_id("credit-repay-link").click()
    page.get_by_test_id("credit-search").fill("Awa")
    page.get_by_test_id("credit-search").press("Enter")
    page.get_by_test_id(f"choose-account-{credit_sale['account']}").click()
    expect(page.get_by_test_id("repay-balance")).to_contain_text("145")
    page.get_by_test_id("repay-amount").fill("30000")
    shot(page, "credit_till_repayment_form")
    page.get_by_test_id("repay-submit").click()
    expect(page.get_by_test_id("repaid-banner")).to_contain_text("Remboursement enregistré")
    expect(page.get_by_test_id("repay-balance")).to_contain_text("115")
    expect(page.get_by_test_id("repay-overdue")).to_contain_text("0")
    shot(page, "credit_till_repaid")
    with page.expect_popup() as popup:
        page.get_by_test_id("repay-receipt").click()
    receipt = popup.value
    receipt.wait_for_load_state()
    assert "/receipt.pdf" in receipt.url


def test_the_seller_sees_the_chosen_customer_available_credit(page, app):
    from app.customers.models import Customer
    from app.extensions import db
    from app.sales import services as sales
    from tests.factories import store_by_code, user_by_email
    from tests.sales.fixtures import user

    with app.app_context():
        dla = store_by_code("DLA1")
        customer = db.session.execute(db.select(Customer).where(Customer.name == "Ets. Fotso & Fils")).scalar_one()
        draft = sales.create_draft(user(user_by_email("vendeur1@boutique.cm").id), dla.id, [], customer=customer.id)
        store_id, draft_id = dla.id, draft.id
        db.session.remove()
    sign_in(page, "SALES")
    page.goto(f"/pos/{store_id}/?sale={draft_id}")
    credit = page.get_by_test_id("seller-credit")
    expect(credit).to_contain_text("380")  # 500 000 limit - 120 000 owed
    expect(credit).to_contain_text("120")  # overdue
    shot(page, "credit_seller_available")
