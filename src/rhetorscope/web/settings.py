"""What the web app is allowed to do: body limit, analyze pool size, token, database.

Settings are plain data so tests and `rhetorscope serve` build them the same way;
environment variables fill in what the command line leaves out.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass

from rhetorscope.errors import InputError

LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")
MB = 1024 * 1024


#: Environment variable -> (setting, conversion from its text).
ENVIRONMENT: dict[str, tuple[str, Callable[[str], object]]] = {
    "RHETORSCOPE_MAX_BODY_MB": ("max_body_bytes", lambda v: int(float(v) * MB)),
    "RHETORSCOPE_WORKERS": ("workers", int),
    "RHETORSCOPE_ANALYZE_TIMEOUT": ("analyze_timeout_s", float),
    "RHETORSCOPE_WORKER_MEMORY_MB": ("worker_memory_bytes", lambda v: int(float(v) * MB)),
    "RHETORSCOPE_BODY_TIMEOUT": ("body_timeout_s", float),
}


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
    #: An analysis running longer is stopped (its worker killed and replaced) and answered 503.
    analyze_timeout_s: float = 120.0
    #: A worker whose resident memory passes this is stopped the same way; 0 means no limit.
    worker_memory_bytes: int = 2048 * MB
    #: A request body still arriving after this long is answered 408 (a client sending 10 bytes a second).
    body_timeout_s: float = 30.0
    #: After SIGTERM or Ctrl-C, requests in flight get this long before they are cancelled.
    shutdown_grace_s: float = 3.0

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        """`RHETORSCOPE_TOKEN` and the limits in `ENVIRONMENT` (docs/limits.md); explicit overrides win."""
        values: dict[str, object] = {}
        if os.environ.get("RHETORSCOPE_TOKEN"):
            values["token"] = os.environ["RHETORSCOPE_TOKEN"]
        for variable, (name, convert) in ENVIRONMENT.items():
            if os.environ.get(variable):
                try:
                    values[name] = convert(os.environ[variable])
                except ValueError:
                    raise InputError(f"${variable} is not a number: {os.environ[variable]!r}",
                                     "set it to a number, or unset it for the default") from None
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)  # type: ignore[arg-type]

    @property
    def loopback(self) -> bool:
        return self.host in LOOPBACK_HOSTS or self.host.startswith("127.")
