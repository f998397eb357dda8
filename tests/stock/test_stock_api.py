"""The stock REST API: stock rows and filters, adjustments, transfers and counts, store scoping."""
import pytest

from app.catalog.models import Product
from app.extensions import db
from app.stock import services
from app.stock.models import StockCount, Transfer
from tests.factories import (
    make_product,
    make_store,
    make_user,
    put_in_stock,
    put_serials_in_stock,
    store_by_code,
)
from tests.stock.ledger import assert_stock_equals_ledger, serial_states


@pytest.fixture
def catalog(app):
    """DLA1: 10 routers (reorder at 3), 2 cables (reorder at 5), 2 phones (serials); YDE1: 4 routers."""
    from app.catalog.models import Brand, Category

    with app.app_context():
        network = Category(name="Réseau (essai)")
        routers = Category(name="Routeurs (essai)", parent=network)
        tp_link = Brand(name="Marque d'essai")
        db.session.add_all([network, routers, tp_link])
        db.session.commit()
        dla, yde = store_by_code("DLA1"), store_by_code("YDE1")
        router = make_product("RT-AX55", "Routeur Wi-Fi 6 AX1800", reorder_level=3, category_id=routers.id,
                              brand_id=tp_link.id)
        cable = make_product("CBL-RJ45", "Câble RJ45 2 m", reorder_level=5, category_id=network.id)
        phone = make_product("TEL-A15", "Smartphone A15", track_serial=True)
        put_in_stock(dla, router, 10, "PURCHASE")
        put_in_stock(dla, cable, 2, "PURCHASE")
        put_in_stock(yde, router, 4, "PURCHASE")
        put_serials_in_stock(dla, phone, ["IMEI-1", "IMEI-2"])
        return {"dla": dla.id, "yde": yde.id, "router": router.id, "cable": cable.id, "phone": phone.id,
                "network": network.id, "routers": routers.id, "tp_link": tp_link.id}


MINE = {"RT-AX55", "CBL-RJ45", "TEL-A15"}  # the demo catalog is in stock too: look at these


def _rows(api, query=""):
    response = api.get("/api/v1/stock/" + query + ("&" if "?" in query else "?") + "q=(page_size:100)")
    assert response.status_code == 200, response.get_json()
    return {(row["store"]["code"], row["product"]["sku"]): row for row in response.get_json()["result"]
            if row["product"]["sku"] in MINE}


def test_stock_rows_have_quantity_reserved_and_available(as_seller, catalog, app):
    with app.app_context():
        services.reserve(catalog["dla"], catalog["router"], 4)
        db.session.commit()
    rows = _rows(as_seller)
    row = rows[("DLA1", "RT-AX55")]
    assert (row["quantity"], row["reserved"], row["available"]) == (10, 4, 6)
    assert row["store"]["id"] == catalog["dla"] and row["product"]["id"] == catalog["router"]
    assert ("YDE1", "RT-AX55") not in rows  # the seller works in DLA1 only


def test_stock_filters(as_manager, catalog):
    assert set(_rows(as_manager, f"?store={catalog['yde']}")) == {("YDE1", "RT-AX55")}
    assert set(_rows(as_manager, f"?product={catalog['router']}")) == {("DLA1", "RT-AX55"), ("YDE1", "RT-AX55")}
    # low: available <= reorder level (2 cables <= 5; YDE1's 4 routers > 3; phones at level 0 are fine)
    assert set(_rows(as_manager, "?low=1")) == {("DLA1", "CBL-RJ45")}
    assert set(_rows(as_manager, f"?low=1&store={catalog['dla']}")) == {("DLA1", "CBL-RJ45")}
    # a category holds its sub-categories
    assert set(_rows(as_manager, f"?category={catalog['network']}&store={catalog['dla']}")) == {
        ("DLA1", "RT-AX55"), ("DLA1", "CBL-RJ45")}
    assert set(_rows(as_manager, f"?category={catalog['routers']}&store={catalog['dla']}")) == {("DLA1", "RT-AX55")}
    assert set(_rows(as_manager, f"?brand={catalog['tp_link']}")) == {("DLA1", "RT-AX55"), ("YDE1", "RT-AX55")}
    for bad in ("?store=abc", "?low=peut-etre"):
        response = as_manager.get("/api/v1/stock/" + bad)
        assert response.status_code == 400 and "Paramètre" in response.get_json()["message"]


