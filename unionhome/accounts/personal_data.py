"""What UnionHome holds about one person, gathered for the PIPL right of access and portability."""

from unionhome.audit.models import AuditEvent


def personal_data_of(user) -> dict:
    member = user.member
    data: dict = {
        "account": {
            "username": user.username,
            "display_name": user.display_name,
            "date_joined": user.date_joined.isoformat(),
            "roles": [{"role": a.role, "unit": a.unit.name} for a in user.role_assignments.select_related("unit")],
        },
        "member": None,
        "activity": [
            {"at": e.occurred_at.isoformat(), "action": e.action, "object": e.object_repr}
            for e in AuditEvent.objects.filter(actor=user).order_by("-occurred_at")[:1000]
        ],
    }
    if member is not None:
        data["member"] = {
            "employee_no": member.employee_no,
            "name": member.name,
            "gender": member.gender,
            "birth_date": member.birth_date.isoformat(),
            "id_number": member.id_number,
            "mobile": member.mobile,
            "unit": member.unit.name,
            "job_category": member.job_category,
            "employment_form": member.employment_form,
            "joined_on": member.joined_on.isoformat(),
            "status": member.status,
            "tags": [t.name for t in member.tags.all()],
            "status_history": [
                {
                    "from": c.old_status,
                    "to": c.new_status,
                    "effective_on": c.effective_on.isoformat(),
                    "reason": c.reason,
                }
                for c in member.status_changes.all()
            ],
        }
    return data
