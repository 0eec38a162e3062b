"""A partnership's life after the award: members and the city's officials only (everyone else gets a 404)."""

from django.urls import path

from projects.views import lifecycle as views

PREFIX = "partnerships/<slug:slug>/manage/"

urlpatterns = [
    path(PREFIX, views.manage, name="life_manage"),
    path(f"{PREFIX}status/", views.status_change, name="life_status"),
    path(f"{PREFIX}members/add/", views.member_add, name="life_member_add"),
    path(f"{PREFIX}members/<int:pk>/role/", views.member_role, name="life_member_role"),
    path(f"{PREFIX}members/<int:pk>/lead/", views.member_lead, name="life_member_lead"),
    path(f"{PREFIX}members/<int:pk>/leave/", views.member_leave, name="life_member_leave"),
    path(f"{PREFIX}reports/add/", views.report_add, name="life_report_add"),
    path(f"{PREFIX}reports/<int:pk>/", views.report_detail, name="life_report"),
    path(f"{PREFIX}reports/<int:pk>/date/", views.report_date, name="life_report_date"),
    path(f"{PREFIX}reports/<int:pk>/review/", views.report_review, name="life_report_review"),
    path(
        f"{PREFIX}reports/<int:pk>/attachments/<int:attachment>/",
        views.report_attachment,
        name="life_report_attachment",
    ),
    path(f"{PREFIX}deliverables/add/", views.deliverable_add, name="life_deliverable_add"),
    path(f"{PREFIX}deliverables/<int:pk>/edit/", views.deliverable_edit, name="life_deliverable_edit"),
    path(f"{PREFIX}agreements/add/", views.agreement_add, name="life_agreement_add"),
    path(f"{PREFIX}agreements/<int:pk>/", views.agreement_download, name="life_agreement_download"),
]
