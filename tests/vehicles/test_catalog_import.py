"""`catalog import`: the bundled 2021–2026 supplement, and an operator's newer export."""

import csv
import re
from collections import Counter

from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.models import Brand, GarageVehicle, Series, Variant
from marketplace.services import catalog

HEADER = (
    "brand_id,brand_name,brand_letter,factory_id,factory_name,series_id,series_name,"
    "series_letter,model_id,model_name,model_year,cm_state,parsed_displacement_l,"
    "parsed_turbo,parsed_transmission,parsed_fuel_hint"
)
ROWS = [
    "3,丰田,F,1,一汽丰田,526,卡罗拉,K,40001,2019款 1.2T S-CVT GL先锋版,2019,0,,,,",
    "3,丰田,F,1,一汽丰田,526,卡罗拉,K,91000001,2024款 1.5L CVT 先锋版,2024,0,1.5,,CVT,petrol",
    "9900,星际汽车,X,9900,星际汽车,990001,星际X1,X,91000002,2025款 增程 Max,2025,0,,,,erev",
    "9900,星际汽车,X,9900,星际汽车,990001,星际X1,X,91000003,2025款 Pro,2025,0,,,,bev",
    "133,特斯拉,T,3,特斯拉中国,526,卡罗拉,K,91000004,2025款 冒名,2025,0,,,,bev",
    "3,丰田,F,1,一汽丰田,526,卡罗拉,K,notanumber,2024款 坏行,2024,0,,,,",
    "3,丰田,F,1,一汽丰田,526,,K,91000005,2024款 无名,2024,0,,,,",
]


def export(tmp_path, rows=ROWS, header=HEADER):
    path = tmp_path / "export.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def test_an_export_is_upserted_idempotently_and_garage_cars_keep_their_variants(
    app, small_catalog, make_user, tmp_path
):
    from marketplace.models import User
    from marketplace.services import garage
    from marketplace.timeutil import local_today

    make_user("keeper@example.com")
    with app.app_context():
        owner = db.session.scalar(select(User).where(User.email == "keeper@example.com"))
        vehicle_id = garage.add_vehicle(
            owner, db.session.get(Variant, 40001), today=local_today()
        ).id
        db.session.commit()
    runner = app.test_cli_runner()
    first = runner.invoke(args=["catalog", "import", str(export(tmp_path))])
    assert first.exit_code == 0, first.output
    assert re.search(r"variants\s+3 added\s+0 updated\s+1 unchanged", first.output), first.output
    assert "rows left out: 3" in first.output
    assert "series 526 is another brand's" in first.output
    assert "model_id 'notanumber' is not a number" in first.output
    assert "series_name must be 1 to 80 characters" in first.output
    assert "2025 2" in first.output and "2024 1" in first.output
    with app.app_context():
        x1 = db.session.get(Series, 990001)
        assert (x1.name, x1.brand.name, x1.pinyin) == ("星际X1", "星际汽车", "xingjix1")
        erev, bev = db.session.get(Variant, 91000002), db.session.get(Variant, 91000003)
        assert (erev.fuel_type, erev.transmission) == ("erev", "single_speed")
        assert bev.fuel_type == "bev", "the export's own fuel column fills what the name omits"
        corolla = db.session.get(Variant, 91000001)
        assert (corolla.displacement_cc, corolla.transmission) == (1500, "cvt")
        counts = [
            db.session.scalar(select(func.count()).select_from(m)) for m in (Brand, Series, Variant)
        ]
    second = runner.invoke(args=["catalog", "import", str(export(tmp_path))])
    assert re.search(r"variants\s+0 added\s+0 updated\s+4 unchanged", second.output)
    renamed = [ROWS[1].replace("先锋版", "精英版"), *ROWS[2:4]]
    third = runner.invoke(args=["catalog", "import", str(export(tmp_path, renamed))])
    assert re.search(r"variants\s+0 added\s+1 updated\s+2 unchanged", third.output)
    with app.app_context():
        again = [
            db.session.scalar(select(func.count()).select_from(m)) for m in (Brand, Series, Variant)
        ]
        assert again == counts
        assert db.session.get(Variant, 91000001).name == "2024款 1.5L CVT 精英版"
        assert db.session.get(GarageVehicle, vehicle_id).variant_id == 40001


