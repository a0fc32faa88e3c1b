"""The working-day calendar: weekends are days off, and configured exceptions change single days.

China's public holidays move every year and come with swapped working weekends (调休): a Saturday can be
a working day and a Wednesday a holiday. Each exception is one ``CalendarDay``; every other day follows
the week (Monday to Friday work, Saturday and Sunday off). Deadlines counted in working days (appeals,
and later follow-ups and proposals) read this calendar through ``workdays.calendar``.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CalendarDay(models.Model):
    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("Day off")
        WORKING = "working", _("Working day")

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=60, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()}"
