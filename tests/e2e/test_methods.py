"""A research member proposes a method; a coordinator approves it in the Wagtail admin; it is live."""

import re

from playwright.sync_api import expect

from hub.models import Method, Theme
from profiles.factories import ResearcherProfileFactory
from projects.factories import PartnershipFactory, add_member
from projects.models import MethodPage, MethodTool, PartnershipMember, Region
from tests.e2e.helpers import sign_in, sign_out
from tests.e2e.test_accessibility import axe_source, serious_violations  # noqa: F401 - axe_source is a fixture
from tests.projects.test_case_studies_pages import make_case_study
from tests.projects.test_methods_library import make_method_page


def test_member_proposes_a_method_a_coordinator_approves_it(new_page, coordinator, password):
    researcher = ResearcherProfileFactory(user__email="researcher@example.org").user
    partnership = PartnershipFactory(title="Housing rights monitor", slug="housing-rights-monitor")
    add_member(partnership, researcher, side=PartnershipMember.Side.RESEARCH)

    member = new_page()
    sign_in(member, researcher.email, password)
    member.goto(f"/partnerships/{partnership.slug}/methods/propose/")
    main = member.get_by_role("main")
    main.get_by_label("A new method").check()
    main.get_by_label("Title", exact=True).fill("Photovoice")
    main.get_by_role("button", name="Send for review").click()
    # Bad input keeps what was typed and says what is missing.
    expect(member.get_by_role("alert")).to_contain_text("Give a short summary of the method.")
    expect(main.get_by_label("Title", exact=True)).to_have_value("Photovoice")
    main.get_by_label(re.compile(r"^Summary")).fill("Residents document their living conditions with photographs.")
    main.get_by_label(re.compile(r"^What it is")).fill("Participants take photos and discuss them together.")
    main.get_by_role("button", name="Send for review").click()
    expect(member.get_by_text(re.compile("sent to the network coordinators"))).to_be_visible()
    page = MethodPage.objects.get(title="Photovoice")
    assert not page.live
    sign_out(member)

    reviewer = new_page()
    sign_in(reviewer, coordinator.email, password)
    reviewer.goto("/admin/")
    expect(reviewer.get_by_role("main")).to_contain_text("Photovoice")
    reviewer.goto(f"/admin/pages/{page.pk}/edit/")
    reviewer.get_by_role("button", name="More actions").click()
    reviewer.get_by_role("button", name=re.compile(r"^Approve")).first.click()
    expect(reviewer.get_by_role("status").filter(has_text="Photovoice").first).to_be_visible()

    public = new_page()
    response = public.goto("/methods/photovoice/")
    assert response.status == 200
    expect(public.get_by_role("heading", level=1)).to_have_text("Photovoice")
    expect(public.get_by_role("main")).to_contain_text("Housing rights monitor")
    public.goto("/methods/")
    expect(public.get_by_role("link", name="Photovoice")).to_be_visible()


def test_methods_and_case_studies_pages_have_no_serious_accessibility_violations(
    page,
    axe_source,  # noqa: F811 - the fixture imported above
    coordinator,
    password,
):
    par = Method.objects.get(slug="participatory-action-research")
    method = make_method_page(
        "Participatory action research",
        method=par,
        ethics="<p>Consent.</p>",
        steps=[("step", {"title": "Form a group", "description": "<p>With residents.</p>"})],
    )
    method.tools.add(MethodTool(title="Guide", url="https://example.org/guide"))
    method.save_revision().publish()
    partnership = PartnershipFactory(title="Housing rights monitor", slug="housing-rights-monitor")
    partnership.methods.add(par)
    study = make_case_study(
        "Graz housing", region=Region.EUROPE, themes=[Theme.objects.first()], methods=[par], partnership=partnership
    )
    add_member(partnership, coordinator, side=PartnershipMember.Side.RESEARCH)

    failures = {}
    sign_in(page, coordinator.email, password)
    for path in (
        "/methods/",
        method.url,
        "/case-studies/",
        "/case-studies/?region=asia",
        study.url,
        f"/partnerships/{partnership.slug}/methods/propose/",
    ):
        response = page.goto(path)
        assert response is not None and response.status == 200, path
        violations = serious_violations(page, axe_source)
        if violations:
            failures[path] = violations
    assert not failures, failures
