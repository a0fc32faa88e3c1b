"""The Hardship Assistance Centre: hardship files, assistance and its follow-up, education aid, visits,
and the budget lines that pay for them.

Every record a worker is served by carries ``unit_path``: a copy of the member's unit path when the
record was made, so that scope checks and per-branch reports are one indexed prefix match.
Money is ``Decimal`` yuan with two places. ``BudgetLine`` keeps ``amount = available + committed +
spent`` with every part at least zero (database check constraints), and ``spent`` always equals the
sum of its ``Payment`` rows (payments and their reversals): see ``ledger.py``.

The models live in one module per concept and are all imported here, in the order they were declared
when this was one module, so that ``unionhome.assistance.models.X`` keeps working and Django registers
every model under the ``assistance`` app.
"""

# isort: skip_file
# The imports follow the order the models were declared in when this was one module, so that Django
# registers them in that order (``apps.get_models()``, serialisation); sorting them would change it.
from unionhome.assistance.models.amounts import MONEY, ZERO
from unionhome.assistance.models.centre_settings import AssistanceSettings, default_follow_up_days
from unionhome.assistance.models.hardship_files import ConsentRecord, HardshipCause, HardshipFile, HouseholdMember
from unionhome.assistance.models.case_records import Document, FileEvent, Objection, ReReview
from unionhome.assistance.models.budget_lines import BudgetLine
from unionhome.assistance.models.assistance import Assistance
from unionhome.assistance.models.payments import Payment
from unionhome.assistance.models.follow_ups import FollowUp
from unionhome.assistance.models.education_aid import AidApplication, AidCampaign, AidTier
from unionhome.assistance.models.visits import Occasion, Visit, VisitCampaign, VisitRule

__all__ = [
    "MONEY",
    "ZERO",
    "AidApplication",
    "AidCampaign",
    "AidTier",
    "Assistance",
    "AssistanceSettings",
    "BudgetLine",
    "ConsentRecord",
    "Document",
    "FileEvent",
    "FollowUp",
    "HardshipCause",
    "HardshipFile",
    "HouseholdMember",
    "Objection",
    "Occasion",
    "Payment",
    "ReReview",
    "Visit",
    "VisitCampaign",
    "VisitRule",
    "default_follow_up_days",
]
