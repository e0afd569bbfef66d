"""Fetching OpenStreetMap elements from an Overpass API server.

One POST per question, made with ``requests`` (which honours ``HTTP_PROXY``,
``HTTPS_PROXY`` and ``NO_PROXY``), with connect and read timeouts, a User-Agent naming hetao,
and urllib3's ``Retry`` for the bounded retries: HTTP 429 (Overpass's rate limit) and 502,
503 and 504 are retried at most :data:`hetao.settings.overpass_retries` times, after the ``Retry-After`` the server
asks for (at most :data:`MAX_RETRY_AFTER_S`; a longer wait is refused at once).

Why not an Overpass client library: osmnx retries 429s without bound, ignores
``Retry-After``, resolves host names over DNS-over-HTTPS, and asks for no element
versions or timestamps; ``overpass`` (0.8) deprecates its ``API`` class and hides the 429
response, so ``Retry-After`` cannot be honoured; overpy sets no timeout and no User-Agent.
What is left to write is one query and the reading of its JSON.

Needs the ``osm`` extra (``pip install 'hetao[osm]'``).
"""

from __future__ import annotations

import json
import logging
import math
import os
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import shapely
from shapely.geometry.base import BaseGeometry

from . import settings
from .errors import NetworkError

if TYPE_CHECKING:
    import requests

__all__ = ["OsmElement", "endpoint_url", "fetch_elements",
           "find_ways", "parse_element_ids", "public_url", "user_agent"]

logger = logging.getLogger(__name__)


def user_agent() -> str:
    """What hetao calls itself to the server: "hetao/VERSION (...)"."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        release = version("hetao")
    except PackageNotFoundError:        # run from a source tree, not installed
        release = "unknown"
    return f"hetao/{release} (Hetao zone boundaries; python-requests)"


ELEMENT_TYPES = ("way", "relation")


@dataclass(frozen=True)
class OsmElement:
    """One OSM way or relation as Overpass gave it (``out meta geom``)."""

    type: str
    id: int
    version: int | None
    timestamp: str | None
    tags: dict = field(default_factory=dict, compare=False)
    #: The element's linework (a relation's member ways, merged), or ``None`` if it has none.
    geometry: BaseGeometry | None = field(default=None, compare=False)

    @property
    def ref(self) -> str:
        return f"{self.type}/{self.id}"

    @property
    def label(self) -> str:
        """"way 25423077 (version 14, 2026-10-02T08:11:00Z)"."""
        meta = ", ".join(str(x) for x in (f"version {self.version}" if self.version else None,
                                          self.timestamp) if x)
        return f"{self.type} {self.id}" + (f" ({meta})" if meta else "")


def endpoint_url(endpoint: str | None = None) -> str:
    """The endpoint to use: the one given, else ``$HETAO_OVERPASS_URL``, else the public one."""
    url = (endpoint if endpoint is not None else settings.overpass_endpoint
           or os.environ.get(settings.OVERPASS_ENDPOINT_ENV) or settings.DEFAULT_OVERPASS_ENDPOINT)
    try:
        parts = urlsplit(url.strip())
        valid = parts.scheme in ("http", "https") and bool(parts.hostname)
        parts.port      # raises ValueError for a port out of range
    except ValueError:
        valid = False
    if not valid:
        raise NetworkError(f"the Overpass endpoint {url!r} is not a valid http(s) URL (give it with "
                           f"the endpoint parameter or ${settings.OVERPASS_ENDPOINT_ENV}, e.g. {settings.DEFAULT_OVERPASS_ENDPOINT})")
    return url.strip()


def public_url(url: str) -> str:
    """``url`` without user name, password or query: what may be shown and stored."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = host + (f":{parts.port}" if parts.port else "")
    return parts._replace(netloc=netloc, query="", fragment="").geturl()


def parse_element_ids(text: str | list[str]) -> list[str]:
    """``"way/1, relation/2"`` (or a list) as ``["way/1", "relation/2"]``; ``w1`` and
    ``r2`` are accepted too."""
    items = text if isinstance(text, list) else text.replace(",", " ").split()
    refs = []
    for item in items:
        raw = item.strip().lower()
        kind, _, number = raw.partition("/")
        if not number and raw[:1] in ("w", "r") and raw[1:].isdigit():
            kind, number = {"w": "way", "r": "relation"}[raw[0]], raw[1:]
        if kind not in ELEMENT_TYPES or not number.isdigit():
            raise ValueError(f"{item!r} is not an OSM way or relation; write way/123 or relation/456")
        refs.append(f"{kind}/{int(number)}")
    if not refs:
        raise ValueError("no OSM elements given; write way/123 or relation/456")
    return refs


