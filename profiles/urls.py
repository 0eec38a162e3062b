from django.urls import path

from hub.views_exports import export_path
from profiles import views, views_notifications

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/account/", views.account_edit, name="account_edit"),
    path("dashboard/profile/", views.profile_edit, name="profile_edit"),
    path("dashboard/export/", views.account_export, name="account_export"),
    path("dashboard/delete/", views.account_delete, name="account_delete"),
    path("dashboard/notifications/", views_notifications.notification_list, name="notifications"),
    path("dashboard/notifications/read/", views_notifications.notification_read, name="notification_read"),
    path("organisations/", views.organisation_list, name="organisation_list"),
    export_path("organisations/", "organisations"),
    path("organisations/new/", views.organisation_create, name="organisation_create"),
    path("organisations/<slug:slug>/", views.organisation_detail, name="organisation_detail"),
    path("organisations/<slug:slug>/edit/", views.organisation_edit, name="organisation_edit"),
    path("organisations/<slug:slug>/join/", views.organisation_join, name="organisation_join"),
    path("organisations/<slug:slug>/members/", views.organisation_members, name="organisation_members"),
    path("researchers/", views.researcher_list, name="researcher_list"),
    export_path("researchers/", "researchers"),
    # /cities/ itself is a Wagtail page; its export is routed here, before Wagtail's catch-all.
    export_path("cities/", "cities"),
    path("researchers/<int:pk>/", views.researcher_detail, name="researcher_detail"),
    # Photos not shown to everyone (profiles.storage): served after the permission check, never from /media/.
    path("researchers/photos/<path:name>", views.researcher_photo, name="researcher_photo"),
]
