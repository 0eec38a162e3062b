"""Public URLs of partnerships, and the coordinators' registration form."""

from django.urls import path

from hub.views_exports import export_path
from projects.views import partnerships as views

urlpatterns = [
    path("partnerships/", views.partnership_list, name="partnership_list"),
    export_path("partnerships/", "partnerships"),
    export_path("partnerships/reports/", "partnership_reports"),
    export_path("partnerships/deliverables/", "partnership_deliverables"),
    path("partnerships/register/", views.partnership_register, name="partnership_register"),
    path("partnerships/join/<uuid:token>/", views.partnership_join, name="partnership_join"),
    path("partnerships/<slug:slug>/", views.partnership_detail, name="partnership_detail"),
]
