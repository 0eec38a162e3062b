"""The site's URLs with the benchmark's trivial view in front of them."""

from django.urls import path

from bench import views
from hub import urls as hub_urls

NEW_GENERATION_PATH = "/__bench__/new-generation/"
urlpatterns = [
    path("__bench__/trivial/", views.trivial, name="bench_trivial"),
    path(NEW_GENERATION_PATH.strip("/") + "/", views.new_generation, name="bench_new_generation"),
    *hub_urls.urlpatterns,
]

handler404 = hub_urls.handler404
handler500 = hub_urls.handler500
