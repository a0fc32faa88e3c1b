"""The shape of the reference union of ``domain.md``, and of the federation built from copies of it.

技术中心工会 (the union committee) has nine branch unions: seven production inspection stations,
the coal unit and the raw-materials unit, over the districts 城区 and 云溪区; each branch has three
or four union groups (a shift or a team). Member shares per group are weights, so the same shape
serves 900 members or a union of any other size.
"""

from dataclasses import dataclass

REFERENCE_UNION_NAME = "技术中心工会"
REFERENCE_UNION_CODE = "TC"
REFERENCE_SIZE = 900
FEDERATION_NAME = "石化集团工会联合会"
FEDERATION_CODE = "FED"

# What kind of team a group is decides its job mix and its share of the branch's members.
GROUP_WEIGHT = {"shift": 1.0, "lab": 0.8, "sampling": 0.9, "office": 0.5}


@dataclass(frozen=True)
class GroupSpec:
    suffix: str
    name: str
    kind: str  # a key of GROUP_WEIGHT


@dataclass(frozen=True)
class BranchSpec:
    suffix: str
    name: str
    district: str
    site: str
    scale: float
    groups: tuple[GroupSpec, ...]


def _station(number: int, short: str, district: str, teams: str) -> BranchSpec:
    cn = "一二三四五六七"[number - 1]
    groups = tuple(
        GroupSpec(f"G{i}", f"{short}{team}", "lab" if team == "化验组" else "shift")
        for i, team in enumerate(teams.split(), start=1)
    )
    return BranchSpec(f"S0{number}", f"第{cn}检验站分工会", district, f"第{cn}检验站", 1.0, groups)


BRANCHES: tuple[BranchSpec, ...] = (
    _station(1, "一站", "城区", "甲班 乙班 丙班 丁班"),
    _station(2, "二站", "城区", "甲班 乙班 丙班 化验组"),
    _station(3, "三站", "城区", "甲班 乙班 丙班"),
    _station(4, "四站", "城区", "甲班 乙班 丙班 丁班"),
    _station(5, "五站", "云溪区", "甲班 乙班 丙班"),
    _station(6, "六站", "云溪区", "甲班 乙班 丙班"),
    _station(7, "七站", "云溪区", "甲班 乙班 丙班 化验组"),
    BranchSpec(
        "S08",
        "煤炭检验分工会",
        "云溪区",
        "煤炭检验站",
        1.25,
        (
            GroupSpec("G1", "煤检采样班", "sampling"),
            GroupSpec("G2", "煤检制样班", "sampling"),
            GroupSpec("G3", "煤检化验组", "lab"),
        ),
    ),
    BranchSpec(
        "S09",
        "原料检验分工会",
        "城区",
        "原料检验站",
        1.1,
        (
            GroupSpec("G1", "原料采样班", "sampling"),
            GroupSpec("G2", "原料化验组", "lab"),
            GroupSpec("G3", "原料综合组", "office"),
        ),
    ),
)

# Further unions of a federation: a place and a line of business, e.g. 长岭炼油部工会.
_PLACES = (
    "长岭", "巴陵", "云溪", "临湘", "君山", "华容", "汨罗", "平江", "湘阴", "洞庭", "南湖", "城陵矶",
    "新港", "松阳湖", "荆州", "九江", "安庆", "长沙", "株洲", "湘潭", "衡阳", "常德", "益阳", "岳阳",
)  # fmt: skip
_LINES = ("技术中心", "炼油部", "化工部", "储运部", "动力部", "检修中心", "质检中心", "热电部", "供排水部", "研究院")


def union_code(number: int, total: int) -> str:
    """Codes sort like the unions' numbers (the tree orders siblings by code); number 1 is the reference."""
    if number == 1:
        return REFERENCE_UNION_CODE
    return f"U{number:0{max(4, len(str(total)))}d}"


def union_name(number: int) -> str:
    if number == 1:
        return REFERENCE_UNION_NAME
    k = number - 2
    place, line = _PLACES[k % len(_PLACES)], _LINES[k // len(_PLACES) % len(_LINES)]
    rounds = k // (len(_PLACES) * len(_LINES))
    return f"{place}{line}工会" if rounds == 0 else f"{place}{line}{rounds + 1}号工会"


def group_weights() -> list[tuple[BranchSpec, GroupSpec, float]]:
    return [(b, g, b.scale * GROUP_WEIGHT[g.kind]) for b in BRANCHES for g in b.groups]


def apportion(total: int, weights: list[float]) -> list[int]:
    """Split ``total`` in proportion to ``weights`` (largest remainders): the parts add up exactly."""
    whole = sum(weights)
    exact = [total * w / whole for w in weights]
    parts = [int(x) for x in exact]
    by_remainder = sorted(range(len(weights)), key=lambda i: (parts[i] - exact[i], i))
    for i in by_remainder[: total - sum(parts)]:
        parts[i] += 1
    return parts
