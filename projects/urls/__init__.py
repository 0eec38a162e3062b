"""Front-end URLs of partnerships and the results commons: one module per area."""

from projects.urls import case_studies, datasets, indicators, methods, partnerships, results, uptake, workspace

urlpatterns = [
    *workspace.urlpatterns,
    *partnerships.urlpatterns,
    *uptake.urlpatterns,
    *results.urlpatterns,
    *datasets.urlpatterns,
    *indicators.urlpatterns,
    *methods.urlpatterns,
    *case_studies.urlpatterns,
]
