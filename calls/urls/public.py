"""URLs: public."""

urlpatterns: list = []
