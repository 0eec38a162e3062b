"""Loads the shared reference data (hub/data/) into the vocabulary tables.

Called from data migrations with the historical ``apps`` registry; idempotent, so it
also refreshes titles when the data files are updated.
"""

import datetime
import json
from pathlib import Path

import pycountry

DATA_DIR = Path(__file__).resolve().parent / "data"
SDG_LANGUAGES = ["en", "es", "fr", "de", "ar", "ru", "zh-Hans"]


def sdg_sort_key(code: str) -> str:
    """Sorts 1.10 after 1.9 and 1.a after 1.10: pad numbers, keep letters after digits."""
    return ".".join(part.zfill(3) if part.isdigit() else "z" + part for part in code.split("."))


def _read(name: str) -> dict:
    return json.loads((DATA_DIR / name).read_text(encoding="utf-8"))


def load_sdgs(apps) -> None:
    Goal = apps.get_model("hub", "SDGGoal")
    Target = apps.get_model("hub", "SDGTarget")
    Indicator = apps.get_model("hub", "SDGIndicator")
    by_language = {lang: _read(f"sdg/{lang}.json") for lang in SDG_LANGUAGES}
    translations: dict[str, dict] = {}
    for lang, data in by_language.items():
        if lang == "en":
            continue
        for goal in data["goals"]:
            translations.setdefault(goal["code"], {})[lang] = {"short": goal["short"], "title": goal["title"]}
            for target in goal["targets"]:
                translations.setdefault(target["code"], {})[lang] = {"title": target["title"]}
                for indicator in target["indicators"]:
                    translations.setdefault(indicator["code"], {})[lang] = {"title": indicator["title"]}
    for goal in by_language["en"]["goals"]:
        goal_obj, _ = Goal.objects.update_or_create(
            number=int(goal["code"]),
            defaults={
                "short": goal["short"],
                "title": goal["title"],
                "translations": translations.get(goal["code"], {}),
            },
        )
        for target in goal["targets"]:
            target_obj, _ = Target.objects.update_or_create(
                code=target["code"],
                defaults={
                    "goal": goal_obj,
                    "title": target["title"],
                    "sort_key": sdg_sort_key(target["code"]),
                    "translations": translations.get(target["code"], {}),
                },
            )
            for indicator in target["indicators"]:
                Indicator.objects.update_or_create(
                    code=indicator["code"],
                    defaults={
                        "target": target_obj,
                        "title": indicator["title"],
                        "sort_key": sdg_sort_key(indicator["code"]),
                        "translations": translations.get(indicator["code"], {}),
                    },
                )


def load_human_rights(apps) -> None:
    Instrument = apps.get_model("hub", "Instrument")
    Theme = apps.get_model("hub", "Theme")
    ThemeArticle = apps.get_model("hub", "ThemeArticle")
    Target = apps.get_model("hub", "SDGTarget")
    Method = apps.get_model("hub", "Method")
    GroupAtRisk = apps.get_model("hub", "GroupAtRisk")
    data = _read("human_rights.json")
    instruments = {}
    for item in data["instruments"]:
        instruments[item["code"]], _ = Instrument.objects.update_or_create(
            code=item["code"],
            defaults={
                "name": item["name"],
                "adopted": datetime.date.fromisoformat(item["adopted"]) if item.get("adopted") else None,
                "body": item.get("body") or "",
            },
        )
    for item in data["themes"]:
        theme, created = Theme.objects.get_or_create(slug=item["slug"], defaults={"name": item["name"]})
        if created:
            for order, reference in enumerate(item["articles"]):
                ThemeArticle.objects.create(
                    theme=theme,
                    instrument=instruments.get(reference.split()[0]),
                    reference=reference,
                    sort_order=order,
                )
            # Historical models are not ClusterableModels, so write the parental M2M rows directly.
            through = Theme._meta.get_field("sdg_targets").remote_field.through
            through.objects.bulk_create(
                through(theme_id=theme.pk, sdgtarget_id=target.pk)
                for target in Target.objects.filter(code__in=item["sdg_targets"])
            )
    for item in data["methods"]:
        Method.objects.get_or_create(
            slug=item["slug"], defaults={"name": item["name"], "summary": item.get("summary", "")}
        )
    for item in data["groups"]:
        GroupAtRisk.objects.get_or_create(slug=item["slug"], defaults={"name": item["name"]})


def load_countries_and_languages(apps) -> None:
    Country = apps.get_model("hub", "Country")
    Language = apps.get_model("hub", "Language")
    for country in pycountry.countries:
        Country.objects.update_or_create(
            code=country.alpha_2,
            defaults={"code3": country.alpha_3, "name": getattr(country, "common_name", None) or country.name},
        )
    for language in pycountry.languages:
        code = getattr(language, "alpha_2", None)
        if code:
            Language.objects.update_or_create(code=code, defaults={"name": language.name})


def load_all(apps, schema_editor=None) -> None:
    load_sdgs(apps)
    load_human_rights(apps)
    load_countries_and_languages(apps)
