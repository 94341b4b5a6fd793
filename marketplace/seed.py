"""Seed data: a realistic demo marketplace, and a large data set for benchmarks.

The chain names are invented; roads and districts are real, house numbers are not.
"""

import random
import re
import secrets
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache

from sqlalchemy import column, func, insert, literal, select, table, text

from .extensions import db
from .models import (
    Booking,
    Brand,
    Category,
    Chain,
    Listing,
    ListingItem,
    ListingStatus,
    Role,
    Series,
    Shop,
    ShopStatus,
    User,
    Variant,
)
from .models.listings import SQLITE_FTS
from .models.shops import DEFAULT_COMMISSION_BPS
from .models.types import utcnow
from .services import accounts, garage, redemption, reminders
from .services import bookings as booking_service
from .services import listings as listing_service
from .services import shops as shop_service
from .services.dashboard_demo import demo_voucher
from .services.listings import ListingDraft
from .timeutil import local_today

SEED = 2026
DEMO_PASSWORD = "shop-demo-pass"  # noqa: S105 (the published demo password)
BENCH_ADMIN_EMAIL = "bench-admin@bench.test"
BENCH_ADMIN_PASSWORD = "bench-admin-pass"  # noqa: S105 (benchmark databases only)
BENCH_CHAIN_PREFIX = "基准连锁 "
BENCH_SHOPS_PER_CHAIN = 25
FTS_INSERT_TRIGGER = "listings_fts_insert"


@dataclass(frozen=True)
class District:
    name: str
    adcode: str  # the administrative division code, part of a licence number
    lat: float
    lng: float
    area: str
    road: str


@dataclass(frozen=True)
class City:
    name: str
    area_code: str
    districts: tuple[District, ...]


def _districts(*rows: tuple) -> tuple[District, ...]:
    return tuple(District(*row) for row in rows)


DEMO_CITIES = (
    City(
        "北京",
        "010",
        _districts(
            ("朝阳区", "110105", 39.996, 116.470, "望京", "望京街"),
            ("海淀区", "110108", 39.983, 116.316, "中关村", "中关村大街"),
            ("东城区", "110101", 39.938, 116.434, "东直门", "东直门南大街"),
            ("西城区", "110102", 39.940, 116.352, "西直门", "西直门外大街"),
            ("丰台区", "110106", 39.857, 116.371, "马家堡", "马家堡西路"),
            ("石景山区", "110107", 39.892, 116.238, "鲁谷", "鲁谷路"),
            ("通州区", "110112", 39.885, 116.668, "九棵树", "九棵树东路"),
            ("昌平区", "110114", 40.075, 116.318, "回龙观", "回龙观西大街"),
            ("大兴区", "110115", 39.795, 116.505, "亦庄", "荣华南路"),
            ("顺义区", "110113", 40.128, 116.655, "顺义城区", "府前街"),
        ),
    ),
    City(
        "上海",
        "021",
        _districts(
            ("浦东新区", "310115", 31.229, 121.529, "世纪大道", "张杨路"),
            ("徐汇区", "310104", 31.193, 121.437, "徐家汇", "漕溪北路"),
            ("闵行区", "310112", 31.113, 121.380, "莘庄", "沪闵路"),
            ("长宁区", "310105", 31.214, 121.410, "天山", "天山路"),
            ("静安区", "310106", 31.277, 121.458, "大宁", "共和新路"),
            ("普陀区", "310107", 31.248, 121.391, "真如", "真北路"),
            ("杨浦区", "310110", 31.280, 121.528, "五角场", "黄兴路"),
            ("宝山区", "310113", 31.330, 121.440, "大场", "沪太路"),
            ("嘉定区", "310114", 31.378, 121.250, "嘉定新城", "胜辛路"),
            ("松江区", "310117", 31.030, 121.225, "松江新城", "荣乐中路"),
        ),
    ),
    City(
        "广州",
        "020",
        _districts(
            ("天河区", "440106", 23.135, 113.330, "天河北", "天河北路"),
            ("越秀区", "440104", 23.136, 113.288, "环市东", "环市东路"),
            ("海珠区", "440105", 23.102, 113.322, "客村", "新港中路"),
            ("荔湾区", "440103", 23.088, 113.240, "芳村", "芳村大道"),
            ("白云区", "440111", 23.180, 113.276, "同和", "白云大道北"),
            ("黄埔区", "440112", 23.170, 113.450, "科学城", "开创大道"),
            ("番禺区", "440113", 22.943, 113.363, "市桥", "番禺大道北"),
            ("花都区", "440114", 23.395, 113.220, "新华", "迎宾大道"),
            ("南沙区", "440115", 22.790, 113.530, "金洲", "进港大道"),
            ("增城区", "440118", 23.130, 113.610, "新塘", "港口大道"),
        ),
    ),
)

