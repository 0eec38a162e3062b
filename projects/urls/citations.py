"""Public URLs of versions and citations: /results/<slug>/v/<n>/, /data/datasets/<slug>/v/<n>/ and the "Cite" files."""

from django.urls import path

from projects.views import citations as views

urlpatterns = [
    path("results/<slug:slug>/v/<int:number>/", views.result_version, name="result_version"),
    path("results/<slug:slug>/cite.<str:fmt>", views.result_cite, name="result_cite"),
    path("results/<slug:slug>/v/<int:number>/cite.<str:fmt>", views.result_version_cite, name="result_version_cite"),
    path("data/datasets/<slug:slug>/v/<int:number>/", views.dataset_version, name="dataset_version"),
    path(
        "data/datasets/<slug:slug>/v/<int:number>/download.csv",
        views.dataset_version_download_csv,
        name="dataset_version_download_csv",
    ),
    path(
        "data/datasets/<slug:slug>/v/<int:number>/download.json",
        views.dataset_version_download_json,
        name="dataset_version_download_json",
    ),
    path("data/datasets/<slug:slug>/cite.<str:fmt>", views.dataset_cite, name="dataset_cite"),
    path(
        "data/datasets/<slug:slug>/v/<int:number>/cite.<str:fmt>",
        views.dataset_version_cite,
        name="dataset_version_cite",
    ),
    path("data/datasets/<slug:slug>/versions/new/", views.dataset_version_new, name="dataset_version_new"),
    path("data/datasets/<slug:slug>/versions/review/", views.dataset_version_review, name="dataset_version_review"),
]
