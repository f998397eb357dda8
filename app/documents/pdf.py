"""PDF documents with WeasyPrint: templates in templates/pdf/, fonts embedded by WeasyPrint.

A document template extends pdf/base.html; the page size comes from the template's
CSS (A4 invoice, 80 mm ticket). QR codes are inline SVG (segno).
"""
import io

import segno
from flask import render_template, request
from markupsafe import Markup
from weasyprint import HTML


def qr_svg(data, scale=3):
    """An inline SVG QR code (no file, no network)."""
    buffer = io.BytesIO()
    segno.make(data, error="m").save(buffer, kind="svg", scale=scale, xmldecl=False, svgns=True, border=1)
    return Markup(buffer.getvalue().decode())


def render_pdf(template, **context):
    html = render_template(template, **context)
    base_url = request.url_root if request else None
    return HTML(string=html, base_url=base_url).write_pdf()


def pdf_response(pdf_bytes, filename, inline=True):
    from flask import Response

    disposition = "inline" if inline else "attachment"
    return Response(pdf_bytes, mimetype="application/pdf",
                    headers={"Content-Disposition": f'{disposition}; filename="{filename}"',
                             "Cache-Control": "private, no-store"})