BENCH_CITIES = DEMO_CITIES + (
    City(
        "深圳",
        "0755",
        _districts(
            ("南山区", "440305", 22.533, 113.930, "科技园", "科苑路"),
            ("福田区", "440304", 22.541, 114.055, "车公庙", "深南大道"),
            ("宝安区", "440306", 22.555, 113.884, "西乡", "宝安大道"),
            ("龙岗区", "440307", 22.721, 114.247, "龙城", "龙岗大道"),
        ),
    ),
    City(
        "成都",
        "028",
        _districts(
            ("武侯区", "510107", 30.642, 104.043, "红牌楼", "佳灵路"),
            ("锦江区", "510104", 30.657, 104.083, "东大街", "东大街"),
            ("成华区", "510108", 30.660, 104.103, "建设路", "建设路"),
            ("金牛区", "510106", 30.692, 104.052, "营门口", "营门口路"),
        ),
    ),
    City(
        "杭州",
        "0571",
        _districts(
            ("西湖区", "330106", 30.273, 120.130, "文三路", "文三路"),
            ("拱墅区", "330105", 30.319, 120.142, "大关", "莫干山路"),
            ("滨江区", "330108", 30.208, 120.212, "长河", "江南大道"),
            ("余杭区", "330110", 30.419, 120.300, "临平", "迎宾路"),
        ),
    ),
    City(
        "武汉",
        "027",
        _districts(
            ("江汉区", "420103", 30.601, 114.270, "常青", "发展大道"),
            ("武昌区", "420106", 30.554, 114.316, "徐东", "徐东大街"),
            ("洪山区", "420111", 30.500, 114.344, "光谷", "珞喻路"),
            ("江岸区", "420102", 30.600, 114.309, "后湖", "后湖大道"),
        ),
    ),
    City(
        "西安",
        "029",
        _districts(
            ("雁塔区", "610113", 34.213, 108.948, "小寨", "长安中路"),
            ("未央区", "610112", 34.293, 108.947, "凤城", "未央路"),
            ("碑林区", "610103", 34.257, 108.934, "南稍门", "友谊东路"),
            ("长安区", "610116", 34.158, 108.907, "韦曲", "西长安街"),
        ),
    ),
    City(
        "南京",
        "025",
        _districts(
            ("鼓楼区", "320106", 32.066, 118.770, "湖南路", "中山北路"),
            ("江宁区", "320115", 31.953, 118.840, "东山", "双龙大道"),
            ("建邺区", "320105", 32.004, 118.732, "河西", "江东中路"),
            ("玄武区", "320102", 32.048, 118.797, "孝陵卫", "中山门大街"),
        ),
    ),
    City(
        "重庆",
        "023",
        _districts(
            ("渝北区", "500112", 29.718, 106.631, "两路", "双龙大道"),
            ("江北区", "500105", 29.606, 106.574, "观音桥", "建新北路"),
            ("九龙坡区", "500107", 29.502, 106.511, "杨家坪", "西郊路"),
            ("南岸区", "500108", 29.523, 106.560, "南坪", "江南大道"),
        ),
    ),
)

DEMO_CHAINS = ("驰安养车", "途远汽服", "青禾车美", "恒轮轮胎汽服")
# chain (index into DEMO_CHAINS) of each city's ten outlets, in district order
CHAIN_PATTERN = (0, 1, 2, 3, 0, 1, 2, 0, 1, 3)
DEMO_MANAGERS = (
    ("manager2@demo.example.com", "张店长"),
    ("manager3@demo.example.com", "陈店长"),
    ("manager4@demo.example.com", "刘店长"),
)
APPLIED_SHOPS = (9, 29)  # index in the list of 30 demo outlets
SUSPENDED_SHOP = 18
SUSPENSION_REASON = "多名车主投诉到店后被加价推销，平台核查期间暂停展示。"
OPENING_HOURS = ("08:30-20:00", "08:00-19:00", "09:00-21:00", "08:30-18:30", "09:00-18:00")
MOBILE_PREFIXES = ("135", "136", "137", "138", "139", "158", "159", "177", "186", "189", "199")


_VISCOSITY = re.compile(r"\b(\d{1,2}W-\d{2})\b")
_LITRES = re.compile(r"(\d(?:\.\d)?)L")
_TYRE = re.compile(r"\b(\d{3}/\d{2} R\d{2})\b")


def _specs(title: str) -> dict:
    """The oil and tyre size a demo package's title names (fitment compares them)."""
    found = {}
    if match := _VISCOSITY.search(title):
        found["oil_viscosity"] = match.group(1)
        if litres := _LITRES.search(title):
            found["oil_capacity"] = litres.group(1)
    if match := _TYRE.search(title):
        found["tyre_size"] = match.group(1)
    return found


@dataclass(frozen=True)
class Offer:
    """A listing template: prices in yuan, varied per shop."""

    category: Category
    title: str
    price: int
    list_price: int
    items: tuple[str, ...] = ()
    fuels: tuple[str, ...] = ()
    brand: str | None = None


M, R, C, T, A = (
    Category.MAINTENANCE,
    Category.REPAIR,
    Category.CLEANING,
    Category.TIRES,
    Category.ACCESSORIES,
)
OIL = ("engine_oil", "oil_filter")
ICE = ("petrol", "hev", "phev")