def test_a_stock_row_of_another_store_is_not_found(api_as, catalog, app):
    with app.app_context():
        yde_row = services.stock_of(catalog["yde"], catalog["router"]).id
    response = api_as("SALES").get(f"/api/v1/stock/{yde_row}")
    assert response.status_code == 404 and response.get_json()["message"] == "Introuvable."


def _adjust(api, catalog, quantity, change=None):
    body = {"store": catalog["dla"], "product": catalog["router"], "type": "ADJUSTMENT", "quantity": quantity,
            "note": "Carton abîmé", **(change or {})}
    return api.post("/api/v1/stock-movements/", json=body)


def test_an_adjustment_moves_the_stock_and_is_in_the_ledger(as_stocker, catalog, app):
    response = _adjust(as_stocker, catalog, -2)
    assert response.status_code == 201, response.get_json()
    result = response.get_json()["result"]
    assert (result["type"], result["quantity"], result["balance_after"], result["note"]) == ("ADJUSTMENT", -2, 8, "Carton abîmé")
    assert result["user"]["email"] == "magasinier@boutique.cm"
    with app.app_context():
        assert assert_stock_equals_ledger()[(catalog["dla"], catalog["router"])] == 8
    listed = as_stocker.get(f"/api/v1/stock-movements/?product={catalog['router']}&store={catalog['dla']}")
    assert [m["quantity"] for m in listed.get_json()["result"]] == [-2, 10]  # newest first


def test_an_adjustment_below_zero_is_refused_with_409(as_manager, catalog, app):
    response = _adjust(as_manager, catalog, -11)
    assert response.status_code == 409
    assert "Stock insuffisant" in response.get_json()["message"]
    with app.app_context():
        assert assert_stock_equals_ledger()[(catalog["dla"], catalog["router"])] == 10


@pytest.mark.parametrize("change,field", [
    ({"type": "SALE"}, "type"),
    ({"type": "PURCHASE", "quantity": 5}, "type"),
    ({"note": "  "}, "note"),
    ({"quantity": 0}, "quantity"),
    ({"quantity": "deux"}, "quantity"),
    ({"product": 999999}, "product"),
])
def test_bad_adjustments_answer_422_with_the_field(as_stocker, catalog, change, field):
    response = _adjust(as_stocker, catalog, -1, change)
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["errors"]


def test_a_store_of_someone_else_named_in_a_body_is_not_found(api_as, catalog, app):
    """A DLA1 stock keeper naming YDE1 (an adjustment, a transfer from it, a count): 404, nothing written."""
    with app.app_context():
        make_user("stock.dla@boutique.cm", "stock123!", "STOCKER", stores=[store_by_code("DLA1")])
        ledger = assert_stock_equals_ledger()
    stocker = api_as("stock.dla@boutique.cm", "stock123!")
    answers = [
        _adjust(stocker, catalog, -1, {"store": catalog["yde"]}),
        stocker.post("/api/v1/transfers/", json={"store": catalog["yde"], "destination_store": catalog["dla"],
                                                 "lines": [{"product": catalog["router"], "quantity": 1}]}),
        stocker.post("/api/v1/stock-counts/", json={"store": catalog["yde"]}),
    ]
    assert [(a.status_code, a.get_json()) for a in answers] == [(404, {"message": "Magasin introuvable."})] * 3
    with app.app_context():
        assert assert_stock_equals_ledger() == ledger
        assert db.session.execute(db.select(Transfer)).first() is None
        assert db.session.execute(db.select(StockCount)).first() is None


