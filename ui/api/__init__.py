"""The ways in for other programs, served by ``rag serve`` beside the page: ``/api`` (REST),
``/v1`` (OpenAI-compatible chat completions) and ``/mcp`` (MCP tools). docs/api.md documents them."""

from __future__ import annotations

import contextlib
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

import rag

from ui.api.access import MAX_BODY_BYTES, TOKEN_ENV, Gate, LoginLimiter, check_token, client_of, error_body
from ui.api.openai_compat import MODEL, openai_router
from ui.api.rest import rest_router
from ui.api.service import Answers, ApiError

__all__ = ["build_api", "TOKEN_ENV", "MODEL", "Answers", "Gate"]

_LOOPBACK_NAMES = {"127.0.0.1", "localhost", "[::1]", "::1"}


def _error(request: Request, status: int, message: str, retry_after: int | None = None) -> JSONResponse:
    """``{"error": "<one line>"}``; under ``/v1`` OpenAI's ``{"error": {"message": …}}``."""
    body: dict[str, Any] = error_body(message)
    if request.url.path.startswith("/v1"):
        kind = "invalid_request_error" if status < 500 else "server_error"
        body = {"error": {"message": body["error"], "type": kind, "code": status}}
    headers = {"Retry-After": str(retry_after)} if retry_after else None
    return JSONResponse(body, status_code=status, headers=headers)


def _guard(token: str | None, loopback: bool):
    """The dependency every API route has: the bearer token when one is set; without one, only
    requests addressed to a loopback name (a web page's DNS-rebinding trick gets 403)."""

    def guard(request: Request) -> None:
        if token is None and not loopback:
            raise ApiError(401, f"the API is off on this address until a token is set: --api-token or {TOKEN_ENV}")
        problem = check_token(request.headers.get("authorization"), token)
        if problem:
            raise ApiError(401, problem)
        host = (request.headers.get("host") or "").rsplit(":", 1)[0] if token is None else None
        if host is not None and host not in _LOOPBACK_NAMES:
            raise ApiError(403, f"requests for host {host!r} are refused; without a token only loopback is served")

    return guard


def _validation_message(exc: RequestValidationError) -> str:
    first = exc.errors()[0] if exc.errors() else {}
    where = ".".join(str(p) for p in first.get("loc", ()) if p != "body") or "body"
    return f"invalid request: {where}: {first.get('msg', 'malformed')}"


def _local_docs(app: FastAPI) -> None:
    """The OpenAPI docs at ``/docs`` from the Swagger UI files the fastapi-offline package ships (MIT;
    its 4.x in swagger-ui-bundle cannot read OpenAPI 3.1): FastAPI's default page loads them from a
    CDN, which an offline machine cannot reach."""
    from pathlib import Path

    import fastapi_offline
    from fastapi.openapi.docs import get_swagger_ui_html
    from fastapi.staticfiles import StaticFiles

    static = Path(fastapi_offline.__file__).parent / "static"
    app.mount("/docs-assets", StaticFiles(directory=str(static)), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    def docs() -> Any:
        return get_swagger_ui_html(openapi_url="/openapi.json", title="rag-assistant API",
                                   swagger_js_url="/docs-assets/swagger-ui-bundle.js",
                                   swagger_css_url="/docs-assets/swagger-ui.css", swagger_favicon_url="")


def build_api(assistant: Any, *, token: str | None = None, loopback: bool = True, running: int = 4,
              waiting: int = 64, login_limiter: LoginLimiter | None = None, mcp: bool = True) -> FastAPI:
    """The FastAPI app holding the APIs; ``rag serve`` mounts the page on it at ``/``."""
    answers = Answers(assistant, Gate(running, waiting))
    server = None
    if mcp:
        from ui.api.mcp_tools import build_mcp
        server = build_mcp(answers)
        mcp_app = server.streamable_http_app()

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI):
        async with server.session_manager.run() if server is not None else contextlib.nullcontext():
            yield

    app = FastAPI(title="rag-assistant", version=rag.__version__, lifespan=lifespan, docs_url=None, redoc_url=None,
                  description="Questions over a folder of documents, answered with cited sentences.")
    _local_docs(app)
    guard = _guard(token, loopback)
    app.include_router(rest_router(answers, guard))
    app.include_router(openai_router(answers, guard))
    app.add_exception_handler(ApiError, lambda r, e: _error(r, e.status, e.message, e.retry_after))
    app.add_exception_handler(RequestValidationError, lambda r, e: _error(r, 400, _validation_message(e)))
    limiter = login_limiter or LoginLimiter()

    @app.middleware("http")
    async def limits(request: Request, call_next):
        path = request.url.path
        size = request.headers.get("content-length")
        if path.startswith(("/api", "/v1", "/mcp")) and size and size.isdigit() and int(size) > MAX_BODY_BYTES:
            return _error(request, 413, f"the request body is {int(size):,} bytes; the limit is {MAX_BODY_BYTES:,}")
        if path.startswith("/mcp"):
            try:
                guard(request)
            except ApiError as err:
                return _error(request, err.status, err.message)
        if path == "/login" and request.method == "POST":
            client = client_of(request.scope)
            wait = limiter.wait(client)
            if wait:
                return JSONResponse({"detail": f"Too many failed logins; try again in {wait} s."}, status_code=429,
                                    headers={"Retry-After": str(wait)})
            response = await call_next(request)
            if response.status_code >= 400:
                limiter.failed(client)
            return response
        return await call_next(request)

    if server is not None:
        app.router.routes.extend(mcp_app.routes)  # the route at /mcp (a mount would redirect /mcp to /mcp/)
    app.state.answers = answers
    return app
