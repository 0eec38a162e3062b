"""URLs: matching — calls for a researcher, researchers who fit a call, partner search."""

from django.urls import path

from calls.views import matching as views

urlpatterns = [
    path("calls/for-you/", views.calls_for_you, name="calls_for_you"),
    path("calls/<int:call_id>/researchers/", views.call_researchers, name="call_researchers"),
    path(
        "calls/<int:call_id>/researchers/<int:profile_id>/invite/",
        views.call_researcher_invite,
        name="call_researcher_invite",
    ),
    path("researchers/partners/", views.partner_search, name="partner_search"),
]