SMALL_SERVICES = (
    Offer(M, "小保养套餐 机油+机滤（全合成 5W-30 4L）", 299, 398, OIL, ICE),
    Offer(M, "小保养套餐 机油+机滤（半合成 10W-40 4L）", 199, 268, OIL, ICE),
    Offer(M, "小保养 美孚1号 0W-20 全合成 4L+机滤", 399, 528, OIL, ICE),
    Offer(M, "小保养 壳牌超凡喜力 5W-40 4L+机滤", 369, 488, OIL, ("petrol",)),
)
BIG_SERVICES = (
    Offer(
        M, "大保养套餐 机油+机滤+空滤+空调滤", 499, 688, (*OIL, "air_filter", "cabin_filter"), ICE
    ),
    Offer(
        M,
        "豪华大保养 全合成机油+三滤+火花塞",
        899,
        1288,
        (*OIL, "air_filter", "cabin_filter", "spark_plugs"),
        ("petrol", "hev", "phev"),
    ),
)
OFFERS = (
    Offer(M, "空调滤芯更换", 69, 99, ("cabin_filter",)),
    Offer(M, "PM2.5 高效空调滤芯（HEPA）更换", 129, 169, ("hepa_filter",)),
    Offer(M, "空气滤芯更换", 59, 89, ("air_filter",), ("petrol", "diesel", "hev", "phev")),
    Offer(M, "刹车油更换（DOT4 1L）", 199, 268, ("brake_fluid",)),
    Offer(M, "防冻液更换（长效 -35℃）", 259, 358, ("coolant",)),
    Offer(M, "自动变速箱油更换（重力换油）", 499, 699, ("transmission_fluid",), ICE),
    Offer(M, "火花塞更换（铱金 4支）", 399, 560, ("spark_plugs",), ICE),
    Offer(M, "正时皮带更换（含张紧轮）", 899, 1280, ("timing_belt",), ("petrol",)),
    Offer(M, "柴油车小保养 机油+机滤+柴油滤", 399, 520, (*OIL, "fuel_filter"), ("diesel",)),
    Offer(M, "新能源车 电池检测", 99, 168, ("battery_check",), ("bev",)),
    Offer(
        M,
        "纯电车保养套餐 电池检测+空调滤+刹车检查",
        199,
        299,
        ("battery_check", "cabin_filter", "brake_inspection"),
        ("bev",),
    ),
    Offer(R, "刹车片更换（前轮 陶瓷配方）", 299, 399, ("brake_inspection",)),
    Offer(R, "刹车盘更换（前轮 一对）", 699, 899),
    Offer(R, "刹车卡钳保养（四轮 清洁润滑）", 168, 238, ("brake_caliper_service",)),
    Offer(R, "空调系统检测+加冷媒（R134a）", 168, 238),
    Offer(R, "发动机故障电脑诊断", 49, 99),
    Offer(R, "节气门清洗", 159, 220, (), ICE),
    Offer(R, "三元催化清洗（免拆）", 299, 399, (), ("petrol",)),
    Offer(R, "蓄电池检测+更换（60Ah 免维护）", 499, 650, ("battery_check",)),
    Offer(R, "钣金喷漆（单面 标准漆）", 399, 520),
    Offer(R, "底盘检查+异响诊断", 59, 99, ("brake_inspection",)),
    Offer(C, "精致洗车（5座轿车）", 39, 58),
    Offer(C, "精致洗车（SUV/MPV）", 49, 68),
    Offer(C, "标准洗车", 25, 35),
    Offer(C, "内饰深度清洁（蒸汽消毒）", 299, 399),
    Offer(C, "全车打蜡", 168, 238),
    Offer(C, "镀晶（全车 12个月质保）", 899, 1280),
    Offer(C, "镀膜（全车）", 599, 880),
    Offer(C, "发动机舱清洗", 89, 128, (), ("petrol", "diesel", "hev", "phev")),
    Offer(C, "空调管道杀菌除味", 99, 158),
    Offer(C, "洗车次卡 10次（5座轿车）", 299, 500),
    Offer(T, "四轮定位", 128, 198),
    Offer(T, "四轮动平衡", 80, 120),
    Offer(T, "轮胎换位+动平衡", 99, 150, ("tire_rotation",)),
    Offer(T, "更换轮胎 马牌 PC6 205/55 R16（含安装）", 549, 699),
    Offer(T, "更换轮胎 米其林 浩悦4 205/55 R16（含安装）", 649, 799),
    Offer(T, "更换轮胎 普利司通 T005 225/45 R17（含安装）", 729, 899),
    Offer(T, "补胎（蘑菇钉 内补）", 45, 60),
    Offer(T, "轮毂修复（单只 拉丝/抛光）", 350, 480),
    Offer(T, "氮气充装（四轮）", 20, 40),
    Offer(A, "行车记录仪安装（前后双录 含64G卡）", 599, 799),
    Offer(A, "隔热防爆膜 全车（前挡+侧后挡）", 1999, 2880),
    Offer(A, "全包围 TPE 脚垫（定制）", 399, 599),
    Offer(A, "雨刮片更换（无骨 一对）", 79, 128),
    Offer(A, "倒车影像+雷达加装", 699, 999),
    Offer(A, "隐形车衣 TPU 全车", 6800, 9800),
    Offer(A, "家用充电桩安装（7kW 含30米布线）", 1599, 2199, (), ("bev", "phev")),
    Offer(A, "车顶行李架安装", 899, 1200),
)
BRAND_OFFERS = (
    Offer(M, "丰田车型 小保养（0W-20 全合成 4L+机滤）", 329, 428, OIL, ("petrol", "hev"), "丰田"),
    Offer(M, "本田车型 小保养（0W-20 全合成 4L+机滤）", 319, 418, OIL, ("petrol", "hev"), "本田"),
    Offer(M, "大众车型 DSG 双离合变速箱油更换", 799, 1080, ("transmission_fluid",), (), "大众"),
    Offer(M, "宝马车型 刹车油更换（DOT4 LV）", 299, 399, ("brake_fluid",), (), "宝马"),
    Offer(M, "特斯拉 空调滤芯更换（双滤芯）", 199, 299, ("cabin_filter",), ("bev",), "特斯拉"),
    Offer(M, "比亚迪 DM-i 小保养 机油+机滤", 259, 358, OIL, ("phev",), "比亚迪"),
)
DESCRIPTIONS = {
    Category.MAINTENANCE: "含配件及工时费，按厂家规定用量加注；可在线预约到店，施工约 40 分钟。",
    Category.REPAIR: "到店检测后施工，如需额外配件先报价、经车主同意再更换，不另加收工时费。",
    Category.CLEANING: "专业洗美技师施工，中性清洗剂不伤漆面；节假日高峰请提前预约。",
    Category.TIRES: "含拆装与气门嘴，施工后复检胎压；轮胎类商品以到店实物型号为准。",
    Category.ACCESSORIES: "含标准安装；安装前与车主确认位置与走线，原车线路不剪不破。",
}
VALIDITY_DAYS = (30, 60, 90, 90, 180, 180, 365)


