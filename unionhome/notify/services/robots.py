"""Unit group robots: set up by ``notify.manage_robots``, and ``robot_announce`` for other apps.

A robot of a unit takes the events of the groups it is set up for, raised on its unit, and, when it chose
so (``include_subtree``), on every unit below. The caller writes the text: a robot posts to a group chat,
so no personal data (and nothing linking an anonymous appeal to a person) may be in it."""

import uuid

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from unionhome.access.policy import require
from unionhome.audit.recorder import record
from unionhome.notify.events import EVENT_GROUPS, event_group
from unionhome.notify.models import Channel, Delivery, Robot
from unionhome.notify.services.deliveries import deliveries_enqueue_on_commit
from unionhome.notify.webhooks import secret_check, webhook_check, webhook_masked
from unionhome.org.models import OrgUnit, ancestor_paths

MANAGE = "notify.manage_robots"
NAME_MAX_LENGTH = 60


def robots_for_event(unit: OrgUnit, kind: str) -> list[Robot]:
    """Enabled robots hearing an event of ``kind`` on ``unit``: the unit's own, and those above it that
    take their subtree's events."""
    group = event_group(kind)
    above = ancestor_paths(unit.path)[:-1]
    candidates = Robot.objects.filter(enabled=True, unit_path__in=[*above, unit.path]).order_by("unit_path", "id")
    return [r for r in candidates if group in (r.groups or []) and (r.unit_path == unit.path or r.include_subtree)]


@transaction.atomic
def robot_announce(
    *, unit: OrgUnit, kind: str, title: str, text: str, url: str = "", dedupe_key: str = ""
) -> list[Delivery]:
    """Post a message to the group robots of ``unit`` (and of the units above it that take their
    subtree's events) that take ``kind``'s event group. One delivery per robot, sent by the worker after
    the caller's transaction commits; with a ``dedupe_key``, once per robot and key ever. Returns the
    deliveries made (none when no robot takes it). No personal data in ``text``: it goes to a group chat."""
    made = []
    for robot in robots_for_event(unit, kind):
        key = f"robot:{robot.pk}:{dedupe_key or uuid.uuid4().hex}"[:200]
        if dedupe_key and Delivery.objects.filter(idempotency_key=key).exists():
            continue
        try:
            with transaction.atomic():
                made.append(
                    Delivery.objects.create(
                        idempotency_key=key,
                        purpose=Delivery.Purpose.ROBOT,
                        channel=robot.platform,
                        robot=robot,
                        kind=kind[:60],
                        title=title[:200],
                        body=text,
                        url=url[:300],
                        unit_path=robot.unit_path,
                        next_attempt_at=timezone.now(),
                    )
                )
        except IntegrityError:
            continue
    deliveries_enqueue_on_commit(made)
    return made


def _clean(*, name: str, platform: str, webhook: str, secret: str, groups: list[str]) -> dict:
    errors: dict[str, list[str]] = {}
    name = " ".join((name or "").split())
    if not name:
        errors["name"] = [_("Give the robot a name, e.g. the group chat's name.")]
    elif len(name) > NAME_MAX_LENGTH:
        errors["name"] = [_("At most %(max)d characters.") % {"max": NAME_MAX_LENGTH}]
    if platform not in dict(Robot.PLATFORMS):
        errors["platform"] = [_("Choose WeCom or DingTalk.")]
    elif webhook:
        try:
            webhook = webhook_check(platform, webhook)
        except ValidationError as exc:
            errors["webhook"] = exc.messages
    if secret:
        try:
            secret = secret_check(secret)
        except ValidationError as exc:
            errors["secret"] = exc.messages
    groups = sorted(set(groups or []))
    if not groups or any(g not in EVENT_GROUPS for g in groups):
        errors["groups"] = [_("Choose at least one kind of event.")]
    if errors:
        raise ValidationError(errors)
    return {"name": name, "webhook": webhook, "secret": secret, "groups": groups}


@transaction.atomic
def robot_save(
    *,
    actor,
    unit: OrgUnit,
    name: str,
    platform: str,
    webhook: str,
    groups: list[str],
    secret: str = "",
    include_subtree: bool = False,
    enabled: bool = True,
    robot: Robot | None = None,
    remove_secret: bool = False,
) -> Robot:
    """Create a robot on ``unit``, or change ``robot``. An empty ``webhook``/``secret`` keeps the stored one
    when changing a robot (the page never shows them back). ``notify.manage_robots`` on the unit(s)."""
    require(actor, MANAGE, unit)
    if robot is not None:
        robot = Robot.objects.select_for_update().get(pk=robot.pk)
        require(actor, MANAGE, robot)
    cleaned = _clean(name=name, platform=platform, webhook=webhook, secret=secret, groups=groups)
    if robot is None and not cleaned["webhook"]:
        raise ValidationError({"webhook": [_("Paste the robot's webhook address.")]})
    if robot is not None and platform != robot.platform and not cleaned["webhook"]:
        raise ValidationError({"webhook": [_("Paste the new platform's webhook address.")]})
    before = _summary(robot) if robot is not None else None
    robot = robot or Robot(created_by=actor)
    robot.unit, robot.unit_path = unit, unit.path
    robot.name, robot.platform, robot.groups = cleaned["name"], platform, cleaned["groups"]
    robot.include_subtree, robot.enabled = bool(include_subtree), bool(enabled)
    if cleaned["webhook"]:
        robot.webhook = cleaned["webhook"]
    if cleaned["secret"]:
        robot.secret = cleaned["secret"]
    elif remove_secret or platform != Channel.DINGTALK:
        robot.secret = ""
    robot.save()
    after = _summary(robot)
    if before is None:
        record(actor, "notify.robot.created", robot, **after)
    else:
        record(actor, "notify.robot.changed", robot, **{k: [before[k], v] for k, v in after.items() if before[k] != v})
    return robot


def _summary(robot: Robot) -> dict:
    return {
        "name": robot.name,
        "platform": robot.platform,
        "webhook": webhook_masked(robot.webhook),
        "signed": bool(robot.secret),
        "groups": ",".join(robot.groups),
        "include_subtree": robot.include_subtree,
        "enabled": robot.enabled,
    }


@transaction.atomic
def robot_delete(*, actor, robot: Robot) -> None:
    """Delete a robot (its past deliveries stay, without it). ``notify.manage_robots`` on its unit."""
    require(actor, MANAGE, robot)
    record(actor, "notify.robot.deleted", robot, **_summary(robot))
    robot.delete()


@transaction.atomic
def robot_test(*, actor, robot: Robot) -> Delivery:
    """Queue a test message to a robot (whatever its event groups), to check its address."""
    require(actor, MANAGE, robot)
    delivery = Delivery.objects.create(
        idempotency_key=f"robot:{robot.pk}:test:{uuid.uuid4().hex}",
        purpose=Delivery.Purpose.ROBOT,
        channel=robot.platform,
        robot=robot,
        kind="notify.robot.test",
        title=_("Test message from UnionHome"),
        body=_("This group will receive UnionHome notifications for %(unit)s.") % {"unit": robot.unit.name},
        unit_path=robot.unit_path,
        next_attempt_at=timezone.now(),
    )
    record(actor, "notify.robot.tested", robot)
    deliveries_enqueue_on_commit([delivery])
    return delivery
