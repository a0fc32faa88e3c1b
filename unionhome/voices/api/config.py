"""The voices API: settings under /api/v1/voices/settings/: routing rules and the deadlines of each category.
Same permission and services as the pages (``/voices/settings/``): ``voices.configure`` anywhere to read
(403 without it), the services decide each change (a rule on a unit of the caller's scope; deadlines
installation-wide). The working-day calendar is ``workdays/api.py``."""

import datetime

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status
from ninja.errors import ValidationError as NinjaValidationError
from pydantic import field_validator

from unionhome.access.policy import OutOfScope, require, scope_roots
from unionhome.access.scope import paths_scope_q
from unionhome.api.errors import ErrorOut, ValidationErrorOut
from unionhome.api.fields import MAX_ID, PlainText
from unionhome.keyset import decode_cursor, encode_cursor
from unionhome.org.models import OrgUnit
from unionhome.voices.models import AppealCategory, CategoryPolicy, RoutingRule
from unionhome.voices.selectors import config as config_selectors
from unionhome.voices.services import config as services

router = Router(tags=["voices"])

ERRORS = {401: ErrorOut, 403: ErrorOut}
PAGE_SIZE = 50
MAX_PAGE_SIZE = 100
EVERY = "every"


class RuleFilters(Schema):
    unit_id: int | None = Field(None, ge=1, le=MAX_ID, description="Only rules of this unit and the units below.")
    category: str | None = Field(
        None, description='Only rules of this category; "every" for the rules that cover every category.'
    )
    after: PlainText | None = Field(None, max_length=300, description="The `next` cursor of the previous page.")
    limit: int = Field(PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)

    @field_validator("category")
    @classmethod
    def _category(cls, value: str | None) -> str | None:
        if value and value not in (EVERY, *AppealCategory.values):
            raise ValueError(_("Choose a category from the list."))
        return value or None

    @field_validator("after")
    @classmethod
    def _cursor(cls, value: str | None) -> str | None:
        if value and decode_cursor(value) is None:
            raise ValueError(_("This cursor is not valid. Start again from the first page."))
        return value or None


class RefOut(Schema):
    id: int
    name: str


class RuleOut(Schema):
    id: int
    unit: RefOut
    category: str = Field(description='The category, or "" for every category.')
    category_label: str
    handler: RefOut | None = Field(description="The person who answers, or null for a department.")
    department: RefOut | None = Field(description="The handling department that answers, or null for a person.")
    active: bool
    created_at: datetime.datetime


class RulePageOut(Schema):
    items: list[RuleOut]
    next: str | None = Field(description="Pass as `after` for the next page; null on the last page.")


class RuleIn(Schema):
    unit_id: int = Field(..., ge=1, le=MAX_ID, description="A union or branch of the caller's scope (not a group).")
    category: str = Field(..., max_length=20, description='A category, or "" for every category.')
    handler_id: int | None = Field(None, ge=1, le=MAX_ID, description="A cadre or handler of the union.")
    department_id: int | None = Field(None, ge=1, le=MAX_ID, description="An active handling department.")


class PolicyIn(Schema):
    category: str = Field(..., max_length=20, description="The category.")
    acknowledge_days: int = Field(..., ge=1, le=services.MAX_DAYS, description="Acknowledge within, working days.")
    answer_days: int = Field(
        ..., ge=1, le=services.MAX_DAYS, description="Answer within, working days (not before acknowledging)."
    )
    reopen_days: int = Field(..., ge=1, le=services.MAX_DAYS, description="Reopen within, days after the close.")


class PolicyOut(Schema):
    category: AppealCategory
    label: str
    acknowledge_days: int
    answer_days: int
    reopen_days: int
    is_default: bool = Field(description="No deadlines were set for the category: the defaults hold.")


class PoliciesOut(Schema):
    items: list[PolicyOut]


def _refuse(where: str, field: str, message: str) -> NinjaValidationError:
    """A 422 on one input field, in the shape of schema validation (``message`` already translated)."""
    return NinjaValidationError([{"loc": (where, field), "type": "value_error", "ctx": {"error": message}}])


def _roots(actor) -> list[str]:
    """The page's permission (``voices.configure`` anywhere, else 403) and the caller's scope roots."""
    require(actor, services.CONFIGURE)
    return scope_roots(actor, services.CONFIGURE)


def _rule_out(rule: RoutingRule) -> dict:
    handler = rule.handler
    return {
        "id": rule.pk,
        "unit": {"id": rule.unit_id, "name": rule.unit.name},
        "category": rule.category,
        "category_label": rule.get_category_display() if rule.category else _("Every category"),
        "handler": {"id": handler.pk, "name": handler.display_name or handler.username} if handler else None,
        "department": {"id": rule.department_id, "name": rule.department.name} if rule.department_id else None,
        "active": rule.is_active,
        "created_at": rule.created_at,
    }


def _rule_targets(roots: list[str], payload: RuleIn):
    """The unit, person and department a new rule names, among those the page offers (its choices)."""
    unit = config_selectors.rule_units(roots).filter(pk=payload.unit_id).first()
    if unit is None:
        raise ValidationError({"unit": _("Choose a union or branch of your part of the union.")})
    handler = department = None
    if payload.handler_id:
        handler = config_selectors.rule_people(roots).filter(pk=payload.handler_id).first()
        if handler is None:
            raise ValidationError({"handler": _("Choose an active cadre or handler of your union.")})
    if payload.department_id:
        department = config_selectors.rule_departments(roots).filter(pk=payload.department_id).first()
        if department is None:
            raise ValidationError({"department": _("Choose an active handling department.")})
    return unit, handler, department


