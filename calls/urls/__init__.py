"""Front-end URLs of calls: one module per area, so each stays readable."""

from calls.urls import proposals, public, reviews

urlpatterns = [*public.urlpatterns, *proposals.urlpatterns, *reviews.urlpatterns]
