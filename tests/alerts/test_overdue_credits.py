"""check_overdue_credits (08:00 in the store's zone): one alert per credit account with overdue
installments; still one on the next run; RESOLVED once repaid; a new one when it is overdue again.
The 08:00 boundary in Douala with the moments in UTC, through the scheduler's due jobs."""
from datetime import date, datetime, timezone

import pytest
from sqlalchemy import select, update

from app.alerts import services, tasks
from app.alerts.links import links_for
from app.alerts.models import NEW, OVERDUE_CREDIT, RESOLVED, Alert
from app.cashier import services as till
from app.cashier.repayments import take_repayment
from app.credits import services as credits
from app.credits.models import CustomerAccount, Installment
from app.extensions import db
from tests.credits.fixtures import account_for, cashier, credit_sale, priced_product
from tests.factories import store_by_code, user_by_email
from tests.sales.fixtures import user

DUE = date(2026, 12, 3)


def utc(*parts):
    return datetime(*parts, tzinfo=timezone.utc)


def alerts_for(account_id):
    return db.session.execute(select(Alert).where(Alert.type == OVERDUE_CREDIT,
                                                  Alert.cause_key == f"account:{account_id}")
                              .order_by(Alert.id)).scalars().all()


@pytest.fixture
def owing(app):
    """An account of DLA1 owing two credit sales of 40,000, both due on DUE (a Douala date)."""
    with app.app_context():
        customer_id, account_id = account_for(name="Awa Ngono", limit="200000")
        product = priced_product()
        till.open_shift(cashier(), store_by_code("DLA1").id, "10000")
        for _ in range(2):
            till.take_payment(cashier(), credit_sale(customer_id, product), "CREDIT", "40000")
        db.session.execute(update(Installment).where(Installment.account_id == account_id).values(due_date=DUE))
        db.session.commit()
        db.session.remove()
    return account_id


def test_one_alert_per_account_resolved_when_repaid_and_raised_again(app, owing):
    with app.app_context():
        dla = store_by_code("DLA1")
        day_after = utc(2026, 12, 4, 7, 0)  # 08:00 in Douala the day after the due date
        result = services.run_job("check_overdue_credits", now=day_after)
        alerts = alerts_for(owing)
        assert [(a.store_id, a.status, a.object_type, a.object_id) for a in alerts] == [
            (dla.id, NEW, "CustomerAccount", owing)]  # one alert for the two installments
        assert "Awa Ngono" in alerts[0].message and "80000" in alerts[0].message
        assert "2 échéance" in alerts[0].message
        assert alerts[0].id in [row[0] for row in result.raised]
        with app.test_request_context():
            assert links_for(alerts)[alerts[0].id] == f"/credit/show/{owing}"

        again = services.run_job("check_overdue_credits", now=day_after)
        assert again.raised == [] and len(alerts_for(owing)) == 1

        take_repayment(cashier(), owing, "40000", "CASH")  # one installment left overdue: still the one alert
        services.run_job("check_overdue_credits", now=day_after)
        assert [a.status for a in alerts_for(owing)] == [NEW]

        take_repayment(cashier(), owing, "40000", "CASH")  # nothing overdue any more
        account = db.session.get(CustomerAccount, owing)
        assert credits.overdue_amount(account, date(2026, 12, 4)) == 0
        gone = services.run_job("check_overdue_credits", now=day_after)
        alerts = alerts_for(owing)
        assert [a.status for a in alerts] == [RESOLVED] and alerts[0].resolved_at is not None
        assert [row[0] for row in gone.resolved] == [alerts[0].id]

        # a new credit sale overdue later: a new alert, the resolved one stays resolved
        customer_id = account.customer_id
        till.take_payment(cashier(), credit_sale(customer_id, priced_product("CR-TWO")), "CREDIT", "40000")
        db.session.execute(update(Installment).where(Installment.account_id == owing, Installment.paid == 0)
                           .values(due_date=DUE))
        db.session.commit()
        services.run_job("check_overdue_credits", now=day_after)
        assert [a.status for a in alerts_for(owing)] == [RESOLVED, NEW]


def test_not_overdue_on_the_due_date_itself_in_douala(app, owing):
    with app.app_context():
        # 23:30 in Douala on the due date is 22:30 UTC: not overdue yet; 00:30 the next day is
        services.run_job("check_overdue_credits", now=utc(2026, 12, 3, 22, 30))
        assert alerts_for(owing) == []
        services.run_job("check_overdue_credits", now=utc(2026, 12, 3, 23, 30))
        assert len(alerts_for(owing)) == 1


def test_runs_at_08_00_douala_time_with_the_server_in_utc(app, owing):
    with app.app_context():
        both = sorted([store_by_code("DLA1").id, store_by_code("YDE1").id])
        # 08:00 in Douala is 07:00 UTC: the overdue credit job is due, for both stores
        assert tasks.due_jobs(utc(2026, 12, 4, 7, 0)) == {"check_overdue_credits": both,
                                                          "check_pending_payments": both}
        # 08:00 UTC is 09:00 in Douala: not due (every hour ticks, no store is at its 08:00)
        assert "check_overdue_credits" not in tasks.due_jobs(utc(2026, 12, 4, 8, 0))
        assert "check_overdue_credits" not in tasks.due_jobs(utc(2026, 12, 4, 6, 0))

        services.run_job("check_overdue_credits", now=utc(2026, 12, 4, 8, 0), scheduled=True)
        assert alerts_for(owing) == []  # not its hour: nothing checked
        services.run_job("check_overdue_credits", now=utc(2026, 12, 4, 7, 0), scheduled=True)
        assert len(alerts_for(owing)) == 1


def test_managers_see_credit_alerts_stock_keepers_do_not(app, owing):
    with app.app_context():
        services.run_job("check_overdue_credits", now=utc(2026, 12, 4, 7, 0))
        alert_id = alerts_for(owing)[0].id

        def seen_by(email):
            query = services.visible_alerts(user(user_by_email(email).id)).where(Alert.id == alert_id)
            return db.session.execute(query).scalar_one_or_none() is not None

        assert seen_by("manager@boutique.cm")
        assert not seen_by("magasinier@boutique.cm")


def test_flask_alerts_run_knows_the_job(app):
    with app.app_context():
        out = app.test_cli_runner().invoke(args=["alerts", "run", "check_overdue_credits"])
        assert out.exit_code == 0, out.output
        assert "check_overdue_credits:" in out.output and "raised" in out.output
