"""Creates the page tree every Bridges site needs (idempotent; runs after migrate).

Editors change these pages freely afterwards: only missing pages are created.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction

from wagtail.models import Page, Site

from hub.models import HomePage, StandardPage

RECOMMENDATIONS = [
    (
        "Base local policy on human-rights research",
        "Calls tied to policy areas, and a public trail of the decisions each result informed.",
    ),
    (
        "Use field-proven methods",
        "A methods library: needs assessment, participatory action research and more, on every call and partnership.",
    ),
    (
        "Research human-rights indicators and publish local data",
        "An indicator framework, observations, charts, open datasets and an API.",
    ),
    ("Build synergies with SDG measurement", "SDG targets on every object; indicators mapped to SDG indicator codes."),
    (
        "Review existing data for human-rights information",
        "A data-gap view per city: themes and groups with no indicator data.",
    ),
    ("Fill data gaps for groups left behind", "Groups-at-risk tags, disaggregation, and calls commissioned for a gap."),
    (
        "Collect data with data protection",
        "Access levels, personal-data declarations and checks, small-cell suppression.",
    ),
    (
        "Create platforms between human-rights and statistics communities",
        "Indicator and dataset pages co-authored by partnerships; public consultation.",
    ),
    (
        "Collaborate with academia, young researchers and innovative methods",
        "Profiles, early-career eligibility and matching, partner search.",
    ),
    (
        "Guarantee transparency of data and scientific freedom",
        "Open by default, researcher-controlled publication, right of reply, a public takedown log.",
    ),
    (
        "Engage civil society and local populations",
        "Civil-society organisations, public consultation on calls, participation plans.",
    ),
    ("Cooperate with NHRIs and international organisations", "Organisation kinds and partnership membership for them."),
    (
        "Exchange with other local governments and city networks",
        "City networks, case studies and city-to-city comparison of indicators.",
    ),
    (
        "Exchange with research institutions worldwide",
        "Cross-border teams, partner search and a multilingual interface.",
    ),
]


def _paragraph(html: str) -> dict:
    return {"type": "paragraph", "value": html}


STANDARD_PAGES = [
    {
        "slug": "about",
        "title": "About Bridges",
        "intro": "Bridges is an open platform where local governments commission human-rights research "
        "from academia, and everything that comes out of it becomes a public commons.",
        "body": [
            _paragraph(
                "<p>Cities post research calls on the human-rights questions they face. Researchers, "
                "including students and early-career researchers, build profiles, form cross-border "
                "teams and propose projects. Partnerships publish methods, results and open data that "
                "other cities anywhere can reuse.</p>"
            ),
            _paragraph(
                "<p>Bridges implements the outcome document <i>Building Bridges between Local Governments "
                "and the Scientific Community to Promote Human Rights</i> (Human Rights Go Local, 2021).</p>"
            ),
        ],
    },
    {
        "slug": "recommendations",
        "title": "The 14 recommendations",
        "intro": "Every feature of Bridges traces back to one of the fourteen recommendations of the "
        "Building Bridges outcome document.",
        "body": [
            _paragraph("<ol>" + "".join(f"<li><b>{title}.</b> {how}</li>" for title, how in RECOMMENDATIONS) + "</ol>")
        ],
    },
    {
        "slug": "privacy",
        "title": "Privacy",
        "intro": "What we store about you, why, and how you stay in control.",
        "body": [
            _paragraph(
                "<p>We store your email address, your name and the profile facts you choose to enter. "
                "Each profile field has its own visibility. You can download all your personal data as "
                "JSON and delete your account at any time from your dashboard; content that belongs to "
                "organisations or published results stays, attributed to “former member”.</p>"
            ),
            _paragraph(
                "<p>Datasets carry an access level and a personal-data declaration; files with direct "
                "identifiers are refused for open access, and public aggregates suppress small counts.</p>"
            ),
        ],
    },
    {
        "slug": "terms",
        "title": "Terms of use",
        "intro": "The rules that keep Bridges a trustworthy commons.",
        "body": [
            _paragraph(
                "<p>Texts are published under CC BY 4.0 unless stated otherwise; data under CC0 or CC BY. "
                "Researchers keep control of the results they publish; commissioning cities may reply "
                "publicly but cannot edit or unpublish them. Only network coordinators can take content "
                "down, and every takedown is listed publicly with its reason.</p>"
            )
        ],
    },
]

HOME_INTRO = (
    "Bridges connects local governments with researchers to study and improve human rights in cities. "
    "Cities post research calls; researchers, young and established, propose projects and form "
    "cross-border teams; results, methods and open data stay public for every city to reuse."
)


def public_host_and_port() -> tuple[str, int]:
    """The host and port of SITE_BASE_URL, for Wagtail's default Site record."""
    parts = urlsplit(settings.SITE_BASE_URL)
    return parts.hostname or "localhost", parts.port or (443 if parts.scheme == "https" else 80)


@transaction.atomic
def ensure_site_structure(**kwargs) -> None:
    """Make sure the home page, the default site and the standard pages exist."""
    root = Page.get_first_root_node()
    if root is None:
        return
    home = HomePage.objects.first()
    if home is None:
        # Wagtail's initial migration leaves a plain "Welcome" page as the site root.
        for welcome in Page.objects.filter(depth=2, content_type__model="page", slug="home"):
            welcome.delete()
        root.refresh_from_db()
        home = root.add_child(instance=HomePage(title="Bridges", slug="home", intro=HOME_INTRO))
    hostname, port = public_host_and_port()
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        Site.objects.create(hostname=hostname, port=port, root_page=home, is_default_site=True, site_name="Bridges")
    elif (site.root_page_id, site.hostname, site.port) != (home.pk, hostname, port):
        # Kept in step with SITE_BASE_URL at every migrate (the admin's "site" settings name it).
        site.root_page = home
        site.site_name = site.site_name or "Bridges"
        site.hostname, site.port = hostname, port
        site.save()
    for spec in STANDARD_PAGES:
        if not StandardPage.objects.filter(slug=spec["slug"]).exists():
            home.refresh_from_db()
            home.add_child(
                instance=StandardPage(title=spec["title"], slug=spec["slug"], intro=spec["intro"], body=spec["body"])
            )
