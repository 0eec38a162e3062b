"""Public URLs of partnerships."""

urlpatterns: list = []
