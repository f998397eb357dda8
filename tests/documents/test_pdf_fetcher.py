"""WeasyPrint never leaves the app: static files from disk (a store's logo), nothing else."""
import base64
import io

import pytest
from pypdf import PdfReader

from app.documents.pdf import StaticFilesOnly, render_pdf
from app.extensions import db

# a 4x4 red PNG
PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAQAAAAECAIAAAAmkwkpAAAAEElEQVR4nGM8wYAATAxEcQAo3ADQQD5s4QAAAABJRU5E"
                       "rkJggg==")


def test_the_fetcher_serves_static_files_and_refuses_the_rest(app, tmp_path):
    (tmp_path / "logos").mkdir()
    (tmp_path / "logos" / "dla1.png").write_bytes(PNG)
    (tmp_path.parent / "secret.txt").write_text("nope")
    fetcher = StaticFilesOnly(str(tmp_path))
    answer = fetcher.fetch("http://127.0.0.1:8000/static/logos/dla1.png")
    assert answer.read() == PNG and answer.content_type == "image/png"
    for url in ("http://127.0.0.1:8000/static/../secret.txt", "http://127.0.0.1:8000/static/%2e%2e/secret.txt",
                "http://169.254.169.254/latest/meta-data/", "file:///etc/passwd", "http://127.0.0.1:8000/api/v1/users/",
                "http://127.0.0.1:8000/static/logos/missing.png"):
        with pytest.raises(ValueError):
            fetcher.fetch(url)


def _images(pdf):
    return sum(len(page.images) for page in PdfReader(io.BytesIO(pdf)).pages)


def test_the_store_logo_is_on_the_invoice(app, tmp_path, monkeypatch):
    from app.documents.pdf import store_header
    from tests.documents.test_pdf_templates import _doc
    from tests.factories import store_by_code

    (tmp_path / "logos").mkdir()
    (tmp_path / "logos" / "dla1.png").write_bytes(PNG)
    monkeypatch.setattr(app, "static_folder", str(tmp_path))
    with app.test_request_context("/"):
        store = store_by_code("DLA1")
        store.logo = "logos/dla1.png"
        with_logo = dict(_doc(), store=store_header(store))
        assert with_logo["store"]["logo_url"] == "/static/logos/dla1.png"
        store.logo = "../config.py"  # never outside the static folder
        assert store_header(store)["logo_url"] is None
        store.logo = "http://example.com/logo.png"  # never from the network
        assert store_header(store)["logo_url"] is None
        db.session.rollback()
        assert _images(render_pdf("pdf/invoice.html", doc=with_logo)) == 1
        assert _images(render_pdf("pdf/invoice.html", doc=_doc())) == 0
