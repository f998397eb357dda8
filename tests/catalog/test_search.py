"""POS product search: exact barcode, sku prefix, every word of the name, with stock in a store."""
import pytest

from app.catalog import services
from app.extensions import db
from app.stock import services as stock
from tests.factories import make_product, make_user, put_in_stock, store_by_code

SEARCH = "/api/v1/products/search/"


@pytest.fixture
def stores(app):
    with app.app_context():
        return store_by_code("DLA1").id, store_by_code("YDE1").id


def search(api, q, store):
    response = api.get(SEARCH, query_string={"q": q, "store": store})
    assert response.status_code == 200, response.get_json()
    return response.get_json()["result"]


def test_exact_barcode_finds_one_product_with_its_price_and_stock(as_seller, stores):
    dla, _ = stores
    [found] = search(as_seller, "6201230000042", dla)
    assert found == {
        "id": found["id"], "sku": "ECR-HP-M24F", "barcode": "6201230000042", "name": "Écran HP M24f 24 pouces Full HD",
        "sale_price": "95000.00", "min_sale_price": "88400.00", "tax_rate": "19.25", "track_serial": False,
        "available": 6,
    }


def test_sku_prefix_is_case_insensitive(as_seller, stores):
    dla, _ = stores
    assert [p["sku"] for p in search(as_seller, "sw-tpl", dla)] == ["SW-TPL-SG1008D"]
    assert {p["sku"] for p in search(as_seller, "TEL-", dla)} == {
        "TEL-SAM-A15-128", "TEL-TEC-SPARK20", "TEL-INF-HOT40I", "TEL-ITL-A70"}


def test_every_word_of_the_name_accents_and_case_aside(as_seller, stores):
    dla, _ = stores
    assert [p["sku"] for p in search(as_seller, "ecran hp", dla)] == ["ECR-HP-M24F"]
    assert [p["sku"] for p in search(as_seller, "ÉCRAN   Dell", dla)] == ["ECR-DELL-SE2222H"]
    assert [p["sku"] for p in search(as_seller, "hp ecran", dla)] == ["ECR-HP-M24F"]  # any order
    assert {p["sku"] for p in search(as_seller, "cable cat6", dla)} == {"CAB-CAT6-305M", "CAB-RJ45-CAT6-2M"}
    assert search(as_seller, "ecran samsung", dla) == []  # every word must match


def test_barcode_first_then_sku_prefix_then_names(app, as_seller, stores):
    dla, _ = stores
    with app.app_context():
        make_product("6201230000042-KIT", "Kit de fixation écran")  # its sku starts with the barcode
    found = search(as_seller, "6201230000042", dla)
    assert [p["sku"] for p in found] == ["ECR-HP-M24F", "6201230000042-KIT"]


def test_at_most_20_results_and_inactive_products_are_left_out(app, as_seller, stores):
    dla, _ = stores
    with app.app_context():
        for n in range(25):
            make_product(f"ANT-{n:02d}", f"Antenne Wi-Fi {n}")
        make_product("ANT-OLD", "Antenne Wi-Fi ancienne", is_active=False)
    found = search(as_seller, "antenne", dla)
    assert len(found) == 20
    assert "ANT-OLD" not in {p["sku"] for p in search(as_seller, "antenne ancienne", dla)}


def test_wildcards_in_the_query_are_plain_characters(app, as_seller, stores):
    dla, _ = stores
    with app.app_context():
        make_product("PROMO_10", "Remise dix pour cent")
        make_product("REMISE-50", "Remise 50% accessoires")
    assert [p["sku"] for p in search(as_seller, "%", dla)] == ["REMISE-50"]
    assert [p["sku"] for p in search(as_seller, "_", dla)] == ["PROMO_10"]
    assert [p["sku"] for p in search(as_seller, "promo_", dla)] == ["PROMO_10"]
    assert search(as_seller, "promo%", dla) == []
    assert search(as_seller, "remise_", dla) == []
    assert search(as_seller, "   ", dla) == []


def test_available_is_quantity_minus_reserved_in_that_store(app, as_manager, stores):
    dla, yde = stores
    with app.app_context():
        from app.catalog.models import Product

        switch = db.session.execute(db.select(Product).where(Product.sku == "SW-TPL-SG1008D")).scalar_one()
        stock.reserve(dla, switch.id, 3)
        db.session.commit()
        new = make_product("SW-NEW-5P", "Switch 5 ports nouveau")
        put_in_stock(store_by_code("YDE1"), new, 4)
    assert search(as_manager, "SW-TPL-SG1008D", dla)[0]["available"] == 20 - 3
    assert search(as_manager, "SW-TPL-SG1008D", yde)[0]["available"] == 12
    assert search(as_manager, "SW-NEW", dla)[0]["available"] == 0  # no stock row in DLA1
    assert search(as_manager, "SW-NEW", yde)[0]["available"] == 4


def test_the_store_must_be_one_of_the_users_stores(app, as_seller, as_admin, stores):
    dla, yde = stores
    response = as_seller.get(SEARCH, query_string={"q": "routeur", "store": yde})  # the seller works in DLA1 only
    assert response.status_code == 404 and response.get_json()["message"]
    assert as_seller.get(SEARCH, query_string={"q": "routeur", "store": 9999}).status_code == 404
    assert as_seller.get(SEARCH, query_string={"q": "routeur", "store": "abc"}).status_code == 400
    # one store: it is the default; several: say which
    only_store = as_seller.get(SEARCH, query_string={"q": "routeur"})
    assert only_store.status_code == 200 and only_store.get_json()["store"] == dla
    assert as_admin.get(SEARCH, query_string={"q": "routeur"}).status_code == 400
    assert len(search(as_admin, "routeur", yde)) == 3  # the admin searches in any store


def test_a_user_without_stores_cannot_search(app, api_as):
    with app.app_context():
        make_user("sans.magasin@boutique.cm", "secret123!", "SALES")
    lonely = api_as("sans.magasin@boutique.cm", "secret123!")
    assert lonely.get(SEARCH, query_string={"q": "routeur", "store": 1}).status_code == 404
    assert lonely.get(SEARCH, query_string={"q": "routeur"}).status_code == 400


def test_the_service_is_what_the_pos_pages_will_call(app, stores):
    dla, _ = stores
    with app.app_context():
        rows = services.search_products("smartphone", dla)
        assert [r["sku"] for r in rows] == ["TEL-INF-HOT40I", "TEL-ITL-A70", "TEL-SAM-A15-128", "TEL-TEC-SPARK20"]
        assert all(r["track_serial"] for r in rows)
        assert services.search_products("", dla) == []


def test_on_postgresql_the_search_uses_the_indexes(app, postgres, stores):
    """The plan names the trigram, sku-prefix and barcode indexes (speed itself is measured in bench/)."""
    from sqlalchemy import text
    from sqlalchemy.dialects import postgresql

    dla, _ = stores
    with app.app_context():
        db.session.execute(text("SET LOCAL enable_seqscan = off"))  # a 30-row table would be scanned
        statement, params = services.search_statement("ecran hp", dla)
        sql = str(statement.params(**params).compile(dialect=postgresql.dialect(),
                                                     compile_kwargs={"literal_binds": True}))
        plan = "\n".join(db.session.execute(text("EXPLAIN " + sql)).scalars())
        db.session.rollback()
    for index in ("ix_product_search_trgm", "ix_product_sku_prefix", "product_barcode_key"):
        assert index in plan, plan
