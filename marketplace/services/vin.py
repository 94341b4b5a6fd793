"""VIN facts for garage cars: read a vehicle identification number, check it against the car.

Pure functions: no database, no Flask. A VIN is read as ISO 3779 / GB 16735 define it:
17 characters of 0-9 and A-Z without I, O and Q; position 9 is the check digit (mandatory
for vehicles sold in China under GB 16735); position 10 is the model-year code, which
repeats every 30 years; positions 1-3 are the world manufacturer identifier (WMI).

WMI sources: Wikipedia "Vehicle identification number", list of common WMIs (as scraped in
plastbox/vin-decode src/data/manufacturers.js); idlesign/vininfo src/vininfo/dicts/wmi.py.
"""

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from .errors import DomainError, error_codes

VIN_LENGTH = 17
CHECK_POSITION = 8  # 0-based: the 9th character
YEAR_POSITION = 9  # 0-based: the 10th character
YEAR_TOLERANCE = 1  # a 2024款 car may carry the year code of 2023 or 2025

# ISO 3779 transliteration: letters count as digits; I, O and Q never occur.
_VALUES = {
    **{str(digit): digit for digit in range(10)},
    **dict(zip("ABCDEFGH", range(1, 9), strict=True)),
    **dict(zip("JKLMN", range(1, 6), strict=True)),
    "P": 7,
    "R": 9,
    **dict(zip("STUVWXYZ", range(2, 10), strict=True)),
}
_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)
# The year codes in order from 1980 (A) to 2009 (9); the cycle starts again in 2010.
# 0, U and Z (and the forbidden I, O, Q) are never year codes.
YEAR_CODES = "ABCDEFGHJKLMNPRSTVWXY123456789"
_FIRST_CYCLE = 1980
_CYCLE = len(YEAR_CODES)
_SEPARATORS = re.compile(r"[\s\-]+")


class VinError(DomainError):
    """A VIN that is refused; `code` says why, `field` is always "vin"."""

    Code = error_codes(
        "VinCode",
        "vin_length vin_character vin_check_digit vin_year_code vin_year_mismatch "
        "vin_maker_mismatch",
    )


@dataclass(frozen=True)
class VinFacts:
    """What a valid VIN says: the VIN itself, its WMI, its model year and the catalogue
    brands its maker builds (empty when the WMI is not in WMI_BRANDS)."""

    vin: str
    wmi: str
    model_year: int
    makers: tuple[str, ...]


# WMIs of makers that build cars for China -> the catalogue brands (brands.csv `name`) that
# carry them. A tuple lists every catalogue brand the maker builds under that WMI, its own
# sub-brands and the brands it builds for others included: a brand wrongly listed only
# weakens the check, a brand missing would refuse a real car.
WMI_BRANDS: dict[str, tuple[str, ...]] = {
    "L2C": ("捷豹", "路虎"),  # Chery Jaguar Land Rover
    "L6T": ("吉利汽车", "领克", "几何汽车"),  # Geely
    "LB3": ("吉利汽车", "领克", "几何汽车"),  # Geely
    "LBE": ("现代",),  # Beijing Hyundai
    "LBV": ("宝马", "之诺"),  # BMW Brilliance
    "LC0": ("比亚迪", "腾势"),  # BYD
    "LDC": ("标致", "雪铁龙"),  # Dongfeng Peugeot-Citroën
    "LE4": ("奔驰",),  # Beijing Benz
    "LFM": ("丰田",),  # FAW Toyota
    "LFP": ("一汽", "奔腾", "红旗"),  # FAW Car
    "LFV": ("大众", "奥迪", "捷达"),  # FAW-Volkswagen (also FAW-VW Audi)
    "LGB": ("日产", "启辰", "英菲尼迪"),  # Dongfeng Nissan
    "LGJ": ("东风风神", "东风"),  # Dongfeng Fengshen
    "LGW": ("长城", "哈弗", "WEY", "欧拉"),  # Great Wall
    "LGX": ("比亚迪", "腾势"),  # BYD Auto
    "LH1": ("海马", "小鹏汽车"),  # FAW Haima (built the first XPeng cars)
    "LHG": ("本田", "讴歌", "理念"),  # GAC Honda
    "LJ1": ("江淮", "蔚来"),  # JAC (built NIO's cars under its licence)
    "LJD": ("起亚", "华骐"),  # Dongfeng Yueda Kia
    "LLV": ("力帆汽车", "理想汽车"),  # Lifan (Li Auto took over its licence)
    "LMG": ("广汽传祺", "广汽新能源"),  # GAC Motor
    "LPA": ("DS",),  # Changan PSA
    "LRB": ("别克", "雪佛兰", "凯迪拉克"),  # SAIC-GM (Buick)
    "LRW": ("特斯拉",),  # Tesla Shanghai
    "LS5": ("长安", "长安欧尚", "铃木"),  # Changan, Changan Suzuki
    "LSG": ("别克", "雪佛兰", "凯迪拉克"),  # SAIC-GM
    "LSJ": ("名爵", "荣威"),  # SAIC MG
    "LSV": ("大众", "斯柯达", "奥迪"),  # SAIC Volkswagen (also SAIC Skoda, SAIC Audi)
    "LSY": ("中华",),  # Brilliance Zhonghua
    "LTV": ("丰田",),  # FAW Toyota (Tianjin)
    "LVG": ("丰田",),  # GAC Toyota
    "LVH": ("本田", "思铭"),  # Dongfeng Honda
    "LVR": ("马自达",),  # Changan Mazda
    "LVS": ("福特", "林肯"),  # Changan Ford
    "LVV": ("奇瑞", "瑞麒", "威麟", "开瑞", "星途", "捷途"),  # Chery
    "LVY": ("沃尔沃",),  # Volvo (Daqing)
    "LWV": ("菲亚特", "Jeep"),  # GAC Fiat (GAC FCA)
    "LYV": ("沃尔沃",),  # Volvo China
    "LZW": ("五菱汽车", "宝骏", "雪佛兰"),  # SAIC-GM-Wuling (also export Chevrolets)
}


