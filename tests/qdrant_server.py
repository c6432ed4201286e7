"""A Qdrant REST server for the tests: qdrant-client's own local engine behind real HTTP on 127.0.0.1.

Why it exists: this machine has no Qdrant server binary and no Docker, yet Footnote's server mode
(FOOTNOTE_QDRANT_URL) must be tested end to end, including a server that goes away and comes back.
So every request here is executed by the real Qdrant local engine (`QdrantLocal` on disk, the same code
behind `QdrantClient(path=...)`); only the HTTP layer is new. The endpoints are exactly those that
qdrant-client's REST client (prefer_grpc=False) calls for the operations rag/retrieval/store.py performs, with bodies
parsed by the same pydantic models the client serializes (qdrant_client.http.models) and answers in Qdrant's
envelope {"result": ..., "status": "ok", "time": ...}. Anything else is a loud 404 JSON error naming the
method and path, so a call the shim does not implement shows as a failure instead of passing silently.

`qdrant_server(path, port)` serves it in a thread and, on exit, stops uvicorn and closes the engine (which
releases the lock on `path`), so a test can stop it and start it again on the same port over the same data.
"""

from __future__ import annotations

import importlib.metadata
import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import TypeAdapter, ValidationError
from pydantic_core import to_jsonable_python
from qdrant_client.http import models
from qdrant_client.local.qdrant_local import QdrantLocal

log = logging.getLogger(__name__)

#: Every HTTP method, for the catch-all route that turns gaps into loud 404s.
ALL_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]


class _NotFound(Exception):
    """A collection (or point) the engine does not have: 404, as the server answers."""


def _envelope(result: Any, t0: float) -> JSONResponse:
    body = {"result": to_jsonable_python(result), "status": "ok", "time": time.perf_counter() - t0}
    return JSONResponse(body)


def _error(status: int, message: str, t0: float) -> JSONResponse:
    return JSONResponse({"status": {"error": message}, "time": time.perf_counter() - t0}, status_code=status)


