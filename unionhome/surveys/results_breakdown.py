"""A survey's results broken down by unit: each question's figure for every unit just below a chosen one.

The groups are the units just below the chosen unit (by default the survey's own unit, so its branches), from
``Response.unit_path`` (a named response carries the member's unit, an anonymous one their branch); responses
from the chosen unit itself make a row of their own (``is_self``). The figures (*measures*): a Likert question's
index (0–100), a matrix item's index, a recommendation question's NPS, and the share (%) of a choice question's
respondents who chose each option. Free texts are never broken down.

The suppression rule (k = ``survey.min_group``)
-----------------------------------------------
1. *Primary*: a group with fewer than k responses shows neither its figures nor its count of responses
   ("fewer than k"); a figure resting on fewer than k respondents to its question is suppressed the same way.
2. *Complementary*: the figures of all the groups add up to the chosen unit's, which is shown too (the unit's
   own row, or the whole survey's results). So when, in one column (the responses, or one figure), exactly
   one group is suppressed, the column's next smallest group (by its n; the first in the table on a tie) is
   suppressed as well: subtraction then gives only the two together, at least k + 1 answers. With two or more
   suppressed the same holds already. A group with no answer at all shows "no answers": it hides nobody.
3. *Down the tree*: a figure suppressed in a unit's row (by rule 1 or 2, in the breakdown of the unit above
   it) stays suppressed in the unit's own total and in every row below it, or the rows below would add up to
   it. So the rules are applied level by level from the survey's unit down to the chosen one.
4. Nothing at all is shown while the whole survey has fewer than k responses.

Queries (an open survey, live): eight at most whatever the number of responses or units (the chosen unit, the
units on offer, the units below the chain, the questions, the responses per unit path, the answer counts per
path, and the respondents per path of the multiple choice and matrix questions); the tallies per path are added
up in Python (there are as many paths as units), each subtree once. A closed survey's breakdowns are worked out
once and kept (``results_kept``), then read in three queries.
"""

import copy
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from unionhome.access.policy import OutOfScope
from unionhome.org.models import OrgUnit
from unionhome.satisfaction.index_math import LIKERT, RECOMMENDATION, suppressed
from unionhome.surveys.models import Answer, Question, Response, Survey
from unionhome.surveys.results import SEVERAL_ROWS, Counts, nps_of, score_of


@dataclass(frozen=True)
class Measure:
    key: str  # "q<id>", "q<id>.<item>" (matrix item) or "q<id>.o<option>" (choice option)
    question_id: int
    label: str
    kind: str  # "index", "nps" or "share"
    item: int = 0
    option: int | None = None


@dataclass
class Cell:
    n: int  # respondents to the question (the responses, for the responses column)
    value: float | None = None
    suppressed: bool = False


@dataclass
class Row:
    unit: OrgUnit
    is_self: bool
    responses: Cell
    cells: dict[str, Cell] = field(default_factory=dict)
    measures: list[Measure] = field(default_factory=list)

    @property
    def columns(self) -> list[tuple[Measure, Cell]]:
        """(measure, cell) in the order of the measures, for the page."""
        return [(m, self.cells[m.key]) for m in self.measures]


@dataclass
class Breakdown:
    survey: Survey
    unit: OrgUnit
    units: list[OrgUnit]  # the units one may choose
    min_group: int
    shown: bool  # False while the survey has fewer than k responses
    measures: list[Measure]
    total: Row | None
    rows: list[Row]


def measures_of(questions: list[Question]) -> list[Measure]:
    measures = []
    for q in questions:
        if q.kind == Question.Kind.LIKERT:
            measures.append(Measure(f"q{q.pk}", q.pk, q.text, "index"))
        elif q.kind == Question.Kind.RECOMMENDATION:
            measures.append(Measure(f"q{q.pk}", q.pk, q.text, "nps"))
        elif q.kind == Question.Kind.MATRIX:
            measures += [
                Measure(f"q{q.pk}.{i}", q.pk, f"{q.text}: {item}", "index", item=i) for i, item in enumerate(q.items)
            ]
        elif q.kind in (Question.Kind.SINGLE, Question.Kind.MULTIPLE):
            measures += [
                Measure(f"q{q.pk}.o{i}", q.pk, f"{q.text}: {option}", "share", option=i)
                for i, option in enumerate(q.options)
            ]
    return measures


