"""Front-end URLs of the methods library (its pages are Wagtail pages under /methods/)."""

from django.urls import path

from projects.views import methods as views

urlpatterns = [
    path("partnerships/<slug:slug>/methods/propose/", views.method_propose_view, name="method_propose"),
]
