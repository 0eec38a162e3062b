"""Front-end URLs of partnerships and the results commons: one module per area."""

from projects.urls import (
    case_studies,
    citations,  # issue 19 §2: versions and citations
    datasets,
    indicators,
    lifecycle,
    methods,
    needs,
    partnerships,
    results,
    uptake,
    workspace,
)

urlpatterns = [
    *workspace.urlpatterns,
    *lifecycle.urlpatterns,
    *partnerships.urlpatterns,
    *uptake.urlpatterns,
    *citations.urlpatterns,
    *results.urlpatterns,
    *datasets.urlpatterns,
    *indicators.urlpatterns,
    *methods.urlpatterns,
    *case_studies.urlpatterns,
    *needs.urlpatterns,
]
