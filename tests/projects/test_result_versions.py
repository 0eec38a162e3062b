"""Edit versions of a result (issue 15 §2): a save of a stale form is refused with both versions side by side,
the typed text and author rows stay in the form, and a per-field choice merges the two on the next save."""

import uuid

from django.test import Client

import pytest

from profiles.factories import OrganisationFactory, ResearcherProfileFactory
from projects.factories import add_member
from projects.models import PartnershipMember, Result, ResultAuthor
from projects.services import results as services
from projects.services.takedowns import take_down
from tests.concurrency.races import needs_postgresql, race, race_db
from tests.projects.test_results_services import make_result
from tests.security.fixtures_attacks import scrape_form

pytestmark = pytest.mark.django_db

ANNA_TITLE = "Housing conditions of older tenants in Graz, corrected by Anna"
BRUNO_ABSTRACT = "Bruno rewrote the abstract: 400 tenants over 65, and what their homes cost them."
REASON = "The report discloses the home addresses of interviewed tenants (personal data)."


@pytest.fixture
def coauthor(partnership):
    """A second member of the research team, who edits the same result."""
    user = ResearcherProfileFactory(
        user__email="bruno@example.org",
        user__first_name="Bruno",
        user__last_name="Koch",
        affiliation=OrganisationFactory(name="Graz University of Technology"),
    ).user
    add_member(partnership, user, side=PartnershipMember.Side.RESEARCH, role="Researcher")
    return user


@pytest.fixture
def result(partnership, researcher):
    return make_result(partnership, researcher)


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def edit_url(result: Result) -> str:
    return f"/results/{result.slug}/edit/"


def opened(client: Client, result: Result) -> dict:
    """What the browser would post from the edit form as it was loaded now."""
    response = client.get(edit_url(result))
    assert response.status_code == 200
    return form_of(response)


def form_of(response) -> dict:
    data = scrape_form(response.content.decode(), fields=["title", "edit_version"])["data"]
    data.pop("csrfmiddlewaretoken", None)
    return data


def test_a_stale_save_is_refused_with_both_versions_side_by_side(result, researcher, coauthor):
    anna, bruno = signed_in(researcher), signed_in(coauthor)
    anna_form, bruno_form = opened(anna, result), opened(bruno, result)

    assert anna.post(edit_url(result), {**anna_form, "title": ANNA_TITLE}).status_code == 302
    response = bruno.post(edit_url(result), {**bruno_form, "abstract": BRUNO_ABSTRACT})

    page = response.content.decode()
    assert response.status_code == 409
    assert "Someone else saved this after you opened it" in page
    assert "Your version and the saved version" in page
    assert 'data-conflict-saved="title"' in page and ANNA_TITLE in page  # the saved title beside…
    assert 'data-conflict-mine="abstract"' in page  # …and Bruno's abstract, not saved
    assert f"{BRUNO_ABSTRACT}</textarea>" in page  # what Bruno typed is still in the form
    saved = Result.objects.get(pk=result.pk)
    assert saved.title == ANNA_TITLE and saved.abstract != BRUNO_ABSTRACT  # nothing of Bruno's was saved


def test_choosing_the_saved_title_keeps_both_changes(result, researcher, coauthor):
    anna, bruno = signed_in(researcher), signed_in(coauthor)
    anna_form, bruno_form = opened(anna, result), opened(bruno, result)
    anna.post(edit_url(result), {**anna_form, "title": ANNA_TITLE})
    conflict = bruno.post(edit_url(result), {**bruno_form, "abstract": BRUNO_ABSTRACT})
    assert conflict.status_code == 409

    response = bruno.post(edit_url(result), {**form_of(conflict), "merge-title": "saved"})

    assert response.status_code == 302
    saved = Result.objects.get(pk=result.pk)
    assert saved.title == ANNA_TITLE and saved.abstract == BRUNO_ABSTRACT
    page = bruno.get(saved.get_absolute_url()).content.decode()
    assert ANNA_TITLE in page and BRUNO_ABSTRACT in page