def cell_of(measure: Measure, counts: Counts, respondents: int, k: int) -> Cell:
    """One group's figure for one measure (pure): suppressed when fewer than k respondents gave it."""
    if measure.kind == "share":
        n = respondents
    else:
        n = sum(c for (item, _value), c in counts.items() if item == measure.item)
    if n == 0:
        return Cell(0)
    if suppressed(n, k):
        return Cell(n, suppressed=True)
    if measure.kind == "share":
        return Cell(n, 100 * counts.get((0, measure.option), 0) / n)
    if measure.kind == "nps":
        return Cell(n, nps_of(score_of(counts, 0, *RECOMMENDATION)).nps)
    return Cell(n, score_of(counts, measure.item, *LIKERT).estimate.index)


def complement(cells: list[Cell]) -> None:
    """Complementary suppression of one column (in place): when exactly one cell is suppressed, also the next
    smallest shown one, so that no figure can be had by subtraction from the total."""
    if sum(1 for c in cells if c.suppressed) != 1:
        return
    shown = [c for c in cells if not c.suppressed and c.n > 0]
    if shown:
        smallest = min(shown, key=lambda c: c.n)
        smallest.value, smallest.suppressed = None, True


def group_row(unit, is_self, responses: int, counts, respondents, measures, k) -> Row:
    row = Row(unit, is_self, Cell(responses, suppressed=responses > 0 and suppressed(responses, k)), measures=measures)
    for m in measures:
        cell = cell_of(m, counts.get(m.question_id, {}), respondents.get(m.question_id, 0), k)
        if row.responses.suppressed and cell.n:
            cell = Cell(cell.n, suppressed=True)
        row.cells[m.key] = cell
    return row


def offered_kinds(survey: Survey) -> list[str]:
    """The kinds of unit with a breakdown: those with units below them (not the branches of an anonymous
    survey: its responses know only the branch)."""
    kinds = [OrgUnit.Kind.FEDERATION, OrgUnit.Kind.UNION]
    if not survey.is_anonymous:
        kinds.append(OrgUnit.Kind.BRANCH)
    return kinds


def units_on_offer(survey: Survey) -> list[OrgUnit]:
    """Every unit whose breakdown may be asked for: the survey's unit and the units of those kinds below it."""
    below = OrgUnit.objects.filter(
        path__startswith=survey.unit.path, depth__gt=survey.unit.depth, kind__in=offered_kinds(survey)
    )
    return [survey.unit, *below.order_by("path")]


def offered_units(survey: Survey, unit: OrgUnit | None = None, tree: "UnitTree | None" = None) -> list[OrgUnit]:
    """The units to choose from beside ``unit``'s breakdown (default: the survey's unit): the way back up to the
    survey's unit, ``unit`` itself and the units just below it that have a breakdown, in the tree's order; not
    every unit on offer (a federation has eleven thousand). One query, none with the ``tree``."""
    unit = unit or survey.unit
    step, kinds = OrgUnit.steplen, offered_kinds(survey)
    chain = [unit.path[:i] for i in range(len(survey.unit.path) + step, len(unit.path) + 1, step)]
    if tree is None:
        near = Q(path__in=chain) | Q(path__startswith=unit.path, depth=unit.depth + 1, kind__in=kinds)
        return [survey.unit, *OrgUnit.objects.filter(near).order_by("path")]
    trail = [u for path in chain for u in tree.children[path[:-step]] if u.path == path]
    return [survey.unit, *trail, *(u for u in tree.children[unit.path] if u.kind in kinds)]


def chosen_unit(survey: Survey, unit_id: int | None) -> OrgUnit:
    if unit_id is None or unit_id == survey.unit_id:
        return survey.unit
    unit = OrgUnit.objects.filter(pk=unit_id, path__startswith=survey.unit.path).first()
    if unit is None:
        raise OutOfScope(_("There is no such unit in this survey's audience."))
    return unit


