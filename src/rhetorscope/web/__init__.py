"""The local web app and REST API (`rhetorscope serve`): FastAPI, uvicorn and server-rendered pages.

Importing this package imports FastAPI; only `rhetorscope serve` and the tests do.
"""

from __future__ import annotations

from rhetorscope.web.app import create_app
from rhetorscope.web.settings import Settings

__all__ = ["Settings", "create_app"]
