"""Blueprints, one package each, and one top-level blueprint per URL prefix: a URL's first
segment names the package that serves it. Pages under another blueprint's prefix are nested
blueprints in a package inside it (`merchant/redemption/` serves `/merchant/redeem` as
`merchant.redemption.redeem`); the parent registers them (tests/blueprints/test_url_prefixes.py
keeps the rule)."""


def register_blueprints(app) -> None:
    from .account import bp as account_bp
    from .admin import bp as admin_bp
    from .auth import bp as auth_bp
    from .cart import bp as cart_bp
    from .checkout import bp as checkout_bp
    from .garage import bp as garage_bp
    from .listings import bp as listings_bp
    from .main import bp as main_bp
    from .maintenance import bp as maintenance_bp
    from .merchant import bp as merchant_bp
    from .reviews import bp as reviews_bp
    from .shops import bp as shops_bp
    from .vehicles import bp as vehicles_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(auth_bp, url_prefix="/auth")
    app.register_blueprint(account_bp, url_prefix="/account")  # + account.reviews
    app.register_blueprint(vehicles_bp, url_prefix="/vehicles")
    app.register_blueprint(garage_bp, url_prefix="/garage")
    app.register_blueprint(maintenance_bp, url_prefix="/maintenance")
    app.register_blueprint(listings_bp, url_prefix="/listings")
    app.register_blueprint(shops_bp, url_prefix="/shops")
    app.register_blueprint(cart_bp, url_prefix="/cart")
    app.register_blueprint(checkout_bp, url_prefix="/checkout")
    app.register_blueprint(reviews_bp, url_prefix="/reviews")
    # + merchant.redemption, merchant.dashboard, merchant.reviews
    app.register_blueprint(merchant_bp, url_prefix="/merchant")
    app.register_blueprint(admin_bp, url_prefix="/admin")  # + admin.reviews