def test_a_serial_tracked_adjustment_names_its_units(as_stocker, catalog, app):
    body = {"store": catalog["dla"], "product": catalog["phone"], "type": "ADJUSTMENT", "quantity": -1,
            "note": "Écran cassé"}
    assert as_stocker.post("/api/v1/stock-movements/", json=body).status_code == 422
    response = as_stocker.post("/api/v1/stock-movements/", json={**body, "serials": ["IMEI-2"]})
    assert response.status_code == 201, response.get_json()
    response = as_stocker.post("/api/v1/stock-movements/", json={**body, "quantity": 2, "note": "Arrivage",
                                                                  "serials": ["IMEI-7", "IMEI-8"]})
    assert response.status_code == 201
    with app.app_context():
        assert serial_states(catalog["phone"])["IMEI-2"][1] == "DEFECTIVE"
        assert services.serials_on_hand(catalog["dla"], catalog["phone"]) == ["IMEI-1", "IMEI-7", "IMEI-8"]
        assert assert_stock_equals_ledger()[(catalog["dla"], catalog["phone"])] == 3


def test_transfer_flow_with_a_partial_receipt_through_the_api(as_stocker, as_manager, catalog, app):
    created = as_stocker.post("/api/v1/transfers/", json={
        "store": catalog["dla"], "destination_store": catalog["yde"], "note": "Réassort Yaoundé",
        "lines": [{"product": catalog["router"], "quantity": 3},
                  {"product": catalog["phone"], "quantity": 2, "serials": ["IMEI-1", "IMEI-2"]}]})
    assert created.status_code == 201, created.get_json()
    transfer = created.get_json()["result"]
    assert transfer["status"] == "DRAFT" and transfer["number"].startswith("DLA1-TRF-")
    pk = transfer["id"]
    assert as_stocker.put(f"/api/v1/transfers/{pk}", json={"note": "Réassort urgent"}).get_json()["result"]["note"] == "Réassort urgent"

    sent = as_stocker.post(f"/api/v1/transfers/{pk}/send/")
    assert sent.status_code == 200 and sent.get_json()["result"]["status"] == "SENT"
    assert as_stocker.put(f"/api/v1/transfers/{pk}", json={"note": "trop tard"}).status_code == 409
    assert as_stocker.post(f"/api/v1/transfers/{pk}/send/").status_code == 409

    received = as_manager.post(f"/api/v1/transfers/{pk}/receive/", json={
        "note": "Un routeur et un téléphone manquent",
        "lines": [{"product": catalog["router"], "received_quantity": 2},
                  {"product": catalog["phone"], "received_quantity": 1, "serials": ["IMEI-2"]}]})
    assert received.status_code == 200, received.get_json()
    result = received.get_json()["result"]
    lines = {line["product"]["sku"]: line for line in result["lines"]}
    assert result["status"] == "RECEIVED" and result["receipt_note"].startswith("Un routeur")
    assert (lines["RT-AX55"]["quantity"], lines["RT-AX55"]["received_quantity"], lines["RT-AX55"]["difference"]) == (3, 2, -1)
    assert lines["TEL-A15"]["serials"] == ["IMEI-1", "IMEI-2"] and lines["TEL-A15"]["difference"] == -1
    with app.app_context():
        stock = assert_stock_equals_ledger()
        assert (stock[(catalog["dla"], catalog["router"])], stock[(catalog["yde"], catalog["router"])]) == (7, 6)
        assert serial_states(catalog["phone"])["IMEI-1"][1] == "MISSING"
    assert as_stocker.get(f"/api/v1/transfers/{pk}").get_json()["result"]["status"] == "RECEIVED"


def test_transfer_errors(as_stocker, catalog):
    bad = as_stocker.post("/api/v1/transfers/", json={"store": catalog["dla"], "destination_store": catalog["yde"],
                                                      "lines": [{"product": catalog["router"], "quantity": "x"}]})
    assert bad.status_code == 422 and "lines[0].quantity" in bad.get_json()["errors"]
    assert as_stocker.post("/api/v1/transfers/", data="pas du json").status_code == 400
    created = as_stocker.post("/api/v1/transfers/", json={"store": catalog["dla"], "destination_store": catalog["yde"],
                                                          "lines": [{"product": catalog["router"], "quantity": 50}]})
    pk = created.get_json()["id"]
    refused = as_stocker.post(f"/api/v1/transfers/{pk}/send/")
    assert refused.status_code == 409 and "Stock insuffisant" in refused.get_json()["message"]
    assert as_stocker.post(f"/api/v1/transfers/{pk}/receive/").status_code == 409  # still a draft
    assert as_stocker.post("/api/v1/transfers/999999/send/").status_code == 404