def _yuan(rng: random.Random, base: int) -> int:
    """A shop's own price around a template price, in fen (shops like prices ending in 9)."""
    price = base * rng.uniform(0.88, 1.1)
    if base < 100:
        return max(1, round(price)) * 100
    return (round(price / 10) * 10 - 1) * 100


def _prices(rng: random.Random, offer: Offer) -> tuple[int, int]:
    price = _yuan(rng, offer.price)
    if rng.random() < 0.1:
        return price, price
    return price, max(price, offer.list_price * 100)


def licence_number(rng: random.Random, adcode: str) -> str:
    """A well-formed unified social credit code: 91 (a company) + division + org code + check."""
    body = "".join(rng.choice("0123456789") for _ in range(8))
    org_check = (
        11 - sum(int(d) * w for d, w in zip(body, (3, 7, 9, 10, 5, 8, 4, 2), strict=True)) % 11
    )
    head = "91" + adcode + body + {10: "X", 11: "0"}.get(org_check, str(org_check))
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    weights = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
    total = sum(alphabet.index(c) * w for c, w in zip(head, weights, strict=True))
    return head + alphabet[(31 - total % 31) % 31]


def _phone(rng: random.Random, area_code: str) -> str:
    if rng.random() < 0.4:
        return rng.choice(MOBILE_PREFIXES) + "".join(rng.choice("0123456789") for _ in range(8))
    return f"{area_code}-{rng.randint(2, 8)}{rng.randint(0, 9_999_999):07d}"


def _spot(rng: random.Random, district: District, spread: float) -> tuple[float, float]:
    lat = district.lat + rng.uniform(-spread, spread)
    lng = district.lng + rng.uniform(-spread, spread)
    return round(lat, 6), round(lng, 6)


def _sales(rng: random.Random) -> int:
    """Popularity with a long tail: most listings sell a little, a few sell a lot."""
    return min(int(rng.paretovariate(1.1) * 12) - 12, 20_000)


def _demo_user(email: str, name: str) -> User:
    return accounts.find_user_by_email(email) or accounts.register(email, DEMO_PASSWORD, name)


def _pick_offers(rng: random.Random, brand_offers: list[Offer]) -> list[Offer]:
    """About ten offers for one shop: a small and a big service, each category, and more."""
    chosen = [rng.choice(SMALL_SERVICES), rng.choice(BIG_SERVICES)]
    pool = list(OFFERS) + brand_offers
    for category in (R, C, T, A):
        chosen.append(rng.choice([o for o in pool if o.category is category]))
    rest = [o for o in pool if o not in chosen]
    chosen += rng.sample(rest, rng.randint(2, 6))
    return chosen


def seed_demo_marketplace(manager: User, admin: User) -> dict[str, int]:
    """Four chains, 30 outlets in 北京/上海/广州 and about 300 listings; nothing if any chain
    exists. `manager` runs the first chain and manages its first outlet."""
    if db.session.scalar(select(Chain.id).limit(1)) is not None:
        return {"chains": 0, "shops": 0, "listings": 0}
    rng = random.Random(SEED)
    chain_admins = [manager] + [_demo_user(email, name) for email, name in DEMO_MANAGERS]
    brands = dict(
        db.session.execute(
            select(Brand.name, Brand.id).where(Brand.name.in_({o.brand for o in BRAND_OFFERS}))
        ).all()
    )
    brand_offers = [o for o in BRAND_OFFERS if o.brand in brands]

    shops: list[Shop] = []
    for city in DEMO_CITIES:
        for district, chain_index in zip(city.districts, CHAIN_PATTERN, strict=True):
            lat, lng = _spot(rng, district, 0.01)
            shops.append(
                shop_service.apply_for_shop(
                    chain_admins[chain_index],
                    chain_name=DEMO_CHAINS[chain_index],
                    name=f"{district.area}店",
                    address=f"{city.name}市{district.name}{district.road}{rng.randint(1, 399)}号",
                    city=city.name,
                    district=district.name,
                    latitude=lat,
                    longitude=lng,
                    opening_hours=rng.choice(OPENING_HOURS),
                    phone=_phone(rng, city.area_code),
                    licence_number=licence_number(rng, district.adcode),
                )
            )
    for index, shop in enumerate(shops):
        if index not in APPLIED_SHOPS:
            shop_service.approve(admin, shop)

    count = 0
    for index, shop in enumerate(shops):
        actor = shop.chain.admin
        applied = index in APPLIED_SHOPS
        for offer in _pick_offers(rng, brand_offers):
            price, list_price = _prices(rng, offer)
            limited = rng.random() < 0.08
            draft = ListingDraft(
                title=("限量特惠 " if limited else "") + offer.title,
                category=offer.category.value,
                description=DESCRIPTIONS[offer.category],
                price_fen=price,
                list_price_fen=list_price,
                validity_days=rng.choice(VALIDITY_DAYS),
                stock=rng.choice((20, 50, 100)) if limited else None,
                items=list(offer.items),
                fit_fuels=list(offer.fuels),
                fit_brand_ids=[brands[offer.brand]] if offer.brand else [],
                refund_any_time=rng.random() < 0.85,
                refund_on_expiry=rng.random() < 0.9,
                chain_redeemable=rng.random() < 0.3,
                **_specs(offer.title),
            )
            listing = listing_service.create_listing(actor, shop, draft)
            roll = rng.random()
            if applied and roll < 0.6:
                pass  # still being prepared while the shop waits for approval
            elif roll < 0.9:
                listing_service.set_status(actor, listing, ListingStatus.ACTIVE)
            elif roll < 0.95:  # was on sale, then paused (a draft is never paused)
                listing_service.set_status(actor, listing, ListingStatus.ACTIVE)
                listing_service.set_status(actor, listing, ListingStatus.PAUSED)
            if listing.status is not ListingStatus.DRAFT and not applied:
                listing.sales_count = _sales(rng)
            count += 1
    shop_service.suspend(admin, shops[SUSPENDED_SHOP], SUSPENSION_REASON)
    _demo_calendars(shops, local_today())
    db.session.flush()
    return {"chains": len(DEMO_CHAINS), "shops": len(shops), "listings": count}


