"""URLs: suggested reviewers, "assign automatically" with its preview, and reviewers' bids (issue 18 §2)."""

from django.urls import path

from calls.views import reviewer_matching as views

urlpatterns = [
    path("calls/<int:call_id>/reviewers/suggested/", views.suggested_reviewers, name="call_reviewers_suggested"),
    path("calls/<int:call_id>/reviewers/auto-assign/", views.auto_assign, name="call_auto_assign"),
    path("calls/<int:call_id>/bids/", views.call_bids, name="call_bids"),
    path("reviews/invitation/<uuid:token>/join/", views.review_invitation_join, name="review_invitation_join"),
]
