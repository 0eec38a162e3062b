"""Demo organisations, cities, researchers and accounts (fictional people, real cities)."""

import datetime as dt
import random
import unicodedata

from django.contrib.auth.models import Group
from django.utils.text import slugify

from allauth.account.models import EmailAddress

from hub.models import Country, GroupAtRisk, Language, Method, SDGTarget, Theme
from profiles.factories import DEMO_PASSWORD, UserFactory
from profiles.mfa import totp_activate
from profiles.models import Membership, Organisation, ProfileLanguage, Publication, ResearcherProfile, User, Visibility
from profiles.services import COORDINATORS_GROUP, organisation_verify, sync_editor_groups, unique_slug
from profiles.validators import orcid_checksum

# The authenticator-app secret of the demo coordinator and administrator: demo only, public in
# this file and in the README; `manage.py demo_totp_code` prints its current code.
DEMO_TOTP_SECRET = "DEMODEMOBRIDGESDEMOONLYNOTSECRET"

DEMO_NOTE = "Demo content: this organisation's profile on Bridges is illustrative."

CITIES = [
    # name, country, city, time zone, population, HR city declaration year, official's first/last name
    ("City of Graz", "AT", "Graz", "Europe/Vienna", 305_000, 2001, ("Lena", "Hofer")),
    ("Barcelona City Council", "ES", "Barcelona", "Europe/Madrid", 1_660_000, 2000, ("Marta", "Puig")),
    ("Gwangju Metropolitan City", "KR", "Gwangju", "Asia/Seoul", 1_420_000, 2012, ("Ji-woo", "Park")),
    ("Municipality of Utrecht", "NL", "Utrecht", "Europe/Amsterdam", 370_000, 2011, ("Sanne", "de Vries")),
    ("Ville de Montréal", "CA", "Montréal", "America/Toronto", 1_760_000, 2006, ("Élise", "Tremblay")),
    ("Alcaldía Mayor de Bogotá", "CO", "Bogotá", "America/Bogota", 7_900_000, 2020, ("Camilo", "Rojas")),
    ("City of Vienna", "AT", "Vienna", "Europe/Vienna", 2_000_000, 2014, ("Jonas", "Berger")),
    ("City of York", "GB", "York", "Europe/London", 205_000, 2017, ("Amelia", "Clarke")),
]
OTHER_ORGANISATIONS = [
    ("University of Graz", Organisation.Kind.UNIVERSITY, "AT", "Graz"),
    ("Universitat de Barcelona", Organisation.Kind.UNIVERSITY, "ES", "Barcelona"),
    ("Chonnam National University", Organisation.Kind.UNIVERSITY, "KR", "Gwangju"),
    ("Universidad Nacional de Colombia", Organisation.Kind.UNIVERSITY, "CO", "Bogotá"),
    ("Utrecht University", Organisation.Kind.UNIVERSITY, "NL", "Utrecht"),
    (
        "European Training and Research Centre for Human Rights and Democracy",
        Organisation.Kind.RESEARCH_INSTITUTE,
        "AT",
        "Graz",
    ),
    ("Austrian Ombudsman Board", Organisation.Kind.NHRI, "AT", "Vienna"),
    ("Housing Rights Collective (demo)", Organisation.Kind.CIVIL_SOCIETY, "ES", "Barcelona"),
    ("Migrant Voices Forum (demo)", Organisation.Kind.CIVIL_SOCIETY, "NL", "Utrecht"),
    ("Human Rights Cities Network", Organisation.Kind.CITY_NETWORK, "AT", "Graz"),
]
UNVERIFIED = ("Ville de Lyon", Organisation.Kind.LOCAL_GOVERNMENT, "FR", "Lyon", "Europe/Paris")

