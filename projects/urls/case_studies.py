"""Front-end URLs of case studies (their pages are Wagtail pages under /case-studies/)."""

from django.urls import path

from projects.views import case_studies as views

urlpatterns = [
    path("partnerships/<slug:slug>/case-study/", views.case_study_create, name="case_study_create"),
]
