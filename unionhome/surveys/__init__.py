"""Satisfaction surveys (满意度调查): questionnaires sent to an audience, named or anonymous."""
