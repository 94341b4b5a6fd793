"""Pieces shared by the blueprints' forms."""

from collections.abc import Mapping

from wtforms import SelectChoice


def choices(labels: Mapping[str, object], blank: str | None = None) -> list[SelectChoice]:
    """Select options from a code → label mapping, optionally led by an empty option."""
    options = [SelectChoice("", blank)] if blank is not None else []
    return options + [SelectChoice(code, label) for code, label in labels.items()]


def strip(value):
    """A WTForms filter: trim surrounding whitespace from text input."""
    return value.strip() if isinstance(value, str) else value