def _rules(roots: list[str]):
    return RoutingRule.objects.filter(paths_scope_q(roots)).select_related("unit", "handler", "department")


@router.get(
    "/settings/rules",
    response={200: RulePageOut, 422: ValidationErrorOut, **ERRORS},
    operation_id="voices_settings_rules",
    summary="The active routing rules of the caller's scope",
)
def rule_list(request: HttpRequest, filters: Query[RuleFilters]):
    """Active rules of the units where the caller holds ``voices.configure``, in the order of the tree, a
    page at a time. `unit_id` narrows to a unit and the units below it (422 outside the caller's scope);
    `category` to one category, or `every` for the rules covering every category."""
    roots = _roots(request.auth)
    rows = _rules(roots).filter(is_active=True)
    if filters.unit_id:
        unit = OrgUnit.objects.filter(paths_scope_q(roots, "path"), pk=filters.unit_id).first()
        if unit is None:
            raise _refuse("query", "unit_id", _("Choose a unit of your part of the union."))
        rows = rows.filter(unit_path__startswith=unit.path)
    if filters.category:
        rows = rows.filter(category="" if filters.category == EVERY else filters.category)
    rows = rows.order_by("unit_path", "id")
    if filters.after:
        path, pk = decode_cursor(filters.after)
        rows = rows.filter(Q(unit_path__gt=path) | Q(unit_path=path, id__gt=pk))
    page = list(rows[: filters.limit + 1])
    more = len(page) > filters.limit
    page = page[: filters.limit]
    cursor = encode_cursor([page[-1].unit_path, page[-1].pk]) if more and page else None
    return {"items": [_rule_out(rule) for rule in page], "next": cursor}


@router.post(
    "/settings/rules",
    response={201: RuleOut, 422: ValidationErrorOut, **ERRORS},
    operation_id="voices_settings_rule_save",
    summary="Route a category of a unit's subtree to a person or a department",
)
def rule_save(request: HttpRequest, payload: RuleIn):
    """Exactly one of `handler_id` (a cadre of the union or a handler of one of its departments) and
    `department_id`; `category` "" covers every category. The unit's active rule for the same category is
    retired (one active rule per unit and category). ``voices.configure`` on the unit (403)."""
    actor = request.auth
    unit, handler, department = _rule_targets(_roots(actor), payload)
    rule = services.routing_rule_save(
        actor=actor, unit=unit, category=payload.category, handler=handler, department=department
    )
    return Status(201, _rule_out(rule))


@router.post(
    "/settings/rules/{rule_id}/deactivate",
    response={200: RuleOut, 404: ErrorOut, 422: ValidationErrorOut, **ERRORS},
    operation_id="voices_settings_rule_deactivate",
    summary="Retire a routing rule",
)
def rule_deactivate(request: HttpRequest, rule_id: int = Path(..., ge=1, le=MAX_ID)):
    """Its appeals go to the next rule above, or to the branch's supervisors. A rule outside the caller's
    scope is 404; one already retired is 422."""
    actor = request.auth
    rule = _rules(_roots(actor)).filter(pk=rule_id).first()
    if rule is None:
        raise OutOfScope()
    services.routing_rule_deactivate(actor=actor, rule=rule)
    rule.refresh_from_db(fields=["is_active"])
    return _rule_out(rule)


def _policies() -> list[dict]:
    saved = {policy.category: policy for policy in CategoryPolicy.objects.all()}
    items = []
    for value, label in AppealCategory.choices:
        policy = saved.get(value)
        items.append(
            {
                "category": value,
                "label": str(label),
                "acknowledge_days": policy.acknowledge_days if policy else CategoryPolicy.DEFAULT_ACKNOWLEDGE_DAYS,
                "answer_days": policy.answer_days if policy else CategoryPolicy.DEFAULT_ANSWER_DAYS,
                "reopen_days": policy.reopen_days if policy else CategoryPolicy.DEFAULT_REOPEN_DAYS,
                "is_default": policy is None,
            }
        )
    return items


@router.get(
    "/settings/deadlines",
    response={200: PoliciesOut, **ERRORS},
    operation_id="voices_settings_deadlines",
    summary="The deadlines of each category",
)
def policy_list(request: HttpRequest):
    """Every category with its acknowledge and answer deadlines (working days) and its reopen window (days
    after the close). ``voices.configure`` anywhere (403)."""
    _roots(request.auth)
    return {"items": _policies()}


@router.post(
    "/settings/deadlines",
    response={200: PolicyOut, 422: ValidationErrorOut, **ERRORS},
    operation_id="voices_settings_deadlines_save",
    summary="Set a category's deadlines",
)
def policy_save(request: HttpRequest, payload: PolicyIn):
    """Answer no sooner than acknowledge (422). They hold for the whole installation, so they need
    ``voices.configure`` on a top unit (403); they apply to appeals submitted or reopened afterwards."""
    services.category_policy_save(
        actor=request.auth,
        category=payload.category,
        acknowledge_days=payload.acknowledge_days,
        answer_days=payload.answer_days,
        reopen_days=payload.reopen_days,
    )
    return next(item for item in _policies() if item["category"] == payload.category)
