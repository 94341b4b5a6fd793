"""Parse engine and gearbox facts out of Autohome (汽车之家) variant names.

Variant names such as ``"2019款 1.5T 自动豪华型"`` carry the displacement, the
aspiration, the fuel and the gearbox in free text.  :func:`parse_variant_name`
reads what the name states and leaves a field ``None`` when it does not say,
or says it ambiguously: unknown is better than wrong.

Conventions worth knowing:

* ``displacement_cc`` is the nominal litre figure times 1000 (``1.5T`` -> 1500);
  codes such as ``280TSI``, ``28T`` or ``35 TFSI`` are not displacements.
* ``"自动"`` maps to ``"at"``; a BEV has a ``"single_speed"`` reduction gear.
* Mild hybrids (``MHEV``, ``48V``, ``轻混``) and bi-fuel gas cars (``CNG``,
  ``双燃料``) get ``fuel_type=None``: the allowed values do not describe them.
* A name with an engine size and no fuel marker is petrol, except for big
  turbo engines of light-commercial vehicles and pickups, which are often
  unlabelled diesels; those stay ``None``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import partial

from ..powertrain import Aspiration, FuelType, Transmission

_rx = partial(re.compile, flags=re.ASCII)  # \b and \w must not treat 汉字 as letters

FUEL_TYPES = tuple(FuelType)
TRANSMISSIONS = tuple(Transmission)
ASPIRATIONS = tuple(Aspiration)


@dataclass(frozen=True)
class VariantSpec:
    """Facts stated by a variant name; ``None`` where the name does not say."""

    displacement_cc: int | None
    aspiration: str | None
    fuel_type: str | None
    transmission: str | None


# Brands that sell only battery-electric cars (in this catalogue, up to 2020).
BEV_BRANDS = frozenset(
    {
        "特斯拉", "蔚来", "小鹏汽车", "威马汽车", "哪吒汽车", "零跑汽车", "爱驰",
        "天际汽车", "云度", "新特汽车", "电咖", "知豆", "前途", "国机智骏", "欧拉",
        "LITE", "北汽新能源", "江铃集团新能源", "华泰新能源", "瑞驰新能源",
        "银隆新能源", "开沃汽车", "雷丁", "御捷", "比德文汽车", "领途汽车", "国金汽车",
        "博郡汽车", "北京清行", "几何汽车", "NEVS国能汽车",
    }
)  # fmt: skip

# Brands whose cars are range-extended electrics (EREV) unless the name says otherwise.
EREV_BRANDS = frozenset({"理想汽车"})

# Series whose names and variant names carry no fuel marker at all.
SERIES_FUEL = {
    "豹5": "phev",  # 2021+ series sold only as plug-ins, whose names state an electric range
    "风云T9": "phev",
    "风云A8": "phev",
    "领克08": "phev",
    "Polestar 1": "phev",
    "918 Spyder": "phev",
    "SF90 Stradale": "phev",
    "宝马i8": "phev",
    "VELITE 5": "phev",
    "LaFerrari": "hev",
    "迈凯伦P1": "hev",
    "Polestar 2": "bev",
    "宝马i3": "bev",
    "Taycan": "bev",
    "Aion LX(埃安LX)": "bev",
    "Aion S(埃安S)": "bev",
    "传祺GE3": "bev",
    "腾势": "bev",
    "东风本田X-NV": "bev",
    "广汽本田VE-1": "bev",
    "华骐300E": "bev",
    "之诺1E": "bev",
    "大乘E20": "bev",
    "大乘G60E": "bev",
    "九龙EM3": "bev",
    "比亚迪e1": "bev",
    "比亚迪e2": "bev",
    "比亚迪e3": "bev",
    "比亚迪e5": "bev",
    "比亚迪e6": "bev",
    "比亚迪S2": "bev",
    "奇瑞eQ": "bev",
    "奇瑞eQ1": "bev",
    "瑞虎e": "bev",
    "瑞虎3xe": "bev",
    "艾瑞泽e": "bev",
    "艾瑞泽5e": "bev",
    "荣威e50": "bev",
    "荣威Ei5": "bev",
    "荣威MARVEL X": "bev",
    "红旗E-HS3": "bev",
    "逸动ET": "bev",
    "睿行ES30": "bev",
    "骏派A70E": "bev",
    "宝骏E100": "bev",
    "宝骏E200": "bev",
    "启辰e30": "bev",
    "雷诺 e诺": "bev",
    "全球鹰EX3": "bev",
    "众泰E200": "bev",
    "东风风神E30": "bev",
    "东风风神E70": "bev",
    "俊风E11K": "bev",
    "俊风E17": "bev",
    "俊风ER30": "bev",
    "富康ES500": "bev",
    "风光E1": "bev",
    "风光E3": "bev",
    "英致EX1": "bev",
    "成功V2E": "bev",
    "幸福e+": "bev",
    "野马EC30": "bev",
    "野马EC60": "bev",
    "野马EC70": "bev",
    "北斗星X5E": "bev",
    "思皓E20X": "bev",
    "远程E5": "bev",
    "远程E6": "bev",
    "奔驰EQC": "bev",
    "smart fortwo新能源": "bev",
    "大众e-up!": "bev",
    "上汽MAXUS EUNIQ 5": "bev",
    "奔奔mini-e": "bev",
    "帝豪GSe": "bev",
    "沃蓝达": "phev",
    "晨风": "bev",
}

# Brands (or sub-brands) whose turbo engines of 1.9 L and up are often diesels
# that the variant name does not label; such names get no petrol default.
LCV_BRANDS = frozenset(
    {
        "福田", "江铃", "金杯", "黄海", "中兴", "五十铃", "庆铃汽车", "依维柯", "上汽MAXUS",
        "驭胜", "双环", "卡威", "东风", "福迪", "广汽吉奥", "金龙", "金旅", "海格", "威麟",
        "骐铃汽车", "陆风", "双龙", "九龙", "宇通客车", "安凯客车", "长安轻型车", "长安跨越",
        "陕汽通家", "恒天", "华凯", "卡升", "钧天", "车驰汽车",
    }
)  # fmt: skip
LCV_WORDS = _rx(
    r"双排|单排|排半|货箱|货厢|厢式|厢货|载货|货车|客车|轻客|(?:长|短|中)轴(?!距)|"
    r"中顶|高顶|低顶|平顶|物流|运输|皮卡|单胎|双胎"
)
LCV_SERIES = _rx(
    r"皮卡|全顺|依维柯|海狮|凌特|Sprinter|威霆|图雅诺|风景|瑞风(?![SA])|星锐|帅铃|瑞铃|风骏|金迪尔|炮|"
    r"猎豹CT|飞铃|宝典|域虎|拓陆者|锐骐|D-MAX|帕拉丁|御风|勇士|考斯特|V80"
)

# Light-commercial diesel engine families seen in names (Isuzu, JMC, JAC, Great
# Wall, Nissan/Dongfeng, FAW, Cummins, Yuchai, Yunnei, SDEC, FPT/Iveco).
DIESEL_CODES = _rx(
    r"4JB1|4JJ1|4KH1|4JK1|JE493|JX493|BJ493|493ZLQ|JX4D|JE4D|(?<![A-Z\d])4D[AB]1|HFC4D[AB]|D19TCI|D20TCI|"
    r"GW2\.8TC|GW4D20|(?<![A-Z])4D20[BDM]|ZD2[258]|ZD30|CA4D|ISF[23]\.8|YC4|YN[23]\d|"
    r"SC28R|4J2[58]TC|CYQD|SD4V25|XD25T|F1C|F1A|SOFIM"
)

_YEAR_PREFIX = _rx(r"^\s*\d{4}款\s*")
_NOT_LATIN = r"(?<![A-Za-z])"
_END = r"(?![A-Za-z])"

# --- displacement / aspiration -------------------------------------------------
# "1.5T", "1.5L", "1.4TSI", "2.0 TFSI", "2.4 七座", "1.6XE" (bare figures need a
# clean left edge: "智行2.0" is a software version, "ISF2.8" an engine code).
_LITRES = _rx(r"(?:^|(?<=[\s(（/+]))(\d\.\d)(?![\d.])(?!\s*(?:kW|KW|kw|米|吨|万|寸|m(?![A-Za-z])))")
_LITRES_TIGHT = _rx(r"(?<![\dA-Za-z.])(\d\.\d)(?=\s?(?:L|T(?![a-z])|TSI|TFSI|TDI))")
_TURBO = _rx(
    r"\d\.\d(?:T(?![a-z])|t\b|\s(?:T|TSI|TFSI|TDI|TGDI|TDV[68]|TD|TID|TI|TCI|THP)" + _END + ")"
    r"|(?<![A-Za-z\d.])\d{2,3}\s?T(?:SI|FSI|FSIe|GDI|GDi|HP|D|ID|I|CI|S|URBO|urbo)?"
    + _END
    + r"|"
    + _NOT_LATIN
    + r"(?:TSI|TFSI|TFSIe|THP|TDI|TGDI|TGDi|T-GDI|GTDI|GDIT|DIT|EcoBoost|"
    r"BITURBO|Turbo|TURBO|turbo|TCI|TID)" + r"(?![a-z])"
    r"|涡轮增压|单增压|双涡轮"
)
_NA = _rx(
    r"\d\.\dL|\d\.\dP?H[A-Z]?\b|(?<![A-Za-z\d.])\d{2,3}N(?![A-Za-z\d])|"
    + _NOT_LATIN
    + r"NA"
    + _END
    + r"|自然吸气"
)
_SUPERCHARGED = _rx(r"机械增压|Kompressor|\d\.\dSC\b|S/C\b|双增压")

# --- fuel ----------------------------------------------------------------------
_EREV = _rx(r"增程|EREV|REEV|(?<![A-Za-z])E-REV(?![A-Za-z])")
_PHEV = _rx(
    r"插电|插混|PHEV|Hi4|EM-[PpIi]\b|DM-[io]\b|DMO\b|(?<![A-Za-z])[Ee]-?[Hh]ybrid|E驱混动|Plug-in|双擎E\+|"
    + _NOT_LATIN
    + r"(?:DM|PH[A-Z]?)(?![A-Za-z])|\d\.\dPH|TFSIe|P\d{3}e\b"
)
_BEV = _rx(
    r"纯电|电动版|电动车|电动型|电动互联|(?:(?<![A-Za-z])|(?<=[iX]))EV(?![A-Za-z])|"
    + _NOT_LATIN
    + r"BEV|"
    + r"[Ee]lectric|e-Golf|EQC"
)
_PLUGIN_RANGE = _rx(r"(?<![\d.])(?:[1-9]\d|1\d\d|2[0-4]\d)\s?(?:KM|km|Km|公里)(?![A-Za-z])")
_BEV_SOFT = _rx(r"续航|\d\s?(?:KWh|kWh|kwh|KWH)|\d{3}\s?(?:KM|km|公里)")
_HEV = _rx(
    r"双擎|混动|油电混合|混合动力|ActiveHybrid|(?<![PMp])HEV|(?<![Ee]-)(?<![Ee])[Hh]ybrid|HYBRID|"
    r"\d{3}hL?\b|\d\.\dH[A-Z]?\b"
)
_MILD = _rx(r"MHEV|48V|轻混")
_GAS = _rx(r"CNG|LPG|LNG|双燃料|天然气|油气混合|燃气")
_DIESEL = _rx(
    r"柴油|[Dd]iesel|TDI|TDCi|CRDi|CRDI|" + _NOT_LATIN + r"CRD" + _END + r"|CDI|HDi|dCi|"
    r"BlueTEC|JTD|Multijet|[TS]D\s?V[68]|" + _NOT_LATIN + r"(?:SD4|TD4|eD4)" + _END + r"|\d\.\dD\b"
)
_PETROL = _rx(r"汽油|TSI|TFSI(?!e)|FSI|THP|GDI|GDi|GTDI|GDIT|TGI\b|EcoBoost|SIDI|D?VVT|CVVT|TID?\b")

# --- transmission ---------------------------------------------------------------
_GEARBOX = (
    ("dct", _rx(r"双离合|DCT|DSG|S tronic|PDK|EDC" + _END)),
    ("cvt", _rx(r"无级|CVT|Multitronic|Xtronic|" + _NOT_LATIN + r"IVT" + _END)),
    ("amt", _rx(r"序列|" + r"(?<![A-Za-z])AMT" + _END + r"|ASG\b|SMG\b")),
    ("single_speed", _rx(r"单速|固定齿比")),
    ("mt", _rx(r"手动(?!门|滑门|尾门|座椅|空调)|(?<![A-Za-z])MT(?![A-Za-z\d])")),
    (
        "at",
        _rx(
            r"自动(?!驾驶|泊车|空调|离合|门|滑门|尾门)|手自一体|(?<![A-Za-z])AT(?![A-Za-z\d])|Tiptronic|Steptronic|Touchtronic"
        ),
    ),
)

# --- brand-specific model codes --------------------------------------------------
_BMW_PETROL = _rx(r"(?<![A-Za-z\d])(?:(?:[xs]Drive|M)?\d{2,3}L?C?i[s]?|M[1-8]|1M)\b|\sM\b")
_BMW_DIESEL = _rx(r"(?<![A-Za-z\d])(?:[xs]Drive)?\d{2,3}L?d\b")
_BMW_PHEV = _rx(r"(?<![A-Za-z\d])(?:[xs]Drive)?\d{2,3}L?e\b")
_MB_MODEL = _rx(
    r"(?<![A-Za-z])(?:A|B|C|E|S|G|R|V|CL|CLA|CLS|CLK|SL|SLK|SLC|GL|GLA|GLB|GLC|GLE|GLK|GLS|ML)"
    r"\s?(\d{3})(\s?[dehK]|\s?e?L)?\b"
)
_VOLVO_T = _rx(r"(?<![A-Za-z\d])T([2-8])(?![\dA-Za-z])")
_VOLVO_D = _rx(r"(?<![A-Za-z\d])D[2-5](?![\dA-Za-z])")
_JLR_CODE = _rx(r"(?<![A-Za-z\d])([PD])(\d{3})(e?)\b|Si4\b")
_SUBARU_NA = _rx(r"\d\.\d(?:i|R|X|XS|XE)(?![A-Za-z])|\d\.\d\si(?![A-Za-z])")
_SUBARU_TURBO = _rx(r"\d\.\d\s?(?:XT|GT|DIT)(?![A-Za-z])")
_ENGINE_CODE = _rx(r"(?<![A-Za-z\d.])\d{2,3}(?:\s?T(?:SI|FSI|HP|GDI|GDi|D|ID|I|S|URBO)?|N)\b")

_JLR = frozenset({"捷豹", "路虎", "斯达泰克"})
_AMERICAN = frozenset({"道奇", "雪佛兰", "凯迪拉克", "福特", "Jeep", "克莱斯勒", "GMC", "SHELBY"})


def _one(values: set[str]) -> str | None:
    """Return the single value of a set, or None if it is empty or ambiguous."""
    return next(iter(values)) if len(values) == 1 else None


def _clean(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "")


def _displacement(name: str) -> int | None:
    found = {m.group(1) for m in _LITRES.finditer(name)}
    found |= {m.group(1) for m in _LITRES_TIGHT.finditer(name)}
    litres = {float(x) for x in found if 0.6 <= float(x) <= 8.4}
    return _one({round(x * 1000) for x in litres})


def _aspiration(name: str, brand: str, displacement: int | None, year: int | None) -> str | None:
    kinds: set[str] = set()
    if (
        _SUPERCHARGED.search(name)
        or (brand == "奔驰" and re.search(r"\d{3}\s?K\b", name, re.ASCII))
        or (brand in _JLR and re.search(r"(?<![A-Za-z])SC(?![A-Za-z\d])", name, re.ASCII))
    ):
        kinds.add("supercharged" if "双增压" not in name else "twin")
    if _TURBO.search(name):
        kinds.add("turbo")
    if brand == "沃尔沃" and _VOLVO_T.search(name):
        kinds.add("turbo")
    if brand == "雷诺" and re.search(r"(?<![A-Za-z])TCe\d", name, re.ASCII):
        kinds.add("turbo")
    if brand == "斯巴鲁" and _SUBARU_TURBO.search(name):
        kinds.add("turbo")
    if brand in _JLR and re.search(r"(?<![A-Za-z\d])P(200|250|300)\b|Si4\b", name, re.ASCII):
        kinds.add("turbo")
    if "turbo" in kinds and displacement and not _DIESEL.search(name):
        # Autohome writes "T" for any forced induction; these engines are supercharged.
        jlr = brand in _JLR and displacement in (3000, 5000)
        if jlr or (brand in _AMERICAN and displacement >= 5000):
            kinds = {"supercharged"}
        elif brand == "奥迪" and displacement == 3000 and (year is None or year <= 2017):
            return None  # 3.0 TFSI: supercharged until the 2017/18 changeover
    audi_v6_code = re.search(r"\b5[05]\sTFSI\b", name, re.ASCII)
    if brand == "奥迪" and not displacement and audi_v6_code and (year is None or year <= 2017):
        return None
    if kinds:
        return _one(kinds) if "twin" not in kinds else None
    if _NA.search(name):
        return "na"
    if brand == "斯巴鲁" and _SUBARU_NA.search(name):
        return "na"
    if brand == "雷诺" and re.search(r"(?<![A-Za-z])SCe\d", name, re.ASCII):
        return "na"
    return None


def _has_engine(name: str, displacement: int | None) -> bool:
    return bool(
        displacement or _ENGINE_CODE.search(name) or _PETROL.search(name) or _TURBO.search(name)
    )


def _brand_fuel(name: str, brand: str) -> set[str]:
    """Fuel markers that only mean something for one brand's model codes."""
    kinds: set[str] = set()
    if brand in ("宝马", "MINI", "ALPINA"):
        if _BMW_PHEV.search(name):
            kinds.add("phev")
        elif _BMW_DIESEL.search(name):
            kinds.add("diesel")
        elif _BMW_PETROL.search(name):
            kinds.add("petrol")
    elif brand in ("奔驰", "Lorinser", "巴博斯", "卡尔森"):
        for m in _MB_MODEL.finditer(name):
            suffix = (m.group(2) or "").strip()
            if suffix.startswith("e"):
                kinds.add("phev")
            elif suffix == "d":
                kinds.add("diesel")
            elif suffix == "h":
                kinds.add("hev")
            elif brand == "奔驰":
                kinds.add("petrol")
        if brand == "奔驰" and "AMG" in name and not re.search(r"\b53\b", name, re.ASCII):
            kinds.add("petrol")  # AMG engines are petrol; the 53s are 48 V mild hybrids
    elif brand == "沃尔沃":
        m = _VOLVO_T.search(name)
        if m:
            kinds.add("phev" if m.group(1) == "8" else "petrol")
        if _VOLVO_D.search(name):
            kinds.add("diesel")
    elif brand in _JLR:
        for m in _JLR_CODE.finditer(name):
            if m.group(0) == "Si4":
                kinds.add("petrol")
            elif m.group(3):
                kinds.add("phev")
            else:
                kinds.add("petrol" if m.group(1) == "P" else "diesel")
    elif brand == "雷诺":
        if re.search(r"(?<![A-Za-z])[ST]Ce\d", name, re.ASCII):
            kinds.add("petrol")  # SCe / TCe are Renault petrol engines
    elif brand == "丰田":
        if re.search(r"(?<![A-Za-z\d])[12]\d0[EGVQS](?![A-Za-z])", name, re.ASCII):
            kinds.add("petrol")  # "180E", "240V": litres x 100 plus a trim letter
    elif brand == "别克" and re.search(r"(?<![A-Za-z\d])\d{2}H(?![A-Za-z\d])", name, re.ASCII):
        kinds.add("hev")  # Buick "30H" hybrids
    elif brand == "雷克萨斯":
        if re.search(r"(?<![A-Za-z\d])(?:[A-Z]{2}\s?)?\d{3}(?![\dh])", name, re.ASCII):
            kinds.add("petrol")
    elif brand == "大众" and re.search(r"(?<![A-Za-z])GTE(?![A-Za-z])", name, re.ASCII):
        kinds.add("phev")
    elif brand in ("长城", "哈弗") and re.search(r"\d\.\dTCI", name, re.ASCII):
        kinds.add("diesel")  # Great Wall's GW2.5TCI / GW2.8TCI are diesels
    elif brand == "荣威" and re.search(r"(?<![A-Za-z])e(?:RX5|i6|950|550)", name, re.ASCII):
        kinds.add("phev")
    return kinds


