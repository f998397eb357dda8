"""Text answers travel gzipped when the browser accepts it (the shops' 3G links): the POS scripts,
its pages and fragments; never for a client that did not ask, never for a PDF."""
import gzip

from tests.pos.fixtures import HX, login, make_pos_shop


def test_scripts_and_fragments_are_gzipped_for_a_browser_that_accepts_it(app, client):
    shop = make_pos_shop(app)
    plain = client.get("/static/vendor/htmx-2.0.11/htmx.min.js")
    assert plain.status_code == 200 and "Content-Encoding" not in plain.headers
    packed = client.get("/static/vendor/htmx-2.0.11/htmx.min.js", headers={"Accept-Encoding": "gzip, br"})
    assert packed.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in packed.headers["Vary"]
    assert gzip.decompress(packed.get_data()) == plain.get_data()
    assert len(packed.get_data()) < len(plain.get_data()) / 2
    again = client.get("/static/vendor/htmx-2.0.11/htmx.min.js",  # the browser revalidates its copy
                       headers={"Accept-Encoding": "gzip", "If-None-Match": packed.headers["ETag"]})
    assert again.status_code == 304 and not again.get_data()

    login(client, "SALES")
    page = client.get(f"/pos/{shop.dla}/", headers={"Accept-Encoding": "gzip"})
    assert page.headers["Content-Encoding"] == "gzip"
    assert "Point de vente" in gzip.decompress(page.get_data()).decode()
    fragment = client.get(f"/pos/{shop.dla}/search", query_string={"q": "archer"}, headers=dict(HX, **{"Accept-Encoding": "gzip"}))
    assert fragment.status_code == 200
    assert "Archer AX55" in (gzip.decompress(fragment.get_data()) if fragment.headers.get("Content-Encoding") == "gzip"
                             else fragment.get_data()).decode()
