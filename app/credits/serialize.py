"""JSON shapes of credit accounts, ledger entries and repayments (amounts as decimal strings)."""
from ..core.api import moment
from ..sales.serialize import amount, user_label
from . import services


def installment_to_dict(installment, today):
    return {"id": installment.id, "number": installment.number, "due_date": installment.due_date.isoformat(),
            "amount": amount(installment.amount), "paid": amount(installment.paid),
            "sale": installment.sale_id, "status": installment.status_on(today)}


def account_to_dict(account, with_installments=True):
    summary = services.account_summary(account)
    result = {
        "id": account.id, "customer": account.customer_id,
        "customer_name": account.customer.name if account.customer else None,
        "customer_phone": account.customer.phone if account.customer else None,
        "store": account.store_id, "store_code": account.store.code if account.store else None,
        "credit_limit": amount(account.credit_limit), "balance": amount(account.balance),
        "available": amount(summary["available"]), "overdue_amount": amount(summary["overdue_amount"]),
        "is_active": account.is_active, "note": account.note, "created_at": moment(account.created_at),
    }
    if with_installments:
        result["installments"] = [installment_to_dict(i, summary["today"]) for i in summary["installments"]]
    return result


def entry_to_dict(entry):
    return {"id": entry.id, "account": entry.account_id, "store": entry.store_id, "kind": entry.kind,
            "source": entry.source, "amount": amount(entry.amount), "balance_after": amount(entry.balance_after),
            "sale": entry.sale_id, "sale_number": entry.sale.number if entry.sale else None,
            "repayment": entry.repayment_id, "created_at": moment(entry.created_at), "user": entry.user_id,
            "user_name": user_label(entry.user), "note": entry.note}


def repayment_to_dict(result):
    repayment = result.repayment
    return {"id": repayment.id, "account": repayment.account_id, "store": repayment.store_id,
            "shift": repayment.shift_id, "method": repayment.method, "amount": amount(repayment.amount),
            "operator": repayment.operator, "reference": repayment.reference,
            "balance": amount(repayment.balance_after), "created_at": moment(repayment.created_at)}
