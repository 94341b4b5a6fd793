import re

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ...error_messages import message
from ...extensions import db
from ...labels import LISTING_STATUS_NAMES
from ...models import (
    Brand,
    Listing,
    ListingStatus,
    Series,
    Shop,
    ShopStaff,
    StaffInvitation,
    StaffRole,
)
from ...services import listings as listing_service
from ...services import shops as shop_service
from ..refusals import REFUSED, change_or_refuse
from . import bp
from .forms import InviteForm, ListingForm, ShopApplicationForm, ShopProfileForm


@bp.before_request
@login_required
def require_login():
    """The console is for signed-in merchants."""


def _shop(shop_id: int, manage: bool = False) -> Shop:
    """A shop the current user may see (or manage); anything else is a 404."""
    need = shop_service.Need.MANAGE if manage else shop_service.Need.VIEW
    return shop_service.find_shop(current_user, shop_id, need) or abort(404)


def _listing(listing_id: int) -> Listing:
    listing = db.session.get(Listing, listing_id)
    if listing is None or not shop_service.can_manage(current_user, listing.shop):
        abort(404)
    return listing


@bp.route("/")
def index():
    """The merchant console: my shops, or how to get one."""
    return render_template(
        "merchant/index.html",
        shops=shop_service.visible_shops(current_user),
        invitations=shop_service.invitations_for(current_user),
    )


@bp.route("/apply", methods=["GET", "POST"])
def apply():
    """Apply to open an outlet on the marketplace."""
    form = ShopApplicationForm()
    if form.validate_on_submit():
        fields = ShopApplicationForm.SERVICE_FIELDS
        shop = change_or_refuse(
            form,
            lambda: shop_service.apply_for_shop(
                current_user, **{name: getattr(form, name).data for name in fields}
            ),
            field="chain_name",
        )
        if shop is not REFUSED:
            flash(
                _("Application sent. An admin will review it; you will see the decision here."),
                "success",
            )
            return redirect(url_for("merchant.shop", shop_id=shop.id))
    return render_template("merchant/apply.html", form=form)


@bp.route("/shops/<int:shop_id>", methods=["GET", "POST"])
def shop(shop_id: int):
    """One shop's console: status, profile and listings."""
    shop = _shop(shop_id)
    manager = shop_service.can_manage(current_user, shop)
    form = ShopProfileForm(obj=shop)
    if form.is_submitted():
        if not manager:
            abort(404)
        if form.validate():
            fields = ShopProfileForm.SERVICE_FIELDS
            done = change_or_refuse(
                form,
                lambda: shop_service.update_profile(
                    current_user, shop, **{name: getattr(form, name).data for name in fields}
                ),
            )
            if done is not REFUSED:
                flash(_("Saved."), "success")
                return redirect(url_for("merchant.shop", shop_id=shop.id))
    listings = db.session.scalars(
        select(Listing)
        .where(Listing.shop_id == shop.id)
        .options(selectinload(Listing.items))
        .order_by(Listing.id.desc())
    ).all()
    return render_template(
        "merchant/shop.html", shop=shop, form=form, listings=listings, manager=manager
    )


def _names(text: str) -> list[str]:
    return [part.strip() for part in re.split(r"[,，、;；]", text or "") if part.strip()]


def _resolve_fitment(form: ListingForm) -> tuple[list[int], list[int]] | None:
    """Brand and series names → ids; unknown or ambiguous names are form errors."""
    brand_ids, series_ids = [], []
    for name in _names(form.fit_brands.data):
        found = db.session.scalars(select(Brand.id).where(Brand.name == name)).all()
        if len(found) != 1:
            form.fit_brands.errors.append(_("Unknown brand: %(name)s", name=name))
        else:
            brand_ids.append(found[0])
    for name in _names(form.fit_series.data):
        found = db.session.scalars(select(Series.id).where(Series.name == name)).all()
        if not found:
            form.fit_series.errors.append(_("Unknown series: %(name)s", name=name))
        elif len(found) > 1:
            form.fit_series.errors.append(
                _("Several series are called %(name)s: limit by brand instead.", name=name)
            )
        else:
            series_ids.append(found[0])
    if form.fit_brands.errors or form.fit_series.errors:
        return None
    return brand_ids, series_ids


def _draft(form: ListingForm, brand_ids, series_ids) -> listing_service.ListingDraft:
    return listing_service.ListingDraft(
        title=form.title.data,
        category=form.category.data,
        description=form.description.data or "",
        price_fen=form.price.fen,
        list_price_fen=form.list_price.fen,
        validity_days=form.validity_days.data,
        stock=form.stock.data,
        items=form.items.data or [],
        fit_fuels=form.fit_fuels.data or [],
        fit_brand_ids=brand_ids,
        fit_series_ids=series_ids,
        refund_any_time=form.refund_any_time.data,
        refund_on_expiry=form.refund_on_expiry.data,
        chain_redeemable=form.chain_redeemable.data,
        oil_viscosity=form.oil_viscosity.data or "",
        oil_spec=form.oil_spec.data or "",
        oil_capacity=form.oil_capacity.data or "",
        tyre_size=form.tyre_size.data or "",
    )


