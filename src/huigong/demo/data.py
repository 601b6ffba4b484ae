"""Reference data for the demo county: 祁东县, Hengyang, Hunan.

Township and village names are real. Division codes are given only where they were
checked against the GB/T 2260 tables; the others stay blank rather than invented.
Enterprise names other than 新发食品 (from a Workers' Daily report on the county's
"三位一体" stations) are made up, and so are all persons, phones and ID numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# People on the demo payroll are mostly registered in 祁东县 itself; the others come
# from neighbouring counties. 430426 was created in 1983, yet everybody registered there
# carries it whatever their birth year (see huigong.people.validators).
HOME_AREA = "430426"
NEIGHBOUR_AREAS = [
    "430421",  # 衡阳县
    "430422",  # 衡南县
    "430482",  # 常宁市
    "431121",  # 祁阳县 (now 祁阳市; old numbers keep the code)
    "430521",  # 邵东县
]


@dataclass(frozen=True)
class Unit:
    """A grassroots union to create: name of the unit and what kind of workplace it is."""

    name: str
    category: str  # GrassrootsCategory value
    employees: int
    credit_prefix: str = ""  # registering authority + entity type of the unit's USCC
    persons: int = 0  # how many persons to register there
    village: str = ""  # the village or community, for addresses
    industry: str = ""  # what the enterprise does, to pick employment forms


@dataclass(frozen=True)
class Township:
    name: str  # e.g. 黄土铺镇
    division_code: str = ""
    units: list[Unit] = field(default_factory=list)

    @property
    def union_name(self) -> str:
        return f"{self.name}工会联合会"


# Credit-code prefixes: 11 government organ, 12 public institution, 54 villagers' or
# residents' committee, 91 enterprise, 93 farmers' cooperative.
ORGAN, INSTITUTION, COMMITTEE, ENTERPRISE, COOPERATIVE = "11", "12", "54", "91", "93"


def _village(name: str, employees: int, persons: int) -> Unit:
    """The union of a village (村) or residents' community (社区)."""
    return Unit(f"{name}工会", "rural_community", employees, COMMITTEE, persons, village=name)


def _enterprise(
    name: str, employees: int, prefix: str, persons: int, industry: str, village: str = ""
) -> Unit:
    return Unit(name, "enterprise", employees, prefix, persons, village=village, industry=industry)


def _public(township: str, what: str, employees: int, persons: int, prefix: str) -> Unit:
    return Unit(f"{township}{what}工会", "public", employees, prefix, persons)


def _standard_public(township: str) -> list[Unit]:
    office = "办事处机关" if township.endswith("街道") else "人民政府机关"
    units = [_public(township, office, 46, 3, ORGAN)]
    if not township.endswith("街道"):
        units.append(_public(township, "中心学校", 120, 3, INSTITUTION))
        units.append(_public(township, "卫生院", 58, 2, INSTITUTION))
    return units


HUANGTUPU = Township(
    "黄土铺镇",
    "430426112",
    [
        _enterprise("祁东县新发食品有限公司工会", 186, ENTERPRISE, 40, "food"),
        _enterprise("祁东县黄土铺镇黄花菜专业合作社工会", 64, COOPERATIVE, 14, "farm"),
        _enterprise("祁东县宏达建筑劳务有限公司工会", 95, ENTERPRISE, 18, "construction"),
        _village("大荣村", 320, 18),
        _village("四马堂村", 280, 18),
        *_standard_public("黄土铺镇"),
    ],
)

BAIDISHI = Township(
    "白地市镇",
    "430426111",
    [
        _village("流泉村", 350, 20),
        _enterprise(
            "祁东县白地市镇流泉生猪养殖专业合作社工会",
            42,
            COOPERATIVE,
            10,
            "farm",
            village="流泉村",
        ),
        _enterprise("祁东县白地市镇鑫源建材有限公司工会", 130, ENTERPRISE, 20, "factory"),
        _village("松林桥村", 260, 8),
        _village("七宝山村", 210, 6),
        _village("苍江桥村", 240, 6),
        _village("嘹望街社区", 90, 8),
        _village("上游街社区", 85, 6),
        *_standard_public("白地市镇"),
    ],
)

# What the made-up enterprise in an ordinary township does: (name part, industry).
_ENTERPRISES = [
    ("米业", "food"),
    ("建材", "factory"),
    ("服饰", "factory"),
    ("家具", "factory"),
    ("农机", "factory"),
    ("物流", "logistics"),
    ("食品", "food"),
    ("矿业", "factory"),
]


def _ordinary(name: str, index: int, division_code: str = "", villages=()) -> Township:
    short = name[:-2] if name.endswith("街道") else name[:-1]
    product, industry = _ENTERPRISES[index % len(_ENTERPRISES)]
    units = [
        _enterprise(
            f"祁东县{short}{product}有限公司工会", 40 + (index * 37) % 160, ENTERPRISE, 6, industry
        ),
        *(_village(v, 150 + (index * 13) % 200, 4) for v in villages),
        *_standard_public(name),
    ]
    return Township(name, division_code, units)


