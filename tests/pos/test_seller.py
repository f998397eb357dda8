"""The seller's POS page (/pos/): search, scan, the cart as a DRAFT sale, customer, approval, submit."""
from decimal import Decimal
from urllib.parse import unquote

import pytest

from app.extensions import db
from app.sales.models import Approval, Sale
from tests.pos.fixtures import HX, login, text_of


def _sales(app, **filters):
    with app.app_context():
        query = db.select(Sale).filter_by(**filters).order_by(Sale.id)
        rows = db.session.execute(query).scalars().all()
        result = [{"id": s.id, "status": s.status, "number": s.number, "total": s.total, "discount": s.discount,
                   "customer": s.customer.phone if s.customer else None,
                   "items": [(i.product_id, i.quantity, i.unit_price, i.discount, [x.serial for x in i.serials])
                             for i in s.items]} for s in rows]
        db.session.remove()
        return result


def _scan(client, shop, code, sale="new"):
    return client.post(f"/pos/{shop.dla}/scan", data={"q": code, "sale": sale}, headers=HX)


def _draft_id(app, shop):
    return _sales(app, seller_id=shop.seller, status="DRAFT")[-1]["id"]


# --- access ---------------------------------------------------------------------------------

@pytest.mark.parametrize("role,path", [("STOCKER", "/pos/"), ("STOCKER", "/cashier/"), ("CASHIER", "/pos/"),
                                       ("SALES", "/cashier/")])
def test_pages_refuse_other_roles_with_a_french_403(client, role, path):
    login(client, role)
    response = client.get(path)
    assert response.status_code == 403
    assert "Vous n'avez pas le droit de faire cette action." in text_of(response)


def test_a_refused_htmx_call_gets_a_french_alert_fragment(client, shop):
    login(client, "STOCKER")
    response = client.get(f"/pos/{shop.dla}/search?q=switch", headers=HX)
    assert response.status_code == 403
    assert response.headers["HX-Retarget"] == "#alerts"
    assert 'data-testid="alert"' in response.get_data(as_text=True)
    assert "<html" not in response.get_data(as_text=True)


def test_signed_out_visitors_go_to_the_login_page(client, shop):
    response = client.get("/pos/")
    assert response.status_code == 302 and "/login/" in response.headers["Location"]
    response = client.post(f"/pos/{shop.dla}/scan", data={"q": shop.switch_ean}, headers={
        **HX, "HX-Current-URL": f"http://localhost/pos/{shop.dla}/"})
    assert "/login/?next=" in response.headers["HX-Redirect"]
    assert _sales(client.application) == []


def test_a_seller_with_one_store_goes_straight_to_it_a_manager_chooses(client, shop):
    login(client, "SALES")
    response = client.get("/pos/")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/pos/{shop.dla}/")
    client.post("/logout/")
    login(client, "MANAGER")
    page = text_of(client.get("/pos/"))
    assert "Choisissez le magasin" in page and "DLA1" in page and "YDE1" in page


def test_another_stores_page_is_a_404(client, shop):
    login(client, "SALES")  # DLA1 only
    assert client.get(f"/pos/{shop.yde}/").status_code == 404
    assert client.get(f"/pos/{shop.yde}/search?q=switch", headers=HX).status_code == 404
    assert _scan(client, shop, shop.switch_ean).status_code == 200
    other = client.post(f"/pos/{shop.yde}/scan", data={"q": shop.switch_ean, "sale": "new"}, headers=HX)
    assert other.status_code == 404 and "Magasin introuvable." in text_of(other)


# --- search and scan --------------------------------------------------------------------------

def test_search_as_you_type_shows_products_with_this_stores_stock(client, shop):
    login(client, "SALES")
    response = client.get(f"/pos/{shop.dla}/search?q=switch tl-sg", headers=HX)
    assert response.status_code == 200
    page = text_of(response)
    assert "Switch 8 ports Gigabit TL-SG108" in page and "20 en stock" in page
    assert unquote(response.headers["X-Pos-Query"]) == "switch tl-sg"  # stale answers are dropped by the page
    assert "Aucun produit" in text_of(client.get(f"/pos/{shop.dla}/search?q=zzzzzz", headers=HX))


def test_as_you_type_search_starts_at_the_third_character(client, shop):
    login(client, "SALES")
    short = client.get(f"/pos/{shop.dla}/search?q=sw", headers=HX)
    assert "Tapez au moins 3 caractères." in text_of(short) and 'data-testid="result"' not in short.get_data(as_text=True)
    assert client.get(f"/pos/{shop.dla}/search?q=", headers=HX).get_data(as_text=True) == ""
    assert "TL-SG108" in text_of(client.get(f"/pos/{shop.dla}/search?q=swi", headers=HX))


