"""Merchants: applying for a shop, the admin's decision, staff and who may do what."""

import enum
import re
import secrets
from dataclasses import dataclass

from pypinyin import lazy_pinyin
from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..models import (
    Chain,
    Listing,
    ListingStatus,
    Role,
    Shop,
    ShopStaff,
    ShopStatus,
    StaffInvitation,
    StaffRole,
    User,
)
from ..models.types import utcnow
from . import audit, bookings
from .errors import DomainError, error_codes
from .uscc import normalise_uscc, uscc_problem, valid_uscc

PHONE_RE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")

# (from, to) moves an admin may make
TRANSITIONS = {
    (ShopStatus.APPLIED, ShopStatus.APPROVED),
    (ShopStatus.APPLIED, ShopStatus.REJECTED),
    (ShopStatus.APPROVED, ShopStatus.SUSPENDED),
    (ShopStatus.SUSPENDED, ShopStatus.APPROVED),
}


class ShopError(DomainError):
    """A refused request about a shop; `code` says why, `field` which input."""

    Code = error_codes(
        "ShopCode",
        "licence_length licence_character licence_check bad_phone bad_latitude bad_longitude "
        "chain_taken already_staff "
        "already_invited cannot_remove_self not_found reason_required illegal_transition",
    )


class IllegalTransition(ShopError):
    def __init__(self, current: ShopStatus, target: ShopStatus) -> None:
        super().__init__("illegal_transition")
        self.current = current
        self.target = target


def valid_licence(number: str) -> bool:
    """A business licence number: a unified social credit code (统一社会信用代码) with a
    correct check character, as typed (spaces, lower case and full-width forgiven)."""
    return valid_uscc(normalise_uscc(number))


def _slug(chain: str, name: str) -> str:
    words = "-".join(lazy_pinyin(f"{chain} {name}"))
    base = re.sub(r"[^a-z0-9]+", "-", words.lower()).strip("-")[:28] or "shop"
    return f"{base}-{secrets.token_hex(3)}"


def staff_membership(user: User) -> ShopStaff | None:
    return db.session.scalar(select(ShopStaff).where(ShopStaff.user_id == user.id))


def manageable_shops(user: User) -> list[Shop]:
    """Shops the user manages: the one they are manager of, and all outlets of chains they run."""
    managed = select(ShopStaff.shop_id).where(
        ShopStaff.user_id == user.id, ShopStaff.role == StaffRole.MANAGER
    )
    chains = select(Chain.id).where(Chain.admin_id == user.id)
    return list(
        db.session.scalars(
            select(Shop)
            .where(or_(Shop.id.in_(managed), Shop.chain_id.in_(chains)))
            .order_by(Shop.id)
        )
    )


def visible_shops(user: User) -> list[Shop]:
    """Shops whose console the user may open: their own shop, or their chain's outlets."""
    own = select(ShopStaff.shop_id).where(ShopStaff.user_id == user.id)
    chains = select(Chain.id).where(Chain.admin_id == user.id)
    return list(
        db.session.scalars(
            select(Shop).where(or_(Shop.id.in_(own), Shop.chain_id.in_(chains))).order_by(Shop.id)
        )
    )


class Need(enum.Enum):
    """What a page needs of the user for a shop (`find_shop`)."""

    VIEW = "view"  # works at the outlet, manages it, or runs its chain
    MANAGE = "manage"  # manages the outlet or runs its chain
    VIEW_OR_ADMIN = "view_or_admin"  # as VIEW, or a platform admin (records)
    MANAGE_OR_ADMIN = "manage_or_admin"  # as MANAGE, or a platform admin (dashboards)


@dataclass(frozen=True)
class ShopAccess:
    """What one user may do with one shop: the one rule every page asks."""

    staff: bool  # works at this outlet (any role)
    manager: bool  # manages this outlet
    chain_admin: bool  # runs the chain this outlet belongs to
    platform_admin: bool

    @property
    def can_view(self) -> bool:
        return self.staff or self.chain_admin

    @property
    def can_manage(self) -> bool:
        return self.manager or self.chain_admin

    def allows(self, need: Need) -> bool:
        return {
            Need.VIEW: self.can_view,
            Need.MANAGE: self.can_manage,
            Need.VIEW_OR_ADMIN: self.can_view or self.platform_admin,
            Need.MANAGE_OR_ADMIN: self.can_manage or self.platform_admin,
        }[need]


