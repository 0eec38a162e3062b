"""A call with submitted proposals and researchers who fit it, for the reviewer-matching tests (issue 18 §2)."""

from types import SimpleNamespace

from calls.factories import ProposalFactory, make_call, submit_for_tests
from calls.matching.vectors import refresh_call
from calls.models import ReviewAssignment
from hub.models import Method, Theme
from profiles.factories import ResearcherProfileFactory, UserFactory
from profiles.models import CityPage, ResearcherProfile


def fitting_profile(email: str, themes=(), methods=(), **fields) -> ResearcherProfile:
    first, _, last = email.split("@")[0].partition(".")
    profile = ResearcherProfileFactory(
        user=UserFactory(email=email, first_name=first.title(), last_name=(last or "Example").title()), **fields
    )
    profile.themes.set(themes)
    profile.methods.set(methods)
    return ResearcherProfile.objects.select_related("user").get(pk=profile.pk)


def reviewing_world(city, *, proposals: int = 3, reviewers: int = 4, accepted: bool = True, **call_fields):
    """A call of ``city`` with ``proposals`` submitted proposals and ``reviewers`` researchers who fit it.

    With ``accepted``, each reviewer has accepted to review for the call: an accepted review of an extra proposal
    (``w.seed``), which counts towards their load in the call.
    """
    organisation, official = city
    theme = Theme.objects.order_by("pk").first()
    method = Method.objects.order_by("pk").first()
    call = make_call(
        city_page=CityPage.objects.get(organisation=organisation), title="Housing of older tenants", **call_fields
    )
    call.themes.set([theme])
    call.methods.set([method])
    call.save()
    refresh_call(call)
    tag = organisation.slug
    leads = [fitting_profile(f"lead{i}.applicant@{tag}.example.org").user for i in range(proposals + 1)]
    props = []
    for i, lead in enumerate(leads):
        proposal = ProposalFactory(call=call, lead=lead, title=f"Proposal {i}")
        submit_for_tests(proposal)
        props.append(proposal)
    seed, props = props[0], props[1:]
    people = [
        fitting_profile(f"rev{i}.reviewer@{tag}.example.org", themes=[theme], methods=[method] if i % 2 else []).user
        for i in range(reviewers)
    ]
    if accepted:
        for user in people:
            ReviewAssignment.objects.create(
                proposal=seed, reviewer=user, email=user.email, status=ReviewAssignment.Status.ACCEPTED
            )
    return SimpleNamespace(call=call, official=official, proposals=props, seed=seed, reviewers=people, theme=theme)