def create_app(engine: QdrantLocal) -> FastAPI:
    """The REST app over a local engine; engine calls are serialized (the local engine is not thread-safe)."""
    app = FastAPI(title="qdrant test shim", openapi_url=None, docs_url=None, redoc_url=None)
    lock = threading.Lock()
    version = importlib.metadata.version("qdrant-client")

    async def run(request: Request, body_type: Any, op: Callable[..., Any]) -> JSONResponse:
        """Parse the body as body_type, run op(body) on the engine, answer in the envelope."""
        t0 = time.perf_counter()
        try:
            body = TypeAdapter(body_type).validate_json(await request.body()) if body_type is not None else None
        except ValidationError as exc:
            return _error(400, f"Format error in JSON body: {exc}", t0)
        try:
            with lock:
                result = op(body) if body_type is not None else op()
        except _NotFound as exc:
            return _error(404, f"Not found: {exc}", t0)
        except ValueError as exc:  # the local engine's way of saying "bad request" or "no such collection"
            status = 404 if "not found" in str(exc).lower() else 400
            return _error(status, f"Bad request: {exc}" if status == 400 else f"Not found: {exc}", t0)
        return _envelope(result, t0)

    def collection(name: str) -> str:
        if not engine.collection_exists(name):
            raise _NotFound(f"Collection `{name}` doesn't exist!")
        return name

    @app.get("/")
    async def root() -> dict[str, str]:
        # The client's version check reads "version" (not enveloped, like the real server's root).
        return {"title": "qdrant - vector search engine (test shim over qdrant-client local mode)", "version": version}

    @app.get("/collections/{name}/exists")
    async def collection_exists(name: str, request: Request) -> JSONResponse:
        return await run(request, None, lambda: models.CollectionExistence(exists=engine.collection_exists(name)))

    @app.get("/collections/{name}")
    async def get_collection(name: str, request: Request) -> JSONResponse:
        return await run(request, None, lambda: engine.get_collection(collection(name)))

    @app.put("/collections/{name}")
    async def create_collection(name: str, request: Request) -> JSONResponse:
        def op(body: models.CreateCollection) -> bool:
            if engine.collection_exists(name):
                raise ValueError(f"Wrong input: Collection `{name}` already exists!")
            return engine.create_collection(
                name,
                vectors_config=body.vectors,
                sparse_vectors_config=body.sparse_vectors,
                metadata=body.metadata,
            )

        return await run(request, models.CreateCollection, op)

    @app.patch("/collections/{name}")
    async def update_collection(name: str, request: Request) -> JSONResponse:
        def op(body: models.UpdateCollection) -> bool:
            return engine.update_collection(collection(name), metadata=body.metadata)

        return await run(request, models.UpdateCollection, op)

    @app.delete("/collections/{name}")
    async def delete_collection(name: str, request: Request) -> JSONResponse:
        return await run(request, None, lambda: engine.delete_collection(name))

    @app.put("/collections/{name}/index")
    async def create_field_index(name: str, request: Request) -> JSONResponse:
        def op(body: models.CreateFieldIndex) -> models.UpdateResult:
            return engine.create_payload_index(collection(name), body.field_name, field_schema=body.field_schema)

        return await run(request, models.CreateFieldIndex, op)

    @app.post("/collections/{name}/points/count")
    async def count_points(name: str, request: Request) -> JSONResponse:
        def op(body: models.CountRequest) -> models.CountResult:
            return engine.count(collection(name), count_filter=body.filter)

        return await run(request, models.CountRequest, op)

    @app.put("/collections/{name}/points")
    async def upsert_points(name: str, request: Request) -> JSONResponse:
        def op(body: models.PointsList | models.PointsBatch) -> models.UpdateResult:
            points = body.points if isinstance(body, models.PointsList) else body.batch
            return engine.upsert(
                collection(name), points, update_filter=body.update_filter, update_mode=body.update_mode
            )

        return await run(request, models.PointInsertOperations, op)

    @app.post("/collections/{name}/points/delete")
    async def delete_points(name: str, request: Request) -> JSONResponse:
        def op(body: models.PointIdsList | models.FilterSelector) -> models.UpdateResult:
            return engine.delete(collection(name), body)

        return await run(request, models.PointsSelector, op)

    @app.post("/collections/{name}/points/scroll")
    async def scroll_points(name: str, request: Request) -> JSONResponse:
        def op(body: models.ScrollRequest) -> models.ScrollResult:
            records, next_offset = engine.scroll(
                collection(name),
                scroll_filter=body.filter,
                limit=body.limit if body.limit is not None else 10,
                order_by=body.order_by,
                offset=body.offset,
                with_payload=body.with_payload if body.with_payload is not None else True,
                with_vectors=body.with_vector if body.with_vector is not None else False,
            )
            return models.ScrollResult(points=records, next_page_offset=next_offset)

        return await run(request, models.ScrollRequest, op)

    @app.post("/collections/{name}/points/query/batch")
    async def query_batch_points(name: str, request: Request) -> JSONResponse:
        def op(body: models.QueryRequestBatch) -> list[models.QueryResponse]:
            return engine.query_batch_points(collection(name), body.searches)

        return await run(request, models.QueryRequestBatch, op)

    @app.post("/collections/{name}/points")
    async def get_points(name: str, request: Request) -> JSONResponse:
        def op(body: models.PointRequest) -> list[models.Record]:
            return engine.retrieve(
                collection(name),
                body.ids,
                with_payload=body.with_payload if body.with_payload is not None else True,
                with_vectors=body.with_vector if body.with_vector is not None else False,
            )

        return await run(request, models.PointRequest, op)

    @app.api_route("/{rest:path}", methods=ALL_METHODS)
    async def not_implemented(rest: str, request: Request) -> JSONResponse:
        message = f"the qdrant test shim does not implement {request.method} /{rest}"
        log.warning(message)
        return _error(404, message, time.perf_counter())

    return app


@contextmanager
def qdrant_server(path: Path, port: int, *, host: str = "127.0.0.1") -> Iterator[str]:
    """Serve a Qdrant REST shim over the local engine at path on host:port; yields its URL.

    On exit uvicorn stops and the engine is closed, releasing path's lock: the same path and port can be
    served again right away.
    """
    path.mkdir(parents=True, exist_ok=True)
    engine = QdrantLocal(str(path), force_disable_check_same_thread=True)  # requests arrive on uvicorn's thread
    try:
        config = uvicorn.Config(create_app(engine), host=host, port=port, log_level="warning", lifespan="off")
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, name=f"qdrant-shim-{port}", daemon=True)
        thread.start()
        url = f"http://{host}:{port}"
        try:
            deadline = time.monotonic() + 30
            while not server.started:
                if time.monotonic() > deadline or not thread.is_alive():
                    raise RuntimeError(f"the qdrant test shim did not start on {url}")
                time.sleep(0.02)
            yield url
        finally:
            server.should_exit = True
            thread.join(timeout=15)
            if thread.is_alive():
                server.force_exit = True
                thread.join(timeout=5)
    finally:
        engine.close()
