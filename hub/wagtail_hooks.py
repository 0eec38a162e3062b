"""Vocabularies as Wagtail snippets, grouped under one menu for coordinators."""

from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from hub.models import Country, GroupAtRisk, Instrument, Language, Method, SDGGoal, SDGIndicator, SDGTarget, Theme


class ThemeViewSet(SnippetViewSet):
    model = Theme
    icon = "tag"
    list_display = ["name", "slug"]
    search_fields = ["name", "description"]


class InstrumentViewSet(SnippetViewSet):
    model = Instrument
    icon = "doc-full"
    list_display = ["code", "name", "adopted"]


class SDGGoalViewSet(SnippetViewSet):
    model = SDGGoal
    icon = "pick"
    list_display = ["number", "short"]
    ordering = ["number"]


class SDGTargetViewSet(SnippetViewSet):
    model = SDGTarget
    icon = "pick"
    list_display = ["code", "title"]
    list_filter = ["goal"]
    search_fields = ["code", "title"]


class SDGIndicatorViewSet(SnippetViewSet):
    model = SDGIndicator
    icon = "pick"
    list_display = ["code", "title"]
    search_fields = ["code", "title"]


class MethodViewSet(SnippetViewSet):
    model = Method
    icon = "cogs"
    list_display = ["name", "slug"]
    search_fields = ["name", "summary"]


class GroupAtRiskViewSet(SnippetViewSet):
    model = GroupAtRisk
    icon = "group"
    list_display = ["name", "slug"]


class CountryViewSet(SnippetViewSet):
    model = Country
    icon = "site"
    list_display = ["name", "code", "code3"]
    search_fields = ["name", "code"]


class LanguageViewSet(SnippetViewSet):
    model = Language
    icon = "globe"
    list_display = ["name", "code"]
    search_fields = ["name", "code"]


class VocabularyGroup(SnippetViewSetGroup):
    menu_label = "Vocabularies"
    menu_icon = "list-ul"
    menu_order = 300
    items = (
        ThemeViewSet,
        InstrumentViewSet,
        SDGGoalViewSet,
        SDGTargetViewSet,
        SDGIndicatorViewSet,
        MethodViewSet,
        GroupAtRiskViewSet,
        CountryViewSet,
        LanguageViewSet,
    )


register_snippet(VocabularyGroup)
