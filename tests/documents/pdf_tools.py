"""Reading back the PDFs we produce: text (pypdf) and QR codes (pdfium render + zxing)."""
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
