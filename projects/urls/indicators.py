"""Public URLs: /data/, indicators with their charts and CSV, data gaps, and the research team's import tools."""

from django.urls import path

from hub.views_exports import bulk_download, export_path
from projects.views import indicators as views

urlpatterns = [
    path("data/", views.data_index, name="data_index"),
    path("data/bulk.zip", bulk_download, name="data_bulk"),
    path("data/indicators/", views.indicator_list, name="indicator_list"),
    export_path("data/indicators/", "indicators"),
    path("data/indicators/<slug:slug>/", views.indicator_detail, name="indicator_detail"),
    path("data/indicators/<slug:slug>/observations.csv", views.indicator_csv, name="indicator_observations_csv"),
    path("data/gaps/<slug:organisation>/commission/", views.gap_commission, name="data_gap_commission"),
    path("data/imports/<slug:organisation>/", views.city_observation_imports, name="city_observation_imports"),
    path("partnerships/<slug:slug>/indicators/import/", views.observations_import, name="indicator_import"),
    path("partnerships/<slug:slug>/indicators/new/", views.indicator_new, name="indicator_new"),
]