def _session(shown: str = "the Overpass server") -> requests.Session:
    """A session that retries as hetao does, saying (a warning) when it waits and how long;
    ``shown`` names the server in that line."""
    try:
        import requests
        from requests.adapters import HTTPAdapter
        from urllib3.util.retry import Retry
    except ImportError:
        raise NetworkError("fetching from OpenStreetMap needs the osm extra: "
                           "pip install 'hetao[osm]'") from None

    class _BoundedRetry(Retry):
        """urllib3's Retry, refusing at once a Retry-After longer than hetao waits."""

        def sleep(self, response: Any = None) -> None:
            wait = self.get_retry_after(response) if response is not None else None
            if wait is not None and wait > settings.overpass_max_retry_after_s:
                raise _WaitTooLong(wait)
            if response is not None:
                _say_wait(shown, response.status, self.get_backoff_time() if wait is None else wait)
            super().sleep(response)

    retries = settings.overpass_retries
    retry = _BoundedRetry(total=retries, connect=1, read=False, status=retries,
                          status_forcelist=(429, 502, 503, 504), allowed_methods=None,
                          backoff_factor=settings.overpass_backoff_s, respect_retry_after_header=True,
                          raise_on_status=False)
    session = requests.Session()
    session.mount("http://", HTTPAdapter(max_retries=retry))
    session.mount("https://", HTTPAdapter(max_retries=retry))
    session.headers["User-Agent"] = user_agent()
    return session


def _say_wait(shown: str, status: int, seconds: float) -> None:
    """The warning that a retry waits, and for how long."""
    why = "is rate-limiting" if status == 429 else "is overloaded"
    when = f"waiting {seconds:,.0f} s before asking again" if seconds >= 0.5 else "asking again"
    logger.warning("%s %s (HTTP %s): %s", shown, why, status, when)


class _WaitTooLong(Exception):
    def __init__(self, seconds: float):
        self.seconds = seconds


def _post(query: str, endpoint: str, timeout: float) -> dict:
    """POST an Overpass QL query; the parsed JSON answer. Raises NetworkError."""
    url, endpoint = endpoint, public_url(endpoint)      # the one asked, and the one named
    session = _session(endpoint)        # says what to install if requests is missing
    import requests

    connect, retries = settings.overpass_connect_timeout_s, settings.overpass_retries
    host = urlsplit(endpoint).netloc
    logger.info("asking %s: %s", endpoint, " ".join(query.split()))
    try:
        response = session.post(url, data={"data": query}, timeout=(connect, timeout),
                                **settings.requests_kwargs)
    except _WaitTooLong as exc:
        raise NetworkError(f"{endpoint} is rate-limiting (HTTP 429) and asks to wait "
                           f"{exc.seconds:,.0f} s, longer than hetao waits ({settings.overpass_max_retry_after_s:,.0f} s); "
                           "try again later") from None
    except requests.exceptions.ConnectTimeout:
        raise NetworkError(f"cannot reach {host}: no connection within {connect:g} s (offline, "
                           "or a firewall in the way? a mirror can be given as the endpoint)") from None
    except requests.exceptions.Timeout:
        raise NetworkError(f"{endpoint} did not answer within {timeout:g} s (timed out); "
                           "try again later, or give a longer timeout") from None
    except requests.exceptions.RetryError:
        raise NetworkError(f"{endpoint} kept refusing after {retries} retries (HTTP 429, 502, 503 or 504: "
                           "rate-limited or overloaded); try again later") from None
    except requests.exceptions.ConnectionError as exc:
        raise NetworkError(f"cannot reach {host}: {_reason(exc)} (offline, or a proxy or "
                           "firewall in the way? a mirror can be given as the endpoint)") from None
    except requests.exceptions.InvalidHeader:
        raise NetworkError(f"{endpoint} answered with a header hetao cannot read (a Retry-After that is "
                           "not a number of seconds or a date?)") from None
    except (requests.exceptions.InvalidURL, requests.exceptions.InvalidSchema,
            requests.exceptions.MissingSchema):
        raise NetworkError(f"the Overpass endpoint {endpoint!r} is not a valid http(s) URL") from None
    except requests.exceptions.ChunkedEncodingError:
        raise NetworkError(f"{endpoint} sent an answer that was cut off (truncated: the connection "
                           "dropped part way); try again") from None
    except requests.exceptions.RequestException as exc:
        raise NetworkError(f"cannot fetch from {endpoint}: {_reason(exc)}") from None
    finally:
        session.close()
    status = response.status_code
    if status in (429, 502, 503, 504):
        raise NetworkError(f"{endpoint} kept answering HTTP {status} after {retries} retries "
                           f"({'rate limit' if status == 429 else 'overloaded'}); try again later")
    if status != 200:
        raise NetworkError(f"{endpoint} answered HTTP {status} {response.reason or ''}".rstrip()
                           + (f": {_remark(response.text)}" if _remark(response.text) else ""))
    try:
        data = json.loads(response.content)
    except ValueError as exc:
        raise NetworkError(_not_json(endpoint, response, exc)) from None
    if not isinstance(data, dict) or not isinstance(data.get("elements"), list):
        raise NetworkError(f"{endpoint} answered JSON that is not an Overpass answer (no 'elements' list)")
    remark = data.get("remark")
    if isinstance(remark, str) and "error" in remark.lower():
        raise NetworkError(f"{endpoint} reported: {' '.join(remark.split())}")
    return data


