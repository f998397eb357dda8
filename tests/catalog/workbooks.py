"""Excel files made in memory for the import tests."""
import io
import zipfile

from openpyxl import Workbook, load_workbook

from app.catalog.services import ean13_check_digit

HEADERS = ["SKU", "Code-barres", "Nom", "Catégorie", "Marque", "Prix d'achat", "Prix de vente", "Prix plancher",
           "TVA (%)", "Seuil de réapprovisionnement", "Actif", "Suivi par n° de série", "Garantie (mois)"]


def ean13(number, prefix="621000"):
    first_twelve = f"{prefix}{number:06d}"
    return first_twelve + str(ean13_check_digit(first_twelve))


def xlsx_bytes(headers, rows, title="Produits"):
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title)
    sheet.append(headers)
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def product_row(number, **overrides):
    """One valid row in HEADERS order."""
    values = {
        "SKU": f"IMP-{number:05d}", "Code-barres": ean13(number), "Nom": f"Câble réseau Cat6 {number} m",
        "Catégorie": "Réseau > Câbles", "Marque": "TP-Link", "Prix d'achat": 1000 + number,
        "Prix de vente": 1500 + number, "Prix plancher": 1400 + number, "TVA (%)": 19.25,
        "Seuil de réapprovisionnement": 5, "Actif": "oui", "Suivi par n° de série": "non", "Garantie (mois)": 0,
    }
    values.update(overrides)
    return [values[h] for h in HEADERS]


def read_rows(data):
    workbook = load_workbook(io.BytesIO(data), read_only=True)
    rows = [list(r) for r in workbook.worksheets[0].iter_rows(values_only=True)]
    workbook.close()
    return rows


def with_macros(data):
    """The same workbook with a VBA project inside, as Excel saves an .xlsm."""
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "[Content_Types].xml":
                content = content.replace(b"spreadsheetml.sheet.main+xml", b"sheet.macroEnabled.main+xml")
            target.writestr(item, content)
        target.writestr("xl/vbaProject.bin", b"\x00" * 64)
    return buffer.getvalue()


def encrypted_workbook():
    """What a password-protected .xlsx is: an OLE2 compound file with an EncryptionInfo stream."""
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    directory = "EncryptionInfo".encode("utf-16-le") + b"\x00" * 40 + "EncryptedPackage".encode("utf-16-le")
    return header + directory + b"\x00" * 1024
