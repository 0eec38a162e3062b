"""URLs: the city's review desk and the reviewer's pages."""

from django.urls import path

from calls.views import reviews as views

urlpatterns = [
    path("calls/<int:call_id>/manage/", views.call_manage, name="call_manage"),
    path("calls/<int:call_id>/ranking/", views.call_ranking, name="call_ranking"),
    path("calls/<int:call_id>/close-early/", views.call_close_early, name="call_close_early"),
    path("calls/<int:call_id>/export.csv", views.call_export, name="call_export"),
    path("reviews/", views.review_list, name="review_list"),
    path("reviews/<int:pk>/", views.review_assignment, name="review_assignment"),
    path("reviews/<int:pk>/declare/", views.review_declare, name="review_declare"),
    path("reviews/invitation/<uuid:token>/", views.review_invitation, name="review_invitation"),
]
