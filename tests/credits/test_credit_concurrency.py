"""Races on one credit account, on PostgreSQL with real threads released together by a barrier."""
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.cashier import services as till
from app.cashier.repayments import take_repayment
from app.core.errors import DomainError
from app.credits.models import CREDIT, CreditLedgerEntry, CreditRepayment, CustomerAccount
from app.extensions import db
from tests.credits.fixtures import account_for, balance_and_ledger, credit_sale, priced_product
from tests.factories import store_by_code
from tests.sales.fixtures import user
from tests.sales.test_concurrency import cashiers, run_together


def test_eight_tills_charging_forty_percent_of_the_limit_each(postgres):
    app = postgres
    with app.app_context():
        customer_id, account_id = account_for(limit="100000")
        # one product per sale: no shared stock row serialises the tills, only the account's lock
        sale_ids = [credit_sale(customer_id, priced_product(f"CR-RACE-{i}", price="40000")) for i in range(8)]
        cashier_ids = cashiers(8, prefix="credit")

    outcomes = run_together(app, 8, lambda i: till.take_payment(user(cashier_ids[i]), sale_ids[i], "CREDIT", "40000"))

    succeeded = [r for _, r in outcomes if not isinstance(r, Exception)]
    refused = [r for _, r in outcomes if isinstance(r, Exception)]
    assert len(succeeded) == 2
    assert len(refused) == 6 and all(isinstance(e, DomainError) and e.status == 409 for e in refused), refused
    with app.app_context():
        balance, ledger = balance_and_ledger(account_id)
        assert balance == ledger == Decimal("80000")
        account = db.session.get(CustomerAccount, account_id)
        assert account.balance <= account.credit_limit
        # every balance_after along the ledger stayed within the limit
        assert db.session.execute(select(func.max(CreditLedgerEntry.balance_after))
                                  .where(CreditLedgerEntry.account_id == account_id)).scalar_one() <= 100000


def test_the_same_repayment_key_ten_times_at_once_gives_one_credit_entry(postgres):
    app = postgres
    with app.app_context():
        customer_id, account_id = account_for(limit="100000")
        product = priced_product(price="60000")
        sale_id = credit_sale(customer_id, product)
        cashier_id = cashiers(1, prefix="repay")[0]
        till.take_payment(user(cashier_id), sale_id, "CREDIT", "60000")

    def repay(_):
        result = take_repayment(user(cashier_id), account_id, "25000", "CASH", idempotency_key="REPAY-KEY-1")
        return result.replayed, result.repayment.id

    outcomes = run_together(app, 10, repay)

    errors = [r for _, r in outcomes if isinstance(r, Exception)]
    assert errors == []
    results = [r for _, r in outcomes]
    assert sum(not replayed for replayed, _ in results) == 1
    assert len({repayment_id for _, repayment_id in results}) == 1
    with app.app_context():
        assert db.session.execute(select(func.count(CreditRepayment.id))).scalar_one() == 1
        assert db.session.execute(select(func.count(CreditLedgerEntry.id))
                                  .where(CreditLedgerEntry.kind == CREDIT)).scalar_one() == 1
        assert balance_and_ledger(account_id) == (Decimal("35000"), Decimal("35000"))
