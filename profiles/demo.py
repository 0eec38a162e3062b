"""Demo organisations, cities, researchers and accounts (fictional people, real cities)."""

import random

from django.contrib.auth.models import Group
from django.utils.text import slugify

from hub.models import Country, Language, Method, Theme
from profiles.factories import DEMO_PASSWORD, UserFactory
from profiles.models import Membership, Organisation, ResearcherProfile, User
from profiles.services import COORDINATORS_GROUP, organisation_verify, sync_editor_groups, unique_slug

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

    themes = list(Theme.objects.all())
    methods = list(Method.objects.all())
    languages = {lang.code: lang for lang in Language.objects.all()}
    stages = [ResearcherProfile.CareerStage.STUDENT] * 4 + [ResearcherProfile.CareerStage.EARLY_CAREER] * 12
    stages += [ResearcherProfile.CareerStage.ESTABLISHED] * 14
    for index, (first, last, country_code) in enumerate(RESEARCHERS):
        email = f"{first}.{last}".lower().replace(" ", "")
        email = email.encode("ascii", "ignore").decode() + "@researchers.example"
        user = _user(email, first, last, User.AccountType.RESEARCHER)
        profile, created = ResearcherProfile.objects.get_or_create(user=user)
        if not created and profile.themes.exists():
            continue
        profile.career_stage = stages[index]
        profile.affiliation = affiliations[index % len(affiliations)]
        profile.headline = f"{profile.get_career_stage_display()} working on {rng.choice(themes).name.lower()}"
        profile.bio = (
            f"{first} {last} is a fictional researcher created as demo content. They study how local "
            "governments can respect, protect and fulfil human rights, working closely with residents."
        )
        profile.save()
        profile.themes.set(rng.sample(themes, 3))
        profile.methods.set(rng.sample(methods, 2))
        home = Country.objects.get(code=country_code)
        profile.countries.set(
            [home, *Country.objects.filter(code__in=rng.sample(["AT", "ES", "CO", "KR", "NL", "CA"], 1))]
        )
        codes = LANGUAGES_BY_COUNTRY.get(country_code, ["en"]) + ["en"]
        profile.languages.set([languages[c] for c in dict.fromkeys(codes) if c in languages])
        if index == 0:
            # A pending request, so the city official has something to decide in the demo.
            Membership.objects.get_or_create(
                user=user,
                organisation=Organisation.objects.get(name="City of Graz"),
                defaults={"message": "I would like to help with the housing study."},
            )
    stdout.write(f"Demo accounts use the password “{DEMO_PASSWORD}” (shown on the sign-in page only when DEBUG is on).")


__all__ = ["seed"]
