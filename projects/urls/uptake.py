"""Public URLs: uptake."""

urlpatterns: list = []
