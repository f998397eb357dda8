"""The cashier's page (/cashier/): shift, queue, payments (idempotent), blind close, documents."""
import re
from decimal import Decimal

import pytest

from app.cashier.models import CashShift, Payment
from app.extensions import db
from app.sales.models import Sale
from tests.pos.fixtures import HX, login, text_of


def _pending(app, shop, lines, store="DLA1", discount=None):
    """A sale submitted by the demo seller (ids: [(product id, quantity)])."""
    from app.catalog.models import Product
    from tests.factories import make_pending_sale, store_by_code, user_by_email

    with app.app_context():
        seller = user_by_email("vendeur1@boutique.cm" if store == "DLA1" else "manager@boutique.cm")
        sale = make_pending_sale(store_by_code(store), seller,
                                 [(db.session.get(Product, pid), qty) for pid, qty in lines], discount=discount)
        result = (sale.id, sale.number, sale.total)
        db.session.remove()
        return result


def _open(client, shop, amount="50000"):
    return client.post(f"/cashier/{shop.dla}/shift/open", headers=HX, data={"opening_float": amount})


def _pay(client, shop, sale_id, key=None, **data):
    data.setdefault("idempotency_key", key or f"test-{sale_id}-{data.get('method')}-{data.get('amount')}")
    return client.post(f"/cashier/{shop.dla}/sale/{sale_id}/pay", headers=HX, data=data)


def _sale(app, sale_id):
    with app.app_context():
        sale = db.session.get(Sale, sale_id)
        result = {"status": sale.status, "paid": sale.amount_paid, "reserved": sale.stock_reserved,
                  "payments": [(p.method, p.amount, p.tendered, p.change_given, p.operator, p.reference)
                               for p in sale.payments]}
        db.session.remove()
        return result


def _plain(text):
    return text.replace("\u202f", " ").replace("\u00a0", " ")


@pytest.fixture
def till(client, shop):
    login(client, "CASHIER")
    assert _open(client, shop).status_code == 200
    return client


def test_without_an_open_shift_the_page_asks_for_the_opening_float(client, shop):
    login(client, "CASHIER")
    response = client.get("/cashier/")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/cashier/{shop.dla}/")
    page = client.get(f"/cashier/{shop.dla}/")
    assert "Ouvrir la caisse" in text_of(page) and 'data-testid="queue"' not in page.get_data(as_text=True)
    assert "Fonds de caisse (FCFA)" in text_of(page)  # the currency as people say it, not ISO's XAF
    refused = _open(client, shop, "beaucoup")
    assert refused.status_code == 422 and "Fonds de caisse : Montant invalide : « beaucoup »." in text_of(refused)
    opened = _open(client, shop, "50 000")
    assert opened.status_code == 200 and 'data-testid="queue"' in opened.get_data(as_text=True)
    assert 'data-testid="queue"' in client.get(f"/cashier/{shop.dla}/").get_data(as_text=True)
    again = _open(client, shop)
    assert again.status_code == 409 and "déjà une caisse ouverte" in text_of(again)


def test_the_queue_shows_this_stores_waiting_sales_and_answers_204_when_unchanged(app, till, shop):
    dla_sale = _pending(app, shop, [(shop.switch, 1)])
    yde_sale = _pending(app, shop, [(shop.switch, 1)], store="YDE1")
    response = till.get(f"/cashier/{shop.dla}/queue", headers=HX)
    page = text_of(response)
    assert dla_sale[1] in page and yde_sale[1] not in page
    version = re.search(r'"v": "([0-9a-f]+)"', response.get_data(as_text=True)).group(1)
    assert till.get(f"/cashier/{shop.dla}/queue?v={version}", headers=HX).status_code == 204
    newcomer = _pending(app, shop, [(shop.cable, 2)])
    changed = till.get(f"/cashier/{shop.dla}/queue?v={version}", headers=HX)
    assert changed.status_code == 200 and newcomer[1] in text_of(changed)


def test_a_sale_waiting_longer_than_the_store_allows_stands_out_in_the_queue(app, till, shop):
    from datetime import timedelta

    from app.core.models import utcnow

    old_id, old_number, _ = _pending(app, shop, [(shop.switch, 1)])
    fresh_id, fresh_number, _ = _pending(app, shop, [(shop.cable, 1)])
    response = till.get(f"/cashier/{shop.dla}/queue", headers=HX)
    assert 'data-testid="queue-late"' not in response.get_data(as_text=True)
    version = re.search(r'"v": "([0-9a-f]+)"', response.get_data(as_text=True)).group(1)
    with app.app_context():  # DLA1 allows 120 minutes; this one was submitted 3 hours ago
        db.session.get(Sale, old_id).submitted_at = utcnow() - timedelta(hours=3, seconds=30)
        db.session.commit()
    late = till.get(f"/cashier/{shop.dla}/queue?v={version}", headers=HX)  # nothing was paid: still redrawn
    assert late.status_code == 200
    html = late.get_data(as_text=True)
    flagged = re.findall(r'data-sale="(\d+)"', html.split('data-testid="queue-late"')[0])
    assert flagged[-1] == str(old_id) and html.count('data-testid="queue-late"') == 1
    assert "En attente depuis 3 h 00 : au-delà du délai du magasin" in text_of(late)


