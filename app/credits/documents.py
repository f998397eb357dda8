"""The customer's statement (A4, French), drawn like the invoice: templates/credits/statement_pdf.html.
(The repayment receipt is the till's: app/pos/credit.py.)"""
from ..core.formatting import format_local_datetime
from ..documents.pdf import pdf_response, render_pdf, store_header
from .models import CREDIT, INSTALLMENT_LABELS, SOURCE_LABELS


def _installment(row, today):
    return {"number": row.number, "due_date": row.due_date.strftime("%d/%m/%Y"), "amount": row.amount,
            "paid": row.paid, "left": row.left, "sale": row.sale.number if row.sale else None,
            "status": str(INSTALLMENT_LABELS[row.status_on(today)])}


def statement_doc(period):
    account, store = period.account, period.account.store
    return {
        "store": store_header(store), "currency": store.currency,
        "customer": {"name": account.customer.name, "phone": account.customer.phone,
                     "tax_id": account.customer.tax_id},
        "date_from": period.date_from.strftime("%d/%m/%Y"), "date_to": period.date_to.strftime("%d/%m/%Y"),
        "today": period.today.strftime("%d/%m/%Y"), "credit_limit": account.credit_limit,
        "opening_balance": period.opening_balance, "closing_balance": period.closing_balance,
        "entries": [{
            "date": format_local_datetime(entry.created_at, store.timezone),
            "label": str(SOURCE_LABELS.get(entry.source, entry.source)),
            "sale": entry.sale.number if entry.sale else "",
            "note": entry.note or "",
            "debit": entry.amount if entry.kind != CREDIT else None,
            "credit": entry.amount if entry.kind == CREDIT else None,
            "balance_after": entry.balance_after,
        } for entry in period.entries],
        "due": [_installment(row, period.today) for row in period.installments_due],
        "overdue": [_installment(row, period.today) for row in period.installments_overdue],
        "overdue_total": sum((row.left for row in period.installments_overdue), 0),
    }


def statement_pdf(period):
    return render_pdf("credits/statement_pdf.html", doc=statement_doc(period))


def statement_response(period):
    account = period.account
    name = f"releve-{account.store.code}-{account.id}-{period.date_to.isoformat()}.pdf"
    return pdf_response(statement_pdf(period), name)

