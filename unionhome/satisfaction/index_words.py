"""The satisfaction index in words, for the dashboard and the annual report: the change against the period
before with its significance, and the service lines in the order a reader acts on them."""

from django.utils.translation import gettext as _

from unionhome.satisfaction.index_figures import ranking_key, standing
from unionhome.satisfaction.index_math import Comparison
from unionhome.satisfaction.index_reads import UnitIndex


def change_text(index: UnitIndex) -> str:
    """The change against the period before, in words: by how much, and whether it is significant."""
    before, c = index.previous_period, index.comparison
    if before is None:
        return _("There is no period before this one to compare with.")
    if c is None or c.difference is None:
        if index.overall.index is None:
            return _("No comparison: this period's index is not shown.")
        if index.previous.suppressed:
            return _("No comparison: %(period)s has fewer than %(k)s answers.") % {
                "period": before.label(),
                "k": index.min_group,
            }
        return _("No comparison: %(period)s has no answers.") % {"period": before.label()}
    points = _("%(difference)s points against %(period)s.") % {
        "difference": f"{c.difference:+.1f}",
        "period": before.label(),
    }
    return f"{points} {significance_text(c)}"


def significance_text(c: Comparison) -> str:
    if c.significant and c.drop:
        return _("A significant drop (p < 0.05).")
    if c.significant:
        return _("A significant rise (p < 0.05).")
    return _("Not significant: the difference may be chance.")


def lowest_first(lines):
    """Service lines shown by index, lowest first; then the suppressed; then those without answers."""

    return sorted(lines, key=lambda line: ranking_key(standing(line.current), line.label, lowest=True))
