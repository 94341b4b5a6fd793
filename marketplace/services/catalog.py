"""Loading the vehicle catalog, and finding brands and series by Chinese or pinyin.

Two formats load: the bundled tables (`catalog/{brands,makers,series,variants}.csv`) and
an Autohome-style export, one row per variant (`catalog/supplement/*.csv`, or a newer export
an operator passes to `catalog import FILE`). Both upsert by id and never delete, so a garage
car keeps its variant.
"""

import csv
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Select, func, insert, or_, select, update

from ..extensions import db
from ..models import Brand, Maker, Series, Variant
from ..powertrain import Aspiration, FuelType, Transmission
from .catalog_names import clean, to_pinyin
from .variant_names import parse_variant_name

CATALOG_DIR = Path(__file__).resolve().parent.parent / "data" / "catalog"
SUPPLEMENT_DIR = CATALOG_DIR / "supplement"
EXPORT_COLUMNS = (
    "brand_id",
    "brand_name",
    "brand_letter",
    "factory_id",
    "factory_name",
    "series_id",
    "series_name",
    "series_letter",
    "model_id",
    "model_name",
    "model_year",
)
MAKER_ID_OFFSET = 1_000_000  # a factory that builds for several brands: one maker per brand
MAX_ID = 2_000_000_000

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


class CatalogFileError(ValueError):
    """A file that cannot be read as a catalog export at all (nothing is loaded)."""


@dataclass
class ImportReport:
    inserted: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    unchanged: Counter = field(default_factory=Counter)
    variants: int = 0
    unparsed: Counter = field(default_factory=Counter)
    rejected: list[tuple[int, str]] = field(default_factory=list)
    """(line, reason) of export rows left out."""
    per_year: Counter = field(default_factory=Counter)
    """Variants per model year in the files read."""


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


def _upsert(
    model,
    columns: tuple[str, ...],
    rows: list[dict],
    report: ImportReport,
    keep: frozenset[int] = frozenset(),
) -> None:
    """Insert rows whose id is new, update those that differ (except ids in `keep`, which a
    later file describes), count the rest."""
    table_columns = [getattr(model, c) for c in columns]
    ids = [r["id"] for r in rows]
    existing = {}
    for start in range(0, len(ids), 5000):
        chunk = ids[start : start + 5000]
        query = select(*table_columns).where(model.id.in_(chunk))
        existing.update({r[0]: tuple(r) for r in db.session.execute(query)})
    new = [r for r in rows if r["id"] not in existing]
    changed = [
        r
        for r in rows
        if r["id"] in existing
        and r["id"] not in keep
        and tuple(r[c] for c in columns) != existing[r["id"]]
    ]
    for start in range(0, len(new), 5000):
        db.session.execute(insert(model), new[start : start + 5000])
    if changed:
        db.session.execute(update(model), changed)
    name = model.__tablename__
    report.inserted[name] += len(new)
    report.updated[name] += len(changed)
    report.unchanged[name] += len(rows) - len(new) - len(changed)


def _count_variants(rows: list[dict], report: ImportReport) -> None:
    report.variants += len(rows)
    for f in PARSED_FIELDS:
        report.unparsed[f] += sum(1 for r in rows if r[f] is None)
    report.per_year.update(r["model_year"] for r in rows)


def import_catalog(directory: Path = CATALOG_DIR) -> ImportReport:
    """Upsert the bundled tables by id, then the exports in `supplement/` beside them."""
    report = ImportReport()
    exports = [
        _read_export(path, report) for path in sorted((directory / "supplement").glob("*.csv"))
    ]
    # a series the supplement continues is described by it: added from the base table (its
    # variants need it), then never changed back by the base table
    newer = frozenset(row["series_id"] for rows in exports for row in rows)
    for filename, model, columns, integers in TABLES:
        rows = _read(directory / filename, columns, integers)
        _upsert(model, columns, rows, report, keep=newer if model is Series else frozenset())
        if model is Variant:
            _count_variants(rows, report)
    db.session.flush()
    for rows in exports:
        _load_export(rows, report)
    return report


