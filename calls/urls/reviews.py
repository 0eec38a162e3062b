"""URLs: reviews."""

urlpatterns: list = []