def test_keeping_mine_after_the_conflict_saves_mine_on_the_new_version(result, researcher, coauthor):
    anna, bruno = signed_in(researcher), signed_in(coauthor)
    anna_form, bruno_form = opened(anna, result), opened(bruno, result)
    anna.post(edit_url(result), {**anna_form, "title": ANNA_TITLE})
    conflict = bruno.post(edit_url(result), {**bruno_form, "title": "Bruno's title"})

    assert bruno.post(edit_url(result), form_of(conflict)).status_code == 302  # "Mine" is checked by default
    assert Result.objects.get(pk=result.pk).title == "Bruno's title"


def test_a_form_opened_after_the_save_saves_without_a_conflict(result, researcher, coauthor):
    anna, bruno = signed_in(researcher), signed_in(coauthor)
    anna.post(edit_url(result), {**opened(anna, result), "title": ANNA_TITLE})
    assert bruno.post(edit_url(result), {**opened(bruno, result), "abstract": BRUNO_ABSTRACT}).status_code == 302
    saved = Result.objects.get(pk=result.pk)
    assert (saved.title, saved.abstract) == (ANNA_TITLE, BRUNO_ABSTRACT)


def test_the_same_tab_saving_twice_is_told_on_the_second_save(result, researcher):
    """Sequential, no timing: the back button re-posts a form whose version has been used."""
    anna = signed_in(researcher)
    form = opened(anna, result)
    assert anna.post(edit_url(result), {**form, "title": ANNA_TITLE}).status_code == 302
    response = anna.post(edit_url(result), {**form, "title": "An older idea of the title"})
    assert response.status_code == 409
    assert Result.objects.get(pk=result.pk).title == ANNA_TITLE


def test_an_author_added_meanwhile_shows_as_an_authors_row_and_can_be_kept(result, researcher, coauthor):
    anna, bruno = signed_in(researcher), signed_in(coauthor)
    anna_form, bruno_form = opened(anna, result), opened(bruno, result)
    anna_form.update({"authors-1-name": "Clara Weiss", "authors-1-affiliation": "TU Graz", "authors-1-ORDER": "2"})
    assert anna.post(edit_url(result), anna_form).status_code == 302
    assert list(Result.objects.get(pk=result.pk).authors.values_list("name", flat=True)) == [
        "Anna Berger",
        "Clara Weiss",
    ]

    conflict = bruno.post(edit_url(result), {**bruno_form, "title": "Bruno's title"})

    page = conflict.content.decode()
    assert conflict.status_code == 409
    assert '<th scope="row">Authors</th>' in page and "Clara Weiss · TU Graz" in page
    assert 'name="merge-authors"' in page
    assert list(Result.objects.get(pk=result.pk).authors.values_list("name", flat=True))[-1] == "Clara Weiss"

    response = bruno.post(edit_url(result), {**form_of(conflict), "merge-authors": "saved"})

    assert response.status_code == 302
    saved = Result.objects.get(pk=result.pk)
    assert saved.title == "Bruno's title"
    assert list(saved.authors.values_list("name", flat=True)) == ["Anna Berger", "Clara Weiss"]


def test_without_a_choice_for_the_authors_the_typed_authors_win(result, researcher, coauthor):
    anna, bruno = signed_in(researcher), signed_in(coauthor)
    anna_form, bruno_form = opened(anna, result), opened(bruno, result)
    anna.post(edit_url(result), {**anna_form, "authors-1-name": "Clara Weiss", "authors-1-ORDER": "2"})
    conflict = bruno.post(edit_url(result), {**bruno_form, "authors-0-affiliation": "Graz University"})
    assert conflict.status_code == 409

    assert bruno.post(edit_url(result), form_of(conflict)).status_code == 302

    authors = list(Result.objects.get(pk=result.pk).authors.values_list("name", "affiliation"))
    assert authors == [("Anna Berger", "Graz University")]


