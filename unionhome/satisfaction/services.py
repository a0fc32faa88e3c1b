"""Every write of the satisfaction app: a served worker rating the service they received."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from unionhome.access.policy import OutOfScope
from unionhome.audit.recorder import record
from unionhome.satisfaction.models import Rating
from unionhome.satisfaction.ratable import ratable_for

SCORES = range(1, 6)
COMMENT_MAX_LENGTH = 500


@transaction.atomic
def rating_submit(*, actor, item: Any, score: int, comment: str = "") -> Rating:
    """The served member rates ``item`` (a registered ratable: an assistance, a visit, an aid payment).

    Only the member who was served, only once per item, only once the item is ready (delivered,
    done, paid); ``score`` is a whole number from 1 to 5 and ``comment`` at most 500 characters.
    Anyone else gets ``OutOfScope`` (404): a rating is the served worker's own business.
    The audit trail notes that the item was rated, never the score or the comment.
    """
    ratable = ratable_for(item)
    if ratable is None:
        raise ValidationError(_("This cannot be rated."))
    member_id = getattr(actor, "member_id", None)
    if member_id is None or member_id != ratable.member_id_of(item):
        raise OutOfScope
    item = ratable.model._default_manager.select_for_update().filter(pk=item.pk).first()
    if item is None or ratable.member_id_of(item) != member_id:
        raise OutOfScope
    if not ratable.is_ready(item):
        raise ValidationError(_("You can rate this once the service has been delivered."))
    if Rating.objects.filter(item_type=ratable.item_type, item_id=item.pk, member_id=member_id).exists():
        raise ValidationError(_("You have already rated this. Each service is rated once."))
    errors: dict[str, str] = {}
    if isinstance(score, bool) or not isinstance(score, int) or score not in SCORES:
        errors["score"] = _("Choose a score from 1 to 5 stars.")
    text = (comment or "").replace("\x00", "").strip()
    if len(text) > COMMENT_MAX_LENGTH:
        errors["comment"] = _("Use at most %(max_length)s characters.") % {"max_length": COMMENT_MAX_LENGTH}
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            rating = Rating.objects.create(
                service_line=ratable.service_line,
                item_type=ratable.item_type,
                item_id=item.pk,
                member_id=member_id,
                unit_path=ratable.unit_path_of(item),
                cadre_id=ratable.cadre_id_of(item),
                score=score,
                comment=text,
            )
    except IntegrityError as exc:  # the same rating sent twice at the same moment
        raise ValidationError(_("You have already rated this. Each service is rated once.")) from exc
    record(actor, "satisfaction.rating.submitted", item, item_type=ratable.item_type)
    return rating
