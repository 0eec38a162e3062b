"""Public URLs: results, their files, the research team's editing, takedowns and /transparency/."""

from django.urls import path

from hub.views_exports import export_path
from projects.views import results as views
from projects.views import transparency

urlpatterns = [
    path("results/", views.result_list, name="result_list"),
    export_path("results/", "results"),
    path("partnerships/<slug:slug>/results/new/", views.result_create, name="result_create"),
    path("results/authorship/<uuid:token>/", views.result_authorship, name="result_authorship"),
    path("results/<slug:slug>/", views.result_detail, name="result_detail"),
    path("results/<slug:slug>/edit/", views.result_edit, name="result_edit"),
    path("results/<slug:slug>/publish/", views.result_publish, name="result_publish"),
    path("results/<slug:slug>/delete/", views.result_delete, name="result_delete"),
    path("results/<slug:slug>/files/add/", views.result_file_add, name="result_file_add"),
    path("results/<slug:slug>/files/<int:file_id>/", views.result_file, name="result_file"),
    path("results/<slug:slug>/files/<int:file_id>/remove/", views.result_file_remove, name="result_file_remove"),
    path("results/<slug:slug>/take-down/", views.result_take_down, name="result_take_down"),
    path("transparency/", transparency.transparency, name="transparency"),
    export_path("transparency/", "takedowns"),
]
