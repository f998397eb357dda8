"""The filter bar of the back-office lists (app/core/list_filters.py): local-day periods, choices in
words, "contains" for numbers and names, drafts apart, the count and total of the filtered rows."""
import datetime as dt
import re
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from tests.conftest import sign_in
from tests.sales.fixtures import make_shop, user

DOUALA = ZoneInfo("Africa/Douala")
TODAY = dt.date(2026, 12, 4)  # "now" is 23:30 in Douala (22:30 UTC) on this day


def _at(day, hour, minute):
    return dt.datetime.combine(day, dt.time(hour, minute), DOUALA).astimezone(dt.timezone.utc)


@pytest.fixture
def sales(app, monkeypatch):
    """In DLA1: a paid sale (35 000), a pending one (2 500), a draft; one more paid in YDE1 (15 000);
    their moments and numbers set around the local midnight of TODAY."""
    from app.cashier import services as till
    from app.core import list_filters
    from app.extensions import db
    from app.sales.models import Sale
    from tests.factories import make_customer, make_draft, make_pending_sale, make_store, store_by_code

    monkeypatch.setattr(list_filters, "local_today", lambda zone: TODAY)
    shop = make_shop(app)
    with app.app_context():
        from app.catalog.models import Product

        dla, yde = store_by_code("DLA1"), store_by_code("YDE1")
        switch, cable = db.session.get(Product, shop.switch), db.session.get(Product, shop.cable)
        seller, cashier = user(shop.seller), user(shop.cashier)
        customer = make_customer(dla, name="Établissements Fotso")
        paid = make_pending_sale(dla, seller, [(switch, 2), (cable, 2)], customer=customer)
        till.open_shift(cashier, dla.id, "10000")
        till.take_payment(cashier, paid.id, "MOBILE_MONEY", "35000", operator="MTN", reference="MP-77")
        pending = make_pending_sale(dla, seller, [(cable, 1)])
        draft = make_draft(dla, seller, [(switch, 1)])
        other = make_pending_sale(dla, seller, [(switch, 1)])
        elsewhere = make_store("KRI1")
        moments = {
            paid.id: (_at(TODAY, 0, 30), "DLA1-FAC-2026-000007"),       # today, though 23:30 UTC yesterday
            pending.id: (_at(TODAY, 23, 30), "DLA1-FAC-2026-000070"),   # today, late evening
            draft.id: (_at(TODAY, 10, 0), None),
            other.id: (_at(TODAY - dt.timedelta(days=1), 23, 30), "YDE1-FAC-2026-000001"),  # yesterday
        }
        for sale_id, (moment, number) in moments.items():
            sale = db.session.get(Sale, sale_id)
            sale.created_at, sale.number = moment, number
        db.session.get(Sale, other.id).store_id = yde.id
        # a sale of a store the manager does not work in: never in their counts or totals
        outside = make_pending_sale(dla, seller, [(switch, 3)])
        outside.store_id, outside.created_at = elsewhere.id, _at(TODAY, 12, 0)
        db.session.commit()
        ids = {"paid": paid.id, "pending": pending.id, "draft": draft.id, "other": other.id,
               "outside": outside.id, "dla": dla.id, "yde": yde.id, "kri": elsewhere.id}
        db.session.remove()
        return ids


def _listed(html):
    """Ids of the sales shown by the list (their show links)."""
    return {int(pk) for pk in re.findall(r'/salemodelview/show/(\d+)', html)}


def _summary(html):
    found = re.search(r'data-testid="list-summary">([^<]*)<', html)
    return found.group(1).replace("\u202f", " ").replace("\u00a0", " ") if found else None


def _get(client, url):
    answer = client.get(url)
    assert answer.status_code == 200, answer.get_data(as_text=True)[:500]
    return answer.get_data(as_text=True)


def test_today_counts_the_store_s_local_day_not_the_utc_day(client, sales):
    sign_in(client, "MANAGER")
    today = _listed(_get(client, "/salemodelview/list/?period=today"))
    assert {sales["paid"], sales["pending"]} <= today  # 00:30 and 23:30 in Douala
    assert sales["other"] not in today  # 23:30 yesterday in Douala
    assert _listed(_get(client, "/salemodelview/list/?period=yesterday")) & set(sales.values()) == {sales["other"]}
    days = _listed(_get(client, f"/salemodelview/list/?from={TODAY - dt.timedelta(days=1)}&to={TODAY}"))
    assert {sales["paid"], sales["pending"], sales["other"]} <= days


def test_the_period_presets_are_local_days():
    from app.core.list_filters import local_day_bounds, preset_days

    thursday = dt.date(2026, 12, 3)
    assert preset_days("week", thursday) == (dt.date(2026, 11, 30), dt.date(2026, 12, 6))
    assert preset_days("month", thursday) == (dt.date(2026, 12, 1), dt.date(2026, 12, 31))
    assert preset_days("yesterday", thursday) == (dt.date(2026, 12, 2),) * 2
    start, end = local_day_bounds(thursday, thursday, DOUALA)
    assert (start.isoformat(), end.isoformat()) == ("2026-12-02T23:00:00+00:00", "2026-12-03T23:00:00+00:00")


