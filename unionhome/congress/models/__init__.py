"""The workers' congress (职代会): terms and sessions, representatives, proposals, motions and votes,
elections, and decisions followed from the opinion call to their implementation.

One module per concept; every record carries ``unit_path`` (the union's or the delegation's unit
path) so that scope checks are one indexed prefix match.
"""

from unionhome.congress.models.decisions import (  # noqa: F401
    Decision,
    DecisionTracking,
    OpinionCall,
    OpinionComment,
    TrackingInspection,
    TrackingMilestone,
)
from unionhome.congress.models.proposals import (  # noqa: F401
    HandlingDepartment,
    Proposal,
    ProposalEvent,
    ProposalProgress,
    ProposalReply,
    Seconding,
)
from unionhome.congress.models.sessions import (  # noqa: F401
    CheckIn,
    Congress,
    CongressSession,
    Delegation,
    Representative,
)
from unionhome.congress.models.votes import (  # noqa: F401
    Ballot,
    Motion,
    MotionDocument,
    Participation,
    Vote,
    VoteOption,
)
