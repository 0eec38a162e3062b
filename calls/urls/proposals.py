"""URLs: a researcher's proposals, their team, attachments and versions."""

from django.urls import path

from calls.views import dialogue
from calls.views import proposals as views

urlpatterns = [
    path("proposals/", views.proposal_list, name="proposal_list"),
    path("proposals/start/<int:call_id>/", views.proposal_start, name="proposal_start"),
    path("proposals/invitations/<uuid:token>/", views.team_invitation, name="team_invitation"),
    path("proposals/<int:pk>/", views.proposal_detail, name="proposal_detail"),
    path("proposals/<int:pk>/edit/", views.proposal_edit, name="proposal_edit"),
    path("proposals/<int:pk>/submit/", views.proposal_submit, name="proposal_submit"),
    path("proposals/<int:pk>/withdraw/", views.proposal_withdraw, name="proposal_withdraw"),
    path("proposals/<int:pk>/team/", views.proposal_team, name="proposal_team"),
    path("proposals/<int:pk>/team/<int:member_id>/remove/", views.team_remove, name="team_remove"),
    path("proposals/<int:pk>/attachments/", views.attachment_add, name="proposal_attachment_add"),
    path("proposals/<int:pk>/attachments/<int:attachment_id>/", views.proposal_attachment, name="proposal_attachment"),
    path(
        "proposals/<int:pk>/attachments/<int:attachment_id>/remove/",
        views.attachment_remove,
        name="proposal_attachment_remove",
    ),
    path("proposals/<int:pk>/versions/", views.proposal_versions, name="proposal_versions"),
    path("proposals/<int:pk>/versions/<int:number>/", views.proposal_version, name="proposal_version"),
    path("proposals/<int:pk>/versions/<int:number>/pdf/", views.proposal_version_pdf, name="proposal_version_pdf"),
    path("proposals/<int:pk>/discussion/", dialogue.proposal_discussion, name="proposal_discussion"),
    path(
        "proposals/<int:pk>/discussion/<int:comment_id>/file/", dialogue.comment_attachment, name="comment_attachment"
    ),
    path("proposals/<int:pk>/feedback/", dialogue.proposal_feedback, name="proposal_feedback"),
]
