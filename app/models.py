"""Imports every model so that FAB, Alembic and the tests see one complete metadata."""
from flask_appbuilder.security.sqla.models import User  # noqa: F401  FAB's user, referenced by our tables
from .accounts.models import RefreshToken, RevokedToken, UserStamp  # noqa: F401
from .core.models import AuditLog, Sequence  # noqa: F401
from .stores.models import Store, StoreUser  # noqa: F401
from .catalog.models import Brand, Category, Product, ProductImage, ProductSpec  # noqa: F401
from .stock.models import (  # noqa: F401
    InventoryMovement,
    ProductStock,
    SerialNumber,
    StockCount,
    StockCountLine,
    Transfer,
    TransferLine,
)
from .customers.models import Customer  # noqa: F401
from .sales.models import Approval, Refund, RefundLine, Sale, SaleItem  # noqa: F401
from .cashier.models import CashPayout, CashShift, Payment  # noqa: F401
from .alerts.models import Alert  # noqa: F401
from .reports.models import KPISnapshot  # noqa: F401
from .credits.models import CreditLedgerEntry, CreditRepayment, CustomerAccount, Installment  # noqa: F401
from .purchases.models import GoodsReceipt, GoodsReceiptLine, PurchaseOrder, PurchaseOrderLine, Supplier  # noqa: F401
