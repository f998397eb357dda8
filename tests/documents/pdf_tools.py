"""Reading back the PDFs we produce: text (pypdf), QR codes (pdfium render + zxing), and a PDF a
browser opens from a link."""
import io

import pypdfium2
import zxingcpp
from pypdf import PdfReader


def pdf_text(pdf_bytes):
    reader = PdfReader(io.BytesIO(pdf_bytes))
    return [page.extract_text() for page in reader.pages]


def pdf_fonts(pdf_bytes):
    """Names of the fonts embedded in the PDF (FontFile2/3 present)."""
    reader = PdfReader(io.BytesIO(pdf_bytes))
    embedded = set()
    for page in reader.pages:
        fonts = page["/Resources"].get_object().get("/Font", {})
        for font in fonts.values():
            font = font.get_object()
            descriptor = font.get("/FontDescriptor")
            if descriptor is None and "/DescendantFonts" in font:
                descriptor = font["/DescendantFonts"][0].get_object().get("/FontDescriptor")
            if descriptor is not None:
                descriptor = descriptor.get_object()
                if any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")):
                    embedded.add(str(font["/BaseFont"]))
    return embedded


def qr_codes(pdf_bytes, page_index=-1, scale=4):
    document = pypdfium2.PdfDocument(pdf_bytes)
    image = document[page_index if page_index >= 0 else len(document) + page_index].render(scale=scale).to_pil()
    return [result.text for result in zxingcpp.read_barcodes(image)]


def pdf_opened_by(page, link):
    """Click a link that opens a PDF in a new tab: the browser receives application/pdf (and shows
    it in its PDF viewer); the same URL fetched with the page's cookies gives the PDF's bytes."""
    def is_pdf(response):
        return response.url.endswith(".pdf") and response.headers.get("content-type") == "application/pdf"

    with page.context.expect_page() as popup, page.context.expect_event("response", predicate=is_pdf) as answer:
        link.click()
    assert answer.value.status == 200
    assert popup.value.url == answer.value.url
    body = page.request.get(answer.value.url).body()
    assert body.startswith(b"%PDF")
    popup.value.close()
    return body
