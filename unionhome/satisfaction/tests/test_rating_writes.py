"""One write path for ratings: ``rating_record``, ``ratings_bulk_record`` and ``rating_rescore`` (which
``rating_change`` and the features' own changes call) are the only code that writes ``Rating`` rows, and each
tells ``_tallied``. The source tree is held to it here."""

import ast
import datetime
import pathlib
import re

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from unionhome.satisfaction.models import Rating
from unionhome.satisfaction.services import rating_build, rating_record, ratings_bulk_record

SOURCE = pathlib.Path(__file__).resolve().parents[2]  # unionhome/
THE_WRITE_PATH = SOURCE / "satisfaction" / "services.py"
# The federation-scale demo loader streams millions of ratings with COPY and then rebuilds the tallies from them
# in SQL; ``demo/tests/test_satisfaction_scale.py`` checks that its tallies equal those the write path keeps.
BULK_LOADERS = {SOURCE / "demo" / "satisfaction_scale.py", SOURCE / "demo" / "satisfaction_scale_tallies.py"}

# Ways of writing ratings other than through satisfaction/services.py.
FORBIDDEN = [
    (
        re.compile(r"\bRating\.objects\.(create|bulk_create|bulk_update|update|get_or_create|update_or_create)\b"),
        "ORM write",
    ),
    (re.compile(r"(?<!class )(?<![\w.])Rating\("), "Rating( construction"),
    (re.compile(r"\.update\(\s*(score|rated_at|comment|service_line|changed_at)\s*="), ".update( of a rating field"),
    (re.compile(r"\.add\(\s*Rating\b"), "raw rows of Rating"),
    (re.compile(r"\bRating\._meta\.db_table\b"), "the ratings table by name"),
    (
        re.compile(r"\b(INSERT\s+INTO|UPDATE|DELETE\s+FROM|COPY|TRUNCATE)\s+\W?satisfaction_rating\b", re.IGNORECASE),
        "raw SQL writing the ratings table",
    ),
]


def offences(text: str) -> list[str]:
    """What in ``text`` writes ratings outside the one write path: "line: what"."""
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        for pattern, what in FORBIDDEN:
            if pattern.search(line):
                found.append(f"{number}: {what}: {line.strip()}")
    return found


def source_files():
    for path in sorted(SOURCE.rglob("*.py")):
        parts = path.relative_to(SOURCE).parts
        if "tests" in parts or "migrations" in parts or path == THE_WRITE_PATH or path in BULK_LOADERS:
            continue
        yield path


def test_nothing_else_writes_ratings():
    files = list(source_files())
    assert len(files) > 100 and SOURCE / "voices" / "services" / "feedback.py" in files
    problems = [f"{path.relative_to(SOURCE)}:{o}" for path in files for o in offences(path.read_text())]
    assert problems == [], "Write ratings through unionhome/satisfaction/services.py:\n" + "\n".join(problems)


@pytest.mark.parametrize(
    "line",
    [
        "Rating.objects.create(score=5)",
        "    Rating.objects.bulk_create(rows, batch_size=500)",
        "rows = [Rating(score=s) for s in scores]",
        "Rating.objects.filter(pk=1).update(score=2)",
        "qs.update(rated_at=now)",
        "rows.add(Rating, score=3)",
        'cursor.execute("UPDATE satisfaction_rating SET score = 1")',
        "sql = f'COPY \"satisfaction_rating\" (id, score) FROM STDIN'",
    ],
)
def test_the_scan_catches_each_way(line):
    assert offences(f"x = 1\n{line}\n") and offences(f"x = 1\n{line}\n")[0].startswith("2: ")


@pytest.mark.parametrize(
    "line",
    [
        "class Rating(models.TextChoices):",
        "rating = models.CharField(choices=ProposalReply.Rating.choices)",
        "Rating.objects.filter(member=member)",
        "appeal.save(update_fields=['rating_score'])",
        "ratable.register(Ratable(model=Visit))",
        'cursor.execute("ANALYZE org_member, satisfaction_rating")',
    ],
)
def test_the_scan_lets_reads_pass(line):
    assert offences(line) == []


def test_each_write_in_the_write_path_tells_the_tallies():
    tree = ast.parse(THE_WRITE_PATH.read_text())
    writers = {}
    for node in tree.body:
        if not isinstance(node, ast.FunctionDef):
            continue
        text = ast.unparse(node)
        if re.search(r"Rating\.objects\.(create|bulk_create)|\.save\(", text):
            writers[node.name] = "_tallied(" in text
    assert writers == {"rating_record": True, "ratings_bulk_record": True, "rating_rescore": True}


# --- rating_record -------------------------------------------------------------------------------


def record(member, **values):
    fields = {
        "service_line": "visits",
        "item_type": "assistance.visit",
        "item_id": 1,
        "member": member,
        "unit_path": member.unit_path if member else "0001.",
        "cadre_id": None,
        "score": 4,
        **values,
    }
    return rating_record(**fields)