def access(user: User, shop: Shop) -> ShopAccess:
    if not user.is_authenticated:
        return ShopAccess(False, False, False, False)
    member = staff_membership(user)
    staff = member is not None and member.shop_id == shop.id
    return ShopAccess(
        staff=staff,
        manager=staff and member.role is StaffRole.MANAGER,
        chain_admin=shop.chain.admin_id == user.id,
        platform_admin=user.is_admin,
    )


def find_shop(user: User, shop_id: int, need: Need) -> Shop | None:
    """The shop when `user` has what `need` asks for; None both when there is no such shop
    and when it is someone else's (the pages answer 404 alike)."""
    shop = db.session.get(Shop, shop_id)
    if shop is None or not access(user, shop).allows(need):
        return None
    return shop


def can_manage(user: User, shop: Shop) -> bool:
    return access(user, shop).can_manage


def can_view(user: User, shop: Shop) -> bool:
    return access(user, shop).can_view


def _chain_named(name: str) -> Chain | None:
    """The chain called `name`, locked until the end of the transaction (PostgreSQL)."""
    return db.session.scalar(select(Chain).where(Chain.name == name).with_for_update())


def apply_for_shop(
    applicant: User,
    *,
    chain_name: str,
    name: str,
    address: str,
    city: str,
    district: str,
    latitude: float,
    longitude: float,
    opening_hours: str,
    phone: str,
    licence_number: str,
) -> Shop:
    """File an application for an outlet, under a new chain or one the applicant runs."""
    chain_name = chain_name.strip()
    licence_number = normalise_uscc(licence_number)
    problem = uscc_problem(licence_number)
    if problem is not None:
        raise ShopError(f"licence_{problem}", "licence_number", length=len(licence_number))
    if not PHONE_RE.match(phone.replace(" ", "")):
        raise ShopError("bad_phone", "phone")
    if not (-90 <= latitude <= 90):
        raise ShopError("bad_latitude", "latitude")
    if not (-180 <= longitude <= 180):
        raise ShopError("bad_longitude", "longitude")
    chain = _chain_named(chain_name)
    if chain is None:
        chain = Chain(name=chain_name, admin_id=applicant.id)
        try:
            with db.session.begin_nested():
                db.session.add(chain)
        except IntegrityError:  # another application made the chain at the same moment
            chain = _chain_named(chain_name)
            if chain is None:
                raise
    if chain.admin_id != applicant.id:
        raise ShopError("chain_taken", "chain_name")
    # The same application sent twice (a double submit) is filed once; the chain's row lock
    # makes a concurrent copy wait for the first and then find it.
    duplicate = db.session.scalar(
        select(Shop).where(
            Shop.chain_id == chain.id,
            Shop.status == ShopStatus.APPLIED,
            Shop.name == name.strip(),
            Shop.licence_number == licence_number,
        )
    )
    if duplicate is not None:
        return duplicate
    member = staff_membership(applicant)
    if member is not None and chain.admin_id != applicant.id:
        raise ShopError("already_staff")
    shop = Shop(
        chain=chain,
        slug=_slug(chain_name, name),
        name=name.strip(),
        address=address.strip(),
        city=city.strip(),
        district=district.strip(),
        latitude=latitude,
        longitude=longitude,
        opening_hours=opening_hours.strip(),
        phone=phone.replace(" ", ""),
        licence_number=licence_number,
        status=ShopStatus.APPLIED,
    )
    db.session.add(shop)
    db.session.flush()
    daily = bookings.parse_daily_hours(opening_hours)
    if daily is not None:
        bookings.set_daily_hours(shop, *daily)
    if member is None:
        try:
            with db.session.begin_nested():
                db.session.add(
                    ShopStaff(shop_id=shop.id, user_id=applicant.id, role=StaffRole.MANAGER)
                )
        except IntegrityError:
            pass  # another application of theirs, at the same moment, made them staff first
    audit.record(applicant, "shop.applied", shop, chain=chain.name)
    db.session.flush()
    return shop


def refresh_listings(shop: Shop) -> None:
    """Copy the shop's place and visibility onto its listings (browsing reads only listings)."""
    db.session.execute(
        update(Listing)
        .where(Listing.shop_id == shop.id)
        .values(
            is_public=(Listing.status == ListingStatus.ACTIVE)
            if shop.status is ShopStatus.APPROVED
            else False,
            city=shop.city,
            district=shop.district,
            latitude=shop.latitude,
            longitude=shop.longitude,
        )
        .execution_options(synchronize_session="fetch")
    )


