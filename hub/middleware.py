"""Site middleware: security headers on every response; private pages stay out of shared caches; out-of-range ids
become 404s; and, in development and the bench only, the SQL count in a header."""

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.db import DatabaseError, connection
from django.http import Http404, JsonResponse
from django.urls import NoReverseMatch, reverse
from django.utils.cache import patch_cache_control

from csp.middleware import CSPMiddleware, PolicyParts


class QueryCountHeaderMiddleware:
    """Adds ``X-SQL-Queries``; only the development and bench settings install it (never production)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        count = 0

        def counter(execute, sql, params, many, context):
            nonlocal count
            count += 1
            return execute(sql, params, many, context)

        with connection.execute_wrapper(counter):
            response = self.get_response(request)
            if hasattr(response, "render") and not getattr(response, "is_rendered", True):
                response.render()
        response["X-SQL-Queries"] = str(count)
        return response


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's ``CONTENT_SECURITY_POLICY`` on every response; under the Wagtail admin, with
    ``ADMIN_CONTENT_SECURITY_POLICY`` replacing the directives it names."""

    _admin_prefix: str | None = None

    def get_policy_parts(self, request, response, report_only: bool = False) -> PolicyParts:
        parts = super().get_policy_parts(request=request, response=response, report_only=report_only)
        if not report_only and self.in_admin(request):
            parts.replace = {**settings.ADMIN_CONTENT_SECURITY_POLICY, **(parts.replace or {})}
            # A nonce in script-src would switch 'unsafe-inline' off, and Wagtail's inline scripts carry none.
            parts.nonce = None
        return parts

    @classmethod
    def in_admin(cls, request) -> bool:
        if cls._admin_prefix is None:
            try:
                cls._admin_prefix = reverse("wagtailadmin_home")
            except NoReverseMatch:  # a URLconf without the admin (some test and benchmark set-ups)
                return False
        return request.path_info.startswith(cls._admin_prefix)


class PermissionsPolicyMiddleware:
    """``Permissions-Policy`` from the ``PERMISSIONS_POLICY`` setting on every response."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.header = ", ".join(
            f"{feature}=({' '.join(allowed)})" for feature, allowed in settings.PERMISSIONS_POLICY.items()
        )

    def __call__(self, request):
        response = self.get_response(request)
        if self.header and "Permissions-Policy" not in response:
            response["Permissions-Policy"] = self.header
        return response


class NullCharacterMiddleware:
    """A NUL character in an API path or query parameter is refused with a JSON 400 before any view runs.

    PostgreSQL cannot store or compare text containing NUL, so such a value reaching a query is a
    500. The HTML pages read their parameters through forms, which already refuse NUL field by field
    (Django's ``ProhibitNullCharactersValidator``) and show the page without that filter; the API's
    query parameters are checked here, in one place.
    """

    MESSAGE = "The request contains a NUL character (\\x00), which is not allowed in a URL or a parameter."

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith("/api/") and (
            "\x00" in request.path
            or any("\x00" in key or any("\x00" in value for value in values) for key, values in request.GET.lists())
        ):
            return JsonResponse({"detail": self.MESSAGE}, status=400)
        return self.get_response(request)


class OutOfRangeIdMiddleware:
    """An id too large for the database (SQLite raises OverflowError) names no object: answer 404, not 500."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, OverflowError):
            raise Http404("The id is out of range.") from exception
        return None


class PrivateCacheControlMiddleware:
    """``Cache-Control: private, no-store`` on every answer to a signed-in person, and on any answer
    that sets or varies on the session cookie: no proxy, CDN or browser cache keeps a private page.

    Listed before any page cache in MIDDLEWARE, so that it sees the final response last.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        try:
            private = self._is_private(request, response)
        except DatabaseError:
            private = True  # the session store is down: the safe answer is that nothing is stored
        if private:
            patch_cache_control(response, private=True, no_store=True)
            # "private" already drops "public"; a shared-cache lifetime means nothing now either.
            cache_control = response.get("Cache-Control", "")
            response["Cache-Control"] = ", ".join(
                part.strip() for part in cache_control.split(",") if not part.strip().startswith("s-maxage")
            )
        return response

    @staticmethod
    def _is_private(request, response) -> bool:
        cookie = settings.SESSION_COOKIE_NAME
        if cookie in response.cookies:
            return True
        user = getattr(request, "user", None)
        if user is not None:
            if user.is_authenticated:
                return True
        elif cookie in request.COOKIES:
            # Answered before authentication ran (a page cache inside us): ask the session itself.
            session = getattr(request, "session", None)
            if session is not None and session.get(SESSION_KEY):
                return True
        vary = {part.strip().lower() for part in response.get("Vary", "").split(",")}
        return "cookie" in vary and cookie in request.COOKIES