def _fuel(name: str, series: str, brand: str, displacement: int | None) -> str | None:
    engine = _has_engine(name, displacement)
    both = f"{name} {series}"
    kinds = _brand_fuel(both, brand)
    if _EREV.search(name):
        return "erev"
    if _PHEV.search(name):
        return "phev"
    if displacement and _PLUGIN_RANGE.search(name):
        return "phev"  # an engine and an electric range: "1.5T DHT 55km"
    if brand in BEV_BRANDS:
        return "bev"
    if brand in EREV_BRANDS:
        return "bev" if _BEV.search(both) else "erev"
    if series in SERIES_FUEL:
        return SERIES_FUEL[series]
    if "e-tron" in series:
        return "bev"
    if "e-tron" in name:
        return "phev"
    if _EREV.search(series):
        return "erev"
    if _PHEV.search(both) or "phev" in kinds:
        return "phev"
    if _BEV.search(both) or "纯电" in series:
        return "phev" if engine else "bev"
    if "新能源" in series:
        if engine:
            return "phev"
        return "bev" if _BEV_SOFT.search(name) else None
    if _MILD.search(name) or _GAS.search(name):
        return None
    if _HEV.search(both):
        kinds.discard("petrol")
        kinds.add("hev")
    if _DIESEL.search(name) or DIESEL_CODES.search(name):
        kinds.discard("petrol")
        kinds.add("diesel")
    if "汽油" in name:
        kinds.add("petrol")
    if kinds:
        return _one(kinds)
    if not engine:
        return "bev" if _BEV_SOFT.search(name) else None
    if _PETROL.search(name):
        return "petrol"
    if _maybe_unlabelled_diesel(name, series, brand, displacement):
        return None
    return "petrol"


