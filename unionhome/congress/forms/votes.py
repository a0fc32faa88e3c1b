"""Forms of the vote pages: setting up a motion and a vote. Ballots are read straight from the POST."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from unionhome.congress.models import Motion, Representative, Vote
from unionhome.org.models import Member


class MotionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Motion.Kind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    summary = forms.CharField(label=_("Summary"), widget=forms.Textarea, required=False, max_length=20000)


def _fraction(value: str) -> tuple[int, int]:
    try:
        numerator, denominator = (int(part) for part in value.replace("／", "/").split("/"))
    except ValueError:
        raise ValidationError(_("Write a fraction such as 2/3.")) from None
    return numerator, denominator


class VoteForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    motion = forms.TypedChoiceField(label=_("Motion"), coerce=int, required=False, empty_value=None)
    kind = forms.ChoiceField(label=_("Kind"), choices=Vote.Kind.choices, initial=Vote.Kind.MOTION)
    secrecy = forms.ChoiceField(label=_("Secrecy"), choices=Vote.Secrecy.choices, initial=Vote.Secrecy.SECRET)
    method = forms.ChoiceField(
        label=pgettext_lazy("vote", "Method"), choices=Vote.Method.choices, initial=Vote.Method.CHOOSE_ONE
    )
    seats = forms.IntegerField(label=_("Seats (elections)"), min_value=1, max_value=50, initial=1)
    options = forms.CharField(
        label=_("Options (one per line; leave empty for for / against / abstain)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    candidates = forms.CharField(
        label=_("Candidates (elections): employee numbers, one per line"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    quorum = forms.CharField(label=_("Quorum: share of seated representatives present"), initial="2/3", max_length=9)
    threshold = forms.CharField(label=_("Passing threshold"), initial="1/2", max_length=9)
    threshold_base = forms.ChoiceField(label=_("Counted against"), choices=Vote.Base.choices, initial=Vote.Base.SEATED)
    threshold_strict = forms.BooleanField(
        label=_("More than the threshold (not “at least”)"), required=False, initial=True
    )
    scrutineers = forms.TypedMultipleChoiceField(label=_("Scrutineers"), coerce=int, required=False)

    def __init__(self, *args, session, **kwargs):
        super().__init__(*args, **kwargs)
        self.session = session
        self.fields["motion"].choices = [("", "—")] + [(m.pk, m.title) for m in session.motions.all()]
        reps = Representative.objects.filter(congress_id=session.congress_id, status="seated").select_related("member")
        self.fields["scrutineers"].choices = [(r.pk, r.member.name) for r in reps.order_by("member__name_pinyin")]

    def clean_quorum(self):
        return _fraction(self.cleaned_data["quorum"])

    def clean_threshold(self):
        return _fraction(self.cleaned_data["threshold"])

    def clean_candidates(self):
        numbers = [n.strip() for n in self.cleaned_data["candidates"].splitlines() if n.strip()]
        found = {
            m.employee_no: m for m in Member.objects.filter(union=self.session.congress.unit, employee_no__in=numbers)
        }
        missing = [n for n in numbers if n not in found]
        if missing:
            raise ValidationError(
                _("No member of this union has the employee number %(numbers)s.") % {"numbers": "、".join(missing)}
            )
        return [found[n] for n in numbers]
