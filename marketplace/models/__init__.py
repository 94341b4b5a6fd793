"""The domain models, one module per domain."""

from .audit import AuditEntry
from .bookings import Booking, BookingSettings, BookingStatus, ClosedDay, OpeningHours
from .invoices import InvoiceRequest, InvoiceStatus, InvoiceTitleKind
from .jobs import JobLock
from .ledger import EntryKind, EntryStatus, LedgerEntry, Payout, PayoutStatus, PayoutTransfer
from .listings import Category, Listing, ListingFitment, ListingItem, ListingStatus
from .maintenance import MaintenanceRule
from .notifications import (
    InsurancePolicy,
    Notification,
    NotificationKind,
    NotificationPreference,
    ReminderMark,
    UnsubscribeToken,
)
from .orders import CartLine, Order, OrderEvent, OrderLine, OrderStatus
from .payments import (
    AttemptStatus,
    PaymentAttempt,
    PayMethod,
    Refund,
    RefundStatus,
    StripeEvent,
)
from .redemptions import OdometerNote, Redemption
from .reviews import RatingSummary, Review, ReviewReport, ReviewStatus
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
    UnlistedCar,
    Variant,
)
from .vouchers import Voucher, VoucherStatus

__all__ = [
    "Booking",
    "BookingSettings",
    "BookingStatus",
    "ClosedDay",
    "OpeningHours",
    "InvoiceRequest",
    "InvoiceStatus",
    "InvoiceTitleKind",
    "JobLock",
    "InsurancePolicy",
    "Notification",
    "NotificationKind",
    "NotificationPreference",
    "ReminderMark",
    "UnsubscribeToken",
    "EntryKind",
    "EntryStatus",
    "LedgerEntry",
    "OdometerNote",
    "Payout",
    "PayoutStatus",
    "PayoutTransfer",
    "Redemption",
    "AttemptStatus",
    "CartLine",
    "Order",
    "OrderEvent",
    "OrderLine",
    "OrderStatus",
    "PaymentAttempt",
    "PayMethod",
    "Refund",
    "RefundStatus",
    "RatingSummary",
    "Review",
    "ReviewReport",
    "ReviewStatus",
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
    "UnlistedCar",
    "Variant",
]
