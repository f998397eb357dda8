"""Excel workbooks with openpyxl: reading uploads safely, writing exports in streaming mode.

Reading: the upload is checked before openpyxl sees it (size, not a zip, an encrypted or
old .xls file, macros, a zip bomb), then opened in read-only mode (rows streamed, not
loaded at once). openpyxl parses the XML with defusedxml when it is installed (it is a
requirement), so entity expansion and external entities are refused.

Writing: write-only mode (rows go to a temporary file as they come), text cells are
written as text even when they start with "=" (no formula injection from a product name).
"""
import io
import zipfile
from dataclasses import dataclass

from flask import current_app
from flask_babel import lazy_gettext as _l

from ..core.errors import BadRequest

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DEFAULT_MAX_BYTES = 5 * 1024 * 1024  # the upload itself
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024  # what its zip may expand to
MAX_COMPRESSION_RATIO = 200
DEFAULT_MAX_ROWS = 20_000
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # encrypted Office files and old .xls
ENCRYPTED_MARKER = "EncryptionInfo".encode("utf-16-le")


class SpreadsheetError(BadRequest):
    """The uploaded file cannot be read as a plain .xlsx workbook (answers 400)."""

    default_message = _l("Ce fichier n'est pas un classeur Excel (.xlsx) lisible.")


def max_upload_bytes():
    return current_app.config.get("EXCEL_IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES)


def max_rows():
    return current_app.config.get("EXCEL_IMPORT_MAX_ROWS", DEFAULT_MAX_ROWS)


def check_upload(data: bytes, filename: str | None = None):
    """Refuse, with a clear French message, whatever is not a plain .xlsx workbook."""
    name = (filename or "").lower()
    if not data:
        raise SpreadsheetError(_l("Le fichier est vide."))
    limit = max_upload_bytes()
    if len(data) > limit:
        raise SpreadsheetError(_l("Fichier trop volumineux : %(max)s Mo au plus.", max=round(limit / 1024 / 1024, 1)))
    if name.endswith((".xlsm", ".xltm", ".xlam")):
        raise SpreadsheetError(_l("Les classeurs avec macros (.xlsm) sont refusés : enregistrez le fichier au "
                                  "format .xlsx (classeur Excel sans macros)."))
    if data.startswith(OLE2_MAGIC):
        if ENCRYPTED_MARKER in data:
            raise SpreadsheetError(_l("Ce classeur est protégé par un mot de passe (chiffré) : enregistrez-le "
                                      "sans mot de passe puis réessayez."))
        raise SpreadsheetError(_l("L'ancien format Excel (.xls) n'est pas pris en charge : enregistrez le "
                                  "fichier au format .xlsx."))
    if not data.startswith(b"PK") or not zipfile.is_zipfile(io.BytesIO(data)):
        raise SpreadsheetError(_l("Ce fichier n'est pas un classeur Excel (.xlsx) : son contenu n'est pas "
                                  "celui d'un fichier .xlsx."))
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            names = {member.filename for member in members}
            content_types = archive.read("[Content_Types].xml") if "[Content_Types].xml" in names else b""
    except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError):
        raise SpreadsheetError() from None
    if "xl/workbook.xml" not in names and "xl/workbook.bin" not in names:
        raise SpreadsheetError(_l("Cette archive n'est pas un classeur Excel (.xlsx)."))
    if "xl/workbook.bin" in names:
        raise SpreadsheetError(_l("Le format binaire .xlsb n'est pas pris en charge : enregistrez le fichier "
                                  "au format .xlsx."))
    if any(n.lower().endswith("vbaproject.bin") for n in names) or b"macroEnabled" in content_types:
        raise SpreadsheetError(_l("Les classeurs avec macros (.xlsm) sont refusés : enregistrez le fichier au "
                                  "format .xlsx (classeur Excel sans macros)."))
    expanded = sum(member.file_size for member in members)
    packed = sum(member.compress_size for member in members) or 1
    if expanded > MAX_UNCOMPRESSED_BYTES or expanded / packed > MAX_COMPRESSION_RATIO:
        raise SpreadsheetError(_l("Ce classeur est anormalement compressé : il a été refusé par sécurité."))


def open_workbook(data: bytes, filename: str | None = None):
    """The workbook of a checked upload, in read-only mode (cached values, not formulas)."""
    import openpyxl

    check_upload(data, filename)
    try:
        return openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
    except Exception:  # noqa: BLE001 - any parse failure (bad XML, refused entities...) is a bad file
        raise SpreadsheetError() from None


@dataclass
class Sheet:
    """The first worksheet's header and its data rows, streamed."""

    headers: list
    rows: object  # iterator of (row number as Excel shows it, tuple of values)


def first_sheet(workbook):
    """Header row (first non-empty row) and an iterator of the rows after it; refuses an empty sheet."""
    if not workbook.sheetnames:
        raise SpreadsheetError(_l("Le classeur ne contient aucune feuille."))
    sheet = workbook[workbook.sheetnames[0]]
    rows = enumerate(sheet.iter_rows(values_only=True), start=1)
    for number, values in rows:
        if any(_filled(v) for v in values):
            headers = [str(v).strip() if v is not None else "" for v in values]
            while headers and not headers[-1]:
                headers.pop()
            return Sheet(headers=headers, rows=_data_rows(rows, len(headers)))
    raise SpreadsheetError(_l("La première feuille du classeur est vide."))


def _data_rows(rows, width):
    limit = max_rows()
    count = 0
    for number, values in rows:
        values = tuple(values[:width]) + (None,) * max(0, width - len(values))
        if not any(_filled(v) for v in values):
            continue
        count += 1
        if count > limit:
            raise SpreadsheetError(_l("Trop de lignes : %(max)s au plus par fichier.", max=limit))
        yield number, values


def _filled(value):
    return value is not None and not (isinstance(value, str) and not value.strip())


def workbook_bytes(sheets):
    """An .xlsx built in write-only mode. `sheets`: [(title, headers, rows, options)] where rows is
    an iterable of value tuples and options may give `widths` (list) and `text_columns` (indexes
    always written as text, e.g. barcodes: Excel keeps their leading zeros)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    for title, headers, rows, options in sheets:
        sheet = workbook.create_sheet(title=title[:31])
        for index, width in enumerate(options.get("widths") or [], start=1):
            sheet.column_dimensions[get_column_letter(index)].width = width
        text_columns = set(options.get("text_columns") or ())
        header_cells = []
        for header in headers:
            cell = WriteOnlyCell(sheet, value=header)
            cell.font, cell.fill = bold, fill
            header_cells.append(cell)
        sheet.append(header_cells)
        for values in rows:
            sheet.append([_cell(sheet, value, index in text_columns, WriteOnlyCell)
                          for index, value in enumerate(values)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return buffer


def _cell(sheet, value, as_text, cell_class):
    if value is None:
        return None
    if isinstance(value, str) or as_text:
        cell = cell_class(sheet, value=str(value))
        cell.data_type = "s"  # never a formula, whatever the text starts with
        if as_text:
            cell.number_format = "@"
        return cell
    return value
