"""create_app(service): REST API and the Gradio page on one port; `footnote serve`."""

from __future__ import annotations

import hmac
import logging
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from contextlib import contextmanager, suppress

import gradio as gr
import uvicorn
from fastapi import FastAPI, Request
from starlette.routing import Mount

from rag.config import Settings
from rag.errors import StoreUnavailable
from ui.api import Gate, build_health, build_router, install_error_handlers, require_key
from ui.document_view import build_document_routes
from ui.running import announce
from ui.service import Service
from ui.uploads import upload_cache_guard
from ui.web import CSS, HEAD, build_page

log = logging.getLogger(__name__)


def create_app(service: Service) -> FastAPI:
    """The whole server for a service: /v1 REST, /healthz, /readyz, /docs, and the page at /."""

    app = FastAPI(
        title="Footnote",
        version="0.1.0",
        description="Answers with footnotes over your articles. OpenAI-compatible at /v1/chat/completions.",
        docs_url=None,  # served below from the swagger-ui-bundle package: no script from a CDN
        redoc_url=None,
    )
    install_error_handlers(app)
    install_docs(app)
    app.include_router(build_health(service))
    key = service.settings.api_key.get_secret_value() if service.settings.api_key else None
    # Before build_router: its /v1 catch-all 404 would answer GET /v1/documents/{source} first.
    app.include_router(
        build_document_routes(service, auth=require_key(service), signed_in=page_login(app, key) if key else None)
    )
    app.include_router(build_router(service))
    auth = (lambda _user, password: hmac.compare_digest(str(password).encode(), key.encode())) if key else None
    page = build_page(service)
    app = gr.mount_gradio_app(
        app,
        page,
        path="/",
        auth=auth,
        auth_message="Footnote needs its API key: any user name, the key as password." if key else None,
        footer_links=["api"],
        css=CSS,
        head=HEAD,
        show_error=False,  # exception text (e.g. "No such file" vs "Is a directory") never reaches the browser
        max_file_size=service.settings.max_upload_bytes,
    )
    # Gradio checks that a FileData sent to a handler lies in its upload folder only once it "has launched"
    # (launch() sets this; mount_gradio_app does not). Without it any server path is copied into the cache and
    # handed to the handler. Set it so every handler's file inputs are checked before anything is read.
    page.has_launched = True
    app.add_middleware(
        Gate,
        service=service,
        limit=service.settings.max_upload_bytes + 65_536,
        before_upload=upload_cache_guard(service.settings),
    )
    return app


def page_login(app: FastAPI, key: str) -> Callable[[Request], bool]:
    """Whether a request carries the page's login cookie (Gradio's session token) or the key as a bearer token."""

    def signed_in(request: Request) -> bool:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(token.strip().encode(), key.encode()):
            return True
        for route in app.routes:  # the Gradio app mounted at "/" keeps its sessions in .tokens
            gradio_app = getattr(route, "app", None) if isinstance(route, Mount) else None
            tokens = getattr(gradio_app, "tokens", None)
            if isinstance(tokens, dict):
                cookie_id = getattr(gradio_app, "cookie_id", "")
                for name in (f"access-token-{cookie_id}", f"access-token-unsecure-{cookie_id}"):
                    if tokens.get(request.cookies.get(name)) is not None:
                        return True
        return False

    return signed_in


DOCS_ASSETS = "/docs-assets"


def install_docs(app: FastAPI) -> None:
    """/docs: Swagger UI from the files the swagger-ui-bundle package ships, so the page loads nothing remote."""
    from fastapi.openapi.docs import get_swagger_ui_html
    from fastapi.staticfiles import StaticFiles
    from starlette.responses import HTMLResponse
    from swagger_ui_bundle import swagger_ui_path

    app.mount(DOCS_ASSETS, StaticFiles(directory=swagger_ui_path), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title="Footnote API",
            swagger_js_url=f"{DOCS_ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{DOCS_ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{DOCS_ASSETS}/favicon-32x32.png",
        )


@contextmanager
def serve_in_thread(app: FastAPI, *, host: str = "127.0.0.1") -> Iterator[str]:
    """Serve an app with uvicorn in a background thread on a free port; yields its base URL."""
    with socket.socket() as s:
        s.bind((host, 0))
        port = int(s.getsockname()[1])
    server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://{host}:{port}"
    try:
        deadline = time.monotonic() + 60
        while not server.started:
            if time.monotonic() > deadline or not thread.is_alive():
                raise RuntimeError(f"uvicorn did not start on {base}")
            time.sleep(0.05)
        yield base
    finally:
        server.should_exit = True
        thread.join(timeout=15)


def _warm_once_listening(server: uvicorn.Server, service: Service) -> threading.Thread:
    """Start the warm-up (refusal floor, sentence vectors) once the server listens: begun before, it held the
    interpreter while uvicorn started (the 19k-chunk news store: 3.82 s to ready, 3.29 s now)."""

    def wait() -> None:
        while not server.started and not server.should_exit:
            time.sleep(0.02)
        if server.started:
            service.warm_in_background()

    thread = threading.Thread(target=wait, name="footnote-warm-wait", daemon=True)
    thread.start()
    return thread


def serve(
    settings: Settings,
    *,
    host: str | None = None,
    port: int | None = None,
    ingest_seeds: bool = True,
    opening: Future[Service] | None = None,
) -> int:
    """Load (or take the Service `opening` is loading), ingest seeds/ into an empty collection, then serve until
    interrupted."""
    t0 = time.perf_counter()
    host = host or settings.host
    port = port or settings.port
    service = (opening or Service.opening(settings)).result()
    if ingest_seeds:
        try:
            report = service.ingest_seeds_if_empty()
        except StoreUnavailable as exc:  # serve anyway: /readyz says 503 until the store is back
            print(f"Footnote: warning: {exc}", file=sys.stderr, flush=True)
        else:
            if report is not None:
                print(f"Footnote: ingested {settings.seeds_dir}: {report.summary()}", file=sys.stderr, flush=True)
    for source in service.drop_broken_uploads():
        print(f"Footnote: removed the upload {source!r}, cut off by the last stop; upload it again", file=sys.stderr)
    app = create_app(service)
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    print(
        f"Footnote is ready in {time.perf_counter() - t0:.1f}s: http://{shown}:{port}/  "
        f"(API docs: http://{shown}:{port}/docs)",
        flush=True,
    )
    try:
        # In-flight requests get 5 s after SIGTERM/Ctrl-C, then the server stops anyway (an upload cut off then
        # never answers, and the next start removes it: see Service.drop_broken_uploads). While it runs, its URL lies
        # beside the store's lock, so `footnote ask`/`search` send their questions here (ui/running.py).
        with announce(settings, f"http://{f'[{shown}]' if ':' in shown else shown}:{port}"):
            server = uvicorn.Server(
                uvicorn.Config(app, host=host, port=port, log_level="warning", timeout_graceful_shutdown=5)
            )
            _warm_once_listening(server, service)
            with suppress(KeyboardInterrupt, SystemExit):  # uvicorn exits when it cannot bind
                server.run()
        if not server.started:  # uvicorn logged why (the port is taken, most often)
            print(f"error: Footnote could not listen on {host}:{port}; choose another with --port", file=sys.stderr)
            return 3
    finally:
        service.close()
    return 0
