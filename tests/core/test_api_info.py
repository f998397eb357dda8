"""The API's `_info` answers speak French and never answer the catalog header (issue 13)."""
import pytest

from app.core.api import BoutiqueModelRestApi

RESOURCES = ["stores", "users", "products", "categories", "brands", "customers", "stock", "stock-movements",
             "stock-counts", "transfers"]


@pytest.mark.parametrize("resource", RESOURCES)
def test_info_labels_are_french_and_descriptions_are_not_the_catalog_header(app, as_admin, resource):
    view = next(v for v in app.appbuilder.baseviews
                if isinstance(v, BoutiqueModelRestApi) and v.resource_name == resource)
    answer = as_admin.get(f"/api/v1/{resource}/_info")
    assert answer.status_code == 200
    fields = answer.get_json()["add_columns"] + answer.get_json().get("edit_columns", [])
    assert fields
    for field in fields:
        assert "Project-Id-Version" not in field["description"], (resource, field["name"])
        assert "Content-Type" not in field["description"]
        made_up = view._prettify_column(field["name"])
        # FAB's English label made from the column name, unless it is the same word in French.
        assert field["label"] != made_up or made_up in ("Note", "Type", "Code", "Description"), \
            (resource, field["name"], field["label"])


def test_info_labels_follow_the_language(as_admin):
    fields = as_admin.get("/api/v1/stock-movements/_info", headers={"Accept-Language": "fr"}).get_json()["add_columns"]
    assert {f["name"]: f["label"] for f in fields}["store"] == "Magasin"
