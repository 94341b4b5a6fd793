"""The domain models, one module per domain."""

from .audit import AuditEntry
from .listings import Category, Listing, ListingFitment, ListingItem, ListingStatus
from .maintenance import MaintenanceRule
from .orders import CartLine, Order, OrderEvent, OrderLine, OrderStatus
from .payments import AttemptStatus, PaymentAttempt, Refund, RefundStatus, StripeEvent
from .shops import Chain, Shop, ShopStaff, ShopStatus, StaffInvitation, StaffRole
from .users import Role, User
from .vehicles import (
    Brand,
    GarageVehicle,
    Maker,
    OdometerReading,
    ReadingSource,
    Series,
    ServiceRecord,
    Variant,
)
from .vouchers import Voucher, VoucherStatus

__all__ = [
    "AttemptStatus",
    "CartLine",
    "Order",
    "OrderEvent",
    "OrderLine",
    "OrderStatus",
    "PaymentAttempt",
    "Refund",
    "RefundStatus",
    "StripeEvent",
    "Voucher",
    "VoucherStatus",
    "AuditEntry",
    "Brand",
    "Category",
    "Chain",
    "Listing",
    "ListingFitment",
    "ListingItem",
    "ListingStatus",
    "Shop",
    "ShopStaff",
    "ShopStatus",
    "StaffInvitation",
    "StaffRole",
    "GarageVehicle",
    "MaintenanceRule",
    "Maker",
    "OdometerReading",
    "ReadingSource",
    "Role",
    "Series",
    "ServiceRecord",
    "User",
    "Variant",
]