def test_transfers_are_seen_by_the_source_and_the_destination_only(api_as, catalog, app):
    with app.app_context():
        dla, yde = store_by_code("DLA1"), store_by_code("YDE1")
        other = make_store("BAF1", "Bafoussam")
        put_in_stock(other, db.session.get(Product, catalog["router"]), 5, "PURCHASE")
        make_user("stock.dla@boutique.cm", "stock123!", "STOCKER", stores=[dla])
        make_user("stock.yde@boutique.cm", "stock123!", "STOCKER", stores=[yde])
        make_user("stock.baf@boutique.cm", "stock123!", "STOCKER", stores=[other])
        outgoing = services.create_transfer(None, dla.id, yde.id, [{"product": catalog["router"], "quantity": 1}])
        incoming = services.create_transfer(None, yde.id, dla.id, [{"product": catalog["router"], "quantity": 1}])
        elsewhere = services.create_transfer(None, other.id, yde.id, [{"product": catalog["router"], "quantity": 1}])
        services.send_transfer(None, incoming)
        ids = {"outgoing": outgoing.id, "incoming": incoming.id, "elsewhere": elsewhere.id}
    dla_stocker = api_as("stock.dla@boutique.cm", "stock123!")
    listed = {t["id"] for t in dla_stocker.get("/api/v1/transfers/").get_json()["result"]}
    assert listed == {ids["outgoing"], ids["incoming"]}
    assert dla_stocker.get(f"/api/v1/transfers/{ids['elsewhere']}").status_code == 404
    assert dla_stocker.post(f"/api/v1/transfers/{ids['elsewhere']}/cancel/").status_code == 404
    # the destination receives; it cannot send or cancel the source's document
    assert dla_stocker.post(f"/api/v1/transfers/{ids['incoming']}/cancel/", json={"reason": "x"}).status_code == 403
    assert dla_stocker.post(f"/api/v1/transfers/{ids['incoming']}/receive/").status_code == 200
    yde_stocker = api_as("stock.yde@boutique.cm", "stock123!")
    assert yde_stocker.post(f"/api/v1/transfers/{ids['outgoing']}/send/").status_code == 403
    baf_stocker = api_as("stock.baf@boutique.cm", "stock123!")
    assert {t["id"] for t in baf_stocker.get("/api/v1/transfers/").get_json()["result"]} == {ids["elsewhere"]}


def test_count_flow_through_the_api_validated_by_a_manager_only(as_stocker, as_manager, catalog, app):
    opened = as_stocker.post("/api/v1/stock-counts/", json={"store": catalog["dla"],
                                                             "products": [catalog["router"], catalog["phone"]]})
    assert opened.status_code == 201, opened.get_json()
    count = opened.get_json()["result"]
    assert count["status"] == "OPEN" and count["number"].startswith("DLA1-INV-")
    pk = count["id"]
    assert {l["product"]["sku"]: l["expected_quantity"]
            for l in as_manager.get(f"/api/v1/stock-counts/{pk}").get_json()["result"]["lines"]} == {"RT-AX55": 10, "TEL-A15": 2}
    entered = as_stocker.post(f"/api/v1/stock-counts/{pk}/counts/", json={"lines": [
        {"product": catalog["router"], "counted_quantity": 9},
        {"product": catalog["phone"], "serials": ["IMEI-2", "IMEI-9"]}]})
    assert entered.status_code == 200, entered.get_json()
    lines = {l["product"]["sku"]: l for l in as_manager.get(f"/api/v1/stock-counts/{pk}").get_json()["result"]["lines"]}
    assert lines["RT-AX55"]["difference"] == -1
    assert (lines["TEL-A15"]["missing_serials"], lines["TEL-A15"]["unexpected_serials"]) == (["IMEI-1"], ["IMEI-9"])

    refused = as_stocker.post(f"/api/v1/stock-counts/{pk}/validate/")
    assert refused.status_code == 403
    validated = as_manager.post(f"/api/v1/stock-counts/{pk}/validate/")
    assert validated.status_code == 200, validated.get_json()
    assert validated.get_json()["result"]["validated_by"] == "manager@boutique.cm"
    with app.app_context():
        stock = assert_stock_equals_ledger()
        assert stock[(catalog["dla"], catalog["router"])] == 9
        assert services.serials_on_hand(catalog["dla"], catalog["phone"]) == ["IMEI-2", "IMEI-9"]
    again = as_manager.post(f"/api/v1/stock-counts/{pk}/validate/")
    assert again.status_code == 409
    movements = as_manager.get(f"/api/v1/stock-movements/?product={catalog['router']}").get_json()["result"]
    assert movements[0]["type"] == "COUNT" and movements[0]["reference"] == count["number"]
    counted = as_manager.get("/api/v1/stock-movements/?type=count").get_json()["result"]
    assert {m["type"] for m in counted} == {"COUNT"} and len(counted) == 1


