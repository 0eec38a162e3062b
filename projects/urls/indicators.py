"""Public URLs: indicators."""

urlpatterns: list = []
