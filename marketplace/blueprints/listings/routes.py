from flask import render_template, request

from ...labels import ITEM_NAMES
from ...selection import load_variant
from . import bp


@bp.route("/")
def index():
    """Browse and search service packages (the catalog of offers arrives with the shops)."""
    item = request.args.get("item")
    variant = load_variant(request.args.get("variant", type=int))
    return render_template(
        "listings/index.html",
        item=item if item in ITEM_NAMES else None,
        variant=variant,
        listings=[],
    )