RESEARCHERS = [
    ("Aisha", "Bello", "NG"),
    ("Tomás", "Herrera", "CO"),
    ("Min-seo", "Kim", "KR"),
    ("Lukas", "Gruber", "AT"),
    ("Noor", "Haddad", "JO"),
    ("Inès", "Moreau", "FR"),
    ("Pablo", "Serrano", "ES"),
    ("Femke", "Jansen", "NL"),
    ("Daniel", "Okafor", "GB"),
    ("Valentina", "Ruiz", "CO"),
    ("Hyun", "Lee", "KR"),
    ("Clara", "Weiss", "AT"),
    ("Mateo", "García", "ES"),
    ("Olivia", "Brown", "CA"),
    ("Samuel", "Mensah", "GH"),
    ("Yara", "Silva", "BR"),
    ("Emre", "Yılmaz", "TR"),
    ("Sofia", "Rossi", "IT"),
    ("Kwame", "Asante", "GH"),
    ("Hana", "Novak", "SI"),
    ("Léa", "Gagnon", "CA"),
    ("Arjun", "Mehta", "IN"),
    ("Nadia", "Petrova", "BG"),
    ("Joon", "Choi", "KR"),
    ("Isabel", "Costa", "PT"),
    ("Mariam", "Diallo", "SN"),
    ("Felix", "Wagner", "DE"),
    ("Laura", "Martínez", "MX"),
    ("Pieter", "Bakker", "NL"),
    ("Elena", "Popescu", "RO"),
]
LANGUAGES_BY_COUNTRY = {
    "AT": ["de", "en"],
    "CO": ["es", "en"],
    "KR": ["ko", "en"],
    "ES": ["es", "ca", "en"],
    "NL": ["nl", "en"],
    "FR": ["fr", "en"],
    "CA": ["en", "fr"],
    "GB": ["en"],
    "BR": ["pt", "es"],
    "MX": ["es", "en"],
    "PT": ["pt", "en"],
    "DE": ["de", "en"],
    "SN": ["fr", "wo"],
    "IN": ["hi", "en"],
    "TR": ["tr", "en"],
}


# Research interests in clusters, so that calls match some researchers well and others not at all.
FOCUS = [
    {
        "topic": "housing rights and homelessness",
        "themes": ["adequate-housing", "adequate-standard-of-living", "non-discrimination"],
        "targets": ["11.1", "1.4", "10.2", "11.3"],
        "methods": ["participatory-action-research", "community-needs-assessment", "mapping"],
        "groups": ["homeless", "poverty", "migrants"],
        "titles": [
            "Evictions and the right to adequate housing in {city}",
            "Counting those without a home: a participatory street census in {city}",
            "Rent burden and discrimination in the private housing market of {city}",
        ],
    },
    {
        "topic": "migrants' and refugees' inclusion",
        "themes": ["migrants-refugees", "non-discrimination", "participation"],
        "targets": ["10.7", "16.7", "10.2", "16.9"],
        "methods": ["focus-groups", "participatory-action-research", "survey"],
        "groups": ["migrants", "refugees-asylum-seekers", "minorities"],
        "titles": [
            "Newcomers' access to municipal services in {city}",
            "Who takes part? Migrant councils and local democracy in {city}",
            "Language, documents and the right to health of undocumented residents",
        ],
    },
    {
        "topic": "water, sanitation and a healthy environment",
        "themes": ["water-sanitation", "healthy-environment", "health"],
        "targets": ["6.1", "6.2", "11.6", "13.1"],
        "methods": ["citizen-science", "mapping", "human-rights-indicators"],
        "groups": ["poverty", "indigenous-peoples", "homeless"],
        "titles": [
            "Citizen science for drinking-water quality in informal settlements of {city}",
            "Heat, air and unequal exposure: an environmental justice map of {city}",
            "Public toilets as a human-rights question",
        ],
    },
    {
        "topic": "gender equality and safety in public space",
        "themes": ["gender-equality", "life-security", "access-to-justice"],
        "targets": ["5.1", "5.2", "16.3", "11.7"],
        "methods": ["survey", "hrba-data", "focus-groups"],
        "groups": ["women-girls", "lgbtiq"],
        "titles": [
            "Safe streets for women and girls: a victimisation survey in {city}",
            "Disaggregating local data by gender identity without harm",
            "Access to justice for survivors of gender-based violence in {city}",
        ],
    },
    {
        "topic": "children's rights and inclusive education",
        "themes": ["rights-of-the-child", "education", "non-discrimination"],
        "targets": ["4.1", "4.5", "16.2", "4.2"],
        "methods": ["participatory-action-research", "survey", "monitoring-evaluation"],
        "groups": ["children", "youth", "roma"],
        "titles": [
            "School segregation of Roma children in {city}",
            "Children as co-researchers: a child-rights audit of playgrounds in {city}",
            "Early childhood education and the cost of a free place",
        ],
    },
    {
        "topic": "disability rights and accessibility",
        "themes": ["disability-rights", "participation", "work"],
        "targets": ["11.2", "8.5", "10.2", "11.7"],
        "methods": ["hria", "community-needs-assessment", "legal-policy-analysis"],
        "groups": ["persons-with-disabilities", "older-persons"],
        "titles": [
            "Accessible public transport in {city}: an impact assessment with users",
            "Reasonable accommodation in municipal employment",
            "Independent living and deinstitutionalisation in {city}",
        ],
    },
    {
        "topic": "social rights budgeting",
        "themes": ["social-security", "work", "food", "adequate-standard-of-living"],
        "targets": ["1.3", "16.6", "10.4", "2.1"],
        "methods": ["budget-analysis", "human-rights-indicators", "monitoring-evaluation"],
        "groups": ["poverty", "older-persons"],
        "titles": [
            "Maximum available resources: reading the {city} budget through human rights",
            "Food insecurity indicators for local governments",
            "Minimum income schemes and the right to social security in {city}",
        ],
    },
    {
        "topic": "privacy, expression and civic space",
        "themes": ["privacy", "expression-information", "participation", "assembly-association"],
        "targets": ["16.10", "16.7", "9.c"],
        "methods": ["legal-policy-analysis", "hria", "hrba-data"],
        "groups": ["human-rights-defenders", "youth"],
        "titles": [
            "Smart-city cameras and the right to privacy in {city}",
            "Protest permits and freedom of assembly: a municipal review",
            "Open data without exposing people: a human-rights-based approach",
        ],
    },
]
LEVELS = ProfileLanguage.Level
DEMO_BIO = (
    "{first} {last} is a fictional researcher created as demo content for Bridges. "
    "{first} studies {topic} {stage_phrase}, working with residents rather than about them.\n\n"
    "This profile, its publications and its identifiers are illustrative."
)


