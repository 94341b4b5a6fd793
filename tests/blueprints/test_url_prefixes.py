"""One top-level blueprint per URL prefix, so a URL tells which package serves it: pages under
another blueprint's prefix are blueprints nested in it, in a package inside its package."""

from collections import defaultdict


def first_segment(rule) -> str:
    return rule.rule.lstrip("/").split("/", 1)[0]


def test_every_first_path_segment_belongs_to_one_top_level_blueprint(app):
    owners = defaultdict(set)
    for rule in app.url_map.iter_rules():
        owners[first_segment(rule)].add(rule.endpoint.split(".", 1)[0])
    assert {segment: sorted(names) for segment, names in owners.items() if len(names) > 1} == {}
    assert not [segment for segment in owners if "<" in segment], "a variable first segment"
    # the nested blueprints count as their parent's
    assert owners["merchant"] == {"merchant"} and owners["admin"] == {"admin"}
    assert owners["account"] == {"account"} and owners["reviews"] == {"reviews"}


def test_every_view_is_in_the_package_its_endpoint_names(app):
    """`merchant.redemption.redeem` is defined in marketplace/blueprints/merchant/redemption/."""
    misplaced = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        blueprint, _, _ = rule.endpoint.rpartition(".")
        package = f"marketplace.blueprints.{blueprint}"
        module = app.view_functions[rule.endpoint].__module__
        if app.blueprints[blueprint].import_name != package or not module.startswith(package + "."):
            misplaced.append(f"{rule.rule} {rule.endpoint} in {module}")
    assert misplaced == []
