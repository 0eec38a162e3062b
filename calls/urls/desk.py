"""URLs: the city's desk — the proposal list per call and across the city's calls, its CSV, bulk actions, saved
views, and the action panel of the proposal page."""

from django.urls import path

from calls.views import desk as views
from calls.views import proposals

urlpatterns = [
    path("desk/", views.desk_list, name="desk_list"),
    path("desk/export.csv", views.desk_csv, name="desk_csv"),
    path("desk/bulk/", views.desk_bulk, name="desk_bulk"),
    path("desk/runs/<int:pk>/", views.desk_bulk_run, name="desk_bulk_run"),
    path("desk/views/", views.desk_view_save, name="desk_view_save"),
    path("desk/views/<int:pk>/delete/", views.desk_view_delete, name="desk_view_delete"),
    path("calls/<int:call_id>/desk/", views.desk_call_list, name="desk_call_list"),
    path("calls/<int:call_id>/desk/export.csv", views.desk_csv, name="desk_call_csv"),
    path("calls/<int:call_id>/desk/bulk/", views.desk_bulk, name="desk_call_bulk"),
    path("calls/<int:call_id>/desk/views/", views.desk_view_save, name="desk_call_view_save"),
    path("proposals/<int:pk>/desk/", proposals.desk_proposal_action, name="desk_proposal_action"),
]
