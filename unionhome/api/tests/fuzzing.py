"""Fuzzing API operations from the OpenAPI schema with schemathesis, driven by hypothesis: shared by the
global fuzz test and the per-concept ones (which set up the rows their ids should hit). The schema is the
``api_schema`` fixture of the root ``conftest.py``.

(schemathesis' own pytest plugin does not run under pytest 9 yet, so hypothesis drives its strategies.)
"""

from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

EXAMPLES_PER_OPERATION = 25


def operations_named(api_schema, labels) -> list:
    """The schema's operations with these labels (``"GET /api/v1/…"``); all of them must exist."""
    operations = [op for op in (r.ok() for r in api_schema.get_all_operations()) if op.label in labels]
    assert {op.label for op in operations} == set(labels)
    return operations


def fuzz(operation, mode, headers: dict, examples: int = EXAMPLES_PER_OPERATION) -> None:
    """Call ``operation`` with generated input (valid or not, by ``mode``): never a 5xx."""

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def check(case):
        case.call_and_validate(headers=headers, checks=[not_a_server_error])

    check()
