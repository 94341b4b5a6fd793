"""Loading the bundled vehicle catalog, and finding brands and series by Chinese or pinyin."""

import csv
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Select, func, insert, or_, select, update

from ..extensions import db
from ..models import Brand, Maker, Series, Variant

CATALOG_DIR = Path(__file__).resolve().parent.parent / "data" / "catalog"

# file, model, columns (in file order; "id" first), integer columns
TABLES = (
    ("brands.csv", Brand, ("id", "name", "initial", "pinyin", "pinyin_initials"), {"id"}),
    ("makers.csv", Maker, ("id", "brand_id", "name"), {"id", "brand_id"}),
    (
        "series.csv",
        Series,
        ("id", "brand_id", "maker_id", "name", "pinyin", "pinyin_initials"),
        {"id", "brand_id", "maker_id"},
    ),
    (
        "variants.csv",
        Variant,
        (
            "id",
            "series_id",
            "name",
            "model_year",
            "displacement_cc",
            "aspiration",
            "fuel_type",
            "transmission",
        ),
        {"id", "series_id", "model_year", "displacement_cc"},
    ),
)
PARSED_FIELDS = ("displacement_cc", "aspiration", "fuel_type", "transmission")


@dataclass
class ImportReport:
    inserted: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    unchanged: dict[str, int] = field(default_factory=dict)
    variants: int = 0
    unparsed: dict[str, int] = field(default_factory=dict)


def _read(path: Path, columns: tuple[str, ...], integers: set[str]) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = []
        for raw in csv.DictReader(handle):
            row = {}
            for name in columns:
                value = (raw.get(name) or "").strip()
                row[name] = (int(value) if value else None) if name in integers else value or None
            rows.append(row)
        return rows


def import_catalog(directory: Path = CATALOG_DIR) -> ImportReport:
    """Upsert the catalog files by id: new rows are added, changed rows updated, none removed."""
    report = ImportReport()
    for filename, model, columns, integers in TABLES:
        rows = _read(directory / filename, columns, integers)
        table_columns = [getattr(model, c) for c in columns]
        existing = {r[0]: tuple(r) for r in db.session.execute(select(*table_columns))}
        new = [r for r in rows if r["id"] not in existing]
        changed = [
            r
            for r in rows
            if r["id"] in existing and tuple(r[c] for c in columns) != existing[r["id"]]
        ]
        for start in range(0, len(new), 5000):
            db.session.execute(insert(model), new[start : start + 5000])
        if changed:
            db.session.execute(update(model), changed)
        name = model.__tablename__
        report.inserted[name] = len(new)
        report.updated[name] = len(changed)
        report.unchanged[name] = len(rows) - len(new) - len(changed)
        if model is Variant:
            report.variants = len(rows)
            report.unparsed = {f: sum(1 for r in rows if r[f] is None) for f in PARSED_FIELDS}
    db.session.flush()
    return report


def _escape(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _matches(model, term: str):
    lowered = term.strip().lower()
    compact = _escape(lowered.replace(" ", ""))
    return or_(
        func.lower(model.name).like(f"%{_escape(lowered)}%", escape="\\"),
        model.pinyin.like(f"{compact}%", escape="\\"),
        model.pinyin_initials.like(f"{compact}%", escape="\\"),
    )


def search_brands(term: str) -> Select:
    """Brands whose name contains `term`, or whose pinyin or pinyin initials start with it."""
    return select(Brand).where(_matches(Brand, term)).order_by(Brand.initial, Brand.pinyin)


def search_series(term: str, limit: int = 30) -> Select:
    return select(Series).where(_matches(Series, term)).order_by(Series.pinyin).limit(limit)