def test_the_status_is_a_choice_in_words(client, sales):
    sign_in(client, "MANAGER")
    html = _get(client, "/salemodelview/list/")
    assert re.search(r'href="[^"]*status=PAID[^"]*"[^>]*>Payée</a>', html)
    paid = _listed(_get(client, "/salemodelview/list/?status=PAID"))
    assert sales["paid"] in paid and sales["pending"] not in paid
    assert "Statut : Payée" in _get(client, "/salemodelview/list/?status=PAID")  # the active filter, in words


def test_a_number_is_found_by_any_part_of_it(client, sales):
    sign_in(client, "MANAGER")
    found = _listed(_get(client, "/salemodelview/list/?q=000007"))
    assert sales["paid"] in found and sales["pending"] not in found  # not "000070"
    assert sales["paid"] in _listed(_get(client, "/salemodelview/list/?q=fotso"))  # the customer, any case
    assert sales["paid"] in _listed(_get(client, "/salemodelview/list/?q=FAC-2026-000007+fotso"))


def test_count_and_total_are_those_of_the_filtered_rows_of_the_user_s_stores(client, sales, app):
    from app.extensions import db
    from app.sales.models import Sale

    sign_in(client, "MANAGER")
    html = _get(client, f"/salemodelview/list/?period=today&store={sales['dla']}")
    shown = _listed(html)
    assert sales["outside"] not in shown and sales["draft"] not in shown
    with app.app_context():
        total = sum((db.session.get(Sale, pk).total for pk in shown), Decimal(0))
    assert total == Decimal("37500")
    assert _summary(html) == "2 ventes (hors brouillons) · total 37 500 FCFA"
    # no store chosen: the manager's stores only (DLA1, YDE1), never KRI1's sale
    assert _summary(_get(client, "/salemodelview/list/?period=month")) == "3 ventes (hors brouillons) · total 52 500 FCFA"
    client.post("/logout/")
    sign_in(client, "ADMIN")
    assert _summary(_get(client, "/salemodelview/list/?period=month")).startswith("4 ventes")


def test_drafts_are_apart_unless_asked_for(client, sales):
    sign_in(client, "MANAGER")
    assert sales["draft"] not in _listed(_get(client, "/salemodelview/list/"))
    drafts = _listed(_get(client, "/salemodelview/list/?status=DRAFT"))
    assert sales["draft"] in drafts and sales["paid"] not in drafts


@pytest.mark.parametrize("query, message", [
    ("period=forever", "Période : valeur non reconnue « forever »."),
    ("from=2026-13-01", "Date invalide (AAAA-MM-JJ) : « 2026-13-01 »."),
    ("from=2026-12-04&to=2026-12-01", "La fin de la période précède son début."),
    ("status=PAYEE", "Statut : valeur non reconnue « PAYEE »."),
    ("store=999999", "Magasin : valeur non reconnue « 999999 »."),
    ("q=" + "x" * 101, "Recherche trop longue"),
])
def test_bad_filter_values_answer_400_in_french(client, query, message):
    sign_in(client, "MANAGER")
    answer = client.get(f"/salemodelview/list/?{query}")
    assert answer.status_code == 400
    assert message.replace("« ", "«\u00a0").replace(" »", "\u00a0»") in answer.get_data(as_text=True) or \
        message.replace("'", "&#39;") in answer.get_data(as_text=True)


def test_a_store_of_someone_else_is_not_a_choice(client, sales):
    sign_in(client, "MANAGER")
    assert client.get(f"/salemodelview/list/?store={sales['kri']}").status_code == 400


def test_the_other_lists_filter_the_same_way(client, sales):
    sign_in(client, "MANAGER")
    payments = _get(client, "/paymentmodelview/list/?period=today&method=MOBILE_MONEY&q=mp-77")
    assert _summary(payments) == "1 paiement · total 35 000 FCFA"
    assert _summary(_get(client, "/paymentmodelview/list/?method=CASH")) == "Aucun résultat"
    assert re.search(r'>Espèces</a>', payments)  # the method, in words
    shifts = _get(client, "/cashshiftmodelview/list/?status=OPEN&q=carine")
    assert _summary(shifts).startswith("1 caisse")
    assert _summary(_get(client, "/refundmodelview/list/?kind=cancellation&method=CASH")) == "Aucun résultat"
    approvals = _get(client, "/approvalmodelview/list/?status=PENDING&kind=DISCOUNT")
    assert _summary(approvals) == "Aucun résultat" and "Motif : Remise au-delà du seuil" in approvals
    movements = _get(client, "/stock/movements/list/?type=PURCHASE&q=cbl-cat6")
    assert _summary(movements) == "1 mouvement" and "Type : Achat" in movements


def test_a_link_s_own_filters_show_as_chips_in_words(client, sales, app):
    from app.extensions import db
    from app.stock.models import InventoryMovement

    with app.app_context():
        product_id = db.session.execute(db.select(InventoryMovement.product_id).where(
            InventoryMovement.store_id == sales["dla"]).limit(1)).scalar_one()
    sign_in(client, "MANAGER")
    # the stock levels' "history" link
    html = _get(client, f"/stock/movements/list/?_flt_0_store={sales['dla']}&_flt_0_product={product_id}")
    chips = re.findall(r'data-testid="active-filter" href="([^"]*)"[^>]*>([^<]*)<', html)
    assert [text.strip() for _, text in chips][0] == "Magasin : DLA1 · Douala Akwa"
    assert "_flt_0_store" not in chips[0][0].replace("&amp;", "&") and "_flt_0_product" in chips[0][0]
