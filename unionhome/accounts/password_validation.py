"""Password rules whose messages our own catalogue translates.

Django 5.2 changed the msgid of the minimum-length message (``%d`` instead of ``%(min_length)d``) and its
Simplified Chinese catalogue has not caught up, so that one message would appear in English on a Chinese page.
"""

from django.contrib.auth import password_validation
from django.utils.translation import ngettext


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    def get_error_message(self) -> str:
        return ngettext(
            "This password is too short. It must contain at least %(min_length)d character.",
            "This password is too short. It must contain at least %(min_length)d characters.",
            self.min_length,
        ) % {"min_length": self.min_length}
