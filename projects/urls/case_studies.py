"""Public URLs: case_studies."""

urlpatterns: list = []
