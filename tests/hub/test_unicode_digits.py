"""A Unicode digit ("²", "١") where the site expects a number is refused like any other bad value, never a 500:
``str.isdigit()`` accepts "²" but ``int()`` does not, so every number check is ASCII-only."""

from urllib.parse import quote

from django.core.exceptions import ValidationError

import pytest

from profiles.validators import validate_orcid

pytestmark = pytest.mark.django_db

SUPERSCRIPT = quote("²")


@pytest.mark.parametrize(
    "params", [f"sdg={SUPERSCRIPT}", f"year={SUPERSCRIPT}", "year=abc", f"q=housing&sdg=1&sdg={SUPERSCRIPT}"]
)
def test_search_facets_with_a_bad_number_show_the_page(client, params):
    assert client.get(f"/search/?{params}").status_code == 200


def test_partner_search_with_a_superscript_call_id_says_the_call_was_not_found(client, researcher):
    client.force_login(researcher)

    response = client.get(f"/researchers/partners/?call={SUPERSCRIPT}")

    assert response.status_code == 200
    assert "That call was not found" in response.content.decode()


def test_the_review_desk_answers_a_superscript_proposal_id_with_404(client, open_call, city):
    client.force_login(city[1])

    response = client.post(f"/calls/{open_call.pk}/manage/", {"proposal": "²", "action": "request_info"})

    assert response.status_code == 404


@pytest.mark.parametrize("orcid", ["²²²²-²²²²-²²²²-²²²²", "0000-0002-1825-009²", "٠٠٠٠-٠٠٠٢-١٨٢٥-٠٠٩٧"])
def test_an_orcid_with_unicode_digits_is_refused_with_the_format_message(orcid):
    with pytest.raises(ValidationError) as refused:
        validate_orcid(orcid)
    assert refused.value.code == "invalid_orcid_format"
