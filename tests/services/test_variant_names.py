"""Tests for the Autohome variant-name parser, on real names from the catalogue."""

import csv
from pathlib import Path

import pytest

from marketplace.services.variant_names import (
    ASPIRATIONS,
    FUEL_TYPES,
    TRANSMISSIONS,
    VariantSpec,
    parse_variant_name,
)

CATALOG = Path(__file__).resolve().parents[2] / "marketplace" / "data" / "catalog"

# (brand, series, variant name) -> (displacement_cc, aspiration, fuel_type, transmission)
CASES = [
    # petrol: litre figures, T/L suffixes, every gearbox word
    ("马自达", "马自达3星骋", "2015款 三厢 1.6L 自动舒适型", (1600, "na", "petrol", "at")),
    ("北京汽车", "BEIJING-X3", "2019款 1.5T 手动荣耀版", (1500, "turbo", "petrol", "mt")),
    ("丰田", "RAV4荣放", "2020款 2.0L CVT两驱都市版", (2000, "na", "petrol", "cvt")),
    ("奇瑞", "奇瑞QQ3", "2007款 0.8L AMT标准型", (800, "na", "petrol", "amt")),
    ("江淮", "同悦", "2009款 1.3L AMT豪华型", (1300, "na", "petrol", "amt")),
    ("起亚", "赛拉图", "2005款 1.6L AT GL", (1600, "na", "petrol", "at")),
    ("雪佛兰", "科帕奇(进口)", "2008款 2.4 MT 5座舒适型", (2400, None, "petrol", "mt")),
    ("大众", "朗逸", "2015款 1.2TSI DSG蓝驱技术版", (1200, "turbo", "petrol", "dct")),
    ("奇瑞", "瑞虎5x", "2017款 1.5T DCT豪华型", (1500, "turbo", "petrol", "dct")),
    ("别克", "威朗", "2019款 三厢 20T 双离合领先型", (None, "turbo", "petrol", "dct")),
    # VW/Skoda TSI codes are power classes, not litres
    ("大众", "速腾", "2019款 280TSI DSG豪华型 国VI", (None, "turbo", "petrol", "dct")),
    ("斯柯达", "明锐", "2018款 TSI230 DSG旗舰版", (None, "turbo", "petrol", "dct")),
    ("凯迪拉克", "凯迪拉克XT5", "2018款 25T 技术型", (None, "turbo", "petrol", None)),
    ("广汽传祺", "传祺GS3", "2017款 150N 手动舒适版", (None, "na", "petrol", "mt")),
    # Geely "TD" and BYD "TI" are petrol turbos, not diesels
    ("吉利汽车", "博越", "2016款 1.8TD 手动智享型", (1800, "turbo", "petrol", "mt")),
    ("比亚迪", "宋", "2019款 1.5TI 手动智联越尚型", (1500, "turbo", "petrol", "mt")),
    ("斯巴鲁", "森林人", "2016款 2.0XT 尊贵导航版", (2000, "turbo", "petrol", None)),
    ("斯巴鲁", "森林人", "2015款 2.0i 特装纪念版", (2000, "na", "petrol", None)),
    # Mercedes "L" is the long wheelbase, "K" is Kompressor
    ("奔驰", "奔驰C级", "2020款 C 200 L 动感型运动版", (None, None, "petrol", None)),
    ("奔驰", "奔驰C级", "2008款 C 200K 时尚型", (None, "supercharged", "petrol", None)),
    ("路虎", "揽胜", "2019款 3.0 V6 SC 盛世版", (3000, "supercharged", "petrol", None)),
    ("路虎", "揽胜", "2013款 5.0 V8 NA Vogue", (5000, "na", "petrol", None)),
    ("捷豹", "捷豹F-TYPE", "2018款 3.0T 硬顶版", (3000, "supercharged", "petrol", None)),
    # Audi's 3.0 TFSI of these years was supercharged although named "T": unknown
    ("奥迪", "奥迪A6L", "2017款 50 TFSI quattro 尊享型", (None, None, "petrol", None)),
    # diesel
    ("大众", "途锐", "2011款 3.0TDI 柴油标配型", (3000, "turbo", "diesel", None)),
    ("福田", "拓陆者", "2017款 2.8T E5 柴油两驱精英版ISF2.8", (2800, "turbo", "diesel", None)),
    ("江淮", "瑞铃", "2014款 2.8T V3标准型标双排4DA1-2C", (2800, "turbo", "diesel", None)),
    ("哈弗", "哈弗H5", "2010款 智尊版 2.5TCI 两驱舒适型", (2500, "turbo", "diesel", None)),
    ("宝马", "宝马X5", "2014款 xDrive30d", (None, None, "diesel", None)),
    ("奔驰", "奔驰GLS", "2016款 GLS 350d 4MATIC", (None, None, "diesel", None)),
    ("奔驰", "奔驰M级", "2014款 ML 350 CDI 4MATIC", (None, None, "diesel", None)),
    # unlabelled big turbo in a van: petrol or diesel is unknown
    ("福特", "新世代全顺", "2016款 2.2T长轴9座中顶豪华型客车135马力", (2200, "turbo", None, None)),
    (
        "上汽MAXUS",
        "上汽MAXUS V80",
        "2016款 2.5T AMT商杰国IV加长轴中顶19座",
        (2500, "turbo", None, "amt"),
    ),
    # mild hybrids and gas cars have no allowed fuel value
    ("吉利汽车", "博瑞", "2020款 1.5T MHEV 耀动版", (1500, "turbo", None, None)),
    ("金杯", "小海狮X30", "2016款 1.3L厢式标准型CNG", (1300, "na", None, None)),
    # hybrids: Toyota 双擎, Honda 锐·混动, Lexus "h", Nissan S/C hybrid
    ("丰田", "卡罗拉", "2016款 双擎 1.8L CVT旗舰版", (1800, "na", "hev", "cvt")),
    ("丰田", "雷凌", "2019款 双擎 1.8H CVT科技版 国V", (1800, "na", "hev", "cvt")),
    ("本田", "雅阁", "2018款 锐・混动 2.0L 锐领版 国VI", (2000, "na", "hev", None)),
    ("本田", "皓影", "2019款 锐・混动 基本型", (None, None, "hev", None)),
    ("雷克萨斯", "雷克萨斯ES", "2020款 300h 尊享版", (None, None, "hev", None)),
    ("雷克萨斯", "雷克萨斯LS", "2014款 600hL", (None, None, "hev", None)),
    ("雪佛兰", "迈锐宝XL", "2016款 1.8L 全混动锐尚版", (1800, "na", "hev", None)),
    ("日产", "楼兰", "2017款 2.5 S/C HEV XV 四驱混动旗舰版", (2500, "supercharged", "hev", None)),
    # plug-in hybrids: BYD DM, Toyota 双擎E+, BMW "Le", VW PHEV, Volvo T8, EREVs
    (
        "比亚迪",
        "唐新能源",
        "2019款 DM 2.0T 全时四驱智联创享型 7座 国VI",
        (2000, "turbo", "phev", None),
    ),
    ("比亚迪", "秦新能源", "2015款 1.5T 双冠旗舰版", (1500, "turbo", "phev", None)),
    ("丰田", "卡罗拉双擎E+", "2019款 1.8L 先锋版", (1800, "na", "phev", None)),
    ("宝马", "宝马5系新能源", "2020款 530Le 豪华套装", (None, None, "phev", None)),
    ("大众", "帕萨特新能源", "2019款 430PHEV 混动精英版", (None, None, "phev", None)),
    (
        "沃尔沃",
        "沃尔沃XC60新能源",
        "2019款 T8 E驱混动 智雅运动版 国V",
        (None, "turbo", "phev", None),
    ),
    ("保时捷", "Cayenne新能源", "2019款 Cayenne E-Hybrid 2.0T", (2000, "turbo", "phev", None)),
    ("奥迪", "奥迪A3新能源(进口)", "2015款 Sportback e-tron 运动型", (None, None, "phev", None)),
    # "纯电动续航" of a plug-in hybrid is not a BEV
    ("吉利汽车", "星越新能源", "2019款 400T 驭星者 纯电动续航56KM", (None, "turbo", "phev", None)),
    ("理想汽车", "理想ONE", "2020款 增程6座版", (None, None, "erev", "single_speed")),
    ("宝马", "宝马i3", "2014款 增程型", (None, None, "erev", "single_speed")),
    ("东风风光", "风光E3", "2019款 EVR 增程型 高配", (None, None, "erev", "single_speed")),
    # battery electric: single-speed reduction gear
    ("比亚迪", "秦新能源", "2018款 秦EV450 智联时尚型", (None, None, "bev", "single_speed")),
    ("比亚迪", "唐新能源", "2019款 EV600D 四驱智联创睿型", (None, None, "bev", "single_speed")),
    ("特斯拉", "Model 3", "2019款 标准续航后驱升级版", (None, None, "bev", "single_speed")),
    ("蔚来", "蔚来ES8", "2018款 355KM 基准版 七座版", (None, None, "bev", "single_speed")),
    ("威马汽车", "威马EX5", "2019款 EX5 Pro 智行2.0 500", (None, None, "bev", "single_speed")),
    ("奥迪", "奥迪e-tron", "2019款 55 quattro 时尚型", (None, None, "bev", "single_speed")),
    ("比亚迪", "比亚迪e5", "2018款 450 智联畅享型", (None, None, "bev", "single_speed")),
    (
        "开沃汽车",
        "开沃D10",
        "2019款 三元锂纯电动厢式运输车高顶44.6KWh",
        (None, None, "bev", "single_speed"),
    ),
    # the Taycan has a two-speed gearbox
    ("保时捷", "Taycan", "2019款 Taycan Turbo S", (None, None, "bev", None)),
    # words that look like gearbox words but are not
    ("长安", "奔奔MINI", "2012款 1.0L IMT时尚版 国IV", (1000, "na", "petrol", None)),
    (
        "Jeep",
        "自由光",
        "2019款 2.0T 四驱探享版 自动驾驶智慧包 国V",
        (2000, "turbo", "petrol", None),
    ),
]


