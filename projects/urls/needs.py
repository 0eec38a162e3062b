"""URLs of research needs: /needs/ and each need's actions, reports of public content and the moderation queue."""

from django.urls import path

from hub.views_exports import export_path
from projects.views import needs as views

urlpatterns = [
    path("needs/", views.need_list, name="need_list"),
    export_path("needs/", "research_needs"),
    path("needs/new/", views.need_new, name="need_new"),
    path("needs/<int:pk>/", views.need_detail, name="need_detail"),
    path("needs/<int:pk>/endorse/", views.need_endorse, name="need_endorse"),
    path("needs/<int:pk>/comments/", views.need_comment, name="need_comment"),
    path("needs/<int:pk>/topic/", views.need_topic, name="need_topic"),
    path("needs/<int:pk>/answer/", views.need_answer, name="need_answer"),
    path("needs/<int:pk>/call/", views.need_call, name="need_call"),
    path("needs/<int:pk>/hide/", views.need_hide, name="need_hide"),
    path("needs/comments/<int:pk>/hide/", views.comment_hide, name="need_comment_hide"),
    path("report/<slug:kind>/<int:pk>/", views.report, name="content_report"),
    path("moderation/", views.moderation_queue, name="moderation_queue"),
    path("moderation/<int:pk>/dismiss/", views.report_dismiss, name="moderation_dismiss"),
]
