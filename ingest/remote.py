"""Send files to a running Footnote server (POST /v1/documents) instead of opening the store."""

from __future__ import annotations

import time
from pathlib import Path

import httpx

from ingest.load import SUPPORTED, SUPPORTED_NAMES, Skipped
from ingest.pipeline import IngestReport
from rag.errors import FootnoteError
from rag.types import Trust


def send_files(
    base_url: str, paths: list[Path], *, api_key: str | None = None, trust: Trust | None = None
) -> IngestReport:
    """Upload every supported file under paths; the server embeds and stores them (trust: its default)."""
    t0 = time.perf_counter()
    report = IngestReport()
    headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
    files: list[Path] = []
    for p in paths:
        files.extend(sorted(f for f in p.rglob("*") if f.is_file()) if p.is_dir() else [p])
    url = base_url.rstrip("/") + "/v1/documents"
    with httpx.Client(timeout=120, headers=headers) as client:
        for f in files:
            if f.suffix.lower() not in SUPPORTED:
                report.skipped.append(
                    Skipped(str(f), f"unsupported file type '{f.suffix or '(none)'}'; use {SUPPORTED_NAMES}")
                )
                continue
            try:
                data = f.read_bytes()
            except OSError as exc:
                report.skipped.append(Skipped(str(f), f"unreadable: {exc.strerror or exc}"))
                continue
            try:
                form = {"trust": trust} if trust else None
                resp = client.post(url, files={"file": (f.name, data, "application/octet-stream")}, data=form)
            except httpx.HTTPError as exc:
                raise FootnoteError(f"cannot reach the Footnote server at {base_url}: {type(exc).__name__}") from None
            if resp.status_code == 401:
                raise FootnoteError(f"{base_url} refused the key: pass --api-key or set FOOTNOTE_API_KEY")
            if resp.status_code >= 400:
                try:
                    reason = resp.json().get("error", {}).get("message", resp.text)
                except ValueError:
                    reason = resp.text
                if resp.status_code == 403:  # every file would fail the same way
                    raise FootnoteError(f"{base_url}: {reason}")
                report.skipped.append(Skipped(str(f), str(reason)))
                continue
            body = resp.json()
            status = body.get("status")
            if status == "added":
                report.added += 1
            elif status == "updated":
                report.updated += 1
            else:
                report.unchanged += 1
            report.chunks_embedded += int(body.get("chunks_embedded", 0))
            report.points = int(body.get("points", report.points))
    report.seconds = time.perf_counter() - t0
    return report
