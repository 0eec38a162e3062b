"""Front-end URLs of calls: one module per area, so each stays readable."""

from calls.urls import alerts, matching, proposals, public, reviews

urlpatterns = [
    *alerts.urlpatterns,
    *matching.urlpatterns,
    *public.urlpatterns,
    *proposals.urlpatterns,
    *reviews.urlpatterns,
]
