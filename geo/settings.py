"""hetao's settings: the one place where the values a caller may change live.

Each is a module attribute, read each time it is used, so a caller changes it once::

    import hetao.settings
    hetao.settings.lock_timeout_s = 30.0
    hetao.settings.requests_kwargs = {"verify": "/etc/ssl/my-ca.pem"}

Attributes
----------
boundaries : str, path or None
    The boundaries folder every command and :func:`hetao.load` use when none is given;
    ``None``: the environment variable ``HETAO_BOUNDARIES`` (:data:`BOUNDARIES_ENV`), else
    the folder shipped with hetao. A folder of one's own (``hetao copy-boundaries DIR``)
    is what ``swap``, ``undo`` and ``refresh --apply`` write to when hetao is installed
    from a wheel: they never write into the installed package.
lock_timeout_s : float
    How long a writer (swap, undo, refresh --apply) waits for another to finish with a
    boundaries folder before it refuses (seconds). Default 10.
overpass_endpoint : str or None
    The Overpass API interpreter URL; ``None``: the environment variable
    ``HETAO_OVERPASS_URL``, else :data:`DEFAULT_OVERPASS_ENDPOINT`.
overpass_timeout_s : float
    How long to wait for an Overpass answer (seconds), unless a call gives its own. Default 60.
overpass_connect_timeout_s : float
    How long to wait for a connection (seconds). Default 10.
overpass_retries : int
    Retries after HTTP 429, 502, 503 or 504. Default 3.
overpass_backoff_s : float
    urllib3's back-off factor between retries when the server gives no ``Retry-After``
    (seconds: 0, then 2×, 4× it). Default 1.
overpass_max_retry_after_s : float
    The longest ``Retry-After`` hetao waits for; a longer one fails at once. Default 60.
requests_kwargs : dict
    Passed to every ``requests`` call to the Overpass server: ``verify`` (a CA bundle),
    ``cert``, ``proxies`` (besides those from the environment). Default empty.

Examples
--------
>>> import hetao.settings
>>> hetao.settings.lock_timeout_s
10.0
"""

from __future__ import annotations

import os
from typing import Any

__all__ = [
    "BOUNDARIES_ENV", "boundaries",
    "DEFAULT_OVERPASS_ENDPOINT", "OVERPASS_ENDPOINT_ENV", "lock_timeout_s", "overpass_endpoint",
    "overpass_timeout_s", "overpass_connect_timeout_s", "overpass_retries", "overpass_backoff_s",
    "overpass_max_retry_after_s", "requests_kwargs",
]

#: The public Overpass API server (overpass-api.de).
DEFAULT_OVERPASS_ENDPOINT = "https://overpass-api.de/api/interpreter"
#: The environment variable naming another Overpass server (a mirror, a self-hosted one).
OVERPASS_ENDPOINT_ENV = "HETAO_OVERPASS_URL"

#: The environment variable naming the boundaries folder to use by default.
BOUNDARIES_ENV = "HETAO_BOUNDARIES"

boundaries: str | os.PathLike[str] | None = None
lock_timeout_s: float = 10.0
overpass_endpoint: str | None = None
overpass_timeout_s: float = 60.0
overpass_connect_timeout_s: float = 10.0
overpass_retries: int = 3
overpass_backoff_s: float = 1.0
overpass_max_retry_after_s: float = 60.0
requests_kwargs: dict[str, Any] = {}
