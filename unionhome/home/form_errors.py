"""Showing a service's ValidationError on the form that called it, field by field."""

from django.core.exceptions import ValidationError


def form_errors_from(form, exc: ValidationError) -> None:
    """Errors for known fields go on those fields; the rest on the form as a whole."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            for error in errors:
                form.add_error(field if field in form.fields else None, error)
    else:
        for error in exc.messages:
            form.add_error(None, error)
