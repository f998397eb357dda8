"""The back-office screens render in French, scoped, and their forms call the services."""
import re

import pytest

from tests.conftest import sign_in as login
from tests.documents.pdf_tools import pdf_text


@pytest.fixture
def paid_sale(shop, as_seller, as_cashier):
    sale = as_seller.post("/api/v1/sales/", json={"store": shop.dla, "items": [
        {"product": shop.switch, "quantity": 2}, {"product": shop.cable, "quantity": 1}]}).get_json()["result"]
    as_seller.post(f"/api/v1/sales/{sale['id']}/submit/")
    shift = as_cashier.post("/api/v1/cash-shifts/open/", json={"store": shop.dla, "opening_float": 10000}).get_json()
    as_cashier.post("/api/v1/payments/", json={"sale": sale["id"], "method": "MOBILE_MONEY", "amount": 20000,
                                               "operator": "MTN", "reference": "MP-1"})
    as_cashier.post("/api/v1/payments/", json={"sale": sale["id"], "method": "CASH", "amount": 15000})
    return {"sale": sale["id"], "items": [i["id"] for i in sale["items"]], "shift": shift["id"]}


def test_the_sale_screen_shows_items_payments_and_trail(client, paid_sale):
    login(client, "MANAGER")
    page = client.get(f"/salemodelview/show/{paid_sale['sale']}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for text in ("Facture DLA1-FAC-", "Payée", "Switch 8 ports Gigabit", "Mobile money", "Espèces", "Transmise à la caisse",
                 "Rembourser des articles", "TVA 19,25\u00a0%"):
        assert text in html, text
    assert "Annuler la vente" not in html  # paid: refund, not cancel
    listing = client.get("/salemodelview/list/").get_data(as_text=True)
    assert "DLA1-FAC-" in listing
    assert "Client comptant" in listing and ">None<" not in listing  # a walk-in customer, in words


def test_a_refund_from_the_screen(client, paid_sale, app):
    login(client, "MANAGER")
    answer = client.post(f"/salemodelview/refund/{paid_sale['sale']}", data={
        f"quantity-{paid_sale['items'][1]}": "1", "method": "CASH", "reason": "Câble abîmé",
        f"defective-{paid_sale['items'][1]}": "on", "password": "manager123!"}, follow_redirects=True)
    html = answer.get_data(as_text=True)
    assert "Remboursement enregistré" in html


def test_the_cashier_sees_the_screen_without_manager_actions(client, paid_sale):
    login(client, "CASHIER")
    html = client.get(f"/salemodelview/show/{paid_sale['sale']}").get_data(as_text=True)
    assert "Switch 8 ports" in html and "Rembourser des articles" not in html
    assert client.post(f"/salemodelview/refund/{paid_sale['sale']}", data={}).status_code == 403


def test_shift_screens_and_the_variance_view(client, paid_sale, as_cashier):
    as_cashier.post(f"/api/v1/cash-shifts/{paid_sale['shift']}/close/", json={"counted_cash": 24000})
    login(client, "MANAGER")
    shift = client.get(f"/cashshiftmodelview/show/{paid_sale['shift']}").get_data(as_text=True)
    # 10000 float + 15000 handed - 2500 change = 22500 expected, 24000 counted: 1500 over
    assert "Espèces attendues" in shift and re.search(r'shift-variance">1\s500\sFCFA<', shift)
    variances = client.get("/ecarts-de-caisse/")
    assert variances.status_code == 200 and "Carine" in variances.get_data(as_text=True)
    assert client.get("/cashshiftmodelview/list/").status_code == 200
    assert client.get("/paymentmodelview/list/").status_code == 200


def test_the_open_shift_shows_the_cash_expected_so_far_to_a_manager_only(app, paid_sale, shop):
    # 10000 float + 15000 handed - 2500 change: 22500 in the drawer so far
    manager = login(app.test_client(), "MANAGER")
    page = manager.get(f"/cashshiftmodelview/show/{paid_sale['shift']}").get_data(as_text=True)
    assert re.search(r'shift-expected-so-far">22\s500\sFCFA<', page)
    cashier = login(app.test_client(), "CASHIER")
    own = cashier.get(f"/cashshiftmodelview/show/{paid_sale['shift']}")
    assert own.status_code == 200  # the cashier's own shift: they may open its page, blind
    assert "shift-expected-so-far" not in own.get_data(as_text=True)
    assert not re.search(r"22\s500", own.get_data(as_text=True))
    assert not re.search(r"22\s500", cashier.get(f"/cashier/{shop.dla}/").get_data(as_text=True))  # nor the till


def _href(html, testid):
    return re.search(rf'href="([^"]+)"[^>]*data-testid="{testid}"', html).group(1)


def test_documents_from_the_shift_and_sale_pages(app, client, paid_sale, as_cashier):
    login(client, "MANAGER")
    assert "zreport-link" not in client.get(f"/cashshiftmodelview/show/{paid_sale['shift']}").get_data(as_text=True)
    as_cashier.post(f"/api/v1/cash-shifts/{paid_sale['shift']}/close/", json={"counted_cash": 24000})
    shift_page = client.get(f"/cashshiftmodelview/show/{paid_sale['shift']}").get_data(as_text=True)
    zreport = client.get(_href(shift_page, "zreport-link"))
    assert zreport.mimetype == "application/pdf" and "Rapport Z" in pdf_text(zreport.data)[0]
    sale_page = client.get(f"/salemodelview/show/{paid_sale['sale']}").get_data(as_text=True)
    number = re.search(r"DLA1-FAC-[\w-]+", sale_page).group(0)
    for testid, title in (("invoice-link", "FACTURE"), ("ticket-link", number)):
        answer = client.get(_href(sale_page, testid))
        assert answer.mimetype == "application/pdf" and title in "".join(pdf_text(answer.data)), testid
        assert number in "".join(pdf_text(answer.data))
    # a seller prints the invoice through the seller's page (no till permission, no ticket link)
    seller_page = login(app.test_client(), "SALES").get(f"/salemodelview/show/{paid_sale['sale']}").get_data(as_text=True)
    assert _href(seller_page, "invoice-link") == f"/pos/sale/{paid_sale['sale']}/invoice.pdf"
    assert "ticket-link" not in seller_page


