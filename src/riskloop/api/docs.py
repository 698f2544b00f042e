"""``/docs``: Swagger UI served from files inside the package, so it works where no CDN can be reached.

The files are swagger-ui-dist's (npm, Apache-2.0; ``static/swagger-ui/VERSION`` and ``LICENSE``), copied byte for
byte by ``scripts/vendor-swagger-ui``. This is FastAPI's recipe for self-hosting the docs' JavaScript and CSS:
the app is built with ``docs_url=None, redoc_url=None`` and this module adds the page and its assets.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

DOCS_URL = "/docs"
ASSETS_URL = "/docs/assets"
ASSETS = Path(__file__).parent / "static" / "swagger-ui"


def install(app: FastAPI) -> None:
    """Serve Swagger UI for ``app``'s OpenAPI document at ``/docs``, its assets under ``/docs/assets``."""
    app.mount(ASSETS_URL, StaticFiles(directory=ASSETS), name="docs-assets")
    openapi_url = app.openapi_url or "/openapi.json"

    @app.get(DOCS_URL, include_in_schema=False)
    def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=openapi_url,
            title=f"{app.title} - docs",
            swagger_js_url=f"{ASSETS_URL}/swagger-ui-bundle.js",
            swagger_css_url=f"{ASSETS_URL}/swagger-ui.css",
            swagger_favicon_url=f"{ASSETS_URL}/favicon-32x32.png",
            swagger_ui_parameters={"validatorUrl": None},  # its default badge asks validator.swagger.io
        )
