"""Two demo customers with credit accounts for `flask seed-data` (a newcomer sees credit right
after `make run`): a company with an overdue installment and a regular customer with one to come.
Idempotent: a customer found by phone in the store is left alone, with their account."""
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

from ..customers.models import Customer
from ..extensions import db
from . import services
from .models import CustomerAccount

DEMO_CREDIT = [  # (name, phone, limit, carried-over balance, due in days from today: negative = overdue)
    ("Ets. Fotso & Fils", "+237690112201", Decimal("500000"), Decimal("120000"), -10),
    ("Clarisse Mbida", "+237690112202", Decimal("200000"), Decimal("45000"), 20),
]


def seed_demo_credit(store):
    for name, phone, limit, balance, due_in in DEMO_CREDIT:
        customer = db.session.execute(select(Customer).where(Customer.store_id == store.id, Customer.phone == phone)
                                      ).scalars().first()
        if customer is None:
            customer = Customer(name=name, phone=phone, store_id=store.id, is_active=True)
            db.session.add(customer)
            db.session.flush()
        if db.session.execute(select(CustomerAccount.id).where(CustomerAccount.customer_id == customer.id)
                              ).scalar_one_or_none() is not None:
            continue
        account = CustomerAccount(customer_id=customer.id, store_id=store.id, credit_limit=limit,
                                  balance=Decimal("0"), is_active=True, note="Compte de démonstration")
        db.session.add(account)
        db.session.commit()
        due = services.local_today(store) + timedelta(days=due_in)
        services.record_opening_balance(None, account, balance, due, note="Solde repris du cahier de crédit",
                                        audited=False)
