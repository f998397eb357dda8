"""PDF documents with WeasyPrint: templates in templates/pdf/, fonts embedded by WeasyPrint.

A document template extends pdf/base.html; the page size comes from the template's
CSS (A4 invoice, 80 mm ticket). QR codes are inline SVG (segno).

WeasyPrint never goes to the network: its URL fetcher serves the app's /static/ files
from disk (a store logo) and data: URLs, and refuses everything else (no request to the
app itself, which a one-thread server would wait for forever; no SSRF through a logo path).
"""
import io
import mimetypes
import os
from urllib.parse import unquote, urlsplit

import segno
from flask import Response, current_app, render_template, request, url_for
from markupsafe import Markup
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

PX_TO_MM = 25.4 / 96  # WeasyPrint lays out in CSS pixels


def qr_svg(data, scale=3):
    """An inline SVG QR code (no file, no network)."""
    buffer = io.BytesIO()
    segno.make(data, error="m").save(buffer, kind="svg", scale=scale, xmldecl=False, svgns=True, border=1)
    return Markup(buffer.getvalue().decode())


class StaticFilesOnly(URLFetcher):
    """Serve /static/<file> from the app's static folder and data: URLs; refuse anything else."""

    def __init__(self, static_folder, static_url_path="/static"):
        super().__init__(allowed_protocols=("http", "https", "data", "file"))
        self.static_folder = os.path.realpath(static_folder)
        self.prefix = static_url_path.rstrip("/") + "/"

    def fetch(self, url, headers=None):
        if url.startswith("data:"):
            return super().fetch(url, headers)
        path = unquote(urlsplit(url).path)
        if not path.startswith(self.prefix):
            raise ValueError(f"refused (not a static file): {url}")
        target = os.path.realpath(os.path.join(self.static_folder, path[len(self.prefix):]))
        if not target.startswith(self.static_folder + os.sep) or not os.path.isfile(target):
            raise ValueError(f"refused (no such static file): {url}")
        with open(target, "rb") as handle:
            body = handle.read()
        content_type = mimetypes.guess_type(target)[0] or "application/octet-stream"
        return URLFetcherResponse(url, body, {"Content-Type": content_type})


def _html(template, context):
    html = render_template(template, **context)
    base_url = request.url_root if request else None
    fetcher = StaticFilesOnly(current_app.static_folder, _static_url_prefix())
    return HTML(string=html, base_url=base_url, url_fetcher=fetcher)


def _static_url_prefix():
    """'/static' as the app's URL map serves it (the 'static' endpoint's rule)."""
    for rule in current_app.url_map.iter_rules("static"):
        return rule.rule.split("<", 1)[0].rstrip("/")
    return "/static"


def render_pdf(template, **context):
    return _html(template, context).write_pdf()


def render_pdf_fitted(template, doc, first_height_mm=2000, bottom_margin_mm=6):
    """A one-page roll document (80 mm ticket) as tall as its content.

    Laid out once on a very tall page to measure where the content ends, then rendered with
    `doc["page_height_mm"]` set to that height (the template's @page uses it)."""
    doc = dict(doc, page_height_mm=first_height_mm)
    document = _html(template, {"doc": doc}).render()
    bottom = _content_bottom(document.pages[0]._page_box) if document.pages else None
    if bottom is None or len(document.pages) != 1:
        return document.write_pdf()
    doc["page_height_mm"] = int(bottom * PX_TO_MM + bottom_margin_mm + 1)
    return _html(template, {"doc": doc}).write_pdf()


def _content_bottom(box):
    """The lowest edge of the boxes under `box` (CSS px), or None."""
    lowest = None
    for child in getattr(box, "children", []) or []:
        if not hasattr(child, "position_y"):
            continue
        try:
            edge = child.position_y + child.margin_height()
        except (AttributeError, TypeError):
            edge = None
        deeper = _content_bottom(child)
        for value in (edge, deeper):
            if value is not None and (lowest is None or value > lowest):
                lowest = value
    return lowest


def logo_url(store):
    """The store's logo as a /static/ URL, when it names a file of the app's static folder."""
    path = (store.logo or "").strip().lstrip("/")
    if path.startswith("static/"):
        path = path[len("static/"):]
    if not path or ".." in path.split("/") or not os.path.isfile(os.path.join(current_app.static_folder, path)):
        return None
    return url_for("static", filename=path)


def store_header(store):
    """The store as every document's head shows it (`doc.store`)."""
    return {"name": store.name, "code": store.code, "address": store.address, "phone": store.phone,
            "tax_id": store.tax_id, "invoice_footer": store.invoice_footer, "logo_url": logo_url(store),
            "currency": store.currency or "XAF"}


def pdf_name(kind, number):
    """'facture', 'DLA1/2026 7' -> 'facture-DLA1-2026-7.pdf' (a file name any system keeps)."""
    safe = "".join(c if c.isalnum() or c in "-_" else "-" for c in str(number))
    return f"{kind}-{safe}.pdf"


def pdf_response(pdf_bytes, filename, inline=True):
    disposition = "inline" if inline else "attachment"
    return Response(pdf_bytes, mimetype="application/pdf",
                    headers={"Content-Disposition": f'{disposition}; filename="{filename}"',
                             "Cache-Control": "private, no-store"})
