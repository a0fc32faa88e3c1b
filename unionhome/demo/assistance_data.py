"""The Hardship Assistance Centre's demo data: a small, varied set for the reference union, and data in
proportion to the roster for the other unions of a federation (benchmarks).

Like the roster (``loader.py``), these rows are written in bulk instead of through the services: no
per-row permission checks or audit events, no per-row queries, bounded memory (one union at a time,
written every few thousand rows). What the services would keep true is computed here instead:

* money balances: a budget line's ``committed`` is the sum of its approved, unpaid items and its
  ``spent`` the sum of its ``Payment`` rows (payments less reversals), so ``ledger.line_balances`` holds
  for every line; its ``amount`` leaves something available;
* a file's household incomes add up to its income per head, which agrees with its level under the
  union's thresholds (sudden hardship aside: an accident or an illness, whatever the income);
* a file's ``FileEvent`` history has a row per transition up to its state, in date order;
* a delivered assistance has its follow-ups on the union's schedule, and a payment when money is given;
* a rating points at a delivered (paid, done) item of the member who was served.

Dates are relative to the day of loading, so that the demo always has re-reviews, follow-ups and visits
due this week and overdue. The same seed on the same day gives the same data. The reference union's
data does not depend on the size of the federation around it.

Millions of rows (a federation of a million members has about 50,000 files, 500,000 assistance records
and 2,000,000 visits) are too many for model instances and the ORM's insert compiler, so ``Rows``
keeps plain tuples and hands out the ids itself (from the table's largest id): a child knows its
parent's id before either is written, and foreign keys are checked at commit (both backends create
them ``DEFERRABLE INITIALLY DEFERRED``). They are written with ``executemany`` on SQLite and with
``COPY ... FROM STDIN`` on PostgreSQL, whose id sequences are then moved past the new rows. Encrypted
columns are encrypted here as the field would do it; aware datetimes are stored as Django stores them.

This module is the entry (``load_centre``); the data is built by kind in sibling modules: ``assistance_clock``
(dates, amounts), ``assistance_rows`` (the bulk writer), ``assistance_centre`` (people, cadres, budget lines),
``assistance_households`` and ``assistance_files`` (hardship files), ``assistance_help`` (assistance,
payments, follow-ups, ratings), ``assistance_education_aid``, ``assistance_visits``, ``assistance_reference_plan``
and ``assistance_reference`` (the reference union), ``assistance_unions`` (the other unions of a federation).
"""

import datetime
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password

from unionhome.assistance.models import AidApplication, Assistance, FollowUp, HardshipFile, Payment, Visit
from unionhome.demo.assistance_clock import Clock
from unionhome.demo.assistance_reference import load_reference
from unionhome.demo.assistance_rows import Rows
from unionhome.demo.assistance_unions import UnionRef, load_union
from unionhome.satisfaction.models import Rating

Progress = Callable[[int, int, float], None]

# --- Entry point ----------------------------------------------------------------------------------


@dataclass
class CentreResult:
    files: int = 0
    assistance: int = 0
    visits: int = 0
    payments: int = 0
    follow_ups: int = 0
    ratings: int = 0
    aid_applications: int = 0
    seconds: float = 0.0


def load_centre(
    *,
    seed: int,
    reference: UnionRef,
    others: Sequence[UnionRef] = (),
    batch_size: int = 5000,
    today: datetime.date | None = None,
    progress: Progress | None = None,
    total_members: int = 0,
) -> CentreResult:
    """The centre's data for the reference union and, in a federation, for every other union."""
    started = time.monotonic()
    clock = Clock.current(today)
    rows = Rows(clock, batch_size)
    load_reference(rows, clock, seed, reference.pk, reference.path)
    unusable = make_password(None)
    done = reported = 0
    for union in others:
        done += load_union(rows, clock, seed, union, unusable)
        if rows.pending >= batch_size * 4:
            rows.flush()
        if progress and done - reported >= 50_000:
            reported = done
            progress(done, total_members, time.monotonic() - started)
    rows.finish()
    counts = rows.counts
    return CentreResult(
        files=counts[HardshipFile],
        assistance=counts[Assistance],
        visits=counts[Visit],
        payments=counts[Payment],
        follow_ups=counts[FollowUp],
        ratings=counts[Rating],
        aid_applications=counts[AidApplication],
        seconds=time.monotonic() - started,
    )
