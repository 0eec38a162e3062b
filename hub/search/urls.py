from django.urls import path

from hub.views_search import search_view

urlpatterns = [path("", search_view, name="search")]
