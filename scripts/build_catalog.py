"""Build the bundled vehicle catalogue from the shared Autohome CSVs.

One-off build tool, not imported by the app::

    python scripts/build_catalog.py ../shared/data/vehicles_cn

Reads ``autohome_variants_flat.csv`` and ``brands.csv`` (logo URLs are ignored),
normalises them and writes ``marketplace/data/catalog/{brands,makers,series,
variants}.csv``, then prints a report.  Needs ``pypinyin``.
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from marketplace.services.catalog_names import check_readings, clean, to_pinyin  # noqa: E402
from marketplace.services.variant_names import parse_variant_name  # noqa: E402

DEFAULT_SOURCE = ROOT.parent / "shared" / "data" / "vehicles_cn"
OUT_DIR = ROOT / "marketplace" / "data" / "catalog"
PARSED_FIELDS = ("displacement_cc", "aspiration", "fuel_type", "transmission")
MAKER_ID_OFFSET = 1_000_000  # derived maker id = offset + factory_id * 1000 + brand_id


def write_csv(path: Path, header: list[str], rows: list[dict]) -> None:
    rows = sorted(rows, key=lambda r: int(r["id"]))
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=header, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: "" if row[k] is None else row[k] for k in header})


def build(source: Path, out_dir: Path) -> list[str]:
    """Build the catalogue; return the report lines."""
    misread = check_readings()
    if misread:
        raise SystemExit("pinyin check failed: " + "; ".join(misread))

    report: list[str] = []
    conflicts: list[str] = []
    with (source / "autohome_variants_flat.csv").open(encoding="utf-8", newline="") as f:
        flat = list(csv.DictReader(f))
    with (source / "brands.csv").open(encoding="utf-8", newline="") as f:
        brand_rows = list(csv.DictReader(f))
    report.append(f"rows read: {len(flat)} variants, {len(brand_rows)} brands")

    brands: dict[str, dict] = {}
    for row in brand_rows:
        name = clean(row["brand_name"])
        pinyin, initials = to_pinyin(name)
        brands[row["brand_id"]] = {
            "id": row["brand_id"],
            "name": name,
            "initial": row["brand_letter"].strip().upper(),
            "pinyin": pinyin,
            "pinyin_initials": initials,
        }

    seen_rows: set[tuple] = set()
    duplicates = 0
    makers: dict[tuple[str, str], dict] = {}
    series: dict[str, dict] = {}
    variants: dict[str, dict] = {}
    renamed = 0
    variant_makers: list[tuple[str, str]] = []
    for row in flat:
        key = tuple(v for k, v in row.items() if not k.startswith("parsed_"))
        if key in seen_rows:
            duplicates += 1
            continue
        seen_rows.add(key)
        brand_id, maker_id, series_id = row["brand_id"], row["factory_id"], row["series_id"]

        brand = brands.get(brand_id)
        if brand is None:
            conflicts.append(f"brand {brand_id} missing from brands.csv; taken from variants")
            pinyin, initials = to_pinyin(clean(row["brand_name"]))
            brand = brands[brand_id] = {
                "id": brand_id,
                "name": clean(row["brand_name"]),
                "initial": row["brand_letter"].strip().upper(),
                "pinyin": pinyin,
                "pinyin_initials": initials,
            }
        elif (brand["name"], brand["initial"]) != (clean(row["brand_name"]), row["brand_letter"]):
            conflicts.append(f"brand {brand_id}: brands.csv and variants disagree on name/letter")

        variant_makers.append((maker_id, brand_id))
        maker = {"id": maker_id, "brand_id": brand_id, "name": clean(row["factory_name"])}
        old = makers.setdefault((maker_id, brand_id), maker)
        if old != maker:
            conflicts.append(f"maker {maker_id}: names {old['name']!r} / {maker['name']!r}")

        name = clean(row["series_name"])
        pinyin, initials = to_pinyin(name)
        item = {
            "id": series_id,
            "brand_id": brand_id,
            "maker_id": maker_id,
            "name": name,
            "pinyin": pinyin,
            "pinyin_initials": initials,
        }
        old = series.setdefault(series_id, item)
        if old != item:
            conflicts.append(f"series {series_id}: {old} / {item}")

        name = clean(row["model_name"])
        renamed += name != row["model_name"]
        spec = parse_variant_name(name, row["series_name"], row["brand_name"])
        item = {
            "id": row["model_id"],
            "series_id": series_id,
            "name": name,
            "model_year": row["model_year"],
            "displacement_cc": spec.displacement_cc,
            "aspiration": spec.aspiration,
            "fuel_type": spec.fuel_type,
            "transmission": spec.transmission,
        }
        old = variants.setdefault(row["model_id"], item)
        if old != item:
            conflicts.append(f"variant {row['model_id']}: two different rows; first kept")

    # Autohome lists a factory under each brand it builds (长城汽车 under 长城, 哈弗, WEY,
    # 欧拉).  Each (factory, brand) pair becomes one maker: the brand with the most
    # variants keeps the Autohome factory id, the others get a derived id.
    per_brand = Counter(variant_makers)
    main_brand: dict[str, str] = {}
    for maker_id, brand_id in sorted(per_brand, key=lambda k: (-per_brand[k], int(k[1]))):
        main_brand.setdefault(maker_id, brand_id)
    maker_ids: dict[tuple[str, str], str] = {}
    for maker_id, brand_id in makers:
        derived = MAKER_ID_OFFSET + int(maker_id) * 1000 + int(brand_id)
        maker_ids[(maker_id, brand_id)] = (
            maker_id if main_brand[maker_id] == brand_id else str(derived)
        )
        makers[(maker_id, brand_id)]["id"] = maker_ids[(maker_id, brand_id)]
    for item in series.values():
        item["maker_id"] = maker_ids[(item["maker_id"], item["brand_id"])]
    if len(set(maker_ids.values())) != len(maker_ids):
        raise SystemExit("maker ids are not unique")

    out_dir.mkdir(parents=True, exist_ok=True)
    used_brands = {m["brand_id"] for m in makers.values()}
    unused = sorted(set(brands) - used_brands, key=int)
    write_csv(
        out_dir / "brands.csv",
        ["id", "name", "initial", "pinyin", "pinyin_initials"],
        list(brands.values()),
    )
    write_csv(out_dir / "makers.csv", ["id", "brand_id", "name"], list(makers.values()))
    write_csv(
        out_dir / "series.csv",
        ["id", "brand_id", "maker_id", "name", "pinyin", "pinyin_initials"],
        list(series.values()),
    )
    write_csv(
        out_dir / "variants.csv",
        ["id", "series_id", "name", "model_year", *PARSED_FIELDS],
        list(variants.values()),
    )

    shared = Counter(maker_id for maker_id, _ in makers)
    report += [
        f"exact duplicate rows dropped: {duplicates}",
        f"brands written: {len(brands)}" + (f" ({len(unused)} without variants)" if unused else ""),
        f"makers written: {len(makers)} for {len(shared)} Autohome factories "
        f"({sum(1 for n in shared.values() if n > 1)} factories serve several brands: "
        f"{len(makers) - len(shared)} derived maker ids)",
        f"series written: {len(series)}",
        f"variants written: {len(variants)} (whitespace normalised in {renamed} names)",
    ]

    same_name = defaultdict(list)
    for v in variants.values():
        same_name[(v["series_id"], v["name"])].append(v["id"])
    twins = sorted(ids for ids in same_name.values() if len(ids) > 1)
    prefix = sum(1 for v in variants.values() if not v["name"].startswith(f"{v['model_year']}款"))
    states = Counter(row["cm_state"] for row in flat)
    report += [
        f"variants with the same name in one series (kept, different ids): {len(twins)}",
        f"variants whose model_year differs from the name's 'YYYY款': {prefix}",
        f"cm_state values: {dict(states)} (no on_sale column: a constant carries no meaning)",
        f"conflicts: {len(conflicts)}",
        *(f"  {c}" for c in conflicts[:20]),
        "unparsed per field:",
    ]
    total = len(variants) or 1
    for field in PARSED_FIELDS:
        missing = sum(1 for v in variants.values() if v[field] is None)
        report.append(f"  {field:<16} {missing:>6} ({100 * missing / total:.1f}%)")
    for field in ("fuel_type", "transmission", "aspiration"):
        counts = Counter(v[field] or "-" for v in variants.values())
        report.append(
            f"  {field} values: " + ", ".join(f"{k} {n}" for k, n in counts.most_common())
        )
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", nargs="?", type=Path, default=DEFAULT_SOURCE)
    parser.add_argument("--out", type=Path, default=OUT_DIR)
    args = parser.parse_args(argv)
    print("\n".join(build(args.source, args.out)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