def test_scanning_a_barcode_adds_the_product_at_once_and_a_second_scan_adds_a_unit(app, client, shop):
    login(client, "SALES")
    first = _scan(client, shop, shop.switch_ean)
    assert first.status_code == 200
    assert "pos:scanned" in first.headers["HX-Trigger-After-Settle"]
    draft = _draft_id(app, shop)
    assert f'value="{draft}"' in first.get_data(as_text=True)  # the cart carries its sale id

    _scan(client, shop, shop.switch_ean, sale=draft)
    response = _scan(client, shop, shop.router_ean, sale=draft)

    [sale] = _sales(app, seller_id=shop.seller)
    assert sale["status"] == "DRAFT" and sale["id"] == draft
    assert [(p, q) for p, q, *_ in sale["items"]] == [(shop.switch, 2), (shop.router, 1)]
    assert sale["total"] == Decimal("75000")
    assert "75 000" in text_of(response).replace("\u202f", " ").replace("\u00a0", " ")


def test_enter_on_a_word_with_several_results_shows_them_without_adding(app, client, shop):
    login(client, "SALES")
    response = _scan(client, shop, "switch")  # the demo catalog has switches too
    assert response.headers["HX-Retarget"] == "#results"
    assert "Plusieurs produits" in text_of(response)
    assert _sales(app) == []
    unknown = _scan(client, shop, "9999999999999")
    assert "Aucun produit ne correspond" in text_of(unknown)


def test_the_cart_survives_a_reload(app, client, shop):
    login(client, "SALES")
    _scan(client, shop, shop.cable_ean)
    page = client.get(f"/pos/{shop.dla}/")
    assert "Câble réseau Cat6 3 m" in text_of(page)
    assert f'value="{_draft_id(app, shop)}"' in page.get_data(as_text=True)


# --- the cart's lines ------------------------------------------------------------------------

def test_quantity_price_and_line_discount_are_changed_through_the_draft_service(app, client, shop):
    login(client, "SALES")
    _scan(client, shop, shop.router_ean)
    draft = _draft_id(app, shop)
    response = client.post(f"/pos/{shop.dla}/cart/{draft}/line/0", headers=HX, data={
        "product": shop.router, "quantity": "3", "unit_price": "44 000", "discount": "1000"})
    assert response.status_code == 200
    [sale] = _sales(app, id=draft)
    assert sale["items"] == [(shop.router, 3, Decimal("44000"), Decimal("1000"), [])]
    assert sale["total"] == Decimal("131000")


def test_a_bad_quantity_is_refused_with_the_services_french_message(app, client, shop):
    login(client, "SALES")
    _scan(client, shop, shop.router_ean)
    draft = _draft_id(app, shop)
    response = client.post(f"/pos/{shop.dla}/cart/{draft}/line/0", headers=HX,
                           data={"product": shop.router, "quantity": "0"})
    assert response.status_code == 422
    assert response.headers["HX-Retarget"] == "#alerts"
    assert "Ligne 1 — Quantité : Quantité entière positive attendue." in text_of(response)
    assert _sales(app, id=draft)[0]["items"][0][1] == 1  # unchanged


def test_a_line_discount_larger_than_the_line_is_refused(app, client, shop):
    login(client, "SALES")
    _scan(client, shop, shop.cable_ean)
    draft = _draft_id(app, shop)
    response = client.post(f"/pos/{shop.dla}/cart/{draft}/line/0", headers=HX,
                           data={"product": shop.cable, "discount": "3000"})
    assert response.status_code == 422
    assert "La remise dépasse le montant de la ligne." in text_of(response)


def test_a_price_under_the_floor_is_flagged_on_the_line(app, client, shop):
    login(client, "SALES")
    _scan(client, shop, shop.router_ean)
    draft = _draft_id(app, shop)
    response = client.post(f"/pos/{shop.dla}/cart/{draft}/line/0", headers=HX,
                           data={"product": shop.router, "unit_price": "38000"})
    assert "Prix sous le plancher" in text_of(response)


def test_a_line_of_a_changed_cart_is_refused_not_mixed_up(app, client, shop):
    login(client, "SALES")
    _scan(client, shop, shop.router_ean)
    draft = _draft_id(app, shop)
    response = client.post(f"/pos/{shop.dla}/cart/{draft}/line/0", headers=HX,
                           data={"product": shop.switch, "quantity": "5"})
    assert response.status_code == 409 and "Le panier a changé" in text_of(response)


