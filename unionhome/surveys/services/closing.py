"""Closing a survey — by a cadre (``building.survey_close``) or on time by the closing job
(``surveys_close_due``, audited as the system) — and shuffling an anonymous survey's responses once closed.

The shuffle. An anonymous survey's responses and their answers were written in the order members answered:
their ids follow that order, on PostgreSQL so do the rows on disk, and each response shares its
transaction id (``xmin``) with the answering member's updated invitation. ``responses_shuffle`` rewrites
them, as the congress does with secret ballots: the responses, in a random order (``SystemRandom``), get new
rows and new ids (taken in that order, so the id sequence no longer gives the order of answering) and all
their answers are copied to the new ids, then the old rows are deleted — in one transaction (readers see
the old rows or the new ones, never both, never neither), in batches of ``SHUFFLE_BATCH`` responses (one
insert of responses, one ``INSERT … SELECT`` of their answers and two deletes each: the answers never pass
through Python). Every new row carries the closing transaction's id.

No answer lost or doubled. Closing an anonymous survey on PostgreSQL takes, after locking the survey, an
``EXCLUSIVE`` lock on the invitations table (a moment: it waits only for the submissions in progress,
which lock their invitation before they read the survey, and holds up new ones until the closing is
committed, when they read "closed" and are refused). So once a survey is closed, every response it will
ever have is committed, and the shuffle copies exactly the rows it read. On SQLite one writer goes at a
time. Up to ``SURVEYS_SHUFFLE_SYNC_MAX`` responses (5,000) are shuffled right after closing; more by the
task worker (``tasks.surveys_shuffle``); the closing job also shuffles any closed anonymous survey not
shuffled yet (``shuffled_at`` empty), so a failed or lost task is caught up.

The figures. A closed survey's results and breakdowns are final: they are worked out once and kept
(``results_kept``) right after closing a survey of up to ``SURVEYS_SHUFFLE_SYNC_MAX`` responses, else by the
closing job (``surveys_keep_pending``, a few surveys a run), or at the first read if that comes sooner. The
shuffle changes no figure (it keeps every response's unit and answers), so they may be kept before it.
"""

import random
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from unionhome.audit.recorder import record
from unionhome.surveys.models import Answer, Invitation, Response, Survey
from unionhome.surveys.models.surveys import SurveyResult
from unionhome.surveys.results_kept import RESULTS, results_keep
from unionhome.surveys.workflow import transition

SHUFFLE_BATCH = 1000
SHUFFLE_SYNC_MAX = 5000
KEEP_PER_RUN = 5  # closed surveys whose figures the closing job works out each run


def shuffle_sync_max() -> int:
    return int(getattr(settings, "SURVEYS_SHUFFLE_SYNC_MAX", SHUFFLE_SYNC_MAX))


def _hold_up_submissions() -> None:
    """PostgreSQL: wait for the submissions in progress, and hold up new ones until this transaction ends."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {connection.ops.quote_name(Invitation._meta.db_table)} IN EXCLUSIVE MODE")


def close_locked(survey_pk: int, *, actor: Any, **details: Any) -> Survey:
    """Close an open survey, in the caller's transaction (``actor`` None: the system); audited."""
    survey = Survey.objects.select_for_update(no_key=True).select_related("unit").get(pk=survey_pk)
    transition(survey, "close")
    if survey.is_anonymous:
        _hold_up_submissions()
    survey.closed_at = timezone.now()
    survey.save(update_fields=["status", "closed_at", "updated_at"])
    responses = Response.objects.filter(survey=survey).count()
    record(actor, "surveys.survey.closed", survey, status=["open", "closed"], responses=responses, **details)
    return survey


def shuffle_after_close(survey: Survey) -> None:
    """After a cadre closed ``survey``: when it has up to ``SURVEYS_SHUFFLE_SYNC_MAX`` responses, shuffle them
    (anonymous) and keep its figures (``results_kept``) now; with more, queue the shuffle and leave the figures
    to the closing job (or the first read)."""
    if survey.status != Survey.Status.CLOSED:
        return
    few = Response.objects.filter(survey=survey).count() <= shuffle_sync_max()
    if survey.is_anonymous and survey.shuffled_at is None:
        if few:
            responses_shuffle(survey.pk)
            survey.refresh_from_db(fields=["shuffled_at"])
        else:
            from unionhome.surveys.tasks import surveys_shuffle

            surveys_shuffle.enqueue(survey.pk)
    if few:
        results_keep(survey)


