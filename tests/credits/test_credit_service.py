"""Customer credit rules (SPEC §6) through the services: accounts, CREDIT at the till, the
schedule, repayments (oldest installment first), overdue in the store's zone, refunds."""
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.cashier import services as till
from app.cashier.repayments import take_repayment
from app.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from app.core.models import AuditLog
from app.credits import services as credits
from app.credits.models import CREDIT, DEBIT, OVERDUE, PAID, PENDING, CreditLedgerEntry, CustomerAccount, Installment
from app.extensions import db
from app.sales import services as sales
from app.sales.models import Refund, Sale
from tests.credits.fixtures import account_for, balance_and_ledger, cashier, credit_sale, priced_product
from tests.factories import make_customer, make_pending_sale, store_by_code, user_by_email
from tests.sales.fixtures import user


@pytest.fixture
def setup(app):
    with app.app_context():
        customer_id, account_id = account_for(limit="200000")
        product = priced_product()
        till.open_shift(cashier(), store_by_code("DLA1").id, "10000")
        ids = {"customer": customer_id, "account": account_id, "product": product.id}
        db.session.remove()
    return ids


def _product(ids):
    from app.catalog.models import Product

    return db.session.get(Product, ids["product"])


def _manager():
    return user(user_by_email("manager@boutique.cm").id)


def test_only_a_manager_opens_an_account_once_and_the_limit_change_is_audited(app):
    with app.app_context():
        store = store_by_code("DLA1")
        customer = make_customer(store, name="Paul Eto'o", phone="+237699000111")
        seller = user(user_by_email("vendeur1@boutique.cm").id)
        with pytest.raises(Forbidden):
            credits.open_account(seller, customer.id, "100000")
        with pytest.raises(Forbidden):
            credits.open_account(cashier(), customer.id, "100000")
        account = credits.open_account(_manager(), customer.id, "100000")
        assert (account.store_id, account.balance, account.credit_limit) == (store.id, 0, Decimal("100000"))
        with pytest.raises(Conflict):
            credits.open_account(_manager(), customer.id, "50000")
        with pytest.raises(Forbidden):
            credits.update_account(seller, account.id, credit_limit="900000")
        credits.update_account(_manager(), account.id, credit_limit="150000")
        row = db.session.execute(select(AuditLog).where(AuditLog.action == "credit.update")).scalar_one()
        assert row.before["credit_limit"] == "100000.00" and row.after["credit_limit"] == "150000.00"
        assert db.session.execute(select(AuditLog).where(AuditLog.action == "credit.open")).scalar_one()


def test_credit_payment_creates_the_debit_and_one_installment_after_the_store_term(app, setup):
    with app.app_context():
        sale_id = credit_sale(setup["customer"], _product(setup))
        result = till.take_payment(cashier(), sale_id, "CREDIT", "40000")
        assert result.payment.sale_status_after == "PAID"
        entry = db.session.execute(select(CreditLedgerEntry).where(CreditLedgerEntry.account_id == setup["account"])).scalar_one()
        assert (entry.kind, entry.amount, entry.balance_after, entry.sale_id) == (DEBIT, 40000, 40000, sale_id)
        [installment] = db.session.execute(select(Installment).where(Installment.account_id == setup["account"])).scalars().all()
        today = credits.local_today(store_by_code("DLA1"))
        assert installment.due_date == today + timedelta(days=30) and installment.amount == 40000
        assert balance_and_ledger(setup["account"]) == (40000, 40000)


def test_credit_payment_in_three_monthly_installments(app, setup):
    with app.app_context():
        sale_id = credit_sale(setup["customer"], _product(setup), quantity=1)
        till.take_payment(cashier(), sale_id, "CREDIT", "40000", installments=3)
        rows = db.session.execute(select(Installment).where(Installment.account_id == setup["account"]).order_by(Installment.number)).scalars().all()
        today = credits.local_today(store_by_code("DLA1"))
        assert [r.due_date for r in rows] == [credits.add_months(today, n) for n in (1, 2, 3)]
        assert [r.amount for r in rows] == [13333, 13333, 13334]