def test_a_form_opened_before_publishing_is_stale(result, researcher, coauthor):
    bruno = signed_in(coauthor)
    bruno_form = opened(bruno, result)
    services.result_publish(result=Result.objects.get(pk=result.pk), by=researcher)

    response = bruno.post(edit_url(result), {**bruno_form, "title": "Bruno's title"})

    assert response.status_code == 409
    saved = Result.objects.get(pk=result.pk)
    assert saved.status == Result.Status.PUBLISHED and saved.title != "Bruno's title"


def test_a_takedown_moves_the_version_on_and_the_old_form_cannot_undo_it(partnership, researcher, coordinator):
    published = make_result(partnership, researcher, publish=True)
    anna = signed_in(researcher)
    form = opened(anna, published)
    take_down(obj=Result.objects.get(pk=published.pk), reason=REASON, by=coordinator)

    assert Result.objects.get(pk=published.pk).edit_version == published.edit_version + 1
    assert anna.post(edit_url(published), {**form, "title": "Back again"}).status_code == 410
    assert Result.objects.get(pk=published.pk).status == Result.Status.TAKEN_DOWN


def test_an_author_showing_their_affiliation_makes_an_open_form_stale(result, researcher, coauthor):
    profile = coauthor.researcher_profile
    invited = ResultAuthor.objects.create(
        result=result, name="Bruno Koch", invited_email=coauthor.email, token=uuid.uuid4(), sort_order=1
    )
    anna = signed_in(researcher)
    form = opened(anna, result)
    services.authorship_answer(author=invited, user=coauthor, accept=True, show_affiliation=True)
    assert profile.affiliation_id and ResultAuthor.objects.get(pk=invited.pk).affiliation == profile.affiliation.name

    response = anna.post(edit_url(result), {**form, "title": ANNA_TITLE})

    assert response.status_code == 409 and '<th scope="row">Authors</th>' in response.content.decode()
    assert ResultAuthor.objects.get(pk=invited.pk).affiliation == profile.affiliation.name


@pytest.mark.parametrize("version", [None, "", "abc", "0", "-3", "99999999999"])
def test_a_missing_or_garbled_version_is_refused_and_nothing_saved(result, researcher, version):
    anna = signed_in(researcher)
    data = {**opened(anna, result), "title": ANNA_TITLE}
    if version is None:
        data.pop("edit_version")
    else:
        data["edit_version"] = version

    response = anna.post(edit_url(result), data)

    assert response.status_code == 400
    assert "This form is missing its version; reload the page and try again." in response.content.decode()
    assert Result.objects.get(pk=result.pk).title != ANNA_TITLE


def test_a_service_call_with_an_old_version_saves_nothing(result, researcher):
    from hub.versioning import StaleEdit

    services.result_update(
        result=result, by=researcher, data={"title": ANNA_TITLE}, authors=[], edit_version=result.edit_version
    )
    with pytest.raises(StaleEdit) as stale:
        services.result_update(
            result=result, by=researcher, data={"title": "Late"}, authors=[], edit_version=result.edit_version - 1
        )
    assert stale.value.current.title == ANNA_TITLE
    assert Result.objects.get(pk=result.pk).title == ANNA_TITLE


@needs_postgresql
@race_db
def test_ten_simultaneous_saves_of_the_same_version_save_once(partnership, researcher):
    result = make_result(partnership, researcher)
    clients = [signed_in(researcher) for _ in range(10)]
    form = opened(clients[0], result)

    responses = race(clients, lambda i, client: client.post(edit_url(result), {**form, "title": f"Title number {i}"}))

    codes = sorted(r.status_code for r in responses)
    assert codes == [302] + [409] * 9
    winner = next(i for i, r in enumerate(responses) if r.status_code == 302)
    saved = Result.objects.get(pk=result.pk)
    assert saved.title == f"Title number {winner}" and saved.edit_version == result.edit_version + 1
