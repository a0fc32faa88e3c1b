"""UnionHome benchmarks: page latency over HTTP against the production server, at 1k, 100k and 1M members.

``python -m bench`` (``make bench``) builds each data set with ``manage.py demo`` into a fresh
database (SQLite and a throw-away PostgreSQL), starts ``manage.py serve`` (gunicorn), signs in the
viewers by writing their sessions straight into that database, and times sequential requests: the
org pages (issue 2) and the Hardship Assistance Centre's queues, reports and member pages (issue 3).
Nothing here is imported by the application, and no test asserts a timing: the figures live in
``bench/RESULTS.md``.
"""
