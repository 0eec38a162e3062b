"""Front-end URLs of the methods library (its pages are Wagtail pages under /methods/)."""

from django.urls import path

from hub.views_exports import export_path
from projects.views import methods as views

urlpatterns = [
    # /methods/ itself is a Wagtail page; its export is routed here, before Wagtail's catch-all.
    export_path("methods/", "methods"),
    path("partnerships/<slug:slug>/methods/propose/", views.method_propose_view, name="method_propose"),
]