def demo_orcid(index: int) -> str:
    """A well-formed ORCID iD with a valid check digit, from the far end of the number space (demo only)."""
    base = f"000999990000{index:03d}"
    digits = base + orcid_checksum(base)
    return "-".join(digits[i : i + 4] for i in range(0, 16, 4))


def _fill_profile(profile: ResearcherProfile, *, index: int, stage: str, affiliation: Organisation) -> None:
    """Give one demo researcher a varied, deterministic profile (the same on every machine)."""
    rng = random.Random(f"bridges-demo-researcher-{index}")
    focus = FOCUS[index % len(FOCUS)]
    second = FOCUS[(index * 3 + 1) % len(FOCUS)]
    first, last, country_code = RESEARCHERS[index]
    city = CITIES[index % len(CITIES)][2]
    profile.career_stage = stage
    profile.affiliation = affiliation if index % 9 != 8 else None  # a few independent researchers
    profile.headline = f"{profile.get_career_stage_display()} working on {focus['topic']}"
    stage_phrase = {
        ResearcherProfile.CareerStage.STUDENT: "as a master's student",
        ResearcherProfile.CareerStage.EARLY_CAREER: "in the first years after a PhD",
        ResearcherProfile.CareerStage.ESTABLISHED: "with long experience of city partnerships",
    }[stage]
    profile.bio = DEMO_BIO.format(first=first, last=last, topic=focus["topic"], stage_phrase=stage_phrase)
    profile.orcid = demo_orcid(index) if index % 6 != 5 else ""
    profile.is_available = index % 5 != 2
    profile.available_from = dt.date(2027, 1 + index % 12, 1) if profile.is_available and index % 7 == 4 else None
    profile.bio_visibility = Visibility.MEMBERS if index % 6 == 1 else Visibility.PUBLIC
    profile.countries_visibility = Visibility.HIDDEN if index % 8 == 3 else Visibility.PUBLIC
    profile.orcid_visibility = Visibility.HIDDEN if index % 10 == 4 else Visibility.PUBLIC
    profile.publications_visibility = Visibility.MEMBERS if index % 4 == 2 else Visibility.PUBLIC
    profile.languages_visibility = Visibility.MEMBERS if index % 9 == 5 else Visibility.PUBLIC
    profile.availability_visibility = Visibility.PUBLIC if index % 3 == 0 else Visibility.MEMBERS
    profile.save()

    themes = focus["themes"][: rng.randint(2, len(focus["themes"]))] + rng.sample(second["themes"], 1)
    profile.themes.set(Theme.objects.filter(slug__in=themes))
    profile.sdg_targets.set(SDGTarget.objects.filter(code__in=rng.sample(focus["targets"], rng.randint(2, 3))))
    methods = rng.sample(focus["methods"], 2) + ([rng.choice(second["methods"])] if index % 2 else [])
    profile.methods.set(Method.objects.filter(slug__in=methods))
    profile.groups.set(GroupAtRisk.objects.filter(slug__in=rng.sample(focus["groups"], min(2, len(focus["groups"])))))
    partner_countries = rng.sample(["AT", "ES", "CO", "KR", "NL", "CA", "GB", "FR"], rng.randint(1, 2))
    profile.countries.set(Country.objects.filter(code__in={country_code, *partner_countries}))

    codes = LANGUAGES_BY_COUNTRY.get(country_code, ["en"])
    levels = {codes[0]: LEVELS.NATIVE}
    for code in codes[1:]:
        levels.setdefault(code, rng.choice([LEVELS.FLUENT, LEVELS.WORKING]))
    levels.setdefault("en", LEVELS.FLUENT if stage != ResearcherProfile.CareerStage.STUDENT else LEVELS.WORKING)
    if index % 4 == 1:
        levels.setdefault(rng.choice(["es", "fr", "pt"]), LEVELS.BASIC)
    known = {lang.code: lang for lang in Language.objects.filter(code__in=levels)}
    profile.profile_languages.all().delete()
    ProfileLanguage.objects.bulk_create(
        ProfileLanguage(profile=profile, language=known[code], level=level)
        for code, level in levels.items()
        if code in known
    )

    profile.publications.all().delete()
    count = {ResearcherProfile.CareerStage.STUDENT: 1}.get(stage, rng.randint(2, 4))
    titles = rng.sample(focus["titles"] + second["titles"][:1], count)
    for order, title in enumerate(titles):
        record = 99_000_000 + index * 100 + order  # beyond Zenodo's current numbering; demo only
        Publication.objects.create(
            profile=profile,
            title=f"{title.format(city=city)} (demo)",
            year=2025 - rng.randint(0, 8 if stage == ResearcherProfile.CareerStage.ESTABLISHED else 3),
            doi=f"10.5281/zenodo.{record}" if order % 3 != 2 else "",
            url="" if order % 3 != 2 else f"https://bridges.example/demo/publications/{record}",
            sort_order=order,
        )


