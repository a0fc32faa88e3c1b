"""Nothing in the application can edit or delete an audit event: not the model, not the queryset,
not raw SQL (the database triggers refuse it on SQLite and PostgreSQL alike)."""

import pytest
from django.db import DatabaseError, connection, transaction

from tests import factories
from unionhome.audit.models import AuditEvent, AuditTrailIsAppendOnly
from unionhome.audit.recorder import record


@pytest.fixture
def event(people):
    return record(people["chair"], "org.member.updated", people["member_record"], name=["张三", "张叁"])


def test_saving_a_stored_event_is_refused(event):
    event.action = "org.member.nothing_happened"
    with pytest.raises(AuditTrailIsAppendOnly):
        event.save()
    assert AuditEvent.objects.get(pk=event.pk).action == "org.member.updated"


def test_deleting_an_event_is_refused(event):
    with pytest.raises(AuditTrailIsAppendOnly):
        event.delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_queryset_update_and_delete_are_refused(event):
    with pytest.raises(AuditTrailIsAppendOnly):
        AuditEvent.objects.filter(pk=event.pk).update(action="x")
    with pytest.raises(AuditTrailIsAppendOnly):
        AuditEvent.objects.all().delete()
    with pytest.raises(AuditTrailIsAppendOnly), transaction.atomic():
        AuditEvent.objects.bulk_update([event], ["action"])
    assert AuditEvent.objects.get(pk=event.pk).action == "org.member.updated"


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE audit_auditevent SET action = 'forged' WHERE id = %s",
        "UPDATE audit_auditevent SET changes = '{}' WHERE id = %s",
        "DELETE FROM audit_auditevent WHERE id = %s",
    ],
)
def test_raw_sql_is_refused_by_the_database(event, sql):
    with pytest.raises(DatabaseError, match="append-only"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [event.pk])
    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.action == "org.member.updated" and stored.changes == {"name": ["张三", "张叁"]}


def test_raw_delete_bypassing_the_queryset_is_refused(event):
    with pytest.raises(DatabaseError, match="append-only"):
        with transaction.atomic():
            AuditEvent.objects.filter(pk=event.pk)._raw_delete(AuditEvent.objects.db)
    assert AuditEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="TRUNCATE exists on PostgreSQL only")
def test_truncate_is_refused_on_postgresql(event):
    with pytest.raises(DatabaseError, match="append-only"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("TRUNCATE audit_auditevent")
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_the_triggers_exist_after_all_migrations(db):
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_auditevent'")
            assert {r[0] for r in cursor.fetchall()} == {"audit_event_no_update", "audit_event_no_delete"}
        else:
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = 'audit_auditevent'::regclass AND NOT tgisinternal"
            )
            assert {r[0] for r in cursor.fetchall()} == {"audit_event_no_change", "audit_event_no_truncate"}


def test_deleting_an_account_leaves_its_events_untouched(people):
    """The actor is kept as a plain id: no SET NULL, no cascade can rewrite the trail."""
    leaver = factories.user("leaver")
    event = record(leaver, "accounts.password_changed", leaver)
    leaver_pk = leaver.pk
    leaver.delete()
    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.actor_id == leaver_pk and stored.actor_label == "leaver"