def test_credit_needs_a_customer_with_an_active_account(app, setup):
    with app.app_context():
        dla = store_by_code("DLA1")
        seller = user_by_email("vendeur1@boutique.cm")
        anonymous = make_pending_sale(dla, seller, [(_product(setup), 1)])
        with pytest.raises(Conflict, match="client"):
            till.take_payment(cashier(), anonymous.id, "CREDIT", "40000")
        db.session.rollback()
        stranger = make_customer(dla, name="Sans Compte", phone="+237655443322")
        sale = make_pending_sale(dla, seller, [(_product(setup), 1)], customer=stranger)
        with pytest.raises(Conflict, match="compte"):
            till.take_payment(cashier(), sale.id, "CREDIT", "40000")
        db.session.rollback()
        credits.update_account(_manager(), setup["account"], is_active=False)
        sale_id = credit_sale(setup["customer"], _product(setup))
        with pytest.raises(Conflict, match="compte"):
            till.take_payment(cashier(), sale_id, "CREDIT", "40000")
        db.session.rollback()
        assert db.session.get(Sale, sale_id).status == "PENDING_PAYMENT"


def test_over_the_limit_is_a_409_that_says_what_is_available(app, setup):
    with app.app_context():
        first = credit_sale(setup["customer"], _product(setup), quantity=4)  # 160000 of 200000
        till.take_payment(cashier(), first, "CREDIT", "160000")
        second = credit_sale(setup["customer"], _product(setup), quantity=2)  # 80000 > 40000 left
        with pytest.raises(credits.CreditLimitExceeded) as refused:
            till.take_payment(cashier(), second, "CREDIT", "80000")
        assert refused.value.status == 409 and "40" in refused.value.message and "disponible" in refused.value.message
        db.session.rollback()
        assert balance_and_ledger(setup["account"]) == (160000, 160000)
        # what is available can still be charged, the rest paid otherwise
        till.take_payment(cashier(), second, "CREDIT", "40000")
        till.take_payment(cashier(), second, "CASH", "40000")
        assert balance_and_ledger(setup["account"]) == (200000, 200000)
        with pytest.raises(Conflict):
            credits.update_account(_manager(), setup["account"], credit_limit="100000")  # under what is owed


def test_repayment_settles_the_oldest_installment_first_and_leaves_partial_ones(app, setup):
    with app.app_context():
        store_by_code("DLA1").credit_term_days = 45
        db.session.commit()
        older = credit_sale(setup["customer"], _product(setup), quantity=1)
        till.take_payment(cashier(), older, "CREDIT", "40000", installments=2)  # 20000 in 1 month, 20000 in 2
        newer = credit_sale(setup["customer"], _product(setup), quantity=1)
        till.take_payment(cashier(), newer, "CREDIT", "40000")  # 40000 in 45 days
        result = take_repayment(cashier(), setup["account"], "30000", "CASH")
        assert result.repayment.balance_after == 50000
        rows = db.session.execute(select(Installment).where(Installment.account_id == setup["account"]).order_by(Installment.due_date, Installment.id)).scalars().all()
        assert [(r.sale_id, r.amount, r.paid) for r in rows] == [
            (older, 20000, 20000), (newer, 40000, 10000), (older, 20000, 0)]
        entry = db.session.execute(select(CreditLedgerEntry).where(CreditLedgerEntry.kind == CREDIT, CreditLedgerEntry.account_id == setup["account"])).scalar_one()
        assert entry.amount == 30000 and entry.balance_after == 50000
        assert balance_and_ledger(setup["account"]) == (50000, 50000)


def test_repayment_refusals(app, setup):
    with app.app_context():
        with pytest.raises(Conflict, match="ne doit rien"):
            take_repayment(cashier(), setup["account"], "1000", "CASH")
        db.session.rollback()
        sale_id = credit_sale(setup["customer"], _product(setup))
        till.take_payment(cashier(), sale_id, "CREDIT", "40000")
        with pytest.raises(ValidationFailed) as bad:
            take_repayment(cashier(), setup["account"], "1000", "CREDIT")
        assert "method" in bad.value.errors
        with pytest.raises(Conflict, match="dépasse"):
            take_repayment(cashier(), setup["account"], "50000", "CASH")
        db.session.rollback()
        with pytest.raises(ValidationFailed) as bad:
            take_repayment(cashier(), setup["account"], "1000", "MOBILE_MONEY")
        assert {"operator", "reference"} <= set(bad.value.errors)
        manager = _manager()  # no open shift: no repayment
        with pytest.raises(Conflict, match="caisse"):
            take_repayment(manager, setup["account"], "1000", "CASH")


