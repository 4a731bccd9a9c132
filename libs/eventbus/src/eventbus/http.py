"""What every service's HTTP side shares: the app skeleton, problem details, documented routes,
authentication, health, readiness, metrics and the OpenAPI document."""

import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import wraps
from typing import Any

import marshmallow as ma
import sqlalchemy as sa
from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin, resolver
from flask import Blueprint, Flask, Response, current_app, jsonify, request
from werkzeug.exceptions import HTTPException

from eventbus.auth import ROLES, Principal, Unauthenticated, Verifier
from eventbus.dberrors import passes_by_waiting
from eventbus.jwks import JwksCache
from eventbus.logs import configure_logging, correlation_id
from eventbus.observability import install_observability, service_readiness
from eventbus.runtime import Runtime

log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"


class Problem(Exception):
    """An RFC 9457 problem a handler raises; `errors` maps fields to messages, `headers` go with
    the answer (Retry-After, WWW-Authenticate)."""

    def __init__(
        self,
        status: int,
        title: str,
        detail: str | None = None,
        errors: Any = None,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(title)
        self.status, self.title, self.detail, self.errors, self.extra = status, title, detail, errors, extra
        self.headers = headers or {}


class EmptyBody(ma.Schema):
    """The body of a POST that carries no fields (`{}`); anything else in it is refused."""


class ProblemSchema(ma.Schema):
    type = ma.fields.String()
    title = ma.fields.String(required=True)
    status = ma.fields.Integer(required=True)
    detail = ma.fields.String()
    errors = ma.fields.Raw()
    correlation_id = ma.fields.String()


def problem_response(problem: Problem) -> Response:
    body: dict[str, Any] = {"type": "about:blank", "title": problem.title, "status": problem.status}
    if problem.detail:
        body["detail"] = problem.detail
    if problem.errors is not None:
        body["errors"] = problem.errors
    body.update(problem.extra)
    body["correlation_id"] = correlation_id.get()
    response = jsonify(body)
    response.status_code = problem.status
    response.content_type = PROBLEM_JSON
    response.headers.update(problem.headers)
    return response


def _install_error_handlers(app: Flask) -> None:
    app.register_error_handler(Problem, problem_response)

    @app.errorhandler(ma.ValidationError)
    def invalid(exc: ma.ValidationError) -> Response:
        return problem_response(Problem(422, "Invalid request", "Some fields are invalid.", exc.messages))

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Response:
        return problem_response(Problem(exc.code or 500, exc.name, exc.description))

    @app.errorhandler(Exception)
    def unexpected(exc: Exception) -> Response:
        log.exception("unhandled error")
        return problem_response(Problem(500, "Internal Server Error", "Something went wrong on our side."))

    @app.errorhandler(sa.exc.SQLAlchemyError)
    def database_unreachable(exc: sa.exc.SQLAlchemyError) -> Response:
        """Come back later, only when later can help: a statement timeout or a program limit is
        ours to fix, and a client told to retry it would retry for ever."""
        if not passes_by_waiting(exc):
            return unexpected(exc)
        log.warning("database did not answer: %s", getattr(exc, "orig", None) or exc)
        detail = "Our database did not answer; try again."
        return problem_response(Problem(503, "Service Unavailable", detail, headers={"Retry-After": "5"}))


NUL_TEXT = "Text may not contain NUL characters."


def _has_nul(value: Any) -> bool:
    """PostgreSQL refuses NUL in text: such input is the client's fault, not a server error."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


def json_body(schema: ma.Schema) -> Any:
    """The request body loaded by `schema`: malformed JSON is 400, invalid fields are 422."""
    if not request.is_json:
        raise Problem(415, "Unsupported Media Type", "Send the body as application/json.")
    raw = request.get_json(silent=True)
    if raw is None:
        raise Problem(400, "Malformed JSON", "The request body is not valid JSON.")
    if _has_nul(raw):
        raise Problem(422, "Invalid request", NUL_TEXT, {"_schema": [NUL_TEXT]})
    return schema.load(raw)


# What a 401 asks for (RFC 6750 §3): a bearer token, and why the one sent was refused.
ASK_FOR_TOKEN, INVALID_TOKEN = (
    {"WWW-Authenticate": "Bearer"},
    {"WWW-Authenticate": 'Bearer error="invalid_token"'},
)


def authenticate(roles: Iterable[str]) -> Principal:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        detail = "Send a bearer token in the Authorization header."
        raise Problem(401, "Unauthorized", detail, headers=ASK_FOR_TOKEN)
    try:
        verifier: Verifier = current_app.extensions["verifier"]
        principal = verifier.read(token)
    except Unauthenticated as exc:
        raise Problem(401, "Unauthorized", f"The token is not valid: {exc}.", headers=INVALID_TOKEN) from exc
    if principal.role not in roles:
        raise Problem(403, "Forbidden", "Your role may not do this.")
    return principal


def optional_principal() -> Principal | None:
    """Who is asking, when a route answers anyone but tells some callers more."""
    if "Authorization" not in request.headers:
        return None
    return authenticate(ROLES)


@dataclass
class Operation:
    rule: str
    method: str
    view: str
    summary: str
    body: type[ma.Schema] | None
    query: type[ma.Schema] | None
    responses: dict[int, type[ma.Schema] | None]
    roles: tuple[str, ...] | None
    optional_token: bool
    headers: dict[str, str]


@dataclass
class Api:
    """A blueprint whose routes carry their own OpenAPI description."""

    name: str
    blueprint: Blueprint = field(init=False)
    operations: list[Operation] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.blueprint = Blueprint(self.name, self.name)

    def route(
        self,
        rule: str,
        method: str,
        *,
        responses: dict[int, type[ma.Schema] | None],
        body: type[ma.Schema] | None = None,
        query: type[ma.Schema] | None = None,
        roles: tuple[str, ...] | None = None,
        optional_token: bool = False,
        headers: dict[str, str] | None = None,
    ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """`roles`: a token of one of them is required (the view gets its `principal`); with
        `optional_token`, anyone may call and the view gets the principal of a token sent, or None.
        `headers`: the optional request headers the view reads, by name, with what each means."""

        def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
            # built once: a schema costs more to build than to load a body with
            body_schema = body() if body is not None else None
            query_schema = query() if query is not None else None

            @wraps(view)
            def endpoint(**kwargs: Any) -> Any:
                named = [name for name, value in kwargs.items() if _has_nul(value)]  # path segments
                if roles is not None:
                    kwargs["principal"] = authenticate(roles)
                elif optional_token:
                    kwargs["principal"] = optional_principal()
                if named:
                    raise Problem(422, "Invalid request", NUL_TEXT, {name: [NUL_TEXT] for name in named})
                if query_schema is not None:
                    if _has_nul(list(request.args.values())):
                        raise Problem(422, "Invalid request", NUL_TEXT, {"_schema": [NUL_TEXT]})
                    kwargs["query"] = query_schema.load(request.args)
                if body_schema is not None:
                    kwargs["body"] = json_body(body_schema)
                return view(**kwargs)

            self.blueprint.add_url_rule(rule, view.__name__, endpoint, methods=[method])
            summary = (view.__doc__ or view.__name__).strip().splitlines()[0]
            self.operations.append(
                Operation(
                    rule,
                    method,
                    view.__name__,
                    summary,
                    body,
                    query,
                    responses,
                    roles,
                    optional_token,
                    headers or {},
                )
            )
            return endpoint

        return decorator


def _documented_pattern(converter: Any, field: ma.fields.Field, **_: Any) -> dict[str, Any]:
    """What a field of ours refuses that a JSON schema type cannot say (the years of a LocalTime,
    the control characters of a Line), the document says as a pattern, so that a client (or a
    fuzzer) that follows it sends what the service takes."""
    pattern = getattr(field, "document_pattern", None)
    return {"pattern": pattern} if pattern else {}


def _openapi(title: str, apis: list[Api]) -> dict[str, Any]:
    marshmallow = MarshmallowPlugin()
    spec = APISpec(title=title, version="1", openapi_version="3.0.3", plugins=[marshmallow])
    marshmallow.converter.add_attribute_function(_documented_pattern)  # type: ignore[union-attr]
    spec.components.schema("Problem", schema=ProblemSchema)
    for body in {op.body for api in apis for op in api.operations if op.body}:
        if hasattr(body, "document"):  # what a rule across its fields says, in JSON schema's words
            spec.components.schema(resolver(body), component=body.document, schema=body)
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"})
    problem = {"content": {PROBLEM_JSON: {"schema": "Problem"}}}
    paths: dict[str, dict[str, Any]] = {}
    for op in (op for api in apis for op in api.operations):
        path = re.sub(r"<(?:(\w+):)?(\w+)>", r"{\2}", op.rule)
        params: list[dict[str, Any]] = [
            {
                "in": "path",
                "name": name,
                "required": True,
                "schema": {"type": "string", "format": "uuid"} if conv == "uuid" else {"type": "string"},
            }
            for conv, name in re.findall(r"<(?:(\w+):)?(\w+)>", op.rule)
        ]
        if op.query:
            params.append({"in": "query", "schema": op.query})
        params += [
            {
                "in": "header",
                "name": name,
                "description": meaning,
                "schema": {"type": "string", "maxLength": 200},
            }
            for name, meaning in op.headers.items()
        ]
        responses: dict[str, Any] = {
            str(status): {
                "description": "",
                **({"content": {"application/json": {"schema": schema}}} if schema else {}),
            }
            for status, schema in op.responses.items()
        }
        errors = [414, 422, 500, 503] + ([400, 415] if op.body or op.headers else [])
        errors += [401, 403] if op.roles is not None else [401] if op.optional_token else []
        responses.update({str(status): {"description": "problem", **problem} for status in errors})
        operation: dict[str, Any] = {"operationId": op.view, "summary": op.summary, "responses": responses}
        if params:
            operation["parameters"] = params
        if op.body:
            operation["requestBody"] = {
                "required": True,
                "content": {"application/json": {"schema": op.body}},
            }
        if op.roles is not None:
            operation["security"] = [{"bearer": []}]
            operation["x-roles"] = list(op.roles)  # the token's role must be one of these
        elif op.optional_token:
            operation["security"] = [{}, {"bearer": []}]
        paths.setdefault(path, {})[op.method.lower()] = operation
    for path, operations in paths.items():
        spec.path(path=path, operations=operations)
    document = spec.to_dict()
    for operation in (op for ops in document["paths"].values() for op in ops.values()):
        for param in operation.get("parameters", []):
            if param["in"] == "query":  # a query string has no null: a parameter left out is its default
                param["schema"].pop("nullable", None)
                param["schema"] = {k: v for k, v in param["schema"].items() if (k, v) != ("default", None)}
    return document


# The longest path and query string an API reads; gunicorn itself reads request lines of any length
# (gunicorn_conf: its own limit answers in HTML), and in production the proxy in front bounds them.
MAX_URL = 8190


def _refuse_long_urls() -> None:
    if len(request.full_path) > MAX_URL:
        detail = f"Send at most {MAX_URL} characters of path and query: fewer or shorter parameters."
        raise Problem(414, "URI Too Long", detail)


def create_service_app(runtime: Runtime, title: str, apis: list[Api]) -> Flask:
    """The skeleton every service's `create_app` fills with its own blueprints."""
    settings, engine = runtime.settings, runtime.engine
    configure_logging(settings.service, settings.log_level)
    app = Flask(settings.service)
    app.config.update(MAX_CONTENT_LENGTH=1024 * 1024)
    app.extensions["verifier"] = Verifier(JwksCache(settings.jwks_uri), settings.issuer, settings.development)
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    _install_error_handlers(app)
    install_observability(app, settings.service, service_readiness(engine, settings))
    app.before_request(_refuse_long_urls)
    for api in apis:
        app.register_blueprint(api.blueprint)
    document = _openapi(title, apis)
    app.add_url_rule("/openapi.json", "openapi", lambda: jsonify(document))
    app.extensions["runtime"] = runtime
    return app
