"""Front-end URLs of case studies (their pages are Wagtail pages under /case-studies/)."""

from django.urls import path

from hub.views_exports import export_path
from projects.views import case_studies as views

urlpatterns = [
    # /case-studies/ itself is a Wagtail page; its export is routed here, before Wagtail's catch-all.
    export_path("case-studies/", "case_studies"),
    path("partnerships/<slug:slug>/case-study/", views.case_study_create, name="case_study_create"),
]
