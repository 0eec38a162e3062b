"""Public URLs of partnerships, and the coordinators' registration form."""

from django.urls import path

from hub.views_exports import export_csv
from projects.views import partnerships as views

urlpatterns = [
    path("partnerships/", views.partnership_list, name="partnership_list"),
    path("partnerships/export.csv", export_csv, {"key": "partnerships"}, name="partnership_list_csv"),
    path("partnerships/register/", views.partnership_register, name="partnership_register"),
    path("partnerships/<slug:slug>/", views.partnership_detail, name="partnership_detail"),
]