def _move(admin: User, shop: Shop, target: ShopStatus, reason: str, action: str) -> None:
    if (shop.status, target) not in TRANSITIONS:
        raise IllegalTransition(shop.status, target)
    shop.status = target
    shop.status_reason = reason.strip()
    shop.decided_at = utcnow()
    db.session.flush()
    refresh_listings(shop)
    audit.record(admin, action, shop, reason=shop.status_reason)


def approve(admin: User, shop: Shop) -> None:
    """Open the shop: its active listings appear and its staff get the merchant role."""
    _move(admin, shop, ShopStatus.APPROVED, "", "shop.approved")
    for member in shop.staff:
        if member.user.role is Role.OWNER:
            member.user.role = Role.SHOP_STAFF
    db.session.flush()


def reject(admin: User, shop: Shop, reason: str) -> None:
    if not reason.strip():
        raise ShopError("reason_required", "reason")
    _move(admin, shop, ShopStatus.REJECTED, reason, "shop.rejected")


def suspend(admin: User, shop: Shop, reason: str) -> None:
    """Hide the shop and its listings; vouchers already sold stay valid."""
    if not reason.strip():
        raise ShopError("reason_required", "reason")
    _move(admin, shop, ShopStatus.SUSPENDED, reason, "shop.suspended")


def reinstate(admin: User, shop: Shop) -> None:
    _move(admin, shop, ShopStatus.APPROVED, "", "shop.reinstated")


def update_profile(
    manager: User,
    shop: Shop,
    *,
    address: str,
    district: str,
    opening_hours: str,
    phone: str,
    latitude: float,
    longitude: float,
) -> None:
    """Change what an outlet may change itself (not its chain, city or licence)."""
    if not PHONE_RE.match(phone.replace(" ", "")):
        raise ShopError("bad_phone", "phone")
    shop.address = address.strip()
    shop.district = district.strip()
    shop.opening_hours = opening_hours.strip()
    shop.phone = phone.replace(" ", "")
    shop.latitude = latitude
    shop.longitude = longitude
    db.session.flush()
    refresh_listings(shop)
    audit.record(manager, "shop.profile_updated", shop)


def invite_staff(manager: User, shop: Shop, email: str, role: StaffRole) -> StaffInvitation:
    email = email.strip().lower()
    pending = db.session.scalar(
        select(StaffInvitation).where(
            StaffInvitation.shop_id == shop.id, StaffInvitation.email == email
        )
    )
    if pending is not None:
        raise ShopError("already_invited", "email")
    invitation = StaffInvitation(shop_id=shop.id, email=email, role=role, invited_by_id=manager.id)
    db.session.add(invitation)
    db.session.flush()
    audit.record(manager, "shop.staff_invited", shop, email=email, role=role.value)
    return invitation


def invitations_for(user: User) -> list[StaffInvitation]:
    return list(
        db.session.scalars(
            select(StaffInvitation).where(
                StaffInvitation.email == user.email, StaffInvitation.accepted_at.is_(None)
            )
        )
    )


def accept_invitation(user: User, invitation: StaffInvitation) -> ShopStaff:
    """Join the shop; a person works at one shop at a time.

    The invitation is claimed with a conditional update, so when it is accepted twice at the
    same moment (a double submit) one request joins and the other answers with that
    membership."""
    if invitation.email != user.email or invitation.accepted_at is not None:
        raise ShopError("not_found")
    claimed = db.session.execute(
        update(StaffInvitation)
        .where(StaffInvitation.id == invitation.id, StaffInvitation.accepted_at.is_(None))
        .values(accepted_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.expire(invitation, ["accepted_at"])
    if claimed != 1:
        member = staff_membership(user)
        if member is None or member.shop_id != invitation.shop_id:
            raise ShopError("not_found")
        return member
    if staff_membership(user) is not None:
        raise ShopError("already_staff")
    member = ShopStaff(shop_id=invitation.shop_id, user_id=user.id, role=invitation.role)
    try:
        with db.session.begin_nested():
            db.session.add(member)
    except IntegrityError:  # another invitation of theirs, accepted at the same moment
        raise ShopError("already_staff") from None
    if user.role is Role.OWNER:
        user.role = Role.SHOP_STAFF
    db.session.flush()
    audit.record(user, "shop.staff_joined", invitation.shop, role=invitation.role.value)
    return member


def remove_staff(manager: User, member: ShopStaff) -> None:
    if member.user_id == manager.id:
        raise ShopError("cannot_remove_self")
    db.session.delete(member)
    db.session.flush()
    audit.record(manager, "shop.staff_removed", member.shop, user_id=member.user_id)