# What an export's own columns say, used where the variant name does not.
_FUEL_HINTS = {**{f.value: f.value for f in FuelType}, "ev": "bev", "hybrid": "hev"}
_GEARBOX_HINTS = {
    "MT": Transmission.MT,
    "AT": Transmission.AT,
    "CVT": Transmission.CVT,
    "DCT": Transmission.DCT,
    "AMT": Transmission.AMT,
    "single_speed": Transmission.SINGLE_SPEED,
}


def _int(raw: dict, name: str, low: int = 1, high: int = MAX_ID) -> int:
    value = (raw.get(name) or "").strip()
    if not value.isdigit() or not low <= int(value) <= high:
        raise ValueError(f"{name} {value!r} is not a number from {low} to {high}")
    return int(value)


def _text(raw: dict, name: str, length: int) -> str:
    value = clean(raw.get(name) or "")
    if not value or len(value) > length:
        raise ValueError(f"{name} must be 1 to {length} characters")
    return value


def _spec(raw: dict, name: str, series: str, brand: str) -> dict:
    spec = parse_variant_name(name, series, brand)
    fuel = spec.fuel_type or _FUEL_HINTS.get((raw.get("parsed_fuel_hint") or "").strip())
    hinted = _GEARBOX_HINTS.get((raw.get("parsed_transmission") or "").strip())
    gearbox = spec.transmission or hinted
    if gearbox == Transmission.AT and hinted in (Transmission.DCT, Transmission.CVT):
        gearbox = hinted  # "自动" only says automatic; the export says which kind
    litres = (raw.get("parsed_displacement_l") or "").strip()
    displacement = spec.displacement_cc
    if displacement is None and fuel != FuelType.BEV and litres:
        try:
            displacement = round(float(litres) * 1000) if 0.6 <= float(litres) <= 8.4 else None
        except ValueError:
            displacement = None
    aspiration = spec.aspiration
    if aspiration is None and displacement and (raw.get("parsed_turbo") or "").strip() == "T":
        aspiration = Aspiration.TURBO.value
    return {
        "displacement_cc": displacement,
        "aspiration": aspiration,
        "fuel_type": fuel,
        "transmission": gearbox.value if isinstance(gearbox, Transmission) else gearbox,
    }


def _read_export(path: Path, report: ImportReport) -> list[dict]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            missing = [c for c in EXPORT_COLUMNS if c not in (reader.fieldnames or ())]
            if missing:
                raise CatalogFileError(f"{path.name}: no column {', '.join(missing)}")
            rows = []
            for raw in reader:
                line = reader.line_num
                try:
                    rows.append(
                        {
                            "line": line,
                            "brand_id": _int(raw, "brand_id"),
                            "brand": _text(raw, "brand_name", 60),
                            "letter": (raw.get("brand_letter") or "").strip().upper()[:1],
                            "factory_id": _int(raw, "factory_id", high=999_999),
                            "factory": _text(raw, "factory_name", 60),
                            "series_id": _int(raw, "series_id"),
                            "series": _text(raw, "series_name", 80),
                            "id": _int(raw, "model_id"),
                            "name": _text(raw, "model_name", 120),
                            "model_year": (
                                _int(raw, "model_year", 1950, 2100)
                                if (raw.get("model_year") or "").strip()
                                else None
                            ),
                            "raw": raw,
                        }
                    )
                except ValueError as error:
                    report.rejected.append((line, str(error)))
            return rows
    except UnicodeDecodeError as error:
        raise CatalogFileError(f"{path.name}: not UTF-8 ({error.reason})") from None
    except csv.Error as error:
        raise CatalogFileError(f"{path.name}: not a CSV file ({error})") from None


