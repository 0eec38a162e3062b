"""Site middleware: out-of-range ids become 404s; and, for benchmarks only, the SQL count in a header."""

from django.db import connection


class QueryCountHeaderMiddleware:
    """Adds ``X-SQL-Queries``; installed only when BRIDGES_QUERY_COUNT_HEADER=1."""

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


class OutOfRangeIdMiddleware:
    """An id too large for the database (SQLite raises OverflowError) names no object: answer 404, not 500."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, OverflowError):
            from django.http import Http404

            raise Http404("The id is out of range.") from exception
        return None