def test_another_stores_sale_is_a_404(app, till, shop):
    sale_id, _, _ = _pending(app, shop, [(shop.switch, 1)], store="YDE1")
    assert till.get(f"/cashier/{shop.dla}/sale/{sale_id}", headers=HX).status_code == 404
    response = _pay(till, shop, sale_id, method="CASH", amount="15000")
    assert response.status_code == 404
    assert till.get(f"/cashier/sale/{sale_id}/ticket.pdf").status_code == 404
    assert _sale(app, sale_id)["payments"] == []


def test_mobile_money_then_cash_with_change(app, till, shop):
    sale_id, number, total = _pending(app, shop, [(shop.router, 1), (shop.switch, 1)])  # 60 000
    detail = till.get(f"/cashier/{shop.dla}/sale/{sale_id}", headers=HX)
    assert number in text_of(detail) and "60 000" in _plain(text_of(detail))

    first = _pay(till, shop, sale_id, method="MOBILE_MONEY", amount="20000", operator="MTN",
                 reference="MP2611.1234.A")
    assert first.status_code == 200
    assert "Reste à payer : 40 000" in _plain(text_of(first))
    assert 'hx-swap-oob="outerHTML"' in first.get_data(as_text=True)  # the queue is redrawn too
    assert _sale(app, sale_id)["status"] == "PARTIALLY_PAID"

    second = _pay(till, shop, sale_id, method="CASH", amount="40000", tendered="50 000")
    page = _plain(text_of(second))
    assert second.status_code == 200 and "Vente payée." in page
    assert re.search(r'data-testid="change">10\s000', _plain(second.get_data(as_text=True)))
    sale = _sale(app, sale_id)
    assert sale["status"] == "PAID" and sale["paid"] == total
    assert sale["payments"] == [
        ("MOBILE_MONEY", Decimal("20000"), None, Decimal("0"), "MTN", "MP2611.1234.A"),
        ("CASH", Decimal("40000"), Decimal("50000"), Decimal("10000"), None, None)]


def test_a_double_click_never_pays_twice(app, till, shop):
    sale_id, _, _ = _pending(app, shop, [(shop.switch, 2)])
    first = _pay(till, shop, sale_id, key="form-render-1", method="CARD", amount="10000", reference="CB-1")
    second = _pay(till, shop, sale_id, key="form-render-1", method="CARD", amount="10000", reference="CB-1")
    assert first.status_code == second.status_code == 200
    assert "rien n'a été encaissé deux fois" in text_of(second)
    assert len(_sale(app, sale_id)["payments"]) == 1
    # each render of the form carries a new key
    keys = {re.search(r'name="idempotency_key" value="(\w+)"', till.get(
        f"/cashier/{shop.dla}/sale/{sale_id}", headers=HX).get_data(as_text=True)).group(1) for _ in range(2)}
    assert len(keys) == 2


def test_non_cash_above_the_balance_is_refused_in_french(app, till, shop):
    sale_id, _, _ = _pending(app, shop, [(shop.cable, 1)])  # 2 500
    response = _pay(till, shop, sale_id, method="CARD", amount="3000")
    assert response.status_code == 409 and response.headers["HX-Retarget"] == "#alerts"
    assert "Le montant dépasse le reste à payer" in text_of(response)
    missing = _pay(till, shop, sale_id, method="MOBILE_MONEY", amount="2500", operator="ORANGE")
    assert missing.status_code == 422
    assert "Référence : La référence de la transaction mobile money est obligatoire." in text_of(missing)
    assert _sale(app, sale_id)["payments"] == []


def test_a_partial_payment_may_reserve_the_goods(app, till, shop):
    sale_id, _, _ = _pending(app, shop, [(shop.router, 2)])
    _pay(till, shop, sale_id, method="CASH", amount="10000", reserve="1")
    assert _sale(app, sale_id)["reserved"] is True
    with app.app_context():
        from app.stock.services import stock_of

        assert stock_of(shop.dla, shop.router).reserved == 2
        db.session.remove()


def test_a_payment_needs_an_open_shift(app, client, shop):
    sale_id, _, _ = _pending(app, shop, [(shop.switch, 1)])
    login(client, "MANAGER")  # may use the till page, but has no open shift
    response = _pay(client, shop, sale_id, method="CASH", amount="15000")
    assert response.status_code == 409 and "Ouvrez votre caisse" in text_of(response)


