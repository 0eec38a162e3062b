"""URLs: proposals."""

urlpatterns: list = []
