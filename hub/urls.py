from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path
from django.views.static import serve

from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from hub import views as hub_views
from hub import views_vocabularies
from hub.api import api
from hub.sitemaps import SITEMAPS
from profiles import views as profiles_views

vocabulary_patterns = (
    [
        path("", hub_views.vocabulary_index, name="index"),
        path("themes/", hub_views.theme_list, name="themes"),
        path("themes/<slug:slug>/", hub_views.theme_detail, name="theme"),
        path("sdgs/", hub_views.sdg_list, name="sdgs"),
        path("sdgs/<int:number>/", hub_views.sdg_detail, name="sdg"),
        path("methods/", hub_views.method_list, name="methods"),
        path("groups/", hub_views.group_list, name="groups"),
        path("countries/", hub_views.country_list, name="countries"),
        path("languages/", hub_views.language_list, name="languages"),
    ],
    "vocab",
)

# Outside the language prefix: the admin (Wagtail has its own language preference),
# the API, documents, media, the sitemap, robots.txt and the language switcher itself.
urlpatterns = [
    # Before Wagtail's own: its sign-in form would skip allauth's rate limits and two-factor step.
    path("admin/login/", profiles_views.admin_login, name="admin_login"),
    # Before Wagtail's own: its reports, chooser steps and tag suggestions scoped to what the user works on.
    path("admin/", include("hub.admin_urls")),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("api/v1/", api.urls),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("robots.txt", hub_views.robots_txt, name="robots_txt"),
    # The vocabularies as SKOS at stable IRIs, the same in every language (DCAT's themes name them).
    path("vocabularies/skos/<slug:scheme>", views_vocabularies.concept_scheme, name="skos_scheme"),
    path("vocabularies/skos/<slug:scheme>/<str:code>", views_vocabularies.concept, name="skos_concept"),
    path("i18n/", include("django.conf.urls.i18n")),
]

if settings.DEBUG or settings.SERVE_MEDIA:
    urlpatterns += [path("media/<path:path>", serve, {"document_root": settings.MEDIA_ROOT})]

# The public site: English at /calls/, Spanish at /es/calls/, French at /fr/calls/.
urlpatterns += i18n_patterns(
    path("accounts/", include("allauth.urls")),
    path("", include("profiles.urls")),
    path("", include("calls.urls")),
    path("", include("projects.urls")),
    path("vocabularies/", include(vocabulary_patterns)),
    path("search/", include("hub.search.urls")),
    # Wagtail's page serving stays last: it matches any path.
    path("", include(wagtail_urls)),
    prefix_default_language=False,
)

handler404 = "hub.views.page_not_found"
handler500 = "hub.views.server_error"
