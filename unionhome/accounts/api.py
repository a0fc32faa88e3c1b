"""API for accounts: bearer tokens, and the caller's own account and member record."""

import datetime
from typing import Literal

from django.http import HttpRequest, HttpResponse
from ninja import Field, Router, Schema

from unionhome.access.permissions import ROLES
from unionhome.access.policy import requires_second_factor
from unionhome.accounts import services
from unionhome.accounts.models import User
from unionhome.api.errors import ApiProblem, ErrorOut, ValidationErrorOut
from unionhome.api.fields import PlainText, SecretText
from unionhome.org.api import MemberDetailOut, member_detail_out
from unionhome.org.selectors import member_for

router = Router(tags=["accounts"])


class TokenIn(Schema):
    login: PlainText = Field(
        ..., min_length=1, max_length=64, description="Username, employee number or mobile, as on the login page."
    )
    password: SecretText = Field(..., min_length=1, max_length=128)
    totp: PlainText | None = Field(
        None,
        pattern=r"^\s*\d{6}\s*$",
        description="The six-digit code from the authenticator app; required for cadre and admin roles.",
    )


class TokenOut(Schema):
    token: str = Field(description="Send as `Authorization: Bearer <token>`. Shown once; only a digest is kept.")
    token_type: Literal["Bearer"] = "Bearer"
    expires_at: datetime.datetime


@router.post(
    "/auth/token",
    auth=None,
    response={
        200: TokenOut,
        400: ErrorOut,
        401: ErrorOut,
        403: ErrorOut,
        413: ErrorOut,
        415: ErrorOut,
        422: ValidationErrorOut,
        429: ErrorOut,
    },
    operation_id="token_issue",
    summary="Exchange a login for a bearer token",
)
def token_issue(request: HttpRequest, payload: TokenIn, response: HttpResponse):
    """Log in as on the login page and get a bearer token.

    Failures count toward the same lockout as the login page (429 once locked, with the same
    message as a wrong password). Cadre and admin roles must send a current TOTP code.
    """
    try:
        user = services.authenticate_for_token(
            request, login=payload.login, password=payload.password, otp_code=payload.totp
        )
    except services.LoginRefused as refused:
        # The JSON answer replaces django-axes' HTML lockout page for API clients.
        request.axes_locked_out = False
        headers = {"Retry-After": str(refused.retry_after)} if refused.retry_after else {}
        if refused.status == 401:
            headers["WWW-Authenticate"] = 'Bearer realm="api"'
        raise ApiProblem(refused.status, refused.code, refused.message, headers) from refused
    raw, token = services.api_token_issue(user=user)
    response["Cache-Control"] = "no-store"
    return {"token": raw, "expires_at": token.expires_at}


class AccountOut(Schema):
    id: int
    username: str
    display_name: str
    second_factor_required: bool


class RoleOut(Schema):
    role: str
    label: str
    unit_id: int
    unit_code: str
    unit_name: str


class MeOut(Schema):
    account: AccountOut
    member: MemberDetailOut | None = Field(description="The caller's own member record, unmasked; null if none.")
    roles: list[RoleOut]


def _roles_of(user: User) -> list[dict]:
    return [
        {
            "role": a.role,
            "label": str(ROLES[a.role].label) if a.role in ROLES else a.role,
            "unit_id": a.unit_id,
            "unit_code": a.unit.code,
            "unit_name": a.unit.name,
        }
        for a in user.role_assignments.select_related("unit").order_by("unit__path", "role")
    ]


@router.get(
    "/me",
    response={200: MeOut, 401: ErrorOut},
    operation_id="me",
    summary="The caller's account, member record and roles",
)
def me(request: HttpRequest):
    """The caller's own account, their member record (their own data, unmasked) and their roles."""
    user = request.auth
    member = member_for(user, user.member_id) if user.member_id else None
    return {
        "account": {
            "id": user.pk,
            "username": user.username,
            "display_name": user.display_name,
            "second_factor_required": requires_second_factor(user),
        },
        "member": member_detail_out(user, member) if member is not None else None,
        "roles": _roles_of(user),
    }