def test_a_file_that_is_not_an_export_loads_nothing(app, small_catalog, tmp_path):
    runner = app.test_cli_runner()
    wrong = tmp_path / "rules.csv"
    wrong.write_text("key,item\nT01,brake_fluid\n", encoding="utf-8")
    result = runner.invoke(args=["catalog", "import", str(wrong)])
    assert result.exit_code == 1 and "no column brand_id" in result.output
    assert "nothing imported" in result.output
    latin1 = tmp_path / "latin1.csv"
    latin1.write_bytes((HEADER + "\n" + ROWS[1] + "\n").encode("gb18030"))
    result = runner.invoke(args=["catalog", "import", str(latin1)])
    assert result.exit_code == 1 and "not UTF-8" in result.output
    with app.app_context():
        assert db.session.get(Variant, 91000001) is None


SUPPLEMENT = sorted(catalog.SUPPLEMENT_DIR.glob("*.csv"))


def supplement_rows() -> list[dict]:
    rows = []
    for path in SUPPLEMENT:
        with path.open(encoding="utf-8", newline="") as handle:
            rows.extend(csv.DictReader(handle))
    return rows


def test_the_bundled_supplement_covers_2021_to_2026_with_new_energy_series():
    rows = supplement_rows()
    assert SUPPLEMENT, "no supplement bundled"
    series = {(r["brand_name"], r["series_name"]) for r in rows}
    per_year = Counter(int(r["model_year"]) for r in rows)
    print("supplement variants per model year:", dict(sorted(per_year.items())))
    assert len(series) >= 150, len(series)
    assert set(per_year) <= set(range(2021, 2027)) and min(per_year) == 2021
    fuels = Counter(r["parsed_fuel_hint"] for r in rows)
    assert fuels["bev"] > 100 and fuels["phev"] > 50 and fuels["erev"] > 10, fuels
    for row in rows:
        assert row["model_name"].startswith(f"{row['model_year']}款 "), row["model_name"]
    ids = Counter(r["model_id"] for r in rows)
    assert max(ids.values()) == 1, [i for i, n in ids.items() if n > 1][:5]


def test_the_supplement_loads_and_recent_cars_are_found(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["catalog", "import"])
    assert result.exit_code == 0, result.output
    assert "rows left out" not in result.output, result.output
    print(result.output)
    again = runner.invoke(args=["catalog", "import"])
    for table in ("brands", "makers", "series", "variants"):
        assert re.search(rf"{table}\s+0 added\s+0 updated", again.output), again.output
    with app.app_context():
        years = dict(
            db.session.execute(
                select(Variant.model_year, func.count())
                .where(Variant.model_year >= 2018)
                .group_by(Variant.model_year)
            ).all()
        )
        print("variants per model year 2018–2026:", dict(sorted(years.items())))
        assert all(years.get(y, 0) > 50 for y in range(2021, 2026)), years
        erev = db.session.scalar(
            select(func.count()).select_from(Variant).where(Variant.fuel_type == "erev")
        )
        assert erev > 10
        for term, expected in [
            ("Model Y", "Model Y"),
            ("modely", "Model Y"),
            ("SU7", "SU7"),
            ("su7", "SU7"),
            ("L9", "L9"),
            ("秦PLUS", "秦PLUS"),
            ("qinplus", "秦PLUS"),
            ("问界M7", "M7"),
            ("小米 SU7", "SU7"),
        ]:
            names = [s.name for s in db.session.scalars(catalog.search_series(term))]
            assert names and expected in names[0], (term, names[:5])