# --- opening hours, booking rules and closed days -----------------------------------------

WEEKEND_HOURS = (time(9), time(18))
SATURDAY_HOURS = (time(9), time(17))
# each outlet's week (by its index, in turn), from the daily hours it applied with
WEEK_PATTERNS = ("short_weekend", "daily", "sunday_off", "monday_off", "short_saturday")
DEMO_BAYS = (3, 2, 4)
CLEANING_MINUTES = 45  # the car-beauty chain (青禾车美) books washes in longer slots
NEW_YEAR_NOTE = "元旦休息"
INSPECTION_DAYS_AHEAD = 9
INSPECTION_NOTE = "设备年检，暂停营业"
_WEEKDAYS_ZH = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")


def demo_week(pattern: str, daily: tuple[time, time]) -> dict[int, tuple[time, time] | None]:
    """A week of opening hours (0 = Monday; None: closed) from an outlet's daily hours."""
    week: dict[int, tuple[time, time] | None] = dict.fromkeys(range(7), daily)
    if pattern == "short_weekend":
        week[5] = week[6] = WEEKEND_HOURS
    elif pattern == "sunday_off":
        week[6] = None
    elif pattern == "monday_off":
        week[0] = None
    elif pattern == "short_saturday":
        week[5], week[6] = SATURDAY_HOURS, None
    return week


def week_text(week: dict[int, tuple[time, time] | None]) -> str:
    """The week in words, as a shop would write it ("周一至周五 08:30-20:00，周六、周日 …")."""
    runs: list[tuple[list[int], tuple[time, time] | None]] = []
    for weekday in range(7):
        if runs and runs[-1][1] == week.get(weekday):
            runs[-1][0].append(weekday)
        else:
            runs.append(([weekday], week.get(weekday)))
    if len(runs) == 1 and runs[0][1] is not None:
        opens, closes = runs[0][1]
        return f"{opens:%H:%M}-{closes:%H:%M}"
    parts = []
    for days, hours in runs:
        if len(days) == 1:
            names = _WEEKDAYS_ZH[days[0]]
        elif len(days) == 2:
            names = f"{_WEEKDAYS_ZH[days[0]]}、{_WEEKDAYS_ZH[days[1]]}"
        else:
            names = f"{_WEEKDAYS_ZH[days[0]]}至{_WEEKDAYS_ZH[days[-1]]}"
        parts.append(f"{names} {hours[0]:%H:%M}-{hours[1]:%H:%M}" if hours else f"{names}休息")
    return "，".join(parts)


def _next_new_year(today: date) -> date:
    return date(today.year + 1, 1, 1)


def _demo_calendars(shops: list[Shop], today: date) -> None:
    """Vary the outlets' weeks (some close on Sundays or Mondays, some keep shorter weekend
    hours), give them 2-4 bays, close two chains on New Year's Day and the first outlet for
    an inspection a few days ahead. Uses no random numbers, so the rest of the demo stays
    as it was."""
    for index, shop in enumerate(shops):
        actor = shop.chain.admin
        daily = booking_service.parse_daily_hours(shop.opening_hours)
        if daily is None:
            continue
        week = demo_week(WEEK_PATTERNS[index % len(WEEK_PATTERNS)], daily)
        booking_service.save_week(actor, shop, week)
        shop.opening_hours = week_text(week)
        chain_index = DEMO_CHAINS.index(shop.chain.name)
        booking_service.save_rules(
            actor,
            shop,
            bays=DEMO_BAYS[index % len(DEMO_BAYS)],
            days_ahead=booking_service.DEFAULT_DAYS_AHEAD,
            change_hours=booking_service.DEFAULT_CHANGE_HOURS,
            slot_minutes={str(Category.CLEANING): CLEANING_MINUTES} if chain_index == 2 else {},
        )
        if chain_index in (0, 1):
            new_year = _next_new_year(today)
            booking_service.add_closed_days(actor, shop, new_year, None, NEW_YEAR_NOTE, today)
    inspection = today + timedelta(days=INSPECTION_DAYS_AHEAD)
    if inspection == _next_new_year(today):
        inspection += timedelta(days=1)
    first = shops[0]
    booking_service.add_closed_days(
        first.chain.admin, first, inspection, None, INSPECTION_NOTE, today
    )