def test_count_errors(as_stocker, as_manager, catalog):
    assert as_stocker.post("/api/v1/stock-counts/", json={"store": catalog["dla"], "products": [999999]}).status_code == 422
    pk = as_stocker.post("/api/v1/stock-counts/", json={"store": catalog["dla"]}).get_json()["id"]
    bad = as_stocker.post(f"/api/v1/stock-counts/{pk}/counts/", json={"lines": [
        {"product": catalog["router"], "counted_quantity": -3}]})
    assert bad.status_code == 422 and "lines[0].counted_quantity" in bad.get_json()["errors"]
    uncounted = as_manager.post(f"/api/v1/stock-counts/{pk}/validate/")
    assert uncounted.status_code == 409 and "non comptée" in uncounted.get_json()["message"]
    assert as_stocker.post(f"/api/v1/stock-counts/{pk}/cancel/", json={"reason": "erreur"}).status_code == 200
    assert as_manager.post(f"/api/v1/stock-counts/{pk}/validate/").status_code == 409


def test_a_count_of_another_store_is_not_found(api_as, catalog, app):
    with app.app_context():
        count = services.open_count(None, catalog["yde"], [catalog["router"]])
        make_user("stock.dla@boutique.cm", "stock123!", "STOCKER", stores=[store_by_code("DLA1")])
        pk = count.id
    stocker = api_as("stock.dla@boutique.cm", "stock123!")
    assert stocker.get(f"/api/v1/stock-counts/{pk}").status_code == 404
    assert stocker.post(f"/api/v1/stock-counts/{pk}/counts/", json={"lines": []}).status_code == 404
    assert stocker.post("/api/v1/stock-counts/", json={"store": catalog["yde"]}).status_code == 404


BLIND_KEYS = {"expected_quantity", "book_quantity", "difference", "missing_serials", "unexpected_serials"}


def test_the_count_sheet_of_a_stocker_holds_no_expected_quantity(as_stocker, as_manager, catalog):
    """A blind count, like the till's close: the counter never reads the expected stock; the manager does."""
    opened = as_stocker.post("/api/v1/stock-counts/", json={"store": catalog["dla"],
                                                             "products": [catalog["router"], catalog["phone"]]})
    pk = opened.get_json()["id"]
    entered = as_stocker.post(f"/api/v1/stock-counts/{pk}/counts/", json={"lines": [
        {"product": catalog["router"], "counted_quantity": 9},
        {"product": catalog["phone"], "serials": ["IMEI-2"]}]})
    for answer in (opened, entered, as_stocker.get(f"/api/v1/stock-counts/{pk}")):
        lines = answer.get_json()["result"]["lines"]
        assert len(lines) == 2 and all(not BLIND_KEYS & set(line) for line in lines), lines
    assert {line["product"]["sku"]: line["counted_quantity"]
            for line in entered.get_json()["result"]["lines"]} == {"RT-AX55": 9, "TEL-A15": 1}
    manager_lines = {l["product"]["sku"]: l for l in as_manager.get(f"/api/v1/stock-counts/{pk}").get_json()["result"]["lines"]}
    assert (manager_lines["RT-AX55"]["expected_quantity"], manager_lines["RT-AX55"]["counted_quantity"],
            manager_lines["RT-AX55"]["difference"]) == (10, 9, -1)
    assert manager_lines["TEL-A15"]["missing_serials"] == ["IMEI-1"]
