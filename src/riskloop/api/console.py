"""``/console``: the analyst console, a single-page app built from ``console/`` into this package.

``make console`` builds it (Vite) into ``static/console``; every asset is a local file, so the console works on an
intranet without a CDN. Assets under ``/console/assets`` are content-hashed and cached for a year; every other path
under ``/console`` is a route of the app itself and answers its ``index.html`` (never cached, so a new build shows at
once). Without a build, ``/console`` answers a 503 problem saying how to build it, never a blank page.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, Response
from fastapi.staticfiles import StaticFiles

from riskloop.api.errors import problem

CONSOLE_URL = "/console"
BUILD = Path(__file__).parent / "static" / "console"
_NOT_BUILT = "the console is not built in this installation: run `make console` (Node.js and npm) and restart"


class _CachedAssets(StaticFiles):
    """Content-hashed files: a name changes whenever its content does, so they may be cached for good."""

    def file_response(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        response = super().file_response(*args, **kwargs)
        response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
        return response


def install(app: FastAPI, build: Path = BUILD) -> None:
    """Serve the console built in ``build`` at ``/console``."""
    index = build / "index.html"
    if (build / "assets").is_dir():
        app.mount(f"{CONSOLE_URL}/assets", _CachedAssets(directory=build / "assets"), name="console-assets")

    @app.get(CONSOLE_URL, include_in_schema=False)
    @app.get(CONSOLE_URL + "/{path:path}", include_in_schema=False)
    def console(request: Request, path: str = "") -> Response:
        if not index.is_file():
            return problem(
                request, status=503, slug="console-not-built", title="Console not built", kind="console_not_built",
                message=_NOT_BUILT,
            )  # fmt: skip
        asset = (build / path).resolve()
        if path and asset.is_file() and asset.is_relative_to(build.resolve()):  # favicon and other root files
            return FileResponse(asset)
        return FileResponse(index, headers={"Cache-Control": "no-cache"})
