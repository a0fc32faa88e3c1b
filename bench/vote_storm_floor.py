"""The vote storm's database side, without the framework: reading a vote's stored state for the final
check, and the floor: the ballot's two rows written with raw sqlite3 / psycopg.

The floor writes exactly what ``ballot_cast`` writes for a secret ballot (one ``congress_participation``
row with its key digest, one ``congress_ballot`` row with a random id, a receipt and the marks) in one
transaction per ballot, from one connection and from several processes in parallel: the most ballots a
second this database can take on this machine, to print beside what the server achieves over HTTP.
"""

import hashlib
import json
import multiprocessing
import secrets
import sqlite3
import time
import uuid

SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=NORMAL",
    "PRAGMA foreign_keys=ON",
    "PRAGMA cache_size=-64000",
    "PRAGMA mmap_size=268435456",
    "PRAGMA temp_store=MEMORY",
)  # as unionhome/settings.py opens the file


def connect(db: dict):
    if db["kind"] == "sqlite":
        conn = sqlite3.connect(db["path"], isolation_level=None, timeout=20)
        for pragma in SQLITE_PRAGMAS:
            conn.execute(pragma)
        return conn
    import psycopg

    return psycopg.connect(db["url"], autocommit=True)


def _query(conn, db: dict, sql: str, params: tuple = ()) -> list[tuple]:
    if db["kind"] == "sqlite":
        sql = sql.replace("%s", "?")
    return list(conn.execute(sql, params).fetchall())


def db_state(db: dict, vote_id: int) -> dict:
    """Who took part (their employee numbers), the option of each stored ballot, and the closed vote's count."""
    conn = connect(db)
    try:
        participants = [
            row[0]
            for row in _query(
                conn,
                db,
                "SELECT m.employee_no FROM congress_participation p "
                "JOIN congress_representative r ON r.id = p.representative_id "
                "JOIN org_member m ON m.id = r.member_id WHERE p.vote_id = %s",
                (vote_id,),
            )
        ]
        marks = [row[0] for row in _query(conn, db, "SELECT marks FROM congress_ballot WHERE vote_id = %s", (vote_id,))]
        marks = [json.loads(m) if isinstance(m, str) else m for m in marks]
        status, counted, result = _query(
            conn, db, "SELECT status, participation_count, result FROM congress_vote WHERE id = %s", (vote_id,)
        )[0]
    finally:
        conn.close()
    return {
        "participants": participants,
        "ballot_options": [m[0][0] for m in marks if m],
        "status": status,
        "participation_count": counted,
        "result": json.loads(result) if isinstance(result, str) else (result or {}),
    }


def representative_ids(db: dict) -> list[int]:
    conn = connect(db)
    try:
        return [r[0] for r in _query(conn, db, "SELECT id FROM congress_representative ORDER BY id")]
    finally:
        conn.close()


def _insert(db: dict, vote_id: int, option_id: int, reps: list[int], out) -> None:
    conn = connect(db)
    marks = json.dumps([[option_id, "for"]])
    started = time.perf_counter()
    for rep in reps:
        digest = hashlib.sha256(secrets.token_bytes(16)).hexdigest()
        receipt = secrets.token_hex(5).upper()
        if db["kind"] == "sqlite":
            conn.execute("BEGIN IMMEDIATE")
            conn.execute(
                "INSERT INTO congress_participation (vote_id, representative_id, channel, key_digest) "
                "VALUES (?, ?, 'online', ?)",
                (vote_id, rep, digest),
            )
            conn.execute(
                "INSERT INTO congress_ballot (id, vote_id, representative_id, receipt, marks) "
                "VALUES (?, ?, NULL, ?, ?)",
                (uuid.uuid4().hex, vote_id, receipt, marks),
            )
            conn.execute("COMMIT")
        else:
            with conn.transaction():
                conn.execute(
                    "INSERT INTO congress_participation (vote_id, representative_id, channel, key_digest) "
                    "VALUES (%s, %s, 'online', %s)",
                    (vote_id, rep, digest),
                )
                conn.execute(
                    "INSERT INTO congress_ballot (id, vote_id, representative_id, receipt, marks) "
                    "VALUES (%s, %s, NULL, %s, %s)",
                    (uuid.uuid4(), vote_id, receipt, marks),
                )
    out.put((started, time.perf_counter(), len(reps)))
    conn.close()


def floor(db: dict, vote_id: int, option_id: int, reps: list[int], connections: int) -> dict:
    """Insert one ballot per representative in ``reps`` from ``connections`` processes; ballots a second."""
    ctx = multiprocessing.get_context("fork")
    out = ctx.Queue()
    procs = [
        ctx.Process(target=_insert, args=(db, vote_id, option_id, reps[i::connections], out))
        for i in range(connections)
    ]
    wall = time.perf_counter()
    for p in procs:
        p.start()
    done = [out.get() for _ in procs]
    for p in procs:
        p.join()
    elapsed = time.perf_counter() - wall
    count = sum(n for _s, _e, n in done)
    stored = len(db_state(db, vote_id)["ballot_options"])
    return {
        "connections": connections,
        "ballots": count,
        "stored": stored,
        "seconds": elapsed,
        "per_second": count / elapsed,
    }