@dataclass
class Tallies:
    """Responses, answer counts and respondents per response unit path, over the whole survey."""

    responses: dict[str, int]
    counts: dict[str, dict[int, Counts]]
    respondents: dict[str, dict[int, int]]
    _sums: dict = field(default_factory=dict)
    _levels: dict = field(default_factory=dict)  # the rows of a level (``_level``), by its parent's path

    def group(self, prefix: str, *, exact: bool = False) -> tuple[int, dict[int, Counts], dict[int, int]]:
        """The sums over the paths starting with ``prefix`` (or equal to it, ``exact``). Every subtree's sums are
        added up at the first call, in one pass over the paths (each path into each of its ancestors)."""
        if exact:
            return self.responses.get(prefix, 0), self.counts.get(prefix, {}), self.respondents.get(prefix, {})
        if not self._sums:
            self._sums.update(self._subtrees())
        return self._sums.get(prefix, (0, {}, {}))

    def _subtrees(self) -> dict[str, tuple[int, dict[int, Counts], dict[int, int]]]:
        step = OrgUnit.steplen
        responses: dict[str, int] = defaultdict(int)
        counts: dict[str, dict[int, Counts]] = defaultdict(lambda: defaultdict(dict))
        respondents: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
        for path, n in self.responses.items():
            prefixes = [path[:end] for end in range(step, len(path) + 1, step)]
            for prefix in prefixes:
                responses[prefix] += n
            for qid, question_counts in self.counts.get(path, {}).items():
                for prefix in prefixes:
                    summed = counts[prefix][qid]
                    for key, c in question_counts.items():
                        summed[key] = summed.get(key, 0) + c
            for qid, r in self.respondents.get(path, {}).items():
                for prefix in prefixes:
                    respondents[prefix][qid] += r
        return {prefix: (n, counts[prefix], respondents[prefix]) for prefix, n in responses.items()}


def survey_tallies(survey: Survey, questions: list[Question]) -> Tallies:
    """Three grouped queries whatever the number of responses: the responses per unit path, the answer counts
    per (path, question, item, value), and the distinct respondents per (path, question) of the multiple choice
    and matrix questions only (the other kinds have one answer row per respondent: their counts say it)."""
    responses = dict(
        Response.objects.filter(survey_id=survey.pk).values_list("unit_path").annotate(n=Count("*")).order_by()
    )
    # The survey's filter on the responses too: the join then reads the survey's responses alone (index
    # ``response_by_unit``), not every survey's.
    answers = Answer.objects.filter(question_id__in=[q.pk for q in questions], response__survey_id=survey.pk)
    counts: dict[str, dict[int, Counts]] = defaultdict(lambda: defaultdict(dict))
    respondents: dict[str, dict[int, int]] = defaultdict(dict)
    single = {q.pk for q in questions if q.kind not in SEVERAL_ROWS}
    for path, qid, item, value, n in (
        answers.values_list("response__unit_path", "question_id", "item", "value").annotate(n=Count("*")).order_by()
    ):
        counts[path][qid][(item, value)] = n
        if qid in single:
            respondents[path][qid] = respondents[path].get(qid, 0) + n
    several = [q.pk for q in questions if q.kind in SEVERAL_ROWS]
    if several:
        for path, qid, n in (
            answers.filter(question_id__in=several)
            .values_list("response__unit_path", "question_id")
            .annotate(n=Count("response_id", distinct=True))
            .order_by()
        ):
            respondents[path][qid] = n
    return Tallies(responses, counts, respondents)


def _level(parent: OrgUnit, children: list[OrgUnit], tallies: Tallies, measures, k: int) -> list[Row]:
    """The rows of the units just below ``parent`` (and ``parent`` itself), suppressed by rules 1 and 2; worked
    out once per parent (``Tallies._levels``)."""
    if parent.path not in tallies._levels:
        tallies._levels[parent.path] = _level_rows(parent, children, tallies, measures, k)
    return tallies._levels[parent.path]


