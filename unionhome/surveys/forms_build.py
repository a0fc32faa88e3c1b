"""Forms of the survey builder: a survey's fields and one question. They only shape what was typed (lists
from lines, a condition from the answers ticked); every rule is the services', whose errors come back
beside the field they concern (``question_errors_from``)."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from unionhome.home.form_errors import form_errors_from
from unionhome.org.models import OrgUnit
from unionhome.satisfaction.service_lines import service_lines
from unionhome.surveys.models import Question, QuestionKind, Survey, default_min_group
from unionhome.surveys.services.building import INTRO_MAX_LENGTH, MIN_GROUP_MAX, TITLE_MAX_LENGTH
from unionhome.surveys.structure import CHOICE_KINDS, CONDITION_KINDS, OVERALL_KINDS, TEXT_MAX_LENGTH, allowed_values

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"
# The form fields that only some kinds of question have (the page hides the others).
KIND_FIELDS = {
    "options": sorted(CHOICE_KINDS),
    "items": [QuestionKind.MATRIX],
    "is_overall": sorted(OVERALL_KINDS),
    "service_line": sorted(OVERALL_KINDS),
}


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format=DATETIME_FORMAT, **kwargs)


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: OrgUnit) -> str:
        return "\u3000" * (obj.depth - 1) + obj.name  # indented by level (an ideographic space per level)


class UnitsChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: OrgUnit) -> str:
        return "\u3000" * (obj.depth - 1) + obj.name


class SurveyForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX_LENGTH)
    intro = forms.CharField(
        label=_("Introduction"),
        required=False,
        max_length=INTRO_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Shown above the questions: why the survey is run and how long it takes."),
    )
    unit = UnitChoiceField(label=_("Run by"), queryset=OrgUnit.objects.none())
    is_anonymous = forms.BooleanField(
        label=_("Anonymous: answers are not linked to the member"),
        required=False,
        help_text=_("Cannot be changed once the survey is open."),
    )
    opens_at = forms.DateTimeField(label=_("Opens at"), required=False, widget=LocalDateTimeInput())
    closes_at = forms.DateTimeField(label=_("Closes at"), required=False, widget=LocalDateTimeInput())
    min_group = forms.IntegerField(
        label=_("Smallest group shown in the results"),
        help_text=_("Results are not broken down for groups with fewer answers than this."),
    )
    audience_units = UnitsChoiceField(
        label=_("Sent to the members of"),
        required=False,
        queryset=OrgUnit.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Each unit with the units below it. None chosen: the unit that runs the survey."),
    )
    audience_tags = forms.ModelMultipleChoiceField(
        label=_("Only members with one of these tags"),
        required=False,
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
    )
    representatives_only = forms.BooleanField(label=_("Only congress representatives"), required=False)

    def __init__(self, *args, units, audience_units, tags, survey: Survey | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.survey = survey
        if survey is None:
            self.fields["unit"].queryset = units
        else:
            del self.fields["unit"]  # a survey stays with the unit that runs it
        self.fields["audience_units"].queryset = audience_units
        self.fields["audience_tags"].queryset = tags
        self.fields["min_group"].widget.attrs.update(min=default_min_group(), max=MIN_GROUP_MAX)

    def service_fields(self) -> dict:
        """The cleaned fields as the services take them (no unit; audience units only when chosen on a new
        survey, whose default is its own unit)."""
        data = dict(self.cleaned_data)
        data.pop("unit", None)
        if self.survey is None and not data["audience_units"]:
            data.pop("audience_units")
        return data


def survey_initial(survey: Survey, audience_units: list, tags: list) -> dict:
    return {
        "title": survey.title,
        "intro": survey.intro,
        "is_anonymous": survey.is_anonymous,
        "opens_at": survey.opens_at,
        "closes_at": survey.closes_at,
        "min_group": survey.min_group,
        "audience_units": [u.pk for u in audience_units],
        "audience_tags": [t.pk for t in tags],
        "representatives_only": survey.representatives_only,
    }


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _value_label(question: Question, value: int) -> str:
    if question.kind in CHOICE_KINDS:
        return question.options[value]
    return str(value)


def condition_choices(earlier: list[Question]) -> list:
    """The answers of earlier questions that may show a question, grouped by question: ``"<id>:<value>"``."""
    return [
        (
            f"{q.position}. {q.text}",
            [(f"{q.pk}:{value}", _value_label(q, value)) for value in allowed_values(q)],
        )
        for q in earlier
        if q.kind in CONDITION_KINDS
    ]


class QuestionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of question"), choices=QuestionKind.choices)
    text = forms.CharField(label=_("Question"), max_length=TEXT_MAX_LENGTH)
    required = forms.BooleanField(label=_("An answer is required"), required=False)
    options = forms.CharField(
        label=_("Options"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One option per line, 2 to 20."),
    )
    items = forms.CharField(
        label=_("Items"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One item per line, 2 to 20; each is answered from 1 to 5."),
    )
    is_overall = forms.BooleanField(
        label=_("This is the overall satisfaction question"),
        required=False,
        help_text=_("At most one per survey; asked of everyone."),
    )
    service_line = forms.ChoiceField(label=_("Service line asked about"), required=False)
    condition = forms.MultipleChoiceField(
        label=_("Show this question only when an earlier question was answered with"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Tick the answers of one earlier question. None ticked: always shown."),
    )

    def __init__(self, *args, earlier: list[Question], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service_line"].choices = [("", "—"), *((s.code, s.label) for s in service_lines())]
        self.fields["condition"].choices = condition_choices(earlier)
        for name, kinds in KIND_FIELDS.items():
            self.fields[name].kinds = " ".join(kinds)

    def clean_condition(self) -> tuple[int | None, list[int]]:
        pairs = [value.split(":") for value in self.cleaned_data["condition"]]
        question_ids = {int(pk) for pk, _value in pairs}
        if len(question_ids) > 1:
            raise ValidationError(_("Tick the answers of one question only."))
        values = sorted(int(value) for _pk, value in pairs)
        return (question_ids.pop() if question_ids else None), values

    def service_fields(self) -> dict:
        """The fields as ``question_add``/``question_update`` take them; fields the kind does not have
        (hidden on the page) are left out."""
        data = self.cleaned_data
        kind = data["kind"]
        condition_question, condition_values = data["condition"]
        return {
            "kind": kind,
            "text": data["text"],
            "required": data["required"],
            "options": _lines(data["options"]) if kind in CHOICE_KINDS else [],
            "items": _lines(data["items"]) if kind == QuestionKind.MATRIX else [],
            "is_overall": data["is_overall"] and kind in OVERALL_KINDS,
            "service_line": data["service_line"] if kind in OVERALL_KINDS and not data["is_overall"] else "",
            "condition_question": condition_question,
            "condition_values": condition_values,
        }


def question_initial(question: Question) -> dict:
    return {
        "kind": question.kind,
        "text": question.text,
        "required": question.required,
        "options": "\n".join(question.options),
        "items": "\n".join(question.items),
        "is_overall": question.is_overall,
        "service_line": question.service_line,
        "condition": [f"{question.condition_question_id}:{v}" for v in question.condition_values],
    }


def question_errors_from(form: QuestionForm, exc: ValidationError) -> None:
    """A service's errors on the question form: the condition's two fields are the one ``condition``."""
    if not hasattr(exc, "error_dict"):
        form_errors_from(form, exc)
        return
    renamed: dict[str, list[str]] = {}
    for field, messages in exc.message_dict.items():
        key = "condition" if field in ("condition_question", "condition_values") else field
        renamed.setdefault(key, []).extend(messages)
    form_errors_from(form, ValidationError(renamed))
