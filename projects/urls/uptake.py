"""Public URLs of policy uptake: the list of decisions results informed, and the commissioning city's forms."""

from django.urls import path

from hub.views_exports import export_path
from projects.views import ledger
from projects.views import uptake as views

urlpatterns = [
    path("results/uptake/", views.uptake_list, name="uptake_list"),
    export_path("results/uptake/", "policy_uptake"),
    export_path("results/uptake/implementation/", "implementation_entries"),
    path("results/uptake/<int:pk>/", ledger.uptake_detail, name="uptake_detail"),
    path("results/uptake/<int:pk>/implementation/", ledger.implementation_edit, name="uptake_implementation"),
    path("results/uptake/<int:pk>/entries/new/", ledger.entry_new, name="uptake_entry_new"),
    path("results/uptake/<int:pk>/entries/<int:entry_id>/file/", ledger.entry_file, name="uptake_entry_file"),
    path("results/<slug:slug>/response/", views.response_edit, name="result_response"),
    path("results/<slug:slug>/uptake/new/", views.uptake_new, name="uptake_new"),
    path("results/<slug:slug>/uptake/<int:pk>/edit/", views.uptake_edit, name="uptake_edit"),
    path("results/<slug:slug>/uptake/<int:pk>/delete/", views.uptake_delete, name="uptake_delete"),
]