# --- benchmark data ------------------------------------------------------------------------


@lru_cache(maxsize=16384)
def _pinyin(value: str) -> str:
    return listing_service._pinyin(value)


def bench_search_text(title: str, chain: str, shop: str, district: str, description: str) -> str:
    """`services.listings.search_text` with the pinyin cached per distinct string."""
    names = f"{title} {chain} {shop} {district}"
    return f"{names} {_pinyin(title)} {_pinyin(chain)} {description[:200]}".lower()


def _bench_admin() -> User:
    user = accounts.find_user_by_email(BENCH_ADMIN_EMAIL)
    if user is None:
        user = accounts.register(
            BENCH_ADMIN_EMAIL, BENCH_ADMIN_PASSWORD, "基准管理员", role=Role.SHOP_STAFF
        )
    return user


def _next_bench_chain() -> int:
    names = db.session.scalars(select(Chain.name).where(Chain.name.like(f"{BENCH_CHAIN_PREFIX}%")))
    numbers = [
        int(n[len(BENCH_CHAIN_PREFIX) :]) for n in names if n[len(BENCH_CHAIN_PREFIX) :].isdigit()
    ]
    return max(numbers, default=0) + 1


@contextmanager
def _fts_in_bulk(new_listings):
    """On SQLite, index the new listings for full-text search in one INSERT ... SELECT instead
    of the per-row trigger (ten times faster). The trigger is dropped and recreated inside the
    caller's transaction, so a rollback leaves the schema as it was."""
    bind = db.session.connection()
    deferred = bind.dialect.name == "sqlite" and bool(
        bind.scalar(
            text("SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name = :name"),
            {"name": FTS_INSERT_TRIGGER},
        )
    )
    if deferred:
        db.session.execute(text(f"DROP TRIGGER {FTS_INSERT_TRIGGER}"))
    try:
        yield
    finally:
        if deferred:
            create = next(ddl for ddl in SQLITE_FTS if f"TRIGGER {FTS_INSERT_TRIGGER} " in ddl)
            db.session.execute(
                text(create.replace("CREATE TRIGGER", "CREATE TRIGGER IF NOT EXISTS"))
            )
    if deferred:
        fts = table("listings_fts", column("rowid"), column("search_text"))
        db.session.execute(insert(fts).from_select(["rowid", "search_text"], new_listings))