# Letters NFKD does not take apart into a base letter and an accent.
_TRANSLITERATE = str.maketrans(
    {"ı": "i", "ø": "o", "Ø": "o", "ß": "ss", "æ": "ae", "œ": "oe", "ł": "l", "đ": "d", "þ": "th"}
)


def demo_address(first: str, last: str) -> str:
    """A researcher's demo address, transliterated: "Tomás Herrera" → tomas.herrera@researchers.example."""
    name = f"{first}.{last}".lower().replace(" ", "").translate(_TRANSLITERATE)
    name = "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))
    return name.encode("ascii", "ignore").decode() + "@researchers.example"


def _user(email: str, first: str, last: str, account_type: str, **extra) -> User:
    return User.objects.filter(email=email).first() or UserFactory(
        email=email, first_name=first, last_name=last, account_type=account_type, **extra
    )


def _organisation(name, kind, country_code, city, **fields) -> Organisation:
    organisation = Organisation.objects.filter(name=name).first()
    if organisation:
        return organisation
    organisation = Organisation(
        name=name,
        slug=unique_slug(Organisation, name),
        kind=kind,
        country=Country.objects.get(code=country_code),
        city=city,
        description=fields.pop("description", DEMO_NOTE),
        **fields,
    )
    organisation.save()
    return organisation