def _level_rows(parent: OrgUnit, children: list[OrgUnit], tallies: Tallies, measures, k: int) -> list[Row]:
    rows = [group_row(child, False, *tallies.group(child.path), measures, k) for child in children]
    own = group_row(parent, True, *tallies.group(parent.path, exact=True), measures, k)
    if own.responses.n:
        rows.insert(0, own)
    for column in ["responses", *(m.key for m in measures)]:
        complement([r.responses if column == "responses" else r.cells[column] for r in rows])
    return rows


def _hide(row: Row, columns: set[str]) -> None:
    for key, cell in [("responses", row.responses), *row.cells.items()]:
        if key in columns and cell.n:
            cell.value, cell.suppressed = None, True


def _hidden_columns(row: Row) -> set[str]:
    hidden = {key for key, cell in row.cells.items() if cell.suppressed}
    return hidden | ({"responses"} if row.responses.suppressed else set())


def survey_breakdown(survey: Survey, *, unit_id: int | None = None, total_responses: int | None = None) -> Breakdown:
    """A closed survey's breakdown as kept (``results_kept``), an open one's live (``live_breakdown``)."""
    if survey.status == Survey.Status.CLOSED:
        from unionhome.surveys.results_kept import kept_breakdown  # it builds on this module

        return kept_breakdown(survey, unit_id=unit_id)
    return live_breakdown(survey, unit_id=unit_id, total_responses=total_responses)


def live_breakdown(survey: Survey, *, unit_id: int | None = None, total_responses: int | None = None) -> Breakdown:
    """The breakdown below ``unit_id`` (default: the survey's unit), suppressed as the module's text says."""
    k = survey.min_group
    unit = chosen_unit(survey, unit_id)
    units = offered_units(survey, unit)
    if total_responses is None:
        total_responses = Response.objects.filter(survey_id=survey.pk).count()
    if suppressed(total_responses, k):
        return Breakdown(survey, unit, units, k, False, [], None, [])
    questions = list(Question.objects.filter(survey_id=survey.pk).order_by("position"))
    return breakdown_below(survey, unit, units, measures_of(questions), survey_tallies(survey, questions))


class UnitTree:
    """The units of a survey's subtree by their parent's path, down to ``depth``: one query, shared by the
    breakdowns below every unit on offer when they are all worked out at once (``results_kept``)."""

    def __init__(self, survey: Survey, depth: int):
        self.children: dict[str, list[OrgUnit]] = defaultdict(list)
        below = OrgUnit.objects.filter(
            path__startswith=survey.unit.path, depth__gt=survey.unit.depth, depth__lte=depth
        ).only("pk", "path", "name", "kind", "depth")
        for child in below.order_by("path"):
            self.children[child.path[: -OrgUnit.steplen]].append(child)


def breakdown_below(
    survey: Survey, unit: OrgUnit, units: list[OrgUnit], measures, tallies: Tallies, tree: UnitTree | None = None
) -> Breakdown:
    """The breakdown below ``unit`` from the survey's tallies (one query: the units below the chain, unless the
    ``tree`` is given).

    Suppression holds across levels as well: a figure suppressed in a unit's row (at the level above) is
    suppressed in every row below that unit, or the rows below would add up to it."""
    k = survey.min_group
    step = OrgUnit.steplen
    chain = [unit.path[:i] for i in range(len(survey.unit.path), len(unit.path) + 1, step)]
    children = (tree or UnitTree(survey, unit.depth + 1)).children
    total = group_row(survey.unit, False, *tallies.group(survey.unit.path), measures, k)
    hidden: set[str] = set()
    for parent_path, child_path in zip(chain, chain[1:], strict=False):
        parent = total.unit if parent_path == survey.unit.path else OrgUnit(path=parent_path)
        level = _level(parent, children[parent_path], tallies, measures, k)
        total = next(r for r in level if r.unit.path == child_path and not r.is_self)
        hidden |= _hidden_columns(total)
    total = copy.deepcopy(total)  # the rows of a level are shared by every breakdown below it: changed copies
    total.unit, total.is_self = unit, False
    rows = copy.deepcopy(_level(unit, children[unit.path], tallies, measures, k))
    for row in [total, *rows]:
        _hide(row, hidden)
    return Breakdown(survey, unit, units, k, True, measures, total, rows)