# The county's township-level units: 3 sub-districts, 17 towns, 4 townships (乡).
TOWNSHIPS: list[Township] = [
    _ordinary("洪桥街道", 0),
    _ordinary("永昌街道", 1),
    _ordinary("玉合街道", 2),
    _ordinary("金桥镇", 3),
    _ordinary("鸟江镇", 4),
    BAIDISHI,
    _ordinary("双桥镇", 5),
    _ordinary("砖塘镇", 6),
    _ordinary("过水坪镇", 7),
    _ordinary("灵官镇", 8),
    HUANGTUPU,
    _ordinary("太和堂镇", 9),
    _ordinary("石亭子镇", 10),
    _ordinary("官家嘴镇", 11),
    _ordinary("风石堰镇", 12),
    _ordinary("蒋家桥镇", 13, "430426117", villages=["祖山湾村", "小坪村"]),
    _ordinary("粮市镇", 14),
    _ordinary("归阳镇", 15),
    _ordinary("步云桥镇", 16),
    _ordinary("河洲镇", 17),
    _ordinary("凤歧坪乡", 18),
    _ordinary("马杜桥乡", 19, "430426200", villages=["马杜桥村", "星桥村"]),
    _ordinary("城连圩乡", 20),
    _ordinary("四明山乡", 21),
]

#: Where each township-level union sits, for the statistics map, in GCJ-02 (the datum of
#: 高德 and 腾讯 maps, which Organization coordinates use). Plausible positions inside the
#: county, in roughly the right directions from the county seat; not surveyed.
COORDINATES: dict[str, tuple[str, str]] = {
    "洪桥街道": ("26.7870", "112.1180"),
    "永昌街道": ("26.7790", "112.1400"),
    "玉合街道": ("26.8010", "112.0960"),
    "金桥镇": ("26.6670", "111.9900"),
    "鸟江镇": ("26.8600", "112.2100"),
    "白地市镇": ("26.8620", "111.9000"),
    "双桥镇": ("26.7330", "112.0350"),
    "砖塘镇": ("26.7960", "111.9600"),
    "过水坪镇": ("26.9280", "112.0630"),
    "灵官镇": ("26.9050", "112.2120"),
    "黄土铺镇": ("26.8330", "112.3080"),
    "太和堂镇": ("26.9410", "111.9440"),
    "石亭子镇": ("26.7200", "112.2140"),
    "官家嘴镇": ("26.6900", "112.3350"),
    "风石堰镇": ("26.9700", "112.3110"),
    "蒋家桥镇": ("26.6500", "112.1100"),
    "粮市镇": ("26.7700", "112.3960"),
    "归阳镇": ("26.6140", "112.2850"),
    "步云桥镇": ("27.0000", "112.1580"),
    "河洲镇": ("26.6180", "112.1930"),
    "凤歧坪乡": ("26.8330", "111.8020"),
    "马杜桥乡": ("27.0300", "112.0500"),
    "城连圩乡": ("26.9910", "111.8500"),
    "四明山乡": ("27.0600", "111.9630"),
    "祁东经济开发区": ("26.8130", "112.1560"),
}

# The county's industrial park, a regional union federation beside the townships.
DEVELOPMENT_ZONE = Township(
    "祁东经济开发区",
    units=[
        _enterprise("祁东县恒通机械制造有限公司工会", 260, ENTERPRISE, 16, "factory"),
        _enterprise("祁东县湘桂纺织有限公司工会", 340, ENTERPRISE, 16, "factory"),
        _enterprise("祁东县祁星电子科技有限公司工会", 210, ENTERPRISE, 12, "factory"),
    ],
)

# Where new-form workers (riders, couriers, ride-hailing drivers) join: an industry
# federation at county level with one grassroots union per trade.
NEW_FORM_FEDERATION = Township(
    "祁东县新就业形态劳动者",
    units=[
        _enterprise("祁东县城区外卖配送站点联合工会", 120, "", 16, "rider"),
        _enterprise("祁东县快递物流园联合工会", 90, "", 14, "courier"),
        _enterprise("祁东县网约车司机联合工会", 70, "", 10, "ride_hailing"),
    ],
)

#: Grids (area → grid → micro-grid) for the two townships the stories are about.
GRIDS: dict[str, list[tuple[str, list[tuple[str, list[str]]]]]] = {
    "黄土铺镇": [
        ("黄土铺镇集镇片区", [("集镇网格", ["老街微网格", "新街微网格"])]),
        (
            "黄土铺镇北片区",
            [
                ("大荣村网格", ["大荣村一组微网格", "大荣村二组微网格"]),
                ("四马堂村网格", ["四马堂村东微网格", "四马堂村西微网格"]),
            ],
        ),
    ],
    "白地市镇": [
        ("白地市镇集镇片区", [("嘹望街网格", ["嘹望街微网格"]), ("上游街网格", ["上游街微网格"])]),
        ("白地市镇西片区", [("流泉村网格", ["流泉村养殖区微网格", "流泉村居民点微网格"])]),
    ],
}

SURNAMES = [*"周陈王李刘曾肖罗唐邓谭管蒋彭伍黄邹何胡谢申雷曹许宁贺廖张杨朱赵郭龙文段蔡", "欧阳"]
GIVEN_CHARS_MALE = "建国华清志强军勇明亮伟涛海峰斌文武春生德林松超辉平新宏"
GIVEN_CHARS_FEMALE = "秀英芳丽红梅兰玲霞燕萍娟琴云桂香慧敏静婷春花艳雪"

PHONE_PREFIXES = ["138", "139", "150", "151", "158", "173", "177", "180", "186", "189", "199"]
