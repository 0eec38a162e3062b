"""Partnerships and the results commons: one concept per module."""

from projects.models.case_studies import CaseStudyIndexPage, CaseStudyPage, Region
from projects.models.datasets import DataAccessRequest, DataLicence, Dataset, DatasetDownload, Disaggregation
from projects.models.indicators import Indicator, Observation, disaggregation_key
from projects.models.methods import MethodPage, MethodsIndexPage, MethodTool
from projects.models.partnerships import (
    Milestone,
    Partnership,
    PartnershipMember,
    WorkspaceDocument,
    WorkspaceDocumentVersion,
    WorkspaceNote,
)
from projects.models.results import CityResponse, Licence, PolicyUptake, Result, ResultAuthor, ResultFile, Takedown
from projects.models.usage import UsageMonth

__all__ = [
    "CaseStudyIndexPage",
    "CaseStudyPage",
    "CityResponse",
    "DataAccessRequest",
    "DataLicence",
    "Dataset",
    "DatasetDownload",
    "Disaggregation",
    "Indicator",
    "Licence",
    "MethodPage",
    "MethodTool",
    "MethodsIndexPage",
    "Milestone",
    "Observation",
    "Partnership",
    "PartnershipMember",
    "PolicyUptake",
    "Region",
    "Result",
    "ResultAuthor",
    "ResultFile",
    "Takedown",
    "UsageMonth",
    "WorkspaceDocument",
    "WorkspaceDocumentVersion",
    "WorkspaceNote",
    "disaggregation_key",
]
