"""Run the roster-import benchmark (``bench/roster_import.py``, when present) in a process of its own.

``python -m bench.import_timing ROWS [DATABASE_URL]`` prints one JSON object: the dict returned by
``bench.roster_import.measure(rows, database_url)`` (keys "rows", "seconds", "peak_rss_mb"), or
``{"available": false}`` when that module does not exist. A separate process keeps the import's
Django settings and memory peak apart from everything else the benchmark does.
"""

import json
import sys


def main(argv: list[str]) -> int:
    rows = int(argv[0])
    database_url = argv[1] if len(argv) > 1 and argv[1] else None
    try:
        from bench.roster_import import measure
    except ImportError as exc:
        if exc.name not in ("bench.roster_import", "roster_import"):
            raise
        json.dump({"available": False}, sys.stdout)
        return 0
    result = measure(rows, database_url)
    json.dump({"available": True, **result}, sys.stdout, default=str)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
