"""A user sees and touches only their stores' records; another store's record is 404."""
import re

import pytest

from app.core import audit
from app.extensions import db
from tests.factories import make_store, make_user, store_by_code
from tests.conftest import sign_in


@pytest.fixture
def bafoussam(app):
    """A third store with its own manager, who works nowhere else."""
    with app.app_context():
        store = make_store("BFM1", "Bafoussam Marché")
        make_user("gerant.bfm@boutique.cm", "bafoussam123!", "MANAGER", stores=[store])
        audit.record("test.bfm", object_type="Test", object_id=1, store_id=store.id)
        audit.record("test.dla", object_type="Test", object_id=2, store_id=store_by_code("DLA1").id)
        db.session.commit()
        return {"BFM1": store.id, "DLA1": store_by_code("DLA1").id, "YDE1": store_by_code("YDE1").id}


def test_api_lists_only_the_users_stores(api_as, bafoussam):
    local = api_as("gerant.bfm@boutique.cm", "bafoussam123!")
    listed = local.get("/api/v1/stores/").get_json()
    assert listed["count"] == 1 and [s["code"] for s in listed["result"]] == ["BFM1"]
    seller = api_as("SALES")
    assert [s["code"] for s in seller.get("/api/v1/stores/").get_json()["result"]] == ["DLA1"]


def test_api_answers_404_for_another_stores_record(api_as, bafoussam):
    local = api_as("gerant.bfm@boutique.cm", "bafoussam123!")
    response = local.get(f"/api/v1/stores/{bafoussam['DLA1']}")
    assert response.status_code == 404
    assert response.get_json()["message"] == "Introuvable."
    assert local.get(f"/api/v1/stores/{bafoussam['BFM1']}").status_code == 200


def test_admin_sees_every_store(as_admin, bafoussam):
    assert as_admin.get("/api/v1/stores/").get_json()["count"] == 3
    assert as_admin.get(f"/api/v1/stores/{bafoussam['BFM1']}").status_code == 200


def test_screens_answer_404_for_another_stores_record(client, bafoussam):
    sign_in(client, "gerant.bfm@boutique.cm", "bafoussam123!")
    assert client.get(f"/storemodelview/show/{bafoussam['BFM1']}").status_code == 200
    response = client.get(f"/storemodelview/show/{bafoussam['DLA1']}")
    assert response.status_code == 404
    assert "Introuvable" in response.get_data(as_text=True)
    listing = client.get("/storemodelview/list/").get_data(as_text=True)
    assert "Bafoussam Marché" in listing and "Douala Akwa" not in listing


def test_audit_screen_shows_only_the_users_stores(client, bafoussam):
    sign_in(client, "gerant.bfm@boutique.cm", "bafoussam123!")
    page = client.get("/auditlogmodelview/list/").get_data(as_text=True)
    assert "test.bfm" in page and "test.dla" not in page
    # dates for people, in the store's zone (not the raw UTC timestamp in the table)
    assert re.search(r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}", page) and not re.search(r">\s*\d{4}-\d{2}-\d{2} \d{2}:", page)


def test_a_user_without_store_sees_nothing(api_as, app):
    with app.app_context():
        make_user("sans.magasin@boutique.cm", "rien123!", "MANAGER")
    lonely = api_as("sans.magasin@boutique.cm", "rien123!")
    assert lonely.get("/api/v1/stores/").get_json()["count"] == 0
