"""Research calls (Wagtail pages), their consultation, proposals and reviews."""

from calls.models.alerts import AlertDelivery, SavedSearch
from calls.models.consultation import ConsultationComment
from calls.models.matching import CallVector, MatchInvitation, ProfileVector
from calls.models.pages import CallsIndexPage, EvaluationCriterion, ResearchCall
from calls.models.proposals import Attachment, Milestone, Proposal, ProposalVersion, TeamMember
from calls.models.reviews import ProposalReminder, ReviewAssignment, ReviewScore

__all__ = [
    "AlertDelivery",
    "Attachment",
    "CallVector",
    "CallsIndexPage",
    "ConsultationComment",
    "EvaluationCriterion",
    "MatchInvitation",
    "Milestone",
    "Proposal",
    "ProposalReminder",
    "ProfileVector",
    "ProposalVersion",
    "ResearchCall",
    "ReviewAssignment",
    "ReviewScore",
    "SavedSearch",
    "TeamMember",
]
