"""Public URLs: methods."""

urlpatterns: list = []