def surveys_close_due(*, now=None) -> int:
    """Close every open survey whose closing time has come (the closing job, as the system), then keep the
    figures of closed surveys not kept yet (``surveys_keep_pending``); returns how many were closed. Their
    responses are shuffled by ``surveys_shuffle_pending``, which the job runs next."""
    now = now or timezone.now()
    closed = 0
    due = Survey.objects.filter(status=Survey.Status.OPEN, closes_at__lte=now).order_by("closes_at", "pk")
    for pk in due.values_list("pk", flat=True):
        with transaction.atomic():
            survey = Survey.objects.select_for_update(no_key=True).get(pk=pk)
            if survey.status == Survey.Status.OPEN and survey.closes_at <= now:
                close_locked(pk, actor=None, on_time=True)
                closed += 1
    surveys_keep_pending()
    return closed


def surveys_keep_pending(*, limit: int = KEEP_PER_RUN) -> int:
    """Work out and keep the figures of up to ``limit`` closed surveys that have none kept (the newest closed
    first: those just closed by the job, or by a cadre with many responses); returns how many."""
    kept = SurveyResult.objects.filter(part=RESULTS).values("survey_id")
    pending = Survey.objects.filter(status=Survey.Status.CLOSED).exclude(pk__in=kept).select_related("unit")
    surveys = list(pending.order_by("-closed_at", "-pk")[:limit])
    for survey in surveys:
        results_keep(survey)
    return len(surveys)


def surveys_shuffle_pending() -> int:
    """Shuffle every closed anonymous survey not shuffled yet; returns how many responses were rewritten."""
    pending = Survey.objects.filter(status=Survey.Status.CLOSED, is_anonymous=True, shuffled_at__isnull=True)
    return sum(responses_shuffle(pk) for pk in pending.order_by("pk").values_list("pk", flat=True))


def responses_shuffle(survey_pk: int, *, batch_size: int | None = None) -> int:
    """Rewrite a closed anonymous survey's responses and answers in a random order with new ids (see the
    module's description), once, ``batch_size`` responses a batch (``SURVEYS_SHUFFLE_BATCH``, 1,000);
    returns how many responses were rewritten."""
    batch_size = batch_size or int(getattr(settings, "SURVEYS_SHUFFLE_BATCH", SHUFFLE_BATCH))
    with transaction.atomic():
        survey = Survey.objects.select_for_update(no_key=True).filter(pk=survey_pk).first()
        if survey is None or not survey.is_anonymous or survey.status != Survey.Status.CLOSED or survey.shuffled_at:
            return 0
        old = list(Response.objects.filter(survey=survey).order_by().values_list("pk", flat=True))
        random.SystemRandom().shuffle(old)
        for start in range(0, len(old), batch_size):
            _rewrite(old[start : start + batch_size])
        Survey.objects.filter(pk=survey.pk).update(shuffled_at=timezone.now())
        record(None, "surveys.survey.shuffled", survey, responses=len(old))
    return len(old)


def _rewrite(old: list[int]) -> None:
    """New rows for the responses ``old`` (in that order) and their answers; the old rows deleted."""
    fields = [f.attname for f in Response._meta.concrete_fields if not f.primary_key]
    rows = {row[0]: row[1:] for row in Response.objects.filter(pk__in=old).values_list("pk", *fields)}
    made = Response.objects.bulk_create([Response(**dict(zip(fields, rows[pk], strict=True))) for pk in old])
    _copy_answers([(pk, new.pk) for pk, new in zip(old, made, strict=True)])
    _delete(Answer, Answer._meta.get_field("response").column, old)
    _delete(Response, Response._meta.pk.column, old)


def _delete(model, column: str, values: list[int]) -> None:
    """One plain ``DELETE … WHERE column IN (…)`` (the ORM's delete would read the responses first)."""
    quote = connection.ops.quote_name
    marks = ", ".join(["%s"] * len(values))
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {quote(model._meta.db_table)} WHERE {quote(column)} IN ({marks})", values)


def _copy_answers(moves: list[tuple[int, int]]) -> None:
    """Copy the answers of each (old response, new response) to the new one, in the new responses' order."""
    quote = connection.ops.quote_name
    table = quote(Answer._meta.db_table)
    columns = [f.column for f in Answer._meta.concrete_fields]
    response = Answer._meta.get_field("response").column
    chosen = ", ".join("moved.new_id" if c == response else f"a.{quote(c)}" for c in columns)
    order = ", ".join(f"a.{quote(f.column)}" for f in Answer._meta.pk_fields if f.column != response)
    sql = (
        f"WITH moved (old_id, new_id) AS (VALUES {', '.join(['(%s, %s)'] * len(moves))}) "
        f"INSERT INTO {table} ({', '.join(quote(c) for c in columns)}) "
        f"SELECT {chosen} FROM {table} a JOIN moved ON a.{quote(response)} = moved.old_id "
        f"WHERE a.{quote(response)} IN ({', '.join(['%s'] * len(moves))}) "  # the key's index, not a scan
        f"ORDER BY moved.new_id, {order}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [value for move in moves for value in move] + [old for old, _new in moves])
