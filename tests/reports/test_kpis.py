"""The KPIs of SPEC §9 on a hand-built pair of days, computed by hand."""
from datetime import date, timedelta

import pytest

from app.extensions import db
from app.reports import services
from app.reports.models import KPISnapshot
from tests.factories import make_product, make_store, user_by_email
from tests.reports.builders import local, paid_sale, refund, shift

D = date(2026, 11, 10)
NEXT = D + timedelta(days=1)
LATER = D + timedelta(days=10)  # "today" for the tests: both days are past


@pytest.fixture
def shop(app):
    with app.app_context():
        yield build_shop()


def build_shop():
    store = make_store("RPT1", "Magasin des rapports")
    seller = user_by_email("vendeur1@boutique.cm")
    manager = user_by_email("manager@boutique.cm")
    till = shift(store, user_by_email("caissier@boutique.cm"))
    phone = make_product("RPT-PHONE", "Téléphone", sale_price="11925")
    router = make_product("RPT-ROUTER", "Routeur", sale_price="59625")
    # Day D: A at 10:00, 2 phones (TTC 23 850, HT 20 000, cost 2 x 7 000), cash;
    # B at 23:30 Douala (22:30 UTC, still day D): a router (TTC 59 625, HT 50 000, cost 30 000),
    # 20 000 mobile money + 39 625 on credit.
    a = paid_sale(store, seller, till, local(2026, 11, 10, 10), [(phone, 2, "11925", "7000")], [("CASH", "23850")])
    paid_sale(store, seller, till, local(2026, 11, 10, 23, 30), [(router, 1, "59625", "30000")],
              [("MOBILE_MONEY", "20000"), ("CREDIT", "39625")])
    # Day D+1: C at 00:30 Douala (23:30 UTC on day D): 2 phones, cash; and one phone of A refunded.
    paid_sale(store, seller, till, local(2026, 11, 11, 0, 30), [(phone, 2, "11925", "7000")], [("CASH", "23850")])
    refund(a, manager, till, local(2026, 11, 11, 15), 1, "7000")
    db.session.commit()
    return store


def kpis(store, first, last=None):
    return services.compute_kpis([store], first, last or first, today=LATER)["result"]


def test_a_hand_built_day(shop):
    day = kpis(shop, D)
    assert day["revenue"] == "83475"
    assert day["revenue_ht"] == "70000"
    assert day["gross_margin"] == "26000"  # 70 000 - (14 000 + 30 000)
    assert day["sales_count"] == 2
    assert day["average_basket"] == "41738"  # 83 475 / 2, rounded
    assert day["items_sold"] == 3
    assert day["payments_by_method"] == {"CASH": "23850", "MOBILE_MONEY": "20000", "BANK_TRANSFER": "0",
                                         "CARD": "0", "CREDIT": "39625"}
    assert day["top_products"][0]["name"] == "Routeur"
    assert day["top_sellers"][0]["revenue"] == "83475"


def test_a_refund_lowers_its_own_day_only(shop):
    following = kpis(shop, NEXT)
    assert following["revenue"] == "11925"  # 23 850 sold - 11 925 refunded
    assert following["revenue_ht"] == "10000"  # 20 000 - the refund's share of A's HT (10 000)
    assert following["gross_margin"] == "3000"  # 10 000 - (14 000 out - 7 000 back)
    assert following["sales_count"] == 1 and following["average_basket"] == "23850"
    assert following["items_sold"] == 1
    assert following["payments_by_method"]["CASH"] == "23850"
    assert kpis(shop, D)["revenue"] == "83475"  # the day of the sale keeps its figures
    both = kpis(shop, D, NEXT)
    assert both["revenue"] == "95400" and both["gross_margin"] == "29000" and both["sales_count"] == 3


def test_a_sale_at_23_30_in_douala_counts_on_the_local_day(shop):
    # B (23:30 local on D) is on D; C (00:30 local on D+1, still D in UTC) is on D+1.
    assert kpis(shop, D)["payments_by_method"]["MOBILE_MONEY"] == "20000"
    assert kpis(shop, NEXT)["payments_by_method"]["MOBILE_MONEY"] == "0"
    assert kpis(shop, NEXT)["sales_count"] == 1


def test_snapshot_and_live_figures_agree_for_a_past_day(shop):
    live = services.compute_kpis([shop], D, NEXT, today=LATER)
    services.snapshot_day(D, [shop.id])
    services.snapshot_day(NEXT, [shop.id])
    assert db.session.query(KPISnapshot).filter_by(store_id=shop.id).count() == 2
    assert services.compute_kpis([shop], D, NEXT, today=LATER) == live  # read from the two snapshots
    assert services.compute_kpis([shop], D, D, today=LATER)["result"]["revenue"] == "83475"