def normalize(text: str) -> str:
    """The VIN as typed, tidied: full-width characters folded (NFKC), surrounding and inner
    spaces and hyphens removed, upper-cased."""
    folded = unicodedata.normalize("NFKC", text).strip()
    return _SEPARATORS.sub("", folded).upper()


def check_digit(vin: str) -> str:
    """The check digit (position 9) that the other 16 characters of `vin` call for."""
    remainder = sum(_VALUES[ch] * weight for ch, weight in zip(vin, _WEIGHTS, strict=True)) % 11
    return "X" if remainder == 10 else str(remainder)


def year_for_code(code: str, today: date) -> int:
    """The model year of year code `code`: of the years it stands for (one every 30 years),
    the latest that is at most next year."""
    first = _FIRST_CYCLE + YEAR_CODES.index(code)
    return first + _CYCLE * ((today.year + 1 - first) // _CYCLE)


def read_vin(text: str, today: date) -> VinFacts:
    """The facts of the VIN in `text` (normalised first), or VinError if it cannot be one."""
    vin = normalize(text)
    if len(vin) != VIN_LENGTH:
        raise VinError("vin_length", "vin", length=len(vin))
    if any(ch not in _VALUES for ch in vin):
        raise VinError("vin_character", "vin")
    if vin[CHECK_POSITION] != check_digit(vin):
        raise VinError("vin_check_digit", "vin")
    code = vin[YEAR_POSITION]
    if code not in YEAR_CODES:
        raise VinError("vin_year_code", "vin")
    wmi = vin[:3]
    return VinFacts(
        vin=vin,
        wmi=wmi,
        model_year=year_for_code(code, today),
        makers=WMI_BRANDS.get(wmi, ()),
    )


def check_against(facts: VinFacts, brand_name: str | None, model_year: int | None) -> None:
    """Refuse a VIN that cannot be the chosen car's: another maker (when its WMI is known),
    or a model year more than one year away. The year code repeats every 30 years, so the
    reading nearest the chosen model year is compared (a 1994 car's code also reads 2024)."""
    if brand_name is not None and facts.makers and brand_name not in facts.makers:
        raise VinError("vin_maker_mismatch", "vin", brand=brand_name)
    if model_year is None:
        return
    cycles = round((model_year - facts.model_year) / _CYCLE)
    vin_year = facts.model_year + _CYCLE * cycles
    if abs(vin_year - model_year) > YEAR_TOLERANCE:
        raise VinError("vin_year_mismatch", "vin", vin_year=vin_year, model_year=model_year)
