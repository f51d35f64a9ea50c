"""The HTTP application (Starlette): routes, CORS, JSONP, typed 4xx errors, security headers.

Read-only: GET and POST (form-encoded, as the Reconciliation API sends them) and CORS
preflights; nothing writes. Work runs in a thread pool so that the event loop keeps
accepting requests while a batch resolves.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
from collections.abc import AsyncIterator, Callable
from typing import Any
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from . import extend, lookup, pages, protocol, suggest
from .errors import (
    NotFoundError,
    PayloadTooLargeError,
    RequestError,
    UnsupportedMediaTypeError,
    shorten,
)
from .service import Service

log = logging.getLogger("uanorm.serve")

#: A POST body larger than this is refused (413) before it is read whole.
MAX_BODY_BYTES = 8 * 1024 * 1024
#: Form fields one request may carry.
MAX_FORM_FIELDS = 20
#: A JSONP callback: a JavaScript identifier path (jQuery's generated names fit).
JSONP_CALLBACK = re.compile(r"^[A-Za-z_$][\w$]{0,99}(?:\.[A-Za-z_$][\w$]{0,99}){0,4}$")
#: The pages run only the service's own script and style; other sites may frame them (OpenRefine's preview).
CONTENT_SECURITY_POLICY = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                           "connect-src 'self'; base-uri 'none'; form-action 'self'")


def create_app(service: Service | None = None, *, home: str | os.PathLike[str] | None = None) -> Starlette:
    """The ASGI application, answering from SERVICE (or a Service opened on HOME / $UANORM_HOME)."""
    owned = service is None
    service = service if service is not None else Service.open(home)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        if owned:
            service.close()

    app = Starlette(
        routes=ROUTES,
        middleware=[
            Middleware(SecurityHeaders),
            Middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["GET", "POST", "OPTIONS"],
                       allow_headers=["*"], max_age=86400),
        ],
        exception_handlers={RequestError: _request_error, HTTPException: _http_error, Exception: _bug},
        lifespan=lifespan,
    )
    app.state.service = service
    return app


# -- endpoints -----------------------------------------------------------------------------


async def reconcile_endpoint(request: Request) -> Response:
    """/reconcile: the manifest (no parameters), a query batch (`queries`) or data extension (`extend`)."""
    params = await _params(request)
    base = _base(request)

    def work(service: Service) -> Any:
        if "queries" in params:
            return protocol.reconcile(service, protocol.parse_batch(params["queries"]))
        if "extend" in params:
            return extend.extend(service, *extend.parse(params["extend"]))
        if request.method == "POST":
            raise RequestError("POST /reconcile needs a form field 'queries' (or 'extend')")
        return protocol.manifest(base)

    return await _json(request, params, work)


async def suggest_endpoint(request: Request) -> Response:
    """/suggest/entity, /suggest/type, /suggest/property ?prefix=...[&type=...][&cursor=N][&limit=N]"""
    what, params = request.path_params["what"], request.query_params
    if what not in ("entity", "type", "property"):
        raise NotFoundError(f"no such path: /suggest/{shorten(what, 40)}")
    prefix, cursor, limit = suggest.parse(params)
    types = params.getlist("type") or None

    def work(service: Service) -> Any:
        if what == "entity":
            return suggest.entities(service, prefix, types=types, cursor=cursor, limit=limit)
        listing = suggest.types if what == "type" else suggest.properties
        return listing(prefix, cursor=cursor, limit=limit)

    return await _json(request, params, work)


async def flyout(request: Request) -> Response:
    """/flyout/ID: {"id", "html"} for the suggest widget."""
    entity_id = request.path_params["entity_id"]
    return await _json(request, request.query_params, lambda s: suggest.flyout(s, entity_id))


async def propose_properties(request: Request) -> Response:
    """/extend/propose?type=...[&limit=N]"""
    params = request.query_params
    return await _json(request, params, lambda s: extend.propose(params.get("type"), params.get("limit")))


async def lookup_api(request: Request) -> Response:
    """/api/lookup?q=...: status, candidates and explanation, for the lookup page."""
    params = request.query_params
    return await _json(request, params, lambda s: lookup.lookup(s, params))


async def entity_page(request: Request) -> Response:
    """/entity/ID: the entity's page."""
    entity_id = request.path_params["entity_id"]

    def render(service: Service) -> str:
        facts = service.catalog.facts(entity_id)
        return pages.entity_page(facts, *service.catalog.children(facts.entity.id))

    return HTMLResponse(await run_in_threadpool(render, _service(request)))


async def preview_page(request: Request) -> Response:
    """/preview/ID: the entity in a few lines, for OpenRefine's preview iframe."""
    entity_id = request.path_params["entity_id"]
    service = _service(request)
    return HTMLResponse(await run_in_threadpool(lambda: pages.preview(service.catalog.facts(entity_id))))