def test_the_job_twice_writes_one_snapshot(shop):
    services.snapshot_day(D, [shop.id])
    services.snapshot_day(D, [shop.id])
    rows = db.session.query(KPISnapshot).filter_by(store_id=shop.id, day=D).all()
    assert len(rows) == 1 and rows[0].revenue == 83475


def test_today_is_read_live(shop):
    services.snapshot_day(NEXT, [shop.id])
    KPISnapshot.query.filter_by(store_id=shop.id).update({"revenue": 1})
    assert kpis(shop, NEXT)["revenue"] == "1"
    assert services.compute_kpis([shop], NEXT, NEXT, today=NEXT)["result"]["revenue"] == "11925"


def test_the_scheduled_job_snapshots_yesterday_at_one_in_the_morning_local(shop):
    from datetime import datetime, timezone

    from app.reports.tasks import run_snapshot

    # 00:00 UTC on D+1 is 01:00 in Douala: the job stores D for Douala's stores; twice, one row.
    at_one = datetime(2026, 11, 11, 0, 0, tzinfo=timezone.utc)
    assert run_snapshot(at_one) >= 1
    run_snapshot(at_one)
    rows = db.session.query(KPISnapshot).filter_by(store_id=shop.id).all()
    assert [(row.day, row.revenue) for row in rows] == [(D, 83475)]
    assert run_snapshot(datetime(2026, 11, 11, 5, 0, tzinfo=timezone.utc)) == 0  # 06:00 local: not its hour


def test_the_snapshot_command_rebuilds_a_past_day(shop, app):
    result = app.test_cli_runner().invoke(args=["reports", "snapshot", "--date", NEXT.isoformat(), "--store", "RPT1"])
    assert result.exit_code == 0, result.output
    row = db.session.query(KPISnapshot).filter_by(store_id=shop.id).one()
    assert row.day == NEXT and row.revenue == 11925
    bad = app.test_cli_runner().invoke(args=["reports", "snapshot", "--date", "hier"])
    assert bad.exit_code != 0 and "AAAA-MM-JJ" in bad.output


def test_stores_in_other_zones_count_on_their_own_local_days(shop):
    # One grouped read for both stores: 14:00 UTC on D is 23:00 in Tokyo (D), 17:00 UTC is 02:00 on D+1
    # (both still D in Douala).
    from datetime import datetime, timezone

    tokyo = make_store("TYO1", "Magasin de Tokyo", timezone="Asia/Tokyo")
    phone = make_product("TYO-PHONE", "Téléphone", sale_price="11925")
    till = shift(tokyo, user_by_email("caissier@boutique.cm"))
    seller = user_by_email("vendeur1@boutique.cm")
    for hour in (14, 17):
        paid_sale(tokyo, seller, till, datetime(2026, 11, 10, hour, tzinfo=timezone.utc),
                  [(phone, 1, "11925", "7000")], [("CASH", "11925")])
    db.session.commit()
    rows = {row["code"]: row for row in services.compute_kpis([shop, tokyo], NEXT, NEXT, today=LATER)["stores"]}
    assert (rows["RPT1"]["sales_count"], rows["TYO1"]["sales_count"]) == (1, 1)
    assert rows["TYO1"]["revenue"] == "11925" and rows["TYO1"]["payments_by_method"]["CASH"] == "11925"
    day_d = {row["code"]: row["sales_count"]
             for row in services.compute_kpis([shop, tokyo], D, D, today=LATER)["stores"]}
    assert day_d == {"RPT1": 2, "TYO1": 1}


def test_sqlite_minutes_fall_on_the_stores_local_day():
    # SQLite knows no zones: the live figures group by UTC minute, turned into the local day here.
    from tests.reports.builders import DOUALA

    assert services.utc_minute_day("2026-11-10 22:30", DOUALA) == D  # 23:30 in Douala
    assert services.utc_minute_day("2026-11-10 23:30", DOUALA) == NEXT  # 00:30 in Douala


def test_the_kpis_read_as_many_statements_for_five_stores_over_a_month_as_for_one_day(shop):
    # Each figure is one query grouped by store and local day, never one per store or per day.
    from sqlalchemy import event

    others = [make_store(f"RPQ{n}", f"Magasin {n}") for n in range(4)]
    assert [(store.code, store.timezone) for store in (shop, *others)]  # loaded before counting
    statements = []

    def count(*args):
        statements.append(1)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        services.compute_kpis([shop], D, D, today=LATER)
        one = len(statements)
        statements.clear()
        month = services.compute_kpis([shop, *others], D - timedelta(days=29), NEXT, today=LATER)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert len(statements) == one
    assert month["result"]["revenue"] == "95400"
