"""URLs: public pages of calls besides the Wagtail pages themselves — feeds and the consultation."""

from django.urls import path

from calls.feeds import CallsAtomFeed, calls_ics
from calls.views import public
from hub.views_exports import export_path

urlpatterns: list = [
    path("feeds/calls.atom", CallsAtomFeed(), name="calls_feed_atom"),
    path("calls.ics", calls_ics, name="calls_ics"),
    export_path("calls/", "calls"),
    path("calls/<int:pk>/consultation/", public.consultation_manage, name="call_consultation_manage"),
    path("calls/<int:pk>/consultation/comment/", public.consultation_comment, name="call_consultation_comment"),
    path(
        "calls/<int:pk>/consultation/<int:comment_pk>/moderate/",
        public.consultation_moderate,
        name="call_consultation_moderate",
    ),
    path(
        "calls/<int:pk>/consultation/<int:comment_pk>/respond/",
        public.consultation_respond,
        name="call_consultation_respond",
    ),
]
