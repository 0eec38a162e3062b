"""Research calls (Wagtail pages), their consultation, proposals and reviews."""

from calls.models.alerts import AlertDelivery, SavedSearch
from calls.models.consultation import ConsultationComment
from calls.models.desk import DeskBulkRun, DeskView
from calls.models.dialogue import Audience, CommentAttachment, ProposalActivity, ProposalComment
from calls.models.matching import CallVector, MatchInvitation, ProfileVector
from calls.models.pages import CallsIndexPage, EvaluationCriterion, ResearchCall
from calls.models.panel import MetaReview, PanelChair, ProposalFlag, Recommendation
from calls.models.proposals import Attachment, Milestone, Proposal, ProposalVersion, TeamMember
from calls.models.reviews import ProposalReminder, ReviewAssignment, ReviewBid, ReviewScore

__all__ = [
    "AlertDelivery",
    "Audience",
    "Attachment",
    "CallVector",
    "CallsIndexPage",
    "CommentAttachment",
    "ConsultationComment",
    "DeskBulkRun",
    "DeskView",
    "EvaluationCriterion",
    "MatchInvitation",
    "MetaReview",
    "Milestone",
    "PanelChair",
    "Proposal",
    "ProposalFlag",
    "ProposalActivity",
    "ProposalComment",
    "ProposalReminder",
    "Recommendation",
    "ProfileVector",
    "ProposalVersion",
    "ResearchCall",
    "ReviewAssignment",
    "ReviewBid",
    "ReviewScore",
    "SavedSearch",
    "TeamMember",
]
