"""Public URLs of partnerships."""

from django.urls import path

from projects.views import partnerships as views

urlpatterns = [
    path("partnerships/", views.partnership_list, name="partnership_list"),
    path("partnerships/<slug:slug>/", views.partnership_detail, name="partnership_detail"),
]