def test_removing_a_line_and_emptying_the_cart(app, client, shop):
    login(client, "SALES")
    _scan(client, shop, shop.router_ean)
    draft = _draft_id(app, shop)
    _scan(client, shop, shop.cable_ean, sale=draft)
    client.post(f"/pos/{shop.dla}/cart/{draft}/line/0/remove", headers=HX, data={"product": shop.router})
    assert [p for p, *_ in _sales(app, id=draft)[0]["items"]] == [shop.cable]
    response = client.post(f"/pos/{shop.dla}/cart/{draft}/delete", headers=HX)
    assert "Panier vide" in text_of(response)
    assert _sales(app) == []


def test_serials_one_per_unit_in_stock_in_this_store(app, client, shop):
    login(client, "SALES")
    _scan(client, shop, shop.phone_ean)
    draft = _draft_id(app, shop)
    page = client.post(f"/pos/{shop.dla}/cart/{draft}/line/0", headers=HX,
                       data={"product": shop.phone, "quantity": "2"}).get_data(as_text=True)
    assert page.count('name="serials"') == 2 and '<option value="IMEI-350000001">' in page
    assert "IMEI-359999999" not in page  # YDE1's unit is not offered

    refused = client.post(f"/pos/{shop.dla}/cart/{draft}/line/0", headers=HX, data={
        "product": shop.phone, "quantity": "2", "serials": ["IMEI-350000001", "IMEI-359999999"]})
    assert refused.status_code == 422
    assert "IMEI-359999999 n'est pas en stock dans ce magasin" in text_of(refused)

    client.post(f"/pos/{shop.dla}/cart/{draft}/line/0", headers=HX, data={
        "product": shop.phone, "quantity": "2", "serials": ["IMEI-350000001", "IMEI-350000002"]})
    assert _sales(app, id=draft)[0]["items"][0][4] == ["IMEI-350000001", "IMEI-350000002"]

    # submit refuses a serial-tracked line without one serial per unit
    client.post(f"/pos/{shop.dla}/cart/{draft}/line/0", headers=HX, data={
        "product": shop.phone, "quantity": "3", "serials": ["IMEI-350000001", "IMEI-350000002"]})
    refused = client.post(f"/pos/{shop.dla}/cart/{draft}/submit", headers=HX)
    assert refused.status_code == 422 and "un numéro de série par unité est nécessaire" in text_of(refused)


def test_scanning_an_imei_adds_that_unit_with_its_serial(app, client, shop):
    login(client, "SALES")
    _scan(client, shop, shop.phone_ean)  # the box's barcode: one unit, serial still to scan
    draft = _draft_id(app, shop)
    _scan(client, shop, "IMEI-350000002", sale=draft)  # fills that unit
    assert _sales(app, id=draft)[0]["items"] == [(shop.phone, 1, Decimal("115000"), Decimal("0"), ["IMEI-350000002"])]
    _scan(client, shop, "IMEI-350000001", sale=draft)  # one more unit, with its serial
    [(_, quantity, _, _, serials)] = _sales(app, id=draft)[0]["items"]
    assert quantity == 2 and serials == ["IMEI-350000001", "IMEI-350000002"]
    again = _scan(client, shop, "IMEI-350000001", sale=draft)
    assert again.status_code == 409 and "déjà dans le panier" in text_of(again)
    elsewhere = _scan(client, shop, "IMEI-359999999", sale=draft)  # a unit of YDE1
    assert "Aucun produit ne correspond" in text_of(elsewhere)
    assert _sales(app, id=draft)[0]["items"][0][1] == 2


# --- customer --------------------------------------------------------------------------------

def test_customer_quick_create_validates_the_phone_and_sets_it_on_the_cart(app, client, shop):
    login(client, "SALES")
    _scan(client, shop, shop.switch_ean)
    draft = _draft_id(app, shop)
    dialog = client.get(f"/pos/{shop.dla}/customers?dialog=1&sale={draft}", headers=HX)
    assert "Nouveau client" in text_of(dialog) and "pos:dialog" in dialog.headers["HX-Trigger-After-Settle"]

    refused = client.post(f"/pos/{shop.dla}/customers", headers={**HX, "X-Pos-Alerts": "dialog-alerts"},
                          data={"name": "Awa Nkolo", "phone": "12345", "sale": draft})
    assert refused.status_code == 422 and refused.headers["HX-Retarget"] == "#dialog-alerts"
    assert "Téléphone : Numéro de téléphone invalide" in text_of(refused)

    created = client.post(f"/pos/{shop.dla}/customers", headers=HX,
                          data={"name": "Awa Nkolo", "phone": "6 77 12 34 56", "sale": draft})
    assert created.status_code == 200 and "Awa Nkolo" in text_of(created)
    assert _sales(app, id=draft)[0]["customer"] == "+237677123456"

    found = client.get(f"/pos/{shop.dla}/customers?q=677 12&sale={draft}", headers=HX)
    assert "Awa Nkolo" in text_of(found)


