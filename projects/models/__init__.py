"""Partnerships and the results commons: one concept per module."""

from projects.models.case_studies import CaseStudyIndexPage, CaseStudyPage, Region
from projects.models.datasets import DataAccessRequest, DataLicence, Dataset, DatasetDownload, Disaggregation
from projects.models.indicators import Indicator, Observation, disaggregation_key
from projects.models.ledger import ImplementationEntry
from projects.models.lifecycle import (
    Agreement,
    Deliverable,
    MembershipChange,
    PartnershipReport,
    ReportAttachment,
    StatusChange,
)
from projects.models.methods import MethodPage, MethodsIndexPage, MethodTool
from projects.models.needs import ModerationReport, NeedComment, NeedEndorsement, NeedTopic, ResearchNeed
from projects.models.partnerships import (
    Milestone,
    Partnership,
    PartnershipMember,
    WorkspaceDocument,
    WorkspaceDocumentVersion,
    WorkspaceNote,
)
from projects.models.results import (
    CityResponse,
    ImplementationStatus,
    Licence,
    PolicyUptake,
    Result,
    ResultAuthor,
    ResultFile,
    Takedown,
)
from projects.models.usage import UsageMonth
from projects.models.versions import DatasetVersion, ResultVersion

__all__ = [
    "Agreement",
    "Deliverable",
    "MembershipChange",
    "PartnershipReport",
    "ReportAttachment",
    "StatusChange",
    "CaseStudyIndexPage",
    "CaseStudyPage",
    "CityResponse",
    "DataAccessRequest",
    "DataLicence",
    "Dataset",
    "DatasetDownload",
    "DatasetVersion",
    "Disaggregation",
    "ImplementationEntry",
    "ImplementationStatus",
    "Indicator",
    "Licence",
    "MethodPage",
    "MethodTool",
    "MethodsIndexPage",
    "Milestone",
    "ModerationReport",
    "NeedComment",
    "NeedEndorsement",
    "NeedTopic",
    "Observation",
    "Partnership",
    "PartnershipMember",
    "PolicyUptake",
    "Region",
    "ResearchNeed",
    "Result",
    "ResultAuthor",
    "ResultFile",
    "ResultVersion",
    "Takedown",
    "UsageMonth",
    "WorkspaceDocument",
    "WorkspaceDocumentVersion",
    "WorkspaceNote",
    "disaggregation_key",
]
