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

Queries: eight whatever the number of responses or units (the chosen unit, the units on offer, the units
below the chain, the questions, the responses per unit path, the answer counts and the respondents per unit
path and question); the tallies per path are added up in Python (there are as many paths as units).
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count
from django.utils.translation import gettext as _

from unionhome.access.policy import OutOfScope
from unionhome.org.models import OrgUnit
from unionhome.satisfaction.index_math import LIKERT, RECOMMENDATION
from unionhome.surveys.models import Answer, Question, Response, Survey
from unionhome.surveys.results import Counts, nps_of, score_of


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
    if n < k:
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
    row = Row(unit, is_self, Cell(responses, suppressed=0 < responses < k), measures=measures)
    for m in measures:
        cell = cell_of(m, counts.get(m.question_id, {}), respondents.get(m.question_id, 0), k)
        if row.responses.suppressed and cell.n:
            cell = Cell(cell.n, suppressed=True)
        row.cells[m.key] = cell
    return row


def offered_units(survey: Survey) -> list[OrgUnit]:
    """The units whose breakdown may be asked for: the survey's unit and the units in its subtree that have
    units below them (not the branches of an anonymous survey: its responses know only the branch)."""
    kinds = [OrgUnit.Kind.FEDERATION, OrgUnit.Kind.UNION]
    if not survey.is_anonymous:
        kinds.append(OrgUnit.Kind.BRANCH)
    below = OrgUnit.objects.filter(path__startswith=survey.unit.path, depth__gt=survey.unit.depth, kind__in=kinds)
    return [survey.unit, *below.order_by("path")]


def chosen_unit(survey: Survey, unit_id: int | None) -> OrgUnit:
    if unit_id is None or unit_id == survey.unit_id:
        return survey.unit
    unit = OrgUnit.objects.filter(pk=unit_id, path__startswith=survey.unit.path).first()
    if unit is None:
        raise OutOfScope(_("There is no such unit in this survey's audience."))
    return unit


@dataclass
class _Tallies:
    """Responses, answer counts and respondents per response unit path, over the whole survey."""

    responses: dict[str, int]
    counts: dict[str, dict[int, Counts]]
    respondents: dict[str, dict[int, int]]

    def group(self, prefix: str, *, exact: bool = False) -> tuple[int, dict[int, Counts], dict[int, int]]:
        """The sums over the paths starting with ``prefix`` (or equal to it, ``exact``)."""
        responses, counts, respondents = 0, defaultdict(dict), defaultdict(int)
        for path, n in self.responses.items():
            if path == prefix or (not exact and path.startswith(prefix)):
                responses += n
                for qid, question_counts in self.counts.get(path, {}).items():
                    for key, c in question_counts.items():
                        counts[qid][key] = counts[qid].get(key, 0) + c
                for qid, r in self.respondents.get(path, {}).items():
                    respondents[qid] += r
        return responses, counts, respondents


def _tallies(survey: Survey, question_ids: list[int]) -> _Tallies:
    responses = dict(
        Response.objects.filter(survey_id=survey.pk).values_list("unit_path").annotate(n=Count("*")).order_by()
    )
    answers = Answer.objects.filter(response__survey_id=survey.pk, question_id__in=question_ids)
    counts: dict[str, dict[int, Counts]] = defaultdict(lambda: defaultdict(dict))
    for path, qid, item, value, n in (
        answers.values_list("response__unit_path", "question_id", "item", "value").annotate(n=Count("*")).order_by()
    ):
        counts[path][qid][(item, value)] = n
    respondents: dict[str, dict[int, int]] = defaultdict(dict)
    for path, qid, n in (
        answers.values_list("response__unit_path", "question_id")
        .annotate(n=Count("response_id", distinct=True))
        .order_by()
    ):
        respondents[path][qid] = n
    return _Tallies(responses, counts, respondents)


def _level(parent: OrgUnit, children: list[OrgUnit], tallies: _Tallies, measures, k: int) -> list[Row]:
    """The rows of the units just below ``parent`` (and ``parent`` itself), suppressed by rules 1 and 2."""
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
    """The breakdown below ``unit_id`` (default: the survey's unit), suppressed as the module's text says.

    Suppression holds across levels as well: a figure suppressed in a unit's row (at the level above) is
    suppressed in every row below that unit, or the rows below would add up to it."""
    k = survey.min_group
    unit = chosen_unit(survey, unit_id)
    units = offered_units(survey)
    if total_responses is None:
        total_responses = Response.objects.filter(survey_id=survey.pk).count()
    if total_responses < k:
        return Breakdown(survey, unit, units, k, False, [], None, [])
    questions = list(Question.objects.filter(survey_id=survey.pk).order_by("position"))
    measures = measures_of(questions)
    tallies = _tallies(survey, [q.pk for q in questions])
    step = OrgUnit.steplen
    chain = [unit.path[:i] for i in range(len(survey.unit.path), len(unit.path) + 1, step)]
    below = OrgUnit.objects.filter(
        path__startswith=survey.unit.path, depth__gt=survey.unit.depth, depth__lte=unit.depth + 1
    ).only("pk", "path", "name", "kind", "depth")
    children: dict[str, list[OrgUnit]] = defaultdict(list)
    for child in below.order_by("path"):
        if child.path[:-step] in chain:
            children[child.path[:-step]].append(child)
    total = group_row(survey.unit, False, *tallies.group(survey.unit.path), measures, k)
    hidden: set[str] = set()
    for parent_path, child_path in zip(chain, chain[1:], strict=False):
        parent = total.unit if parent_path == survey.unit.path else OrgUnit(path=parent_path)
        level = _level(parent, children[parent_path], tallies, measures, k)
        total = next(r for r in level if r.unit.path == child_path and not r.is_self)
        hidden |= _hidden_columns(total)
    total.unit, total.is_self = unit, False
    rows = _level(unit, children[unit.path], tallies, measures, k)
    for row in [total, *rows]:
        _hide(row, hidden)
    return Breakdown(survey, unit, units, k, True, measures, total, rows)
