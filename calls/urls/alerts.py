"""URLs of saved searches: managed under /dashboard/alerts/, unsubscribed from a signed link."""

from django.urls import path

from calls.views import alerts

urlpatterns = [
    path("dashboard/alerts/", alerts.alert_list, name="alerts_list"),
    path("dashboard/alerts/new/", alerts.alert_create, name="alerts_create"),
    path("dashboard/alerts/<int:pk>/", alerts.alert_edit, name="alerts_edit"),
    path("dashboard/alerts/<int:pk>/delete/", alerts.alert_delete, name="alerts_delete"),
    path("alerts/unsubscribe/<str:token>/", alerts.unsubscribe, name="alerts_unsubscribe"),
    path(
        "alerts/unsubscribe/<str:token>/one-click/", alerts.unsubscribe_one_click, name="alerts_unsubscribe_one_click"
    ),
]
