"""Members-only URLs of a partnership's workspace (everyone else gets a 404)."""

from django.urls import path

from projects.views import workspace as views

PREFIX = "partnerships/<slug:slug>/workspace/"

urlpatterns = [
    path(PREFIX, views.workspace, name="partnership_workspace"),
    path(f"{PREFIX}milestones/add/", views.milestone_add, name="workspace_milestone_add"),
    path(f"{PREFIX}milestones/<int:pk>/edit/", views.milestone_edit, name="workspace_milestone_edit"),
    path(f"{PREFIX}milestones/<int:pk>/status/", views.milestone_status, name="workspace_milestone_status"),
    path(f"{PREFIX}documents/add/", views.document_add, name="workspace_document_add"),
    path(f"{PREFIX}documents/<int:pk>/", views.document_detail, name="workspace_document"),
    path(f"{PREFIX}documents/<int:pk>/versions/add/", views.version_add, name="workspace_version_add"),
    path(
        f"{PREFIX}documents/<int:pk>/versions/<int:number>/download/",
        views.version_download,
        name="workspace_version_download",
    ),
    path(f"{PREFIX}notes/add/", views.note_add, name="workspace_note_add"),
    path(f"{PREFIX}notes/<int:pk>/edit/", views.note_edit, name="workspace_note_edit"),
]
