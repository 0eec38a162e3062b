"""The write driver fills the site's real forms as a browser would (bench.writes.post_form), no server needed."""

# The shared proposal fixtures come from test_proposal_services; pytest injects them by name.
# ruff: noqa: F401, F811

import pytest

from bench.checker import make_token, tokens_in
from bench.writes import post_form
from calls.models import Proposal
from tests.calls.test_proposal_services import FILLED, draft, filled, lead

pytestmark = pytest.mark.django_db


def test_post_form_reads_inputs_textareas_checked_boxes_and_selected_options():
    html = """
    <form method="get"><input name="q" value="ignored"></form>
    <form method="post" action="/save/">
      <input type="hidden" name="csrfmiddlewaretoken" value="abc">
      <input type="hidden" name="edit_version" value="7">
      <input name="title" value="Old &amp; new">
      <textarea name="summary">
First line</textarea>
      <input type="checkbox" name="methods" value="1" checked><input type="checkbox" name="methods" value="2">
      <select name="country"><option value="AT">Austria</option><option value="CO" selected>Colombia</option></select>
      <select name="stage"><option value="concept">Concept</option><option value="full">Full</option></select>
      <input type="file" name="upload"><button type="submit" name="go" value="1">Save</button>
    </form>"""

    action, fields = post_form(html, containing="summary")

    assert action == "/save/"
    assert fields == [
        ("csrfmiddlewaretoken", "abc"),
        ("edit_version", "7"),
        ("title", "Old & new"),
        ("summary", "First line"),
        ("methods", "1"),
        ("country", "CO"),
        ("stage", "concept"),
    ]
    assert post_form(html, containing="nothing-like-this") is None


def test_the_draft_editor_sent_back_with_one_field_changed_saves_it(client, filled, lead):
    """What a write session does: open the editor, change the summary to a token, send the whole form back."""
    client.force_login(lead)
    path = f"/proposals/{filled.pk}/edit/"
    action, fields = post_form(client.get(path).content.decode(), containing="summary")
    token = make_token(run="test00", session=1, sequence=1)
    fields = [(name, f"Summary {token}." if name == "summary" else value) for name, value in fields]
    data: dict[str, list[str]] = {}
    for name, value in fields:
        data.setdefault(name, []).append(value)

    response = client.post(action or path, data)

    assert response.status_code == 302 and response["Location"] == path
    saved = Proposal.objects.get(pk=filled.pk)
    assert tokens_in(saved.summary) == [token]
    assert saved.title == FILLED["title"]  # every other field went back as it was
    if "edit_version" in data:  # the editor has edit versions: the save claimed the next one
        assert saved.edit_version == int(data["edit_version"][0]) + 1


def test_the_sign_in_form_of_allauth_signs_the_session_in(client, lead, password):
    action, fields = post_form(client.get("/accounts/login/").content.decode(), containing="password")
    data = dict(fields) | {"login": lead.email, "password": password}

    response = client.post(action or "/accounts/login/", data)

    assert response.status_code == 302 and "/accounts/" not in response["Location"]
    assert client.get("/dashboard/").status_code == 200
