"""Public URLs: datasets, their downloads and JSON-LD, the DCAT catalogue, upload, editing and access requests."""

from django.urls import path

from hub.views_exports import export_path
from projects.views import datasets as views

urlpatterns = [
    path("data/catalog.jsonld", views.catalog_jsonld, name="dataset_catalog"),
    path("data/datasets/", views.dataset_list, name="dataset_list"),
    export_path("data/datasets/", "datasets"),
    path("data/datasets/<slug:slug>.jsonld", views.dataset_jsonld, name="dataset_jsonld"),
    path("data/datasets/<slug:slug>/", views.dataset_detail, name="dataset_detail"),
    path("data/datasets/<slug:slug>/download.csv", views.dataset_download_csv, name="dataset_download_csv"),
    path("data/datasets/<slug:slug>/download.json", views.dataset_download_json, name="dataset_download_json"),
    path("data/datasets/<slug:slug>/edit/", views.dataset_edit, name="dataset_edit"),
    path("data/datasets/<slug:slug>/publish/", views.dataset_publish, name="dataset_publish"),
    path("data/datasets/<slug:slug>/request/", views.dataset_request, name="dataset_request"),
    path("data/datasets/<slug:slug>/requests/", views.dataset_requests, name="dataset_requests"),
    path("data/datasets/<slug:slug>/take-down/", views.dataset_take_down, name="dataset_take_down"),
    path("partnerships/<slug:slug>/datasets/", views.partnership_datasets, name="partnership_datasets"),
    path("partnerships/<slug:slug>/datasets/new/", views.dataset_new, name="dataset_new"),
]
