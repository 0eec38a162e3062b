"""Public URLs: results."""

urlpatterns: list = []