def test_choosing_no_customer(app, client, shop):
    login(client, "SALES")
    _scan(client, shop, shop.switch_ean)
    draft = _draft_id(app, shop)
    client.post(f"/pos/{shop.dla}/customers", headers=HX, data={"name": "Awa Nkolo", "phone": "677123456",
                                                                 "sale": draft})
    client.post(f"/pos/{shop.dla}/cart/customer", headers=HX, data={"customer": "", "sale": draft})
    assert _sales(app, id=draft)[0]["customer"] is None


# --- discount, approval, submit ---------------------------------------------------------------

def test_submit_gives_the_number_and_the_sale_waits_at_the_till(app, client, shop):
    login(client, "SALES")
    _scan(client, shop, shop.switch_ean)
    draft = _draft_id(app, shop)
    response = client.post(f"/pos/{shop.dla}/cart/{draft}/submit", headers=HX)
    assert response.status_code == 200
    [sale] = _sales(app, id=draft)
    assert sale["status"] == "PENDING_PAYMENT" and sale["number"].startswith("DLA1-FAC-")
    page = response.get_data(as_text=True)
    assert sale["number"] in page and 'hx-swap-oob="outerHTML"' in page  # the day's list is refreshed too
    assert 'value="new"' in page  # the next scan starts a new sale
    day = text_of(client.get(f"/pos/{shop.dla}/day", headers=HX))
    assert sale["number"] in day and "En attente de paiement" in day


def test_a_submitted_sale_can_no_longer_be_changed_from_the_pos(app, client, shop):
    login(client, "SALES")
    _scan(client, shop, shop.switch_ean)
    draft = _draft_id(app, shop)
    client.post(f"/pos/{shop.dla}/cart/{draft}/submit", headers=HX)
    response = client.post(f"/pos/{shop.dla}/cart/{draft}/line/0", headers=HX,
                           data={"product": shop.switch, "quantity": "9"})
    assert response.status_code == 409 and "n'est plus un brouillon" in text_of(response)


def test_not_enough_stock_is_a_clear_refusal(app, client, shop):
    login(client, "SALES")
    _scan(client, shop, shop.router_ean)
    draft = _draft_id(app, shop)
    client.post(f"/pos/{shop.dla}/cart/{draft}/line/0", headers=HX, data={"product": shop.router, "quantity": "11"})
    response = client.post(f"/pos/{shop.dla}/cart/{draft}/submit", headers=HX)
    assert response.status_code == 409
    assert "Stock insuffisant pour le produit Routeur Wi-Fi 6 Archer AX55 : 10 disponible(s), 11 demandé(s)." \
        in text_of(response)


def test_a_discount_over_the_threshold_asks_for_the_manager_on_the_spot(app, client, shop):
    login(client, "SALES")
    _scan(client, shop, shop.switch_ean)
    draft = _draft_id(app, shop)
    cart = client.post(f"/pos/{shop.dla}/cart/{draft}/discount", headers=HX, data={"discount": "3 000"})
    assert "au-delà du seuil du magasin" in text_of(cart)  # 20 % > 10 %

    asked = client.post(f"/pos/{shop.dla}/cart/{draft}/submit", headers=HX)
    assert asked.status_code == 200 and asked.headers["HX-Retarget"] == "#dialog-content"
    assert "Remise de 20 % (seuil du magasin : 10 %)" in text_of(asked)
    assert _sales(app, id=draft)[0]["status"] == "DRAFT"

    # the seller's own password is not a manager's
    refused = client.post(f"/pos/{shop.dla}/cart/{draft}/approve", headers={**HX, "X-Pos-Alerts": "dialog-alerts"},
                          data={"email": "vendeur1@boutique.cm", "password": "vendeur123!"})
    assert refused.status_code == 403 and refused.headers["HX-Retarget"] == "#dialog-alerts"
    assert "Identifiants refusés" in text_of(refused)

    granted = client.post(f"/pos/{shop.dla}/cart/{draft}/approve", headers=HX,
                          data={"email": "manager@boutique.cm", "password": "manager123!"})
    assert granted.status_code == 200
    [sale] = _sales(app, id=draft)
    assert sale["status"] == "PENDING_PAYMENT" and sale["number"] in granted.get_data(as_text=True)
    with app.app_context():
        approval = db.session.execute(db.select(Approval).filter_by(sale_id=draft, status="APPROVED")).scalar_one()
        assert approval.decided_by_id == shop.manager and approval.requested_by_id == shop.seller
        db.session.remove()


