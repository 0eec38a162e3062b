"""Front-end URLs of calls: one module per area, so each stays readable."""

from calls.urls import alerts, desk, matching, panel, proposals, public, reviewer_matching, reviews

urlpatterns = [
    *alerts.urlpatterns,
    *desk.urlpatterns,
    *matching.urlpatterns,
    *public.urlpatterns,
    *proposals.urlpatterns,
    *reviews.urlpatterns,
    *reviewer_matching.urlpatterns,
    *panel.urlpatterns,
]
