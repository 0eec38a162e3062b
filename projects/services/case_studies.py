"""Case studies: a network coordinator turns a partnership into a draft case-study page (recommendation 13)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from hub.models import Country
from profiles.models import User
from profiles.services import is_coordinator
from projects.models import CaseStudyIndexPage, CaseStudyPage, Dataset, Partnership, Region, Result
from projects.models.case_studies import PLACEHOLDER
from projects.services.methods import paragraphs_to_rich_text

# UN M49 regions by ISO 3166-1 alpha-2 code.
_REGION_CODES = {
    Region.AFRICA: "DZ EG LY MA SD TN EH BI KM DJ ER ET KE MG MW MU YT MZ RE RW SC SO SS UG TZ ZM ZW AO CM CF TD CG "
    "CD GQ GA ST BW SZ LS NA ZA BJ BF CV CI GM GH GN GW LR ML MR NE NG SH SN SL TG IO TF",
    Region.AMERICAS: "AI AG AR AW BS BB BZ BM BO BQ BR CA KY CL CO CR CU CW DM DO EC SV FK GF GL GD GP GT GY HT HN JM "
    "MQ MX MS NI PA PY PE PR BL KN LC MF PM VC SX SR TT TC US UY VE VG VI GS UM BV",
    Region.ASIA: "AF AM AZ BH BD BT BN KH CN CY GE HK IN ID IR IQ IL JP JO KZ KW KG LA LB MO MY MV MN MM NP KP OM PK "
    "PS PH QA SA SG KR LK SY TW TJ TH TL TR TM AE UZ VN YE",
    Region.EUROPE: "AX AL AD AT BY BE BA BG HR CZ DK EE FO FI FR DE GI GR GG VA HU IS IE IM IT JE XK LV LI LT LU MT MD "
    "MC ME NL MK NO PL PT RO RU SM RS SK SI ES SJ SE CH UA GB",
    Region.OCEANIA: "AS AU CK FJ PF GU KI MH FM NR NC NZ NU NF MP PW PG PN WS SB TK TO TV VU WF HM CC CX",
}
REGION_OF_COUNTRY = {code: region for region, codes in _REGION_CODES.items() for code in codes.split()}

# Lazy: the placeholder is written in the coordinator's language, and publishing is refused while it is there.
TO_WRITE = PLACEHOLDER


def region_of(country_code: str | None) -> str:
    """The world region of a country (UN M49), or "" when unknown."""
    return str(REGION_OF_COUNTRY.get((country_code or "").upper(), ""))


def can_create_case_study(user) -> tuple[bool, str]:
    """Network coordinators curate case studies."""
    if not is_coordinator(user):
        return False, _("Only network coordinators can turn a partnership into a case study.")
    return True, ""


def _unique_child_slug(parent, title: str) -> str:
    base = slugify(title)[:70] or "case-study"
    taken = set(parent.get_children().values_list("slug", flat=True))
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def case_study_from_partnership(*, partnership: Partnership, by: User) -> CaseStudyPage:
    """A draft case study pre-filled from the partnership; the coordinator writes and publishes it in the admin.

    A partnership that already has a case study gets no second one: that one is returned.
    """
    allowed, reason = can_create_case_study(by)
    if not allowed:
        raise PermissionDenied(reason)
    existing = CaseStudyPage.objects.filter(partnership=partnership).order_by("pk").first()
    if existing is not None:
        return existing
    index = CaseStudyIndexPage.objects.first()
    if index is None:
        raise ValidationError(_("The case studies section is not set up yet."))
    partnership = Partnership.objects.select_related("city__country").get(pk=partnership.pk)
    methods = list(partnership.methods.all())
    country_ids = set(partnership.members.filter(country__isnull=False).values_list("country_id", flat=True))
    city_country = partnership.city.country if partnership.city and partnership.city.country_id else None
    if city_country:
        country_ids.add(city_country.pk)
    summary = (partnership.summary or "").strip()[:600] or _("How %(title)s worked.") % {"title": partnership.title}
    # The summary already heads the page: the context starts from the description, or asks for one.
    context_text = (partnership.description or "").strip()
    page = CaseStudyPage(
        title=partnership.title,
        slug=_unique_child_slug(index, partnership.title),
        partnership=partnership,
        summary=summary,
        context=paragraphs_to_rich_text(context_text)
        or paragraphs_to_rich_text(TO_WRITE % {"what": _("the city, the question and the people concerned.")}),
        method_text=paragraphs_to_rich_text(
            _("Methods used: %(methods)s.") % {"methods": ", ".join(m.name for m in methods)}
        )
        if methods
        else "",
        what_changed=paragraphs_to_rich_text(
            TO_WRITE % {"what": _("what changed for people's rights, and which decisions the results informed.")}
        ),
        region=region_of(city_country.code if city_country else None),
        owner=by,
        live=False,
    )
    page.themes.set(list(partnership.themes.all()))
    page.sdg_targets.set(list(partnership.sdg_targets.all()))
    page.methods.set(methods)
    page.countries.set(list(Country.objects.filter(pk__in=country_ids)))
    page.results.set(list(Result.objects.public().filter(partnership=partnership)))
    page.datasets.set(list(Dataset.objects.public().filter(partnership=partnership)))
    index.add_child(instance=page)
    page.save_revision(user=by, log_action=True)
    return page