def test_the_close_is_blind_then_shows_expected_and_variance(app, till, shop):
    sale_id, _, _ = _pending(app, shop, [(shop.router, 1)])  # 45 000
    _pay(till, shop, sale_id, method="CASH", amount="45000", tendered="50000")
    form = till.get(f"/cashier/{shop.dla}/shift/close", headers=HX)
    html = _plain(form.get_data(as_text=True))
    assert form.status_code == 200 and 'name="counted_cash"' in html
    assert "95 000" not in html and "attendu" not in text_of(form).lower().replace("attendus et", "")

    with app.app_context():
        shift_id = db.session.execute(db.select(CashShift.id).filter_by(status="OPEN")).scalar_one()
        db.session.remove()
    closed = till.post(f"/cashier/{shop.dla}/shift/{shift_id}/close", headers=HX,
                       data={"counted_cash": "94 000", "counted_mobile_money": "0"})
    page = _plain(text_of(closed))
    assert closed.status_code == 200 and "Caisse clôturée" in page
    assert "attendu 95 000" in page and "compté 94 000" in page and "-1 000" in page
    zreport = till.get(f"/cashier/shift/{shift_id}/z-report.pdf")
    assert zreport.status_code == 200 and zreport.mimetype == "application/pdf"
    again = till.post(f"/cashier/{shop.dla}/shift/{shift_id}/close", headers=HX, data={"counted_cash": "1"})
    assert again.status_code == 409 and "déjà fermée" in text_of(again)
    # the waiting sales stay in the store's queue; a new shift can open
    assert "Ouvrir la caisse" in text_of(till.get(f"/cashier/{shop.dla}/"))


def test_a_cashier_sees_only_their_own_z_reports(app, client, shop):
    from tests.factories import open_shift_for, store_by_code, user_by_email

    with app.app_context():
        manager = user_by_email("manager@boutique.cm")
        shift = open_shift_for(manager, store_by_code("DLA1"))
        from app.cashier import services

        services.close_shift(manager, shift.id, "50000")
        shift_id = shift.id
        db.session.remove()
    login(client, "CASHIER")
    assert client.get(f"/cashier/shift/{shift_id}/z-report.pdf").status_code == 404
    client.post("/logout/")
    login(client, "MANAGER")
    assert client.get(f"/cashier/shift/{shift_id}/z-report.pdf").status_code == 200


def test_an_open_shift_has_no_z_report_yet(app, till, shop):
    with app.app_context():
        shift_id = db.session.execute(db.select(CashShift.id).filter_by(status="OPEN")).scalar_one()
        db.session.remove()
    response = till.get(f"/cashier/shift/{shift_id}/z-report.pdf")
    assert response.status_code == 409 and "après la clôture" in text_of(response)


def test_ticket_and_invoice_open_as_pdfs_with_the_session(app, till, shop):
    sale_id, number, _ = _pending(app, shop, [(shop.switch, 1)])
    for path in ("ticket.pdf", "invoice.pdf"):
        response = till.get(f"/cashier/sale/{sale_id}/{path}")
        assert response.status_code == 200 and response.mimetype == "application/pdf"
        assert response.data.startswith(b"%PDF") and number in response.headers["Content-Disposition"]


def test_the_payment_form_is_keyboard_ready(app, till, shop):
    sale_id, _, _ = _pending(app, shop, [(shop.switch, 1)])
    html = till.get(f"/cashier/{shop.dla}/sale/{sale_id}", headers=HX).get_data(as_text=True)
    for key in ('data-key="F9"', 'data-key="F4"', 'data-key="Alt+1"', 'data-key="Alt+2"'):
        assert key in html
    page = till.get(f"/cashier/{shop.dla}/").get_data(as_text=True)
    assert "<kbd>F9</kbd> Encaisser" in page and 'data-key="F2"' in page


def test_payments_are_taken_in_the_shift_of_the_cashier(app, till, shop):
    sale_id, _, _ = _pending(app, shop, [(shop.cable, 1)])
    _pay(till, shop, sale_id, method="CASH", amount="2500")
    with app.app_context():
        payment = db.session.execute(db.select(Payment).filter_by(sale_id=sale_id)).scalar_one()
        assert payment.shift.cashier_id == shop.cashier and payment.cashier_id == shop.cashier
        db.session.remove()


def test_the_till_in_english_writes_colons_the_english_way(app, till, shop):
    """French puts a space before a colon ("Vendeur : ..."), English does not ("Seller: ...")."""
    sale_id, _, _ = _pending(app, shop, [(shop.switch, 1)])
    french = _plain(text_of(till.get(f"/cashier/{shop.dla}/sale/{sale_id}", headers=HX)))
    assert "Vendeur : " in french
    till.get("/lang/en")
    english = _plain(text_of(till.get(f"/cashier/{shop.dla}/sale/{sale_id}", headers=HX)))
    assert "Seller: " in english and " :" not in english