def _bench_shops(rng: random.Random, count: int, first: int, chain_ids: list[int], now) -> list:
    rows = []
    for i in range(count):
        k, j = divmod(i, BENCH_SHOPS_PER_CHAIN)
        city = BENCH_CITIES[i % len(BENCH_CITIES)]
        district = city.districts[i // len(BENCH_CITIES) % len(city.districts)]
        lat, lng = _spot(rng, district, 0.04)
        rows.append(
            {
                "chain_id": chain_ids[k],
                "slug": f"bench-{first + k}-{j + 1}",
                "name": f"{district.area}{j + 1}号店",
                "address": f"{city.name}市{district.name}{district.road}{rng.randint(1, 999)}号",
                "city": city.name,
                "district": district.name,
                "latitude": lat,
                "longitude": lng,
                "opening_hours": rng.choice(OPENING_HOURS),
                "phone": _phone(rng, city.area_code),
                "licence_number": licence_number(rng, district.adcode),
                "status": ShopStatus.APPROVED,
                "status_reason": "",
                "commission_bps": DEFAULT_COMMISSION_BPS,
                "created_at": now,
                "decided_at": now,
            }
        )
    return rows


def _bench_listing(rng: random.Random, offer: Offer, shop: dict, chain: str, created) -> dict:
    price, list_price = _prices(rng, offer)
    roll = rng.random()
    if roll < 0.94:
        status = ListingStatus.ACTIVE
    elif roll < 0.98:
        status = ListingStatus.PAUSED
    else:
        status = ListingStatus.DRAFT
    description = DESCRIPTIONS[offer.category]
    return {
        "shop_id": shop["id"],
        "title": offer.title,
        "category": offer.category,
        "description": description,
        "price_fen": price,
        "list_price_fen": list_price,
        "validity_days": rng.choice(VALIDITY_DAYS),
        "stock": rng.choice((20, 50, 100)) if rng.random() < 0.05 else None,
        "refund_any_time": rng.random() < 0.85,
        "refund_on_expiry": rng.random() < 0.9,
        "chain_redeemable": rng.random() < 0.3,
        "status": status,
        "fit_fuels": "|".join(sorted(offer.fuels)),
        "fits_all_models": True,
        "is_public": listing_service.is_public(status, ShopStatus.APPROVED),
        "city": shop["city"],
        "district": shop["district"],
        "latitude": shop["latitude"],
        "longitude": shop["longitude"],
        "sales_count": 0 if status is ListingStatus.DRAFT else _sales(rng),
        "rating_score": 0,
        "rating_count": 0,
        "search_text": bench_search_text(
            offer.title, chain, shop["name"], shop["district"], description
        ),
        "created_at": created,
        "updated_at": created,
    }


def seed_bench(shops: int = 5000, listings: int = 100_000, *, batch: int = 5000) -> dict[str, int]:
    """Add approved shops in ten cities and mostly public listings, by bulk inserts.

    No RETURNING (to keep ids in order SQLite would insert a row per statement): ids are read
    back by chain, and listing items are filled by one INSERT ... SELECT per item.
    """
    if shops < 1 or listings < 0 or batch < 1:
        raise ValueError("seed_bench needs shops >= 1, listings >= 0 and batch >= 1")
    rng = random.Random(SEED)
    admin = _bench_admin()
    now = utcnow()
    first = _next_bench_chain()
    names = [f"{BENCH_CHAIN_PREFIX}{first + k}" for k in range(-(-shops // BENCH_SHOPS_PER_CHAIN))]
    db.session.execute(
        insert(Chain), [{"name": name, "admin_id": admin.id, "created_at": now} for name in names]
    )
    by_name = dict(
        db.session.execute(select(Chain.name, Chain.id).where(Chain.name.in_(names))).all()
    )
    chain_ids = [by_name[name] for name in names]

    shop_rows = _bench_shops(rng, shops, first, chain_ids, now)
    for start in range(0, shops, batch):
        db.session.execute(insert(Shop), shop_rows[start : start + batch])
    new_shops = select(Shop.id).where(Shop.chain_id.in_(chain_ids))
    slugs = dict(db.session.execute(select(Shop.slug, Shop.id).where(Shop.id.in_(new_shops))).all())
    for row in shop_rows:
        row["id"] = slugs[row["slug"]]

    offers = list(SMALL_SERVICES + BIG_SERVICES + OFFERS)
    weights = [6 if o.category is M and "保养" in o.title else 2 for o in offers]
    new_listings = (
        select(Listing.id, Listing.search_text)
        .where(Listing.shop_id.in_(new_shops))
        .order_by(Listing.id)  # FTS5 appends rowids in order far faster than out of order
    )
    with _fts_in_bulk(new_listings):
        for start in range(0, listings, batch):
            rows = []
            for i in range(start, min(start + batch, listings)):
                s = i % shops
                offer = rng.choices(offers, weights)[0]
                created = now - timedelta(seconds=listings - i)
                chain = names[s // BENCH_SHOPS_PER_CHAIN]
                rows.append(_bench_listing(rng, offer, shop_rows[s], chain, created))
            # render_nulls: rows with and without stock stay in one multi-row statement
            db.session.execute(insert(Listing).execution_options(render_nulls=True), rows)

    for item in sorted({code for offer in offers for code in offer.items}):
        titles = [offer.title for offer in offers if item in offer.items]
        db.session.execute(
            insert(ListingItem).from_select(
                ["listing_id", "item"],
                select(Listing.id, literal(item)).where(
                    Listing.shop_id.in_(new_shops), Listing.title.in_(titles)
                ),
            )
        )
    items = db.session.scalar(
        select(func.count())
        .select_from(ListingItem)
        .join(Listing, Listing.id == ListingItem.listing_id)
        .where(Listing.shop_id.in_(new_shops))
    )
    return {"chains": len(chain_ids), "shops": shops, "listings": listings, "listing_items": items}


DEMO_CUSTOMERS = (
    "张伟",
    "王芳",
    "李娜",
    "刘洋",
    "陈静",
    "杨磊",
    "赵敏",
    "黄强",
    "周杰",
    "吴霞",
    "徐涛",
    "孙丽",
)


def seed_demo_history(manager: User, now) -> int:
    """A year of made-up visits by a dozen demo customers at the manager's outlet, so its
    dashboard has something to show (nothing if the outlet has redemptions already), and
    today's and tomorrow's bookings, so its day view has some too (see seed_demo_bookings).
    Returns how many visits were added."""
    from .services.dashboard_demo import seed_shop_history

    member = shop_service.staff_membership(manager)
    if member is None:
        return 0
    customers = [
        _demo_user(f"customer{n:02d}@demo.example.com", name)
        for n, name in enumerate(DEMO_CUSTOMERS, start=1)
    ]
    visits = seed_shop_history(member.shop, customers, manager, now)
    owner = accounts.find_user_by_email(DEMO_OWNER_EMAIL)
    seed_demo_bookings(member.shop, ([owner] if owner else []) + customers, manager, now)
    return visits


DEMO_OWNER_EMAIL = "owner@demo.example.com"


def seed_demo_garage(owner: User, today: date) -> bool:
    """The demo owner's car, so the reminders `make run` sends have something to say: a
    丰田 卡罗拉 (from the catalog when it is loaded, else described as a car it lacks)
    registered four years ago, readings a year apart (about 38 km a day), the last oil service
    10 months and some 12,500 km ago (due), and insurance that ends in a week. Nothing when
    the owner has a car already. True if it was added."""
    if garage.vehicles_of(owner):
        return False
    registered = today - timedelta(days=4 * 365)
    variant = db.session.scalar(
        select(Variant)
        .join(Series, Series.id == Variant.series_id)
        .where(
            Series.name == "卡罗拉",
            Variant.fuel_type == "petrol",
            Variant.model_year <= registered.year,
        )
        .order_by(Variant.model_year.desc(), Variant.id)
        .limit(1)
    )
    if variant is not None:
        vehicle = garage.add_vehicle(
            owner, variant, today=today, plate="京N8D621", registered_on=registered
        )
    else:
        car = garage.describe_unlisted(
            brand=db.session.scalar(select(Brand).where(Brand.name == "丰田")),
            brand_name="丰田",
            series_name="卡罗拉",
            model_year=registered.year,
            fuel_type="petrol",
            transmission="cvt",
            displacement_cc=1200,
            today=today,
        )
        vehicle = garage.add_unlisted_vehicle(
            owner, car, today=today, plate="京N8D621", registered_on=registered
        )
    garage.add_reading(vehicle, km=46_000, read_on=today - timedelta(days=365), today=today)
    garage.add_reading(vehicle, km=60_000, read_on=today - timedelta(days=3), today=today)
    for item in ("engine_oil", "oil_filter"):
        garage.record_service(
            vehicle, item=item, done_on=today - timedelta(days=300), km=47_500, today=today
        )
    reminders.save_policy(
        owner, vehicle, insurer="中国人保", expires_on=today + timedelta(days=7), today=today
    )
    return True


DEMO_CARS = (
    "丰田 卡罗拉 2019款",
    "大众 朗逸 2020款",
    "本田 思域 2021款",
    "日产 轩逸 2019款",
    "比亚迪 秦PLUS DM-i 2023款",
    "别克 英朗 2018款",
    "吉利 星瑞 2022款",
)
DEMO_EV = "特斯拉 Model 3 2022款"  # an electric car: washes, tyres and accessories only


@dataclass(frozen=True)
class DemoBooking:
    """A booking of the demo day view: on the day `days` from today, `after` minutes after
    opening (or the first free time after that), for a package of `category`, by owner
    number `owner` (0: the demo owner when there is one). A time already over when the seed
    runs was served, or missed when `no_show`; one under way has the owner arrived."""

    days: int
    after: int
    category: Category
    owner: int
    no_show: bool = False


DEMO_BOOKINGS = (
    DemoBooking(0, 0, M, 1),
    DemoBooking(0, 0, C, 2),
    DemoBooking(0, 0, R, 3),
    DemoBooking(0, 60, M, 4, no_show=True),
    DemoBooking(0, 60, C, 5),
    DemoBooking(0, 150, T, 6),
    DemoBooking(0, 240, M, 0),
    DemoBooking(0, 240, C, 7),
    DemoBooking(0, 300, A, 8),
    DemoBooking(0, 360, T, 9),
    DemoBooking(0, 420, M, 10),
    DemoBooking(1, 0, M, 0),
    DemoBooking(1, 0, C, 11),
    DemoBooking(1, 60, R, 12),
    DemoBooking(1, 120, M, 1),
    DemoBooking(1, 300, T, 2),
    DemoBooking(1, 300, C, 3),
    DemoBooking(1, 420, M, 4),
)
"""Three bays busy at opening today, some bookings overlapping, the demo owner at 4 hours
after opening today and at opening tomorrow."""


def _demo_slot(shop: Shop, category: Category, day: date, after: int, seen: datetime):
    """The first slot of the day from `after` minutes after opening with a free bay."""
    choice = booking_service.choices(shop, str(category), seen, day=day)
    if choice.day != day or not choice.slots:
        return None
    target = choice.slots[0].starts_at + timedelta(minutes=after)
    return next((s for s in choice.slots if s.starts_at >= target and s.free), None)


def seed_demo_bookings(shop: Shop, owners: list[User], staff: User, now: datetime) -> int:
    """Bookings at the outlet today and tomorrow across its bays (DEMO_BOOKINGS), each for a
    new voucher bought three days ago, booked the day before at noon; the times already over
    are served (the voucher redeemed by `staff`) or missed. Nothing when the outlet has a
    booking from today on, or is closed both days. Returns how many were made."""
    today = booking_service.local_day(now)
    midnight = booking_service.at(today, time(0))
    if db.session.scalar(
        select(Booking.id).where(Booking.shop_id == shop.id, Booking.starts_at >= midnight).limit(1)
    ):
        return 0
    listings = list(
        db.session.scalars(
            select(Listing)
            .where(Listing.shop_id == shop.id, Listing.status == ListingStatus.ACTIVE)
            .order_by(Listing.id)
        )
    )
    if not listings or not owners:
        return 0
    made = 0
    for n, plan in enumerate(DEMO_BOOKINGS):
        listing = next((x for x in listings if x.category is plan.category), listings[0])
        day = today + timedelta(days=plan.days)
        seen = min(now, booking_service.at(day, time(0)) - timedelta(hours=12))
        slot = _demo_slot(shop, listing.category, day, plan.after, seen)
        if slot is None:
            continue
        owner = owners[plan.owner % len(owners)]
        ev_too = listing.category in (Category.CLEANING, Category.TIRES, Category.ACCESSORIES)
        cars = (*DEMO_CARS, DEMO_EV) if ev_too else DEMO_CARS
        car = cars[(owner.id + n) % len(cars)]
        voucher = demo_voucher(owner, listing, car, now - timedelta(days=3))
        booking = booking_service.book_voucher(owner, voucher, slot.starts_at, seen)
        if booking.ends_at <= now and plan.no_show:
            booking_service.mark_no_show(staff, booking, booking.ends_at)
        elif booking.starts_at <= now:
            arrived = min(now, booking.starts_at + timedelta(minutes=5))
            booking_service.mark_arrived(staff, booking, arrived)
        if booking.ends_at <= now and not plan.no_show:
            redemption.redeem(
                staff,
                shop,
                voucher.code,
                request_id=secrets.token_hex(16),
                odometer_km=None,
                now=booking.ends_at - timedelta(minutes=5),
                today=today,
            )
        made += 1
    db.session.flush()
    return made
