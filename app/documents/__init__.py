"""Documents the app builds or reads: PDF (WeasyPrint, pdf.py) and Excel (openpyxl, excel.py)."""