def test_the_variance_view_before_any_closed_shift(client):
    login(client, "MANAGER")
    html = client.get("/ecarts-de-caisse/").get_data(as_text=True)
    assert "Aucune caisse fermée." in html
    assert "Dernières caisses fermées" not in html  # no empty second table under the message


def test_the_approvals_queue_screen(client, shop, as_seller):
    sale = as_seller.post("/api/v1/sales/", json={"store": shop.dla, "items": [
        {"product": shop.switch, "quantity": 1, "discount": 5000}]}).get_json()["id"]
    as_seller.post(f"/api/v1/sales/{sale}/submit/")
    login(client, "MANAGER")
    html = client.get("/approvalmodelview/list/").get_data(as_text=True)
    assert "Remise au-delà du seuil" in html and "Approuver" in html
    assert "Remise de 33,33 % (seuil 10 %)" in html  # French numbers, not "33.33" and "10.00"
    approval = as_seller.get(f"/api/v1/sales/{sale}").get_json()["result"]["approvals"][0]["id"]
    done = client.post(f"/approvalmodelview/decide/{approval}", data={"decision": "approve"}, follow_redirects=True)
    assert "Demande approuvée" in done.get_data(as_text=True)
    assert as_seller.post(f"/api/v1/sales/{sale}/submit/").status_code == 200


def test_customers_screen_and_warranty_lookup(client, shop):
    login(client, "SALES")
    assert client.get("/customermodelview/list/").status_code == 200
    added = client.post("/customermodelview/add", data={"name": "Mme Ngo", "phone": "12", "store": shop.dla},
                        follow_redirects=True)
    assert "Numéro de téléphone invalide" in added.get_data(as_text=True)
    assert client.get("/garantie/?serial=XYZ").status_code == 200


@pytest.mark.parametrize("role,url,status", [
    ("STOCKER", "/salemodelview/list/", 403),
    ("SALES", "/cashshiftmodelview/list/", 403),
    ("CASHIER", "/ecarts-de-caisse/", 403),
    ("CASHIER", "/approvalmodelview/list/", 403),
])
def test_screens_are_refused_to_other_roles(client, role, url, status):
    login(client, role)
    assert client.get(url).status_code == status


def test_with_two_open_tills_the_manager_picks_the_one_that_pays_out(app, client, paid_sale):
    from sqlalchemy import select

    from app.extensions import db
    from app.sales.models import Refund
    from tests.factories import make_user, open_shift_for, store_by_code

    with app.app_context():
        other = make_user("caissier2@boutique.cm", "caissier123!", "CASHIER", [store_by_code("DLA1")])
        second = open_shift_for(other, store_by_code("DLA1"), "30000").id
    login(client, "MANAGER")
    page = client.get(f"/salemodelview/show/{paid_sale['sale']}").get_data(as_text=True)
    assert "Caisse d&#39;où sortent les espèces" in page or "Caisse d'où sortent les espèces" in page
    client.post(f"/salemodelview/refund/{paid_sale['sale']}", data={
        f"quantity-{paid_sale['items'][1]}": "1", "method": "CASH", "shift": str(second), "password": "manager123!"})
    with app.app_context():
        assert db.session.execute(select(Refund.shift_id)).scalar_one() == second


def test_a_refusal_from_the_screens_asks_a_reason_and_the_password(client, shop, as_seller):
    from tests.conftest import DEMO

    sale = as_seller.post("/api/v1/sales/", json={"store": shop.dla, "items": [
        {"product": shop.switch, "quantity": 1, "discount": 5000}]}).get_json()["id"]
    as_seller.post(f"/api/v1/sales/{sale}/submit/")
    approval = as_seller.get(f"/api/v1/sales/{sale}").get_json()["result"]["approvals"][0]["id"]
    login(client, "MANAGER")
    page = re.sub(r"\s", " ", client.get(f"/salemodelview/show/{sale}").get_data(as_text=True))
    assert "Brouillon de Valérie Ndongo" in page and "Motif du refus" in page and "5 000 FCFA (33,33 %)" in page
    refuse = {"decision": "reject", "note": "Remise trop forte"}
    wrong = client.post(f"/approvalmodelview/decide/{approval}", data={**refuse, "password": "non"},
                        follow_redirects=True).get_data(as_text=True)
    assert "Mot de passe incorrect" in wrong
    bare = client.post(f"/approvalmodelview/decide/{approval}", data={"decision": "reject", "password": DEMO["MANAGER"][1]},
                       follow_redirects=True).get_data(as_text=True)
    assert "Donnez le motif du refus." in bare
    done = client.post(f"/approvalmodelview/decide/{approval}", data={**refuse, "password": DEMO["MANAGER"][1]},
                       follow_redirects=True).get_data(as_text=True)
    assert "Demande refusée" in done
    page = client.get(f"/salemodelview/show/{sale}").get_data(as_text=True)
    assert "Motif : « Remise trop forte »" in page and "Approbation refusée" in page