async def static(request: Request) -> Response:
    """/ and /static/NAME: the lookup page and its script and style."""
    content, media_type = lookup.static_file(request.path_params.get("name", "index.html"))
    return Response(content, media_type=media_type, headers={"Cache-Control": "no-cache"})


ROUTES = [
    Route("/", static, methods=["GET"]),
    Route("/static/{name}", static, methods=["GET"]),
    Route("/reconcile", reconcile_endpoint, methods=["GET", "POST"]),
    Route("/suggest/{what}", suggest_endpoint, methods=["GET"]),
    Route("/flyout/{entity_id}", flyout, methods=["GET"]),
    Route("/extend/propose", propose_properties, methods=["GET"]),
    Route("/entity/{entity_id}", entity_page, methods=["GET"]),
    Route("/preview/{entity_id}", preview_page, methods=["GET"]),
    Route("/api/lookup", lookup_api, methods=["GET"]),
]


# -- requests and answers ------------------------------------------------------------------


def _service(request: Request) -> Service:
    return request.app.state.service


def _base(request: Request) -> str:
    """scheme://host[:port][root path] of the request, for the manifest's absolute URLs."""
    return str(request.base_url).rstrip("/")


async def _params(request: Request) -> dict[str, str]:
    """The query string's parameters, and for a POST the form fields of its body (which win)."""
    params = dict(request.query_params)
    if request.method != "POST":
        return params
    body = await _read_body(request)
    if not body.strip():
        return params
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type not in ("application/x-www-form-urlencoded", ""):
        raise UnsupportedMediaTypeError(f"POST bodies must be application/x-www-form-urlencoded, not "
                                        f"{shorten(media_type, 60)}")
    try:
        params.update(parse_qsl(body.decode("utf-8"), keep_blank_values=True, max_num_fields=MAX_FORM_FIELDS,
                                encoding="utf-8", errors="strict"))
    except UnicodeDecodeError:
        raise RequestError("the form body is not UTF-8") from None
    except ValueError:
        raise RequestError(f"the form body has more than {MAX_FORM_FIELDS} fields") from None
    return params


async def _read_body(request: Request) -> bytes:
    declared = request.headers.get("content-length", "")
    if re.fullmatch(r"[0-9]{1,18}", declared) and int(declared) > MAX_BODY_BYTES:
        raise PayloadTooLargeError(f"the body is {int(declared):,} bytes; the limit is {MAX_BODY_BYTES:,}")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise PayloadTooLargeError(f"the body is over {MAX_BODY_BYTES:,} bytes, the limit")
        chunks.append(chunk)
    return b"".join(chunks)


async def _json(request: Request, params: Any, work: Callable[[Service], Any]) -> Response:
    """Run WORK in the thread pool and answer its payload as JSON, or JSONP when there is a `callback`."""
    callback = params.get("callback")
    if callback is not None and not JSONP_CALLBACK.match(callback):
        raise RequestError("callback must be a JavaScript identifier (letters, digits, _, $ and dots)")
    payload = await run_in_threadpool(work, _service(request))
    return json_response(payload, callback=callback)


def json_response(payload: Any, *, status: int = 200, callback: str | None = None) -> Response:
    """PAYLOAD as compact UTF-8 JSON, or wrapped in CALLBACK(...) as JavaScript (JSONP)."""
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate echoed from the request: escaped, still valid JSON
        text = json.dumps(payload, separators=(",", ":"), allow_nan=False)
    if callback:
        text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
        return Response(f"/**/{callback}({text});", status_code=status, media_type="text/javascript")
    return Response(text, status_code=status, media_type="application/json")


def _error(status: int, message: str) -> Response:
    return json_response({"error": " ".join(message.split()), "status": status}, status=status)


async def _request_error(request: Request, exc: Exception) -> Response:
    status = getattr(exc, "status", 400)
    return _error(status, str(exc))


async def _http_error(request: Request, exc: Exception) -> Response:
    status = getattr(exc, "status_code", 400)
    path = shorten(request.url.path, 80)
    messages = {404: f"no such path: {path}", 405: f"{request.method} is not allowed on {path}"}
    return _error(status, messages.get(status) or str(getattr(exc, "detail", "")) or "bad request")


async def _bug(request: Request, exc: Exception) -> Response:
    log.error("uanorm serve: unexpected %s on %s", type(exc).__name__, request.url.path, exc_info=exc)
    return _error(500, f"unexpected {type(exc).__name__} (a bug in uanorm: please report it)")


class SecurityHeaders:
    """Adds nosniff, no-referrer and, on HTML, a content security policy to every response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on; add the headers to the response's start."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("Referrer-Policy", "no-referrer")
                if headers.get("content-type", "").startswith("text/html"):
                    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
            await send(message)

        await self.app(scope, receive, send_with_headers)
