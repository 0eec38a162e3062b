"""The site's URLs with the benchmark's trivial view in front of them."""

from django.urls import path

from hub import urls as hub_urls
from hub.bench import views

urlpatterns = [path("__bench__/trivial/", views.trivial, name="bench_trivial"), *hub_urls.urlpatterns]

handler404 = hub_urls.handler404
handler500 = hub_urls.handler500