def test_an_installment_is_overdue_the_next_day_in_douala_not_before(app, setup):
    with app.app_context():
        store = store_by_code("DLA1")
        sale_id = credit_sale(setup["customer"], _product(setup))
        till.take_payment(cashier(), sale_id, "CREDIT", "40000")
        installment = db.session.execute(select(Installment).where(Installment.account_id == setup["account"])).scalar_one()
        due = installment.due_date
        account = db.session.get(CustomerAccount, setup["account"])
        # Douala is UTC+1: 23:30 on the due date there is 22:30 UTC; 00:30 the next day is 23:30 UTC
        last_minutes = datetime.combine(due, datetime.min.time(), tzinfo=timezone.utc) + timedelta(hours=22, minutes=30)
        next_day = last_minutes + timedelta(hours=1)
        assert credits.local_today(store, last_minutes) == due
        assert installment.status_on(credits.local_today(store, last_minutes)) == PENDING
        assert credits.overdue_amount(account, credits.local_today(store, last_minutes)) == 0
        # in UTC it is still the due date, in Douala it is the day after: overdue
        assert next_day.date() == due
        assert installment.status_on(credits.local_today(store, next_day)) == OVERDUE
        assert credits.overdue_amount(account, credits.local_today(store, next_day)) == 40000
        take_repayment(cashier(), setup["account"], "40000", "CARD")
        db.session.refresh(installment)
        assert installment.status_on(credits.local_today(store, next_day)) == PAID


def test_shift_close_counts_cash_repayments_and_a_credit_payment_moves_no_cash(app, setup):
    with app.app_context():
        sale_id = credit_sale(setup["customer"], _product(setup), quantity=2)
        till.take_payment(cashier(), sale_id, "CREDIT", "80000")
        shift = till.open_shift_of(cashier().id, store_by_code("DLA1").id)
        assert till.shift_figures(shift).expected_cash == 10000  # the float alone: credit is no cash
        take_repayment(cashier(), setup["account"], "25000", "CASH")
        take_repayment(cashier(), setup["account"], "5000", "MOBILE_MONEY", operator="MTN", reference="MP-REP-1")
        closed, figures = till.close_shift(cashier(), shift.id, "35000")
        assert closed.expected_cash == 35000 and closed.variance == 0
        assert closed.expected_mobile_money == 5000


def test_refund_of_a_credit_sale_restores_the_account(app, setup):
    with app.app_context():
        sale_id = credit_sale(setup["customer"], _product(setup), quantity=2)
        till.take_payment(cashier(), sale_id, "CREDIT", "80000")
        sale = sales.get_sale(_manager(), sale_id, with_items=True)
        items = [{"sale_item": sale.items[0].id, "quantity": 2}]
        _, refund = sales.refund_sale(_manager(), sale_id, items, method="CASH", till=till.refund_till(_manager()))
        assert (refund.method, refund.amount, refund.shift_id) == ("CREDIT", 80000, None)
        assert balance_and_ledger(setup["account"]) == (0, 0)
        assert all(i.paid == i.amount for i in db.session.execute(select(Installment).where(Installment.account_id == setup["account"])).scalars())


def test_half_cash_half_credit_refunds_credit_first(app, setup):
    with app.app_context():
        sale_id = credit_sale(setup["customer"], _product(setup), quantity=2)  # 80000
        till.take_payment(cashier(), sale_id, "CASH", "40000")
        till.take_payment(cashier(), sale_id, "CREDIT", "40000")
        sale = sales.get_sale(_manager(), sale_id, with_items=True)
        line = sale.items[0].id
        # one of two items back (40000): all of it goes to the account, no cash leaves the drawer
        sales.refund_sale(_manager(), sale_id, [{"sale_item": line, "quantity": 1}], method="CASH", till=till.refund_till(_manager()))
        refunds = db.session.execute(select(Refund).order_by(Refund.id)).scalars().all()
        assert [(r.method, r.amount) for r in refunds] == [("CREDIT", 40000)]
        assert balance_and_ledger(setup["account"]) == (0, 0)
        # the second item: nothing left on credit, so cash
        sales.refund_sale(_manager(), sale_id, [{"sale_item": line, "quantity": 1}], method="CASH", till=till.refund_till(_manager()))
        refunds = db.session.execute(select(Refund).order_by(Refund.id)).scalars().all()
        assert [(r.method, r.amount) for r in refunds] == [("CREDIT", 40000), ("CASH", 40000)]
        assert db.session.get(Sale, sale_id).status == "REFUNDED"


