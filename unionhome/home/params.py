"""Reading ids from a query string or a form: what a person (or a fuzzer) types must never become a 500."""


def id_param(value: object) -> int | None:
    """A database id from request text, or None for anything else (empty, letters, negative, too long)."""
    text = value if isinstance(value, str) else ""
    return int(text) if text.isdigit() and len(text) < 19 else None
