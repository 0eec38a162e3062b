"""The OpenAPI schema as the API behaves: every error an operation can answer, and parameters typed as validated.

Ninja documents what each view declares; what every operation shares is added here once:

- 400, 404, 414 and 429 (with ``Retry-After``) on every operation, with the ``Detail`` error schema;
- query and path parameters without pydantic's ``null`` alternative (a parameter is omitted, never null);
- free-text parameters without NUL, which ``hub.middleware.NullCharacterMiddleware`` refuses for the whole API.
"""

import copy

from hub.api.errors import MAX_URL_LENGTH

DETAIL = {"$ref": "#/components/schemas/Detail"}
JSON_ERROR = {"application/json": {"schema": DETAIL}}
NO_NUL = "^[^\\x00]*$"

SHARED_ERRORS = {
    "400": {"description": "Invalid or unknown parameter, or a NUL character in the URL.", "content": JSON_ERROR},
    "404": {"description": "No such public object.", "content": JSON_ERROR},
    "414": {
        "description": (
            f"The URL is longer than {MAX_URL_LENGTH:,} characters. A front server (proxy, gunicorn) may answer "
            "an even longer one itself, in HTML."
        ),
        "content": {**JSON_ERROR, "text/html": {"schema": {"type": "string"}}},
    },
    "429": {
        "description": "Anonymous rate limit reached: wait the number of seconds in Retry-After.",
        "headers": {
            "Retry-After": {"description": "Seconds to wait before the next request.", "schema": {"type": "integer"}}
        },
        "content": JSON_ERROR,
    },
}


def _without_null(schema: dict) -> dict:
    """``{"anyOf": [X, {"type": "null"}], ...}`` → ``X`` with the outer description, title and default."""
    options = schema.get("anyOf")
    if not options:
        return schema
    kept = [option for option in options if option.get("type") != "null"]
    if len(kept) != 1 or len(kept) == len(options):
        return schema
    outer = {key: value for key, value in schema.items() if key != "anyOf"}
    return {**kept[0], **outer}


def _parameter_schema(parameter: dict) -> dict:
    schema = _without_null(parameter.get("schema", {}))
    if schema.get("type") == "string" and not {"enum", "format", "pattern", "const"} & schema.keys():
        schema = {**schema, "pattern": NO_NUL}
    if parameter.get("in") == "path" and schema.get("type") == "string":
        schema.setdefault("minLength", 1)
    return schema


def complete(schema: dict) -> dict:
    """The schema with the shared errors on every operation and parameters typed exactly as they are validated."""
    schema = copy.deepcopy(schema)
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            # Ninja keys responses by int; JSON has only string keys, so one spelling for both.
            responses = {str(status): response for status, response in operation.get("responses", {}).items()}
            responses.update(copy.deepcopy(SHARED_ERRORS))
            operation["responses"] = dict(sorted(responses.items()))
            for parameter in operation.get("parameters", []):
                if parameter.get("in") in ("query", "path"):
                    parameter["schema"] = _parameter_schema(parameter)
    return schema
