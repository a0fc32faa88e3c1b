"""Named permissions and the roles that bundle them.

A permission is granted by a role held on an ``OrgUnit`` and is inherited down the subtree of
that unit. Later apps add their own permissions and extend roles here, so that the whole policy
can be read in one file.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

PERMISSIONS: dict[str, str] = {
    "org.view_tree": _("Browse the org tree with member counts"),
    "org.view_members": _("See the member directory"),
    "org.view_member_sensitive": _("See unmasked ID numbers and mobile numbers"),
    "org.edit_member": _("Edit member profiles and status"),
    "org.import_members": _("Import member rosters from Excel"),
    "org.export_members": _("Export member rosters to Excel"),
    "org.manage_units": _("Create and rename org units"),
    "access.assign_roles": _("Grant and revoke roles"),
    "accounts.manage": _("Reset passwords and disable accounts"),
    "audit.view": _("Read the audit trail"),
    "audit.export": _("Export the audit trail"),
    # The Hardship Assistance Centre. Only assistance officers and chairs open hardship files.
    "assistance.view_file": _("Open hardship files"),
    "assistance.view_sensitive": _("See health, income, ID and children's details unmasked"),
    "assistance.manage_file": _("Open hardship files for members, add documents, record objections"),
    "assistance.review_file": _("Review hardship files for the branch"),
    "assistance.approve_file": _("Approve, activate, re-review and close hardship files"),
    "assistance.request": _("Request assistance for a member"),
    "assistance.approve": _("Approve or reject assistance requests"),
    "assistance.disburse": _("Pay out and reverse payments"),
    "assistance.view_money": _("Read budget lines and payments"),
    "assistance.manage_budget": _("Set up budget lines"),
    "assistance.follow_up": _("Record follow-ups on assistance"),
    "assistance.manage_aid": _("Run education-aid campaigns"),
    "assistance.review_aid": _("Review education-aid applications"),
    "assistance.approve_aid": _("Approve education-aid applications"),
    "assistance.manage_visits": _("Plan and record visits"),
    "assistance.view_reports": _("See assistance reports"),
    "assistance.configure": _("Set the centre's rules (thresholds, publicity, schedules)"),
    # The workers' congress. Representatives act as representatives (their seat, not a permission).
    "congress.view": _("See the congress's representatives, composition and check-in"),
    "congress.manage": _("Set up terms, sessions, delegations, representatives, motions and votes"),
    "congress.check_in": _("Check representatives in at a session"),
    "congress.run_votes": _("Open and close votes"),
    "congress.view_proposals": _("See every proposal and its handling"),
    "congress.review_proposals": _("Review proposals: accept, convert, merge, refer"),
    "congress.manage_departments": _("Set up handling departments and their handlers"),
    "congress.manage_decisions": _("Run opinion calls and track decisions"),
    "congress.view_reports": _("See the proposal dashboard and congress reports"),
    # Factory-affairs disclosure.
    "disclosure.publish": _("Publish and withdraw disclosure notices"),
    "disclosure.answer": _("Answer workers' questions on notices"),
    "disclosure.view_receipts": _("See read receipts and remind non-readers"),
    # Workers' voices. Appeals routed to a person or a handling department are theirs to answer without
    # a permission; these let cadres answer, supervise and configure for a unit's subtree.
    "voices.handle": _("Acknowledge, answer, transfer and close workers' appeals of the unit"),
    "voices.supervise": _("See every appeal of the unit, with escalations and deadlines"),
    "voices.view_signals": _("See appeal volumes and first-signal alerts"),
    "voices.configure": _("Set appeal routing rules, deadlines and the working-day calendar"),
    # Notifications.
    "notify.view_deliveries": _("See notification deliveries that failed and send them again"),
    "notify.manage_robots": _("Set up WeCom and DingTalk group robots for a unit"),
    # Satisfaction. Every served worker rates what they received (no permission); these are for cadres.
    "satisfaction.view_index": _("See the satisfaction index, its trend and its comments"),
    "satisfaction.manage_surveys": _("Build satisfaction surveys, send them and read their results"),
}


@dataclass(frozen=True)
class Role:
    code: str
    label: str
    permissions: frozenset[str]
    requires_second_factor: bool
    is_cadre: bool


_CADRE_CORE = {
    "org.view_tree",
    "org.view_members",
    "org.edit_member",
    "org.import_members",
    "org.export_members",
}

# Everything the centre does; chairs hold all of it on their union.
_ASSISTANCE_ALL = {p for p in PERMISSIONS if p.startswith("assistance.")}
# An assistance officer runs cases end to end, but cannot set the rules or budgets.
_ASSISTANCE_OFFICER = _ASSISTANCE_ALL - {"assistance.configure", "assistance.manage_budget"}
# Other cadres visit members and see the reports; they do not open hardship files.
_ASSISTANCE_VISITS = {"assistance.manage_visits", "assistance.view_reports"}

# The congress office runs the congress and disclosure; chairs hold the same on their union.
_CONGRESS_ALL = {p for p in PERMISSIONS if p.startswith(("congress.", "disclosure."))}
# Every permission of workers' voices; branch chairs answer, supervise and watch their branch's signals.
_VOICES_ALL = {p for p in PERMISSIONS if p.startswith("voices.")}
_VOICES_BRANCH = {"voices.handle", "voices.supervise", "voices.view_signals"}
_NOTIFY_ALL = {p for p in PERMISSIONS if p.startswith("notify.")}
# Chairs hold every satisfaction permission on their union, vice chairs also build surveys; branch cadres read the
# index.
_SATISFACTION_ALL = {p for p in PERMISSIONS if p.startswith("satisfaction.")}
_SATISFACTION_VIEW = {"satisfaction.view_index"}

# Branch chairs and vice chairs follow the congress, answer questions and chase unread notices.
_CONGRESS_FOLLOW = {
    "congress.view",
    "congress.view_proposals",
    "congress.view_reports",
    "disclosure.answer",
    "disclosure.view_receipts",
}

ROLES: dict[str, Role] = {
    role.code: role
    for role in [
        Role(
            "chair",
            _("Union chair"),
            frozenset(
                _CADRE_CORE
                | {
                    "org.view_member_sensitive",
                    "org.manage_units",
                    "access.assign_roles",
                    "accounts.manage",
                }
                | _ASSISTANCE_ALL
                | _CONGRESS_ALL
                | _VOICES_ALL
                | _NOTIFY_ALL
                | _SATISFACTION_ALL
            ),
            True,
            True,
        ),
        Role(
            "vice_chair",
            _("Vice chair"),
            frozenset(
                _CADRE_CORE
                | {"org.view_member_sensitive"}
                | _ASSISTANCE_VISITS
                | _CONGRESS_FOLLOW
                | _VOICES_BRANCH
                | _SATISFACTION_VIEW
                | {"satisfaction.manage_surveys"}
            ),
            True,
            True,
        ),
        Role(
            "branch_cadre",
            _("Branch union cadre"),
            frozenset(
                _CADRE_CORE
                | {"org.view_member_sensitive"}
                | _ASSISTANCE_VISITS
                | _CONGRESS_FOLLOW
                | _VOICES_BRANCH
                | _SATISFACTION_VIEW
            ),
            True,
            True,
        ),
        Role("group_leader", _("Union group leader"), frozenset({"org.view_tree", "org.view_members"}), True, True),
        Role(
            "assistance_officer",
            _("Assistance officer"),
            frozenset({"org.view_tree", "org.view_members"} | _ASSISTANCE_OFFICER),
            True,
            True,
        ),
        Role(
            "congress_office",
            _("Congress office"),
            frozenset({"org.view_tree", "org.view_members"} | _CONGRESS_ALL),
            True,
            True,
        ),
        Role(
            "proposal_committee",
            _("Proposal review committee"),
            frozenset({"congress.view", "congress.view_proposals", "congress.review_proposals"}),
            True,
            True,
        ),
        Role(
            "women_committee",
            _("Women workers' committee"),
            frozenset({"org.view_tree", "org.view_members"}),
            True,
            True,
        ),
        Role(
            "auditor",
            _("Audit committee member"),
            frozenset(
                {"audit.view", "audit.export", "org.view_tree", "assistance.view_money", "assistance.view_reports"}
            ),
            True,
            False,
        ),
        Role(
            "platform_admin",
            _("Platform administrator"),
            frozenset(
                {
                    "org.view_tree",
                    "org.manage_units",
                    "access.assign_roles",
                    "accounts.manage",
                    "voices.configure",
                }
                | _NOTIFY_ALL
            ),
            True,
            False,
        ),
        Role("representative", _("Workers' representative"), frozenset(), False, False),
    ]
}

ROLE_CHOICES = [(role.code, role.label) for role in ROLES.values()]


def role_permissions(role_code: str) -> frozenset[str]:
    return ROLES[role_code].permissions
