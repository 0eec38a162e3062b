"""Research calls (Wagtail pages), their consultation, proposals and reviews."""

from calls.models.consultation import ConsultationComment
from calls.models.pages import CallsIndexPage, EvaluationCriterion, ResearchCall
from calls.models.proposals import Attachment, Milestone, Proposal, ProposalVersion, TeamMember
from calls.models.reviews import ProposalReminder, ReviewAssignment, ReviewScore

__all__ = [
    "Attachment",
    "CallsIndexPage",
    "ConsultationComment",
    "EvaluationCriterion",
    "Milestone",
    "Proposal",
    "ProposalReminder",
    "ProposalVersion",
    "ResearchCall",
    "ReviewAssignment",
    "ReviewScore",
    "TeamMember",
]
