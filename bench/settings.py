"""The bench's settings (``make bench``): production's, plus the SQL-count header and the bench's URLconf."""

from hub.settings.production import *  # noqa: F403
from hub.settings.production import MIDDLEWARE

ROOT_URLCONF = "bench.urls"
# ``X-SQL-Queries`` on every answer (outermost, so it counts every middleware's queries): the report's SQL column.
MIDDLEWARE = ["hub.middleware.QueryCountHeaderMiddleware", *MIDDLEWARE]
