"""Writing audit events. Call ``record`` inside the service's transaction, after the write it describes.

An event says who (``actor``), what (``action``, dotted ``<app>.<entity>.<verb>``), on which object
(type, id and text), where in the org tree, when, from where (IP address, user agent and request id,
set by ``audit.middleware.RequestContextMiddleware``) and a summary of the change: keyword arguments,
where a two-element list ``[old, new]`` is a change of that field and any other value is a detail.

Where an event belongs, which ``audit.selectors`` uses to decide who may read it:

* ``unit_path``: the org unit of the org record acted on (anything with ``permission_unit_path`` or
  ``permission_unit``: members, units, role assignments…).
* ``union_path``: events tied to no org unit (no object, such as a refused request; an account, such
  as a login or a password change; or an object outside the org tree) belong to the union of the
  person concerned: the account acted on, else the actor. That is their member record's union, else
  the smallest union (or federation) that holds all their roles; empty when there is none (an
  anonymous request, an account with neither member record nor role).

What is never recorded:

* Raw sensitive values. Services pass ID numbers and mobile numbers masked; as a safety net,
  ``record`` masks again any value under a sensitive key (``id_number``, ``mobile``), every
  checksum-valid resident ID number and every mainland mobile number found in the summary or the
  object text, and drops the value of anything named like a password, secret or token.
* Secret ballots. A secret ballot must not be linkable to its voter, so no service may call
  ``record`` for casting one: record the motion-level facts (a vote opened, closed, its tally),
  never who voted, how, or when one voter cast a secret ballot.
"""

import re
from typing import Any

from django.conf import settings

from unionhome.access.policy import unit_path_of
from unionhome.audit.context import current_request
from unionhome.audit.models import AuditEvent
from unionhome.org.identity import mask_id_number, mask_mobile

SENSITIVE_KEYS = {"id_number": mask_id_number, "mobile": mask_mobile}
SECRET_KEY_PARTS = ("password", "secret", "token", "otp_key", "totp_key")
REDACTED = "[redacted]"

_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])\d{17}[0-9Xx](?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


def record(actor: Any, action: str, obj: Any = None, /, **changes: Any) -> AuditEvent:
    """Append one audit event: who (``actor``), what (``action``), on which object, with a summary."""
    ctx = current_request.get()
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    account = obj is not None and _is_account(obj)
    unit_path = "" if obj is None or account else (unit_path_of(obj) or "")
    union_path = "" if unit_path else union_path_of_person(obj if account else (actor if authenticated else None))
    return AuditEvent.objects.create(
        actor=actor if authenticated else None,
        actor_label=(str(actor.username) if authenticated else "")[:100],
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=scrub_text(str(obj))[:200] if obj is not None else "",
        unit_path=unit_path,
        union_path=union_path,
        changes={str(k): scrub(str(k), v) for k, v in changes.items()},
        ip_address=ctx.ip_address,
        user_agent=ctx.user_agent,
        request_id=ctx.request_id,
    )


def scrub(key: str, value: Any) -> Any:
    """A JSON-safe copy of ``value`` with sensitive values masked and secrets dropped."""
    lowered = key.lower()
    if any(part in lowered for part in SECRET_KEY_PARTS) and isinstance(value, str) and value:
        return REDACTED
    mask = SENSITIVE_KEYS.get(lowered)
    if isinstance(value, dict):
        return {str(k): scrub(str(k), v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [scrub(key, v) for v in value]
    if value is None or isinstance(value, bool | int | float):
        return value
    text = str(value).replace("\x00", "")  # PostgreSQL's jsonb cannot hold NUL
    if mask is not None and text and "*" not in text:
        return mask(text)
    return scrub_text(text)


def scrub_text(text: str) -> str:
    """Mask every resident ID number and mainland mobile number inside a piece of text."""
    text = _ID_NUMBER.sub(lambda m: _mask_if_id(m.group(0)), text)
    return _MOBILE.sub(lambda m: mask_mobile(m.group(0)), text)


def _mask_if_id(candidate: str) -> str:
    from stdnum.cn import ric

    return mask_id_number(candidate) if ric.is_valid(candidate) else candidate


def _is_account(obj: Any) -> bool:
    return obj._meta.label_lower == settings.AUTH_USER_MODEL.lower()


def union_path_of_person(person: Any) -> str:
    """The path of the union a person belongs to (see the module docstring); "" when there is none."""
    from unionhome.access.models import RoleAssignment
    from unionhome.org.models import Member, OrgUnit

    if person is None or getattr(person, "pk", None) is None:
        return ""
    member_id = getattr(person, "member_id", None)
    if member_id:
        path = (
            OrgUnit.objects.filter(pk__in=Member.objects.filter(pk=member_id).values("union_id"))
            .values_list("path", flat=True)
            .first()
        )
        if path:
            return path
    paths = set(RoleAssignment.objects.filter(user_id=person.pk).values_list("unit__path", flat=True))
    if not paths:
        return ""
    step = OrgUnit.steplen
    prefixes = {p[:i] for p in paths for i in range(step, len(p) + 1, step)}
    unions = OrgUnit.objects.filter(
        path__in=prefixes, kind__in=[OrgUnit.Kind.UNION, OrgUnit.Kind.FEDERATION]
    ).values_list("path", flat=True)
    covering = [u for u in unions if all(p.startswith(u) for p in paths)]
    return max(covering, key=len, default="")