def test_wrong_manager_passwords_are_rate_limited(app, client, shop):
    login(client, "SALES")
    _scan(client, shop, shop.switch_ean)
    draft = _draft_id(app, shop)
    attempts, _ = app.config["TOKEN_FAILED_ATTEMPTS_PER_EMAIL"]
    for _ in range(attempts):
        response = client.post(f"/pos/{shop.dla}/cart/{draft}/approve", headers=HX,
                               data={"email": "manager@boutique.cm", "password": "devine"})
        assert response.status_code == 403
    response = client.post(f"/pos/{shop.dla}/cart/{draft}/approve", headers=HX,
                           data={"email": "manager@boutique.cm", "password": "manager123!"})
    assert response.status_code == 429 and "Trop de tentatives" in text_of(response)


def test_a_draft_can_be_resumed_from_the_days_list(app, client, shop):
    login(client, "SALES")
    _scan(client, shop, shop.switch_ean)
    first = _draft_id(app, shop)
    new = client.get(f"/pos/{shop.dla}/cart/new", headers=HX)
    assert 'value="new"' in new.get_data(as_text=True)
    _scan(client, shop, shop.cable_ean)  # a second draft
    assert len(_sales(app, status="DRAFT")) == 2
    day = client.get(f"/pos/{shop.dla}/day", headers=HX).get_data(as_text=True)
    assert f"/pos/{shop.dla}/cart/{first}" in day and "Brouillon n°" not in day
    resumed = client.get(f"/pos/{shop.dla}/cart/{first}", headers=HX)
    assert "Switch 8 ports" in text_of(resumed) and "Câble" not in text_of(resumed)


def test_another_sellers_draft_is_not_reachable(app, client, shop):
    from tests.factories import make_draft, store_by_code, user_by_email

    with app.app_context():
        manager = user_by_email("manager@boutique.cm")
        from app.catalog.models import Product

        other = make_draft(store_by_code("DLA1"), manager, [(db.session.get(Product, shop.switch), 1)]).id
        db.session.remove()
    login(client, "SALES")
    response = client.post(f"/pos/{shop.dla}/cart/{other}/line/0", headers=HX,
                           data={"product": shop.switch, "quantity": "3"})
    assert response.status_code == 409
    assert _sales(app, id=other)[0]["items"][0][1] == 1


@pytest.mark.parametrize("role,pos,till", [("SALES", True, False), ("CASHIER", False, True), ("MANAGER", True, True),
                                           ("STOCKER", False, False)])
def test_the_home_page_leads_each_role_to_its_page(client, role, pos, till):
    login(client, role)
    page = client.get("/").get_data(as_text=True)
    assert ('href="/pos/"' in page) is pos
    assert ('href="/cashier/"' in page) is till


def test_a_managers_password_has_one_budget_across_the_api_the_pos_and_the_token(app, client, shop, api_as):
    """Failed manager passwords are counted once per email, wherever they are typed."""
    as_seller = api_as("SALES")
    api_draft = as_seller.post("/api/v1/sales/", json={"store": shop.dla, "discount": 6000, "items": [
        {"product": shop.switch, "quantity": 2}]}).get_json()["id"]
    login(client, "SALES")
    _scan(client, shop, shop.switch_ean)
    pos_draft = _draft_id(app, shop)
    wrong = {"email": "manager@boutique.cm", "password": "devine"}
    attempts, _ = app.config["TOKEN_FAILED_ATTEMPTS_PER_EMAIL"]
    codes = []
    for attempt in range(attempts):
        if attempt % 3 == 0:
            codes.append(as_seller.post(f"/api/v1/sales/{api_draft}/approve/", json=wrong).status_code)
        elif attempt % 3 == 1:
            codes.append(client.post(f"/pos/{shop.dla}/cart/{pos_draft}/approve", headers=HX, data=wrong).status_code)
        else:
            codes.append(client.post("/api/v1/auth/token/", json=wrong).status_code)
    assert sorted(set(codes)) == [401, 403]
    right = {"email": "manager@boutique.cm", "password": "manager123!"}
    assert client.post(f"/pos/{shop.dla}/cart/{pos_draft}/approve", headers=HX, data=right).status_code == 429
    assert as_seller.post(f"/api/v1/sales/{api_draft}/approve/", json=right).status_code == 429
    assert client.post("/api/v1/auth/token/", json=right).status_code == 429