def test_refund_bigger_than_the_credit_part_splits_credit_then_cash(app, setup):
    with app.app_context():
        sale_id = credit_sale(setup["customer"], _product(setup), quantity=2)  # 80000
        till.take_payment(cashier(), sale_id, "CASH", "50000")
        till.take_payment(cashier(), sale_id, "CREDIT", "30000")
        sale = sales.get_sale(_manager(), sale_id, with_items=True)
        sales.refund_sale(_manager(), sale_id, [{"sale_item": sale.items[0].id, "quantity": 2}], method="CASH", till=till.refund_till(_manager()))
        refunds = db.session.execute(select(Refund).order_by(Refund.id)).scalars().all()
        assert [(r.method, r.amount) for r in refunds] == [("CREDIT", 30000), ("CASH", 50000)]
        assert balance_and_ledger(setup["account"]) == (0, 0)


def test_cancellation_of_a_partly_credit_paid_sale_gives_the_credit_back(app, setup):
    with app.app_context():
        sale_id = credit_sale(setup["customer"], _product(setup), quantity=2)  # 80000
        till.take_payment(cashier(), sale_id, "CREDIT", "30000")
        sales.cancel_sale(_manager(), sale_id, "Le client renonce", method="CASH", till=till.refund_till(_manager()))
        refunds = db.session.execute(select(Refund)).scalars().all()
        assert [(r.method, r.amount, r.is_cancellation) for r in refunds] == [("CREDIT", 30000, True)]
        assert balance_and_ledger(setup["account"]) == (0, 0)
        assert db.session.execute(select(CreditLedgerEntry.source).order_by(CreditLedgerEntry.id.desc())
                                  ).scalars().first() == "CANCELLATION"


def test_a_cashier_of_dla1_does_not_find_a_yde1_account(app):
    with app.app_context():
        _, account_id = account_for(name="Client de Yaoundé", phone="+237690000001", store_code="YDE1")
        with pytest.raises(NotFound):
            credits.get_account(cashier(), account_id)
        with pytest.raises(NotFound):
            take_repayment(cashier(), account_id, "1000", "CASH")


def test_a_correction_is_a_reversing_entry_never_an_edit(app, setup):
    with app.app_context():
        sale_id = credit_sale(setup["customer"], _product(setup))
        till.take_payment(cashier(), sale_id, "CREDIT", "40000")
        take_repayment(cashier(), setup["account"], "10000", "CASH")
        entries = db.session.execute(select(CreditLedgerEntry).where(
            CreditLedgerEntry.account_id == setup["account"]).order_by(CreditLedgerEntry.id)).scalars().all()
        debit, repayment = entries
        with pytest.raises(Forbidden):
            credits.reverse_entry(cashier(), repayment.id, "Saisie en double")
        db.session.rollback()
        reversal = credits.reverse_entry(_manager(), repayment.id, "Saisie en double")
        assert (reversal.kind, reversal.amount, reversal.reverses_id, reversal.balance_after) == (
            DEBIT, 10000, repayment.id, 40000)
        with pytest.raises(Conflict):
            credits.reverse_entry(_manager(), repayment.id, "Encore")
        db.session.rollback()
        [installment] = db.session.execute(select(Installment).where(
            Installment.account_id == setup["account"])).scalars().all()
        assert installment.paid == 0
        assert balance_and_ledger(setup["account"]) == (40000, 40000)
        # the rows themselves never change: PostgreSQL refuses it
        if db.session.get_bind().dialect.name == "postgresql":
            with pytest.raises(Exception, match="append-only"):
                db.session.execute(db.text("UPDATE credit_ledger_entry SET amount = 1 WHERE id = :id"),
                                   {"id": debit.id})
            db.session.rollback()