def test_rating_record_writes_what_it_is_given(centre):
    member = centre["member_record"]
    before = timezone.now()
    rating = record(member, comment=" 好\x00 ", cadre_id=centre["cadre"].pk)
    stored = Rating.objects.get(pk=rating.pk)
    assert (stored.member, stored.cadre, stored.score, stored.comment, stored.changed_at) == (
        member,
        centre["cadre"],
        4,
        "好",
        None,
    )
    assert before <= stored.rated_at <= timezone.now()
    past = timezone.now() - datetime.timedelta(days=40)
    assert Rating.objects.get(pk=record(member, item_id=2, rated_at=past).pk).rated_at == past


def test_once_per_member_and_item_and_once_anonymously(centre):
    member = centre["member_record"]
    record(member)
    with pytest.raises(ValidationError, match="already rated"):
        record(member, score=1)
    record(centre["other_s1"])
    record(None)
    with pytest.raises(ValidationError, match="already rated"):
        record(None, score=1)
    assert sorted(Rating.objects.values_list("score", flat=True)) == [4, 4, 4]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(score=st.one_of(st.integers(-3, 9), st.booleans(), st.text(max_size=2)), length=st.integers(0, 520))
def test_scores_and_comments(centre, score, length):
    Rating.objects.all().delete()  # hypothesis runs many examples in one test's transaction
    good = isinstance(score, int) and not isinstance(score, bool) and 1 <= score <= 5 and length <= 500
    if good:
        assert record(centre["member_record"], score=score, comment="评" * length).comment == "评" * length
        assert Rating.objects.count() == 1
        return
    with pytest.raises(ValidationError) as refused:
        record(centre["member_record"], score=score, comment="评" * length)
    assert set(refused.value.message_dict) <= {"score", "comment"}
    assert not Rating.objects.exists()


def test_an_unknown_line_is_a_programming_error(centre):
    with pytest.raises(ValueError):
        record(centre["member_record"], service_line="unknown_line")
    assert not Rating.objects.exists()


# --- ratings_bulk_record -------------------------------------------------------------------------


def rows(member, count, **values):
    at = timezone.now() - datetime.timedelta(days=3)
    return [
        rating_build(
            service_line="visits",
            item_type="assistance.visit",
            item_id=i + 1,
            member_id=member.pk,
            unit_path=member.unit_path,
            score=1 + i % 5,
            comment=f" {i} ",
            rated_at=at,
            **values,
        )
        for i in range(count)
    ]


def test_bulk_writes_all_in_batches(centre, django_assert_max_num_queries):
    member = centre["member_record"]
    built = rows(member, 7)
    assert not Rating.objects.exists()  # building writes nothing
    with django_assert_max_num_queries(4 + 4 + 2):  # four INSERTs of up to two rows, two savepoints, two tallies
        assert ratings_bulk_record(built, batch_size=2) == 7
    stored = list(Rating.objects.order_by("item_id"))
    assert [(r.item_id, r.score, r.comment) for r in stored] == [(i + 1, 1 + i % 5, str(i)) for i in range(7)]
    assert {r.rated_at for r in stored} == {built[0].rated_at}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"score": 0}, "Choose a score"),
        ({"score": "3"}, "Choose a score"),
        ({"comment": "x" * 501}, "at most 500"),
    ],
)
def test_bulk_refuses_a_bad_row_and_writes_none(centre, change, message):
    built = rows(centre["member_record"], 4)
    for name, value in change.items():
        setattr(built[2], name, value)
    with pytest.raises(ValidationError) as refused:
        ratings_bulk_record(built, batch_size=2)
    assert list(refused.value.message_dict) == ["row 3"] and message in refused.value.message_dict["row 3"][0]
    assert not Rating.objects.exists()


def test_bulk_refuses_duplicates_in_the_rows_and_in_the_database(centre):
    member = centre["member_record"]
    twice = rows(member, 2) + rows(member, 1)
    with pytest.raises(ValidationError, match="already rated"):
        ratings_bulk_record(twice)
    record(member, item_id=2)
    with pytest.raises(ValidationError, match="already rated"):
        ratings_bulk_record(rows(member, 3))
    assert Rating.objects.count() == 1


def test_bulk_refuses_saved_ratings_and_unknown_lines(centre):
    member = centre["member_record"]
    saved = record(member)
    with pytest.raises(ValueError):
        ratings_bulk_record([saved])
    with pytest.raises(ValueError):
        ratings_bulk_record([rows(member, 1)[0], _unknown_line(member)])
    assert Rating.objects.count() == 1


def _unknown_line(member):
    return rating_build(
        service_line="unknown_line", item_type="x.y", item_id=9, member_id=member.pk, unit_path="x", score=3
    )


def test_the_demo_writes_ratings_through_the_write_path_not_its_raw_rows():
    from unionhome.demo.assistance_rows import TABLES

    assert Rating not in TABLES
