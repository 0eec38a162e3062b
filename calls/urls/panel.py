"""URLs: the panel and the staff's tools (issue 18 §4–5)."""

from django.urls import path

from calls.views import panel as views

urlpatterns = [
    path("calls/<int:call_id>/panel/", views.call_panel, name="call_panel"),
    path("proposals/<int:pk>/screen/", views.proposal_screen, name="proposal_screen"),
    path("proposals/<int:pk>/meta-review/", views.meta_review, name="meta_review"),
    path("proposals/<int:pk>/flags/", views.flag_add, name="proposal_flag_add"),
    path("proposals/<int:pk>/flags/<int:flag_id>/remove/", views.flag_remove, name="proposal_flag_remove"),
]
