"""What ``python -m bench`` times: the pages of each suite (``org``, issue 2; ``assistance``, issue 3) with
their viewers and latency targets, ``pages_for`` to choose those a data set has, and the records of a run
(``Timing`` for one page, ``Scenario`` for one database and size)."""

import urllib.parse
from dataclasses import dataclass, field

ORG_PAGES = (
    ("directory", "/org/members/"),
    ("search 张", "/org/members/?q=" + urllib.parse.quote("张")),
    ("initials zs", "/org/members/?q=zs"),
    ("org tree", "/org/tree/"),
)
TARGET_P95_MS = 50.0  # org pages (issue 2)
MAX_GROWTH = 2.0  # org pages: p95 growth from the smallest size
QUEUE_TARGET_MS = 100.0  # issue 3: cadre queue pages and the branch/year report
UNION_REPORT_TARGET_MS = 1000.0  # issue 3: the union-wide yearly report
SUITES = ("org", "assistance")
# The cadre queue pages (issue 3), each opened by every queue viewer.
QUEUE_PAGES = (
    ("files awaiting review", "/assistance/files/?state=submitted"),
    ("files list", "/assistance/files/"),
    ("help awaiting approval", "/assistance/help/?show=approval"),
    ("follow-ups overdue", "/assistance/follow-ups/?state=overdue"),
    ("visits due", "/assistance/visits/?status=due"),
    ("visit calendar", "/assistance/visits/calendar/"),
    ("education aid", "/assistance/aid/"),
    ("home (work queue)", "/"),
)
QUEUE_VIEWERS = ("demo-officer", "bench-federation-officer", "bench-federation-chair")
MEMBER_PAGES = (
    ("my files", "/assistance/files/mine/"),
    ("my help", "/assistance/help/mine/"),
    ("my ratings", "/satisfaction/"),
)


@dataclass(frozen=True)
class Page:
    suite: str
    viewer: str
    label: str
    path: str
    target_ms: float
    growth_rule: bool = False  # org pages: also at most MAX_GROWTH x the smallest size's p95


def pages_for(suites: list[str], sessions: dict) -> list[Page]:
    """The pages to time, for the viewers and units that this data set has."""
    viewers, units, year = sessions["viewers"], sessions["units"], sessions["year"]
    pages: list[Page] = []
    if "org" in suites:
        for viewer in ("demo-chair", "bench-federation-chair"):
            if viewer in viewers:
                pages += [Page("org", viewer, label, path, TARGET_P95_MS, True) for label, path in ORG_PAGES]
    if "assistance" in suites:
        for viewer in QUEUE_VIEWERS:
            if viewer in viewers:
                pages += [Page("assistance", viewer, label, path, QUEUE_TARGET_MS) for label, path in QUEUE_PAGES]

        def report_url(unit: str) -> str:
            return f"/assistance/reports/?unit={units[unit]}&year={year}"

        if units.get("branch"):
            for viewer in ("demo-cadre", "demo-officer"):
                if viewer in viewers:
                    pages.append(
                        Page("assistance", viewer, "report: branch/year", report_url("branch"), QUEUE_TARGET_MS)
                    )
        if units.get("union") and "demo-officer" in viewers:
            pages.append(
                Page("assistance", "demo-officer", "report: union/year", report_url("union"), UNION_REPORT_TARGET_MS)
            )
        if units.get("root") and "bench-federation-chair" in viewers:
            pages.append(
                Page(
                    "assistance",
                    "bench-federation-chair",
                    "report: federation/year",
                    report_url("root"),
                    UNION_REPORT_TARGET_MS,
                )
            )
        if "demo-member" in viewers:
            pages += [Page("assistance", "demo-member", label, path, QUEUE_TARGET_MS) for label, path in MEMBER_PAGES]
    return pages


@dataclass
class Timing:
    database: str
    size: int
    viewer: str
    scope: int
    page: str
    p50: float
    p95: float
    kib: float
    n: int
    target_ms: float = TARGET_P95_MS
    growth_rule: bool = True
    path: str = ""
    suite: str = "org"


@dataclass
class Scenario:
    database: str
    size: int
    build_seconds: float = 0.0
    db_mb: float = 0.0
    timings: list[Timing] = field(default_factory=list)
    error: str = ""