def _maker_ids(rows: list[dict]) -> dict[tuple[int, int], int]:
    """One maker per (factory, brand): the factory's id while it is free or already this
    brand's, else the derived id the bundled build gives a second brand."""
    taken = dict(db.session.execute(select(Maker.id, Maker.brand_id)).all())
    ids: dict[tuple[int, int], int] = {}
    for row in rows:
        key = (row["factory_id"], row["brand_id"])
        if key in ids:
            continue
        factory, brand = key
        derived = MAKER_ID_OFFSET + factory * 1000 + brand
        if taken.get(factory, brand) == brand:
            ids[key] = factory
        else:
            ids[key] = derived
        taken.setdefault(ids[key], brand)
    return ids


def import_export(path: Path, report: ImportReport | None = None) -> ImportReport:
    """Upsert an Autohome-style export (one row per variant) by id. Rows that contradict
    the rest of the file or the catalog (a series under another brand) are left out and
    reported; a file without the export's columns loads nothing."""
    report = report if report is not None else ImportReport()
    _load_export(_read_export(path, report), report)
    return report


def _load_export(rows: list[dict], report: ImportReport) -> None:
    brand_of_series = dict(db.session.execute(select(Series.id, Series.brand_id)).all())
    times = Counter(r["id"] for r in rows)
    kept = []
    for row in rows:
        owner = brand_of_series.setdefault(row["series_id"], row["brand_id"])
        if times[row["id"]] > 1:
            report.rejected.append(
                (row["line"], f"model_id {row['id']} appears {times[row['id']]} times")
            )
        elif owner != row["brand_id"]:
            report.rejected.append((row["line"], f"series {row['series_id']} is another brand's"))
        else:
            kept.append(row)

    makers = _maker_ids(kept)
    brands, maker_rows, series, variants = {}, {}, {}, []
    for row in kept:
        pinyin, initials = to_pinyin(row["brand"])
        brands.setdefault(
            row["brand_id"],
            {
                "id": row["brand_id"],
                "name": row["brand"],
                "initial": row["letter"] or (pinyin[:1].upper() or "#"),
                "pinyin": pinyin,
                "pinyin_initials": initials,
            },
        )
        maker_id = makers[(row["factory_id"], row["brand_id"])]
        maker_rows.setdefault(
            maker_id, {"id": maker_id, "brand_id": row["brand_id"], "name": row["factory"]}
        )
        pinyin, initials = to_pinyin(row["series"])
        series.setdefault(
            row["series_id"],
            {
                "id": row["series_id"],
                "brand_id": row["brand_id"],
                "maker_id": maker_id,
                "name": row["series"],
                "pinyin": pinyin,
                "pinyin_initials": initials,
            },
        )
        variants.append(
            {
                "id": row["id"],
                "series_id": row["series_id"],
                "name": row["name"],
                "model_year": row["model_year"],
                **_spec(row["raw"], row["name"], row["series"], row["brand"]),
            }
        )
    for (_, model, columns, _), rows_of in zip(
        TABLES, (brands.values(), maker_rows.values(), series.values(), variants), strict=True
    ):
        _upsert(model, columns, sorted(rows_of, key=lambda r: r["id"]), report)
    _count_variants(variants, report)
    db.session.flush()


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
    """Series found by name, pinyin or initials, or by brand and series together written
    as one ("小米 SU7", "特斯拉Model Y"); the closest names first."""
    lowered = term.strip().lower()
    compact = _escape(lowered.replace(" ", ""))
    joined = func.replace(func.lower(Brand.name + Series.name), " ", "")
    name = func.replace(func.lower(Series.name), " ", "")
    return (
        select(Series)
        .join(Brand, Series.brand_id == Brand.id)
        .where(
            or_(
                _matches(Series, term),
                name.like(f"%{compact}%", escape="\\"),
                joined.like(f"%{compact}%", escape="\\"),
            )
        )
        .order_by(
            (name == lowered.replace(" ", "")).desc(), func.length(Series.name), Series.pinyin
        )
        .limit(limit)
    )
