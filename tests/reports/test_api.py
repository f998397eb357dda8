"""reports/kpis/ and reports/sales/ (SPEC §10): decimal strings, scoping, groupings, the workbook."""
import io
from datetime import date

import pytest
from openpyxl import load_workbook

from tests.reports.test_kpis import D, NEXT, build_shop
from tests.factories import store_by_code


@pytest.fixture
def shop(app):
    with app.app_context():
        store = build_shop()
        return store.id


def test_kpis_answer_decimal_strings_for_the_asked_store(as_admin, shop):
    body = as_admin.get(f"/api/v1/reports/kpis/?store={shop}&date_from={D}&date_to={NEXT}").get_json()
    assert body["result"]["revenue"] == "95400" and body["result"]["gross_margin"] == "29000"
    assert body["result"]["payments_by_method"]["CREDIT"] == "39625"
    assert [row["code"] for row in body["stores"]] == ["RPT1"]


def test_admin_gets_every_store_and_their_total(as_admin, shop):
    body = as_admin.get(f"/api/v1/reports/kpis/?date_from={D}&date_to={D}").get_json()
    assert {row["code"] for row in body["stores"]} >= {"DLA1", "YDE1", "RPT1"}
    assert body["result"]["revenue"] == str(sum(int(row["revenue"]) for row in body["stores"]))


def test_a_manager_sees_their_stores_only(as_manager, shop, app):
    body = as_manager.get(f"/api/v1/reports/kpis/?date_from={D}").get_json()
    assert "RPT1" not in {row["code"] for row in body["stores"]}
    assert as_manager.get(f"/api/v1/reports/kpis/?store={shop}").status_code == 404


@pytest.mark.parametrize("query,field", [("date_from=2026-13-01", "date_from"),
                                         ("date_from=2026-11-10&date_to=2026-11-01", "date_to"),
                                         ("date_from=2020-01-01&date_to=2026-01-01", "date_to")])
def test_bad_periods_are_422(as_admin, query, field):
    response = as_admin.get(f"/api/v1/reports/kpis/?{query}")
    assert response.status_code == 422 and field in response.get_json()["errors"]


def test_bad_grouping_is_422(as_admin):
    response = as_admin.get("/api/v1/reports/sales/?group_by=year")
    assert response.status_code == 422 and "group_by" in response.get_json()["errors"]


def test_sales_by_day_add_up_to_the_kpis(as_admin, shop):
    rows = as_admin.get(f"/api/v1/reports/sales/?store={shop}&date_from={D}&date_to={NEXT}&group_by=day").get_json()
    assert [(r["group"], r["sales_count"], r["items_sold"], r["revenue"], r["revenue_ht"]) for r in rows["result"]] == [
        (D.isoformat(), 2, 3, "83475", "70000"), (NEXT.isoformat(), 1, 1, "11925", "10000")]
    methods = as_admin.get(f"/api/v1/reports/sales/?store={shop}&date_from={D}&date_to={NEXT}"
                           "&group_by=payment_method").get_json()["result"]
    assert {r["group"]: r["revenue"] for r in methods} == {"CASH": "47700", "CREDIT": "39625", "MOBILE_MONEY": "20000"}


def test_the_workbook_reads_back_as_the_api_rows(as_admin, shop):
    base = f"/api/v1/reports/sales/?store={shop}&date_from={D}&date_to={NEXT}"
    response = as_admin.get(base + "&group_by=seller&format=xlsx")
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames[0] == "Par vendeur" and len(book.sheetnames) == 7 and book.sheetnames[-1] == "Ventes"
    for grouping, title in (("seller", "Par vendeur"), ("day", "Par jour"), ("payment_method", "Par mode de paiement"),
                            ("category", "Par catégorie")):
        rows = as_admin.get(base + f"&group_by={grouping}").get_json()["result"]
        sheet = list(book[title].iter_rows(min_row=2, values_only=True))
        assert sheet == [(str(r["label"]), r["sales_count"], r["items_sold"], int(r["revenue"]),
                          None if r["revenue_ht"] is None else int(r["revenue_ht"])) for r in rows]
    cell = book["Par jour"]["D2"]
    assert isinstance(cell.value, int) and "FCFA" in cell.number_format
    assert book["Ventes"].max_row == 1 + 3