def seed(*, rng: random.Random, stdout) -> None:
    """Create the demo organisations, people and accounts once; later runs change nothing."""
    admin = _user(
        "admin@bridges.example",
        "Site",
        "Administrator",
        User.AccountType.ORGANISATION,
        is_staff=True,
        is_superuser=True,
    )
    if not admin.is_superuser:
        admin.is_superuser = admin.is_staff = True
        admin.save(update_fields=["is_superuser", "is_staff"])
    coordinator = _user("coordinator@bridges.example", "Nora", "Lindqvist", User.AccountType.ORGANISATION)
    coordinator.groups.add(Group.objects.get(name=COORDINATORS_GROUP))
    coordinator = User.objects.get(pk=coordinator.pk)  # fresh permission cache
    # Both must sign in with a second factor; the demo gives them a known authenticator secret.
    for account in (admin, coordinator):
        totp_activate(user=account, secret=DEMO_TOTP_SECRET)

    network = _organisation(*OTHER_ORGANISATIONS[-1])
    Membership.objects.get_or_create(
        user=coordinator,
        organisation=network,
        defaults={"role": Membership.Role.ADMIN, "status": Membership.Status.APPROVED},
    )
    for name, code, city, zone, population, year, (first, last) in CITIES:
        organisation = _organisation(
            name,
            Organisation.Kind.LOCAL_GOVERNMENT,
            code,
            city,
            time_zone=zone,
            population=population,
            hr_city_declaration_year=year,
            description=f"{city} is a Human Rights City that commissions local research on the rights of its residents. {DEMO_NOTE}",
        )
        organisation.networks.add(network)
        official = _user(f"official.{slugify(city)}@bridges.example", first, last, User.AccountType.ORGANISATION)
        Membership.objects.get_or_create(
            user=official,
            organisation=organisation,
            defaults={"role": Membership.Role.ADMIN, "status": Membership.Status.APPROVED},
        )
        organisation_verify(organisation=organisation, by=coordinator)
        sync_editor_groups(user=official)

    affiliations = []
    for name, kind, code, city in OTHER_ORGANISATIONS[:-1]:
        organisation = _organisation(name, kind, code, city)
        organisation_verify(organisation=organisation, by=coordinator)
        if kind in (Organisation.Kind.UNIVERSITY, Organisation.Kind.RESEARCH_INSTITUTE):
            affiliations.append(organisation)

    lyon = _organisation(*UNVERIFIED[:4], time_zone=UNVERIFIED[4])
    lyon_official = _user("official.lyon@bridges.example", "Julien", "Bernard", User.AccountType.ORGANISATION)
    Membership.objects.get_or_create(
        user=lyon_official,
        organisation=lyon,
        defaults={"role": Membership.Role.ADMIN, "status": Membership.Status.APPROVED},
    )

    stages = [ResearcherProfile.CareerStage.STUDENT] * 4 + [ResearcherProfile.CareerStage.EARLY_CAREER] * 12
    stages += [ResearcherProfile.CareerStage.ESTABLISHED] * 14
    for index, (first, last, _country) in enumerate(RESEARCHERS):
        email = demo_address(first, last)
        legacy = f"{first}.{last}".lower().replace(" ", "").encode("ascii", "ignore").decode() + "@researchers.example"
        if legacy != email and not User.objects.filter(email=email).exists():
            # Demo content of an earlier release dropped accents ("toms.herrera"): renamed once, kept otherwise.
            for old in User.objects.filter(email=legacy):
                old.email = email
                old.save(update_fields=["email"])
                EmailAddress.objects.filter(user=old, email=legacy).update(email=email)
        user = _user(email, first, last, User.AccountType.RESEARCHER)
        profile, _created = ResearcherProfile.objects.get_or_create(user=user)
        if not profile.sdg_targets.exists():  # filled once; later runs leave it (and any edits) alone
            _fill_profile(
                profile, index=index, stage=stages[index], affiliation=affiliations[index % len(affiliations)]
            )
        if index % 5 and profile.affiliation:
            # Most researchers are members of their institution; a few choose not to be listed on its page.
            Membership.objects.get_or_create(
                user=user,
                organisation=profile.affiliation,
                defaults={"status": Membership.Status.APPROVED, "is_listed": index % 7 != 3},
            )
        if index == 0:
            # A pending request, so the city official has something to decide in the demo.
            Membership.objects.get_or_create(
                user=user,
                organisation=Organisation.objects.get(name="City of Graz"),
                defaults={"message": "I would like to help with the housing study."},
            )
    stdout.write(f"Demo accounts use the password “{DEMO_PASSWORD}” (shown on the sign-in page only when DEBUG is on).")
    stdout.write("The demo coordinator and administrator also need a code: run `manage.py demo_totp_code`.")


__all__ = ["seed"]
