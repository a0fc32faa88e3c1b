"""How a survey's texts are checked: trimmed, within a length, with no control characters."""

import unicodedata

from django.utils.translation import gettext as _

LINE_BREAKS = "\n\r\t"


def text_problem(text: str, *, max_length: int, multiline: bool) -> str | None:
    """What is wrong with an already trimmed, non-empty ``text``, or None."""
    allowed = LINE_BREAKS if multiline else ""
    if len(text) > max_length:
        return _("Use at most %(max_length)s characters.") % {"max_length": max_length}
    if any(unicodedata.category(ch) in {"Cc", "Cs"} and ch not in allowed for ch in text):
        return _("This text contains control characters or invalid characters.")
    return None


def clean_text(
    value: object, *, field: str, max_length: int, errors: dict, multiline: bool = False, required: bool = True
) -> str:
    """``value`` trimmed; a message for ``field`` is added to ``errors`` when it is missing (and
    ``required``), too long or holds control characters (line breaks and tabs are fine in ``multiline``)."""
    text = value.strip() if isinstance(value, str) else ""
    if value is not None and not isinstance(value, str):
        errors[field] = _("Enter a text.")
    elif not text:
        if required:
            errors[field] = _("This field is required.")
    elif problem := text_problem(text, max_length=max_length, multiline=multiline):
        errors[field] = problem
    return text
