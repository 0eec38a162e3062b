"""Public URLs: datasets."""

urlpatterns: list = []