def _save_listing(form: ListingForm, save) -> bool:
    """Validate the form and call `save(draft)`; put refusals on the form."""
    if not form.validate_on_submit():
        return False
    fitment = _resolve_fitment(form)
    if fitment is None:
        return False
    saved = change_or_refuse(
        form,
        lambda: save(_draft(form, *fitment)),
        fields={"price_fen": "price", "list_price_fen": "list_price"},
    )
    return saved is not REFUSED


@bp.route("/shops/<int:shop_id>/listings/new", methods=["GET", "POST"])
def new_listing(shop_id: int):
    """Create a listing (saved as a draft)."""
    shop = _shop(shop_id, manage=True)
    form = ListingForm()
    created = []
    if _save_listing(
        form,
        lambda draft: created.append(listing_service.create_listing(current_user, shop, draft)),
    ):
        flash(_("Listing saved as a draft. Publish it when it is ready."), "success")
        return redirect(url_for("merchant.shop", shop_id=shop.id))
    return render_template("merchant/listing_form.html", form=form, shop=shop, listing=None)


@bp.route("/listings/<int:listing_id>/edit", methods=["GET", "POST"])
def edit_listing(listing_id: int):
    """Change a listing; earlier buyers keep what they paid for."""
    listing = _listing(listing_id)
    form = ListingForm(obj=listing)
    if not form.is_submitted():
        draft = listing_service.draft_from(listing)
        form.price.set_fen(listing.price_fen)
        form.list_price.set_fen(listing.list_price_fen)
        form.items.data = draft.items
        form.fit_fuels.data = draft.fit_fuels
        form.category.data = draft.category
        form.oil_capacity.data = draft.oil_capacity
        form.fit_brands.data = "、".join(
            db.session.scalars(select(Brand.name).where(Brand.id.in_(draft.fit_brand_ids)))
        )
        form.fit_series.data = "、".join(
            db.session.scalars(select(Series.name).where(Series.id.in_(draft.fit_series_ids)))
        )
    if _save_listing(
        form, lambda draft: listing_service.update_listing(current_user, listing, draft)
    ):
        flash(_("Saved."), "success")
        return redirect(url_for("merchant.shop", shop_id=listing.shop_id))
    return render_template(
        "merchant/listing_form.html", form=form, shop=listing.shop, listing=listing
    )


@bp.route("/listings/<int:listing_id>/status/<status>", methods=["POST"])
def listing_status(listing_id: int, status: str):
    """Publish, pause or unpublish a listing."""
    listing = _listing(listing_id)
    try:
        target = ListingStatus(status)
    except ValueError:
        abort(404)
    back = redirect(url_for("merchant.shop", shop_id=listing.shop_id))
    try:
        with db.session.begin_nested():
            listing_service.set_status(current_user, listing, target)
    except listing_service.ListingError as error:
        flash(message(error), "error")
        return back
    flash(_("Listing status: %(status)s.", status=LISTING_STATUS_NAMES[target.value]), "success")
    return back


@bp.route("/shops/<int:shop_id>/staff", methods=["GET", "POST"])
def staff(shop_id: int):
    """The shop's staff and invitations; managers invite by email."""
    shop = _shop(shop_id, manage=True)
    form = InviteForm()
    if form.validate_on_submit():
        try:
            with db.session.begin_nested():
                shop_service.invite_staff(
                    current_user, shop, form.email.data, StaffRole(form.role.data)
                )
        except shop_service.ShopError as error:
            form.email.errors.append(message(error))
        else:
            flash(_("Invitation sent to %(email)s.", email=form.email.data.lower()), "success")
            return redirect(url_for("merchant.staff", shop_id=shop.id))
    members = db.session.scalars(
        select(ShopStaff).where(ShopStaff.shop_id == shop.id).options(selectinload(ShopStaff.user))
    ).all()
    invitations = db.session.scalars(
        select(StaffInvitation).where(
            StaffInvitation.shop_id == shop.id, StaffInvitation.accepted_at.is_(None)
        )
    ).all()
    return render_template(
        "merchant/staff.html", shop=shop, form=form, members=members, invitations=invitations
    )


@bp.route("/staff/<int:member_id>/remove", methods=["POST"])
def remove_staff(member_id: int):
    member = db.session.get(ShopStaff, member_id)
    if member is None or not shop_service.can_manage(current_user, member.shop):
        abort(404)
    shop_id = member.shop_id
    try:
        with db.session.begin_nested():
            shop_service.remove_staff(current_user, member)
    except shop_service.ShopError as error:
        flash(message(error), "error")
    else:
        flash(_("Removed from the staff."), "info")
    return redirect(url_for("merchant.staff", shop_id=shop_id))


@bp.route("/invitations/<int:invitation_id>/accept", methods=["POST"])
def accept_invitation(invitation_id: int):
    """Join the shop that invited this account's email."""
    invitation = db.session.get(StaffInvitation, invitation_id)
    if invitation is None or invitation.email != current_user.email:
        abort(404)
    try:
        with db.session.begin_nested():
            member = shop_service.accept_invitation(current_user, invitation)
    except shop_service.ShopError as error:
        if error.code == "not_found":
            abort(404)
        flash(message(error), "error")
        return redirect(url_for("merchant.index"))
    flash(_("You joined %(shop)s.", shop=invitation.shop.display_name), "success")
    return redirect(url_for("merchant.shop", shop_id=member.shop_id))