@pytest.mark.parametrize(("brand", "series", "name", "expected"), CASES)
def test_parse_real_variant_names(brand, series, name, expected):
    assert parse_variant_name(name, series, brand) == VariantSpec(*expected)


def test_cases_cover_every_allowed_value():
    specs = [VariantSpec(*case[3]) for case in CASES]
    assert set(FUEL_TYPES) <= {s.fuel_type for s in specs}
    assert set(TRANSMISSIONS) <= {s.transmission for s in specs}
    assert set(ASPIRATIONS) <= {s.aspiration for s in specs}
    assert None in {s.fuel_type for s in specs} and None in {s.transmission for s in specs}


@pytest.mark.parametrize(
    "name",
    ["", "2019款", "标准型", "2020款 ???", "1.5T 1.6L 自动手动", "9.9L", "EV PHEV DM 柴油 汽油"],
)
def test_odd_names_give_allowed_values(name):
    spec = parse_variant_name(name)
    assert spec.fuel_type in (*FUEL_TYPES, None)
    assert spec.transmission in (*TRANSMISSIONS, None)
    assert spec.aspiration in (*ASPIRATIONS, None)
    assert spec.displacement_cc is None or 600 <= spec.displacement_cc <= 8400


def test_conflicting_markers_stay_unknown():
    spec = parse_variant_name("2019款 1.5T 1.6L 自动手动")
    assert spec.displacement_cc is None
    assert spec.transmission is None
    assert parse_variant_name("2019款 2.0T 柴油 汽油版").fuel_type is None


def _read(name):
    with (CATALOG / name).open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@pytest.mark.skipif(not (CATALOG / "variants.csv").exists(), reason="catalogue not built")
def test_bundled_catalog_matches_parser_and_allowed_values():
    brands = {row["id"]: row["name"] for row in _read("brands.csv")}
    series = {row["id"]: (row["name"], brands[row["brand_id"]]) for row in _read("series.csv")}
    allowed = {
        "aspiration": set(ASPIRATIONS),
        "fuel_type": set(FUEL_TYPES),
        "transmission": set(TRANSMISSIONS),
    }
    stale = []
    for row in _read("variants.csv"):
        for field, values in allowed.items():
            assert row[field] in values | {""}, (row["id"], field, row[field])
        series_name, brand_name = series[row["series_id"]]
        spec = parse_variant_name(row["name"], series_name, brand_name)
        got = [spec.displacement_cc, spec.aspiration, spec.fuel_type, spec.transmission]
        want = [row["displacement_cc"], row["aspiration"], row["fuel_type"], row["transmission"]]
        if ["" if v is None else str(v) for v in got] != want:
            stale.append(row["id"])
    assert not stale, f"catalogue is stale, rebuild it: {stale[:10]}"
