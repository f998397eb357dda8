"""Shared by the credit tests: a customer of DLA1 with an account, credit sales, an open shift."""
from decimal import Decimal

from app.credits import services as credits
from app.extensions import db
from tests.factories import make_customer, make_pending_sale, make_product, put_in_stock, store_by_code, user_by_email
from tests.sales.fixtures import user


def account_for(name="Awa Ngono", phone="+237677001122", limit="200000", store_code="DLA1"):
    """A customer of the store and their account opened by the demo manager (ids)."""
    store = store_by_code(store_code)
    customer = make_customer(store, name=name, phone=phone)
    account = credits.open_account(user_by_email("manager@boutique.cm"), customer.id, limit)
    return customer.id, account.id


def priced_product(sku="CR-ITEM", price="40000", stock=100, store_code="DLA1"):
    product = make_product(sku, f"Article {sku}", sale_price=price)
    put_in_stock(store_by_code(store_code), product, stock, "PURCHASE")
    return product


def credit_sale(customer_id, product, quantity=1, store_code="DLA1"):
    """A sale of the customer waiting at the till; returns its id."""
    from app.customers.models import Customer

    seller = user_by_email("vendeur1@boutique.cm")
    sale = make_pending_sale(store_by_code(store_code), seller, [(product, quantity)],
                             customer=db.session.get(Customer, customer_id))
    return sale.id


def cashier():
    return user(user_by_email("caissier@boutique.cm").id)


def balance_and_ledger(account_id):
    from app.credits.models import CustomerAccount

    db.session.expire_all()
    account = db.session.get(CustomerAccount, account_id)
    return account.balance, credits.ledger_sum(account_id)


ZERO = Decimal("0")