def _not_json(endpoint: str, response: requests.Response, exc: ValueError) -> str:
    """Why an answer is not JSON: cut off part way (truncated), or something else altogether."""
    body = response.content
    text = body.rstrip()
    at = exc.pos if isinstance(exc, json.JSONDecodeError) else -1
    cut = (at >= len(text.decode("utf-8", "replace")) - 1
           or str(exc).startswith("Unterminated string"))     # a string cut: pos is its start
    if text[:1] in (b"{", b"[") and cut:
        return (f"{endpoint} sent an answer that was cut off after {len(body):,} bytes (truncated: the "
                "connection dropped, or the server stopped part way); try again")
    kind = response.headers.get("Content-Type", "no content type").split(";")[0]
    return f"{endpoint} answered with {kind}, not Overpass JSON (is it an Overpass API interpreter URL?)"


def _reason(exc: Exception) -> str:
    text = str(exc)
    for needle, reason in (("NameResolution", "the host name does not resolve"),
                           ("Name or service not known", "the host name does not resolve"),
                           ("getaddrinfo", "the host name does not resolve"),
                           ("Connection refused", "connection refused"),
                           ("Network is unreachable", "network unreachable"),
                           ("ProxyError", "the proxy refused or failed"),
                           ("SSL", "TLS/SSL failed")):
        if needle in text:
            return reason
    return exc.__class__.__name__


def _remark(text: str) -> str:
    """The first line of Overpass's HTML error text, if any, short."""
    body = re.sub(r"(?is)<(title|head|style|script)\b.*?</\1>", " ", text or "")
    plain = " ".join(re.sub(r"<[^>]+>", " ", body).split())
    return plain[:160]


def _linework(item: dict) -> BaseGeometry | None:
    """A way's or relation's linework from ``out geom`` (a relation: its member ways, merged)."""
    def line(points: object) -> shapely.LineString | None:
        if not isinstance(points, list):
            return None
        try:
            coords = [(float(p["lon"]), float(p["lat"])) for p in points]
        except (TypeError, KeyError, ValueError):
            return None
        return shapely.LineString(coords) if len(set(coords)) >= 2 else None

    if item.get("type") == "way":
        return line(item.get("geometry"))
    members = item.get("members")
    if not isinstance(members, list):
        members = []
    parts = [line(m.get("geometry")) for m in members if isinstance(m, dict) and m.get("type") == "way"]
    parts = [p for p in parts if p is not None]
    if not parts:
        return None
    return shapely.line_merge(shapely.union_all(parts)) if len(parts) > 1 else parts[0]


def _element(item: dict) -> OsmElement | None:
    if not isinstance(item, dict) or item.get("type") not in ELEMENT_TYPES or not isinstance(item.get("id"), int):
        return None
    tags = item.get("tags")
    if not isinstance(tags, dict):
        tags = {}
    version = item.get("version") if isinstance(item.get("version"), int) else None
    stamp = item.get("timestamp") if isinstance(item.get("timestamp"), str) else None
    return OsmElement(item["type"], item["id"], version, stamp, tags, _linework(item))


def fetch_elements(refs: list[str], *, endpoint: str | None = None,
                   timeout: float | None = None) -> dict[str, OsmElement]:
    """The current version of each OSM way or relation in ``refs`` ("way/123"), with its
    linework, in one request. Elements Overpass does not return (deleted) are absent.

    Raises
    ------
    NetworkError
        One line: the endpoint and what went wrong.
    """
    by_type: dict[str, list[str]] = {}
    for ref in refs:
        kind, _, number = ref.partition("/")
        by_type.setdefault(kind, []).append(number)
    body = "".join(f"{kind}(id:{','.join(ids)});" for kind, ids in by_type.items())
    return {e.ref: e for e in _query(body, endpoint, timeout) if e.ref in refs}


def _query(body: str, endpoint: str | None, timeout: float | None) -> list[OsmElement]:
    """The ways and relations an Overpass union ``body`` selects, with meta and geometry."""
    wait = timeout or settings.overpass_timeout_s
    server_wait = max(1, math.ceil(wait))      # Overpass takes whole seconds
    data = _post(f"[out:json][timeout:{server_wait}];({body});out meta geom;", endpoint_url(endpoint), wait)
    return [e for e in (_element(item) for item in data["elements"]) if e is not None]


def find_ways(name: str, bounds: tuple[float, float, float, float], *, endpoint: str | None = None,
              timeout: float | None = None) -> list[OsmElement]:
    """The ways within ``bounds`` (west, south, east, north) whose ``name``, ``name:zh`` or
    ``name:en`` is exactly ``name``; raises NetworkError as :func:`fetch_elements` does."""
    west, south, east, north = bounds
    box = f"({south:.6f},{west:.6f},{north:.6f},{east:.6f})"
    quoted = json.dumps(name, ensure_ascii=False)     # Overpass QL strings escape as JSON's do
    body = "".join(f'way["{key}"={quoted}]{box};' for key in ("name", "name:zh", "name:en"))
    logger.debug("finding %s", quoted)
    ways = [e for e in _query(body, endpoint, timeout) if e.type == "way"]
    return sorted({w.id: w for w in ways}.values(), key=lambda w: w.id)
