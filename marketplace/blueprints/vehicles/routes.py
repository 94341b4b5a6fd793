from itertools import groupby

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ...extensions import db
from ...models import Brand, Maker, Series, Variant
from ...security import safe_next_url
from ...selection import load_variant, select_variant
from ...services import catalog
from . import bp

MAX_QUERY = 40


@bp.route("/")
def brands():
    """Step 1: pick a brand (grouped by initial), or search brands and series."""
    query = (request.args.get("q") or "").strip()[:MAX_QUERY]
    if query:
        found_brands = db.session.scalars(catalog.search_brands(query)).all()
        found_series = db.session.scalars(
            catalog.search_series(query).options(selectinload(Series.brand))
        ).all()
        return render_template(
            "vehicles/search.html", query=query, brands=found_brands, series=found_series
        )
    all_brands = db.session.scalars(select(Brand).order_by(Brand.initial, Brand.pinyin)).all()
    groups = [(letter, list(items)) for letter, items in groupby(all_brands, lambda b: b.initial)]
    return render_template("vehicles/brands.html", groups=groups)


@bp.route("/brands/<int:brand_id>")
def brand(brand_id: int):
    """Step 2: the brand's series, grouped by maker."""
    brand = db.get_or_404(Brand, brand_id)
    rows = db.session.execute(
        select(Series, Maker.name)
        .join(Maker, Series.maker_id == Maker.id)
        .where(Series.brand_id == brand.id)
        .order_by(Maker.name, Series.pinyin)
    ).all()
    groups = [(maker, [s for s, _ in items]) for maker, items in groupby(rows, lambda r: r[1])]
    return render_template("vehicles/brand.html", brand=brand, groups=groups)


@bp.route("/series/<int:series_id>")
def series(series_id: int):
    """Steps 3 and 4: the model year, then the variant."""
    series = db.get_or_404(Series, series_id)
    years = db.session.scalars(
        select(Variant.model_year)
        .where(Variant.series_id == series.id)
        .distinct()
        .order_by(Variant.model_year.desc())
    ).all()
    year = request.args.get("year", type=int)
    if year is None and len(years) == 1:
        year = years[0]
    variants = []
    if year is not None:
        if year not in years:
            abort(404)
        variants = db.session.scalars(
            select(Variant)
            .where(Variant.series_id == series.id, Variant.model_year == year)
            .order_by(Variant.name)
        ).all()
    return render_template(
        "vehicles/series.html", series=series, years=years, year=year, variants=variants
    )


@bp.route("/select", methods=["POST"])
def select_vehicle():
    """Make a variant the selected vehicle (and put it in a signed-in owner's garage)."""
    variant = load_variant(request.form.get("variant_id", type=int))
    if variant is None:
        abort(404)
    select_variant(variant)
    flash(_("Selected: %(vehicle)s", vehicle=variant.label), "success")
    return redirect(safe_next_url(request.form.get("next")) or url_for("maintenance.form"))
