"""The assistance demo's households: family members, their health and incomes, and the hardship
narrative of a file."""

import datetime
import random
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from unionhome.assistance.models import ZERO
from unionhome.demo.assistance_centre import Centre, Who
from unionhome.demo.assistance_clock import CENT, age_on

# --- Hardship files -------------------------------------------------------------------------------

ILLNESSES = (
    "尿毒症，每周透析三次",
    "乳腺癌术后化疗",
    "肺癌术后靶向治疗",
    "冠心病支架术后长期服药",
    "脑梗死后遗症，行动不便",
    "白血病，骨髓移植后康复中",
    "肝硬化，定期住院治疗",
    "糖尿病并发肾病",
)
CHRONIC = ("高血压、糖尿病，长期服药", "类风湿关节炎", "慢性阻塞性肺病", "哮喘")
DISABILITIES = ("肢体二级残疾", "视力一级残疾", "智力三级残疾", "听力二级残疾")
DISASTERS = ("住房遭遇火灾", "汛期房屋被淹", "家人遭遇交通事故重伤", "老家房屋因暴雨垮塌")
WHO_CN = {"self": "本人", "spouse": "配偶", "child": "孩子", "parent": "老人", "parent_in_law": "老人"}


@dataclass
class Person:
    """One row of a household, before it is written."""

    relation: str
    age: int
    health: str
    employment: str
    income: Decimal = ZERO
    note: str = ""


def household(
    rng: random.Random, who: Who, day: datetime.date, level: str, causes: Sequence[str], centre: Centre
) -> list[Person]:
    """The applicant and the people they live with, with incomes whose mean per head fits ``level``."""
    me = age_on(who.birth_date, day)
    people = [Person("self", me, "healthy", "retired" if who.status == "retired" else "employed")]
    if "single_parent" not in causes and rng.random() < 0.9:
        spouse_employment = rng.choice(("employed", "unemployed", "unemployed")) if me < 60 else "retired"
        people.append(Person("spouse", max(20, me + rng.randint(-4, 4)), "healthy", spouse_employment))
    children = 2 if "schooling" in causes and rng.random() < 0.4 else (1 if me < 62 or rng.random() < 0.3 else 0)
    if "single_parent" in causes or "schooling" in causes:
        children = max(children, 1)
    for k in range(children):
        child = max(1, me - rng.randint(24, 32) - 3 * k)
        employment = "preschool" if child < 6 else ("student" if child < 23 else rng.choice(("employed", "unemployed")))
        people.append(Person("child", child, "healthy", employment))
    if me < 52 and rng.random() < 0.35:
        people.append(
            Person(
                rng.choice(("parent", "parent_in_law")),
                min(100, me + rng.randint(25, 31)),
                rng.choice(("healthy", "chronic")),
                "retired",
            )
        )
    # Who is ill or disabled: the member, the spouse, a child or an elderly parent.
    if "illness" in causes:
        ill = rng.choice(people)
        ill.health, ill.note = "serious", rng.choice(ILLNESSES)
        if ill.employment == "employed" and ill.relation != "self":
            ill.employment = "unable"
    if "disability" in causes:
        disabled = rng.choice(people[1:] or people)
        disabled.health, disabled.note = "disabled", rng.choice(DISABILITIES)
        if disabled.employment in ("employed", "unemployed") and disabled.relation != "self":
            disabled.employment = "unable"
    for person in people:
        if person.health == "chronic" and not person.note:
            person.note = rng.choice(CHRONIC)

    deep, relative = (float(t) for t in centre.thresholds)
    if level == "deep":
        per_head = deep * rng.uniform(0.55, 0.95)
    elif level == "relative":
        per_head = rng.uniform(deep * 1.05, relative * 0.95)
    else:
        per_head = rng.uniform(deep * 1.1, relative * 1.6)
    total = int(per_head * len(people))
    # Other earners first (a spouse's wage, a parent's pension); the member's own pay is the rest.
    left = total
    for person in people[1:]:
        if person.employment in ("employed", "retired"):
            share = min(int(total * rng.uniform(0.15, 0.35)), left - 300) if left > 600 else 0
            person.income = Decimal(max(0, share // 10 * 10)).quantize(CENT)
            left -= int(person.income)
    people[0].income = Decimal(max(0, left)).quantize(CENT)
    return people


def income_per_head(people: Sequence[Person]) -> tuple[Decimal, Decimal]:
    total = sum((p.income for p in people), ZERO)
    return total, (total / len(people)).quantize(CENT, rounding=ROUND_HALF_UP)


def situation(people: Sequence[Person], causes: Sequence[str], rng: random.Random) -> str:
    parts = []
    for cause in causes:
        if cause == "illness":
            ill = next((p for p in people if p.health == "serious"), people[0])
            parts.append(f"{WHO_CN.get(ill.relation, '家人')}患{ill.note.split('，')[0]}，医疗费用自付部分负担重。")
        elif cause == "disability":
            disabled = next((p for p in people if p.health == "disabled"), people[0])
            parts.append(f"{WHO_CN.get(disabled.relation, '家人')}{disabled.note}，需要长期照料。")
        elif cause == "disaster":
            parts.append(f"{rng.choice(DISASTERS)}，家庭财产损失严重，生活一时陷入困境。")
        elif cause == "single_parent":
            parts.append("离异后独自抚养子女，家庭收入来源单一。")
        elif cause == "low_income":
            parts.append("配偶无固定工作，家庭人均月收入低于困难标准。")
        elif cause == "schooling":
            parts.append("子女在校就读，学费和生活费支出大，家庭入不敷出。")
    return "".join(parts)