def _maybe_unlabelled_diesel(name: str, series: str, brand: str, displacement: int | None) -> bool:
    commercial = brand in LCV_BRANDS or bool(LCV_WORDS.search(name) or LCV_SERIES.search(series))
    if not commercial:
        return False
    if displacement is None:
        return True
    turbo = bool(_TURBO.search(name))
    return (turbo and displacement >= 1900) or displacement >= 2500


def _transmission(name: str, fuel: str | None, series: str) -> str | None:
    if "自动离合" in name or "IMT" in name:
        return None  # clutchless manuals: neither a plain manual nor an automatic
    kinds = {kind for kind, rx in _GEARBOX if rx.search(name)}
    if kinds & {"dct", "cvt", "amt", "single_speed"}:
        kinds.discard("at")  # "自动" next to DCT/CVT/AMT only restates "automatic"
    if fuel in ("bev", "erev") and series != "Taycan" and kinds <= {"at"}:
        return "single_speed"
    return _one(kinds)


def parse_variant_name(name: str, series_name: str = "", brand_name: str = "") -> VariantSpec:
    """Parse one Autohome variant name (optionally with its series and brand)."""
    text = _clean(name)
    year_match = re.match(r"\s*(\d{4})款", text, re.ASCII)
    year = int(year_match.group(1)) if year_match else None
    text = _YEAR_PREFIX.sub("", text)
    series = _clean(series_name).strip()
    brand = _clean(brand_name).strip()
    displacement = None if brand in BEV_BRANDS else _displacement(text)
    fuel = _fuel(text, series, brand, displacement)
    if fuel == "bev":
        displacement, aspiration = None, None
    else:
        aspiration = _aspiration(text, brand, displacement, year)
    return VariantSpec(
        displacement_cc=displacement,
        aspiration=aspiration,
        fuel_type=fuel,
        transmission=_transmission(text, fuel, series),
    )
