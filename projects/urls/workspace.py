"""Public URLs: workspace."""

urlpatterns: list = []
