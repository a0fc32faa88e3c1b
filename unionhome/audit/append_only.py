"""Database triggers that make the audit trail append-only: UPDATE, DELETE (and TRUNCATE) are refused."""

_CREATE = {
    "sqlite": [
        """CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_auditevent
           BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END""",
        """CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_auditevent
           BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END""",
    ],
    "postgresql": [
        """CREATE OR REPLACE FUNCTION audit_event_refuse_change() RETURNS trigger AS $$
           BEGIN RAISE EXCEPTION 'the audit trail is append-only'; END; $$ LANGUAGE plpgsql""",
        """CREATE TRIGGER audit_event_no_change BEFORE UPDATE OR DELETE ON audit_auditevent
           FOR EACH ROW EXECUTE FUNCTION audit_event_refuse_change()""",
        """CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_auditevent
           FOR EACH STATEMENT EXECUTE FUNCTION audit_event_refuse_change()""",
    ],
}
_DROP = {
    "sqlite": ["DROP TRIGGER IF EXISTS audit_event_no_update", "DROP TRIGGER IF EXISTS audit_event_no_delete"],
    "postgresql": [
        "DROP TRIGGER IF EXISTS audit_event_no_truncate ON audit_auditevent",
        "DROP TRIGGER IF EXISTS audit_event_no_change ON audit_auditevent",
        "DROP FUNCTION IF EXISTS audit_event_refuse_change()",
    ],
}


def create(vendor: str) -> list[str]:
    return list(_CREATE.get(vendor, []))


def drop(vendor: str) -> list[str]:
    return list(_DROP.get(vendor, []))
