"""What the web app is allowed to do: body limit, analyze pool size, token, database.

Settings are plain data so tests and `rhetorscope serve` build them the same way;
environment variables fill in what the command line leaves out.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")
MB = 1024 * 1024


@dataclass(frozen=True)
class Settings:
    """Limits and switches of one running app.

    `workers` analyze processes run the pipeline; up to `queue` more requests wait
    for one, and the request after that is answered 429 at once. `token`, when set,
    is required on every request that starts work (POST).
    """

    db: str | None = None
    host: str = "127.0.0.1"
    max_body_bytes: int = 5 * MB
    workers: int = 2
    queue: int = 32
    token: str | None = None
    report_cache_bytes: int = 64 * MB
    #: Create an empty corpus at `db` when there is none; otherwise a missing database is an error.
    create_db: bool = False

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        """`RHETORSCOPE_TOKEN`, `RHETORSCOPE_MAX_BODY_MB`, `RHETORSCOPE_WORKERS`; explicit overrides win."""
        values: dict[str, object] = {}
        if os.environ.get("RHETORSCOPE_TOKEN"):
            values["token"] = os.environ["RHETORSCOPE_TOKEN"]
        if os.environ.get("RHETORSCOPE_MAX_BODY_MB"):
            values["max_body_bytes"] = int(float(os.environ["RHETORSCOPE_MAX_BODY_MB"]) * MB)
        if os.environ.get("RHETORSCOPE_WORKERS"):
            values["workers"] = int(os.environ["RHETORSCOPE_WORKERS"])
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)  # type: ignore[arg-type]

    @property
    def loopback(self) -> bool:
        return self.host in LOOPBACK_HOSTS or self.host.startswith("127.")
