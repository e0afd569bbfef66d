"""Offline copies of the map's JavaScript and CSS, taken from installed Python packages.

The map must render with no network (many users sit where the usual CDNs are blocked), so
every script and stylesheet folium would link is inlined instead:

- Leaflet itself from ``xstatic-leaflet``, its CSS images turned into data URIs;
- folium's plugin assets from ``folium-offline``, which ships each of them keyed by the CDN
  address folium links (read from its source text, not imported).

Nothing is copied into this repository; a missing asset is an error, never a silent CDN link.
"""

from __future__ import annotations

import ast
import base64
import importlib.util
import mimetypes
import posixpath
import re
from functools import lru_cache
from pathlib import Path

from .errors import HetaoError

__all__ = ["asset_text", "leaflet_image_data_uri", "inline_css_urls", "script_safe"]

_CSS_URL = re.compile(r"url\(\s*(['\"]?)([^'\")]+)\1\s*\)")


def _package_dir(name: str) -> Path:
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise HetaoError(f"the package providing '{name}' is not installed; reinstall hetao "
                         "(pip install hetao), or build with the offline parameter off")
    return Path(next(iter(spec.submodule_search_locations)))


@lru_cache(maxsize=None)
def _leaflet_dir() -> Path:
    return _package_dir("xstatic.pkg.leaflet") / "data"


@lru_cache(maxsize=1)
def _folium_offline_source() -> str:
    return (_package_dir("offlinefolium") / "elements.py").read_text(encoding="utf-8")


def _folium_offline_asset(url: str) -> str | None:
    """One entry of folium-offline's ``_res`` table (CDN address -> file text).

    Only the statement ``_res['URL'] = <string literal>`` is parsed (with :mod:`ast`); the
    module is never imported or executed.
    """
    source = _folium_offline_source()
    head = f"\n_res[{url!r}] ="
    start = source.find(head)
    if start < 0:
        return None
    end = source.find("\n_res[", start + len(head))
    statement = source[start + 1:end if end > 0 else len(source)]
    try:
        node = ast.parse(statement).body[0]
    except SyntaxError:   # the table ended: parse up to the last line that closes the string
        return None
    if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
        return node.value.value
    return None


def _data_uri(path: Path) -> str:
    mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return f"data:{mime};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"


def leaflet_image_data_uri(name: str) -> str:
    """A Leaflet image (``marker-icon.png`` …) from xstatic-leaflet as a data URI.

    Parameters
    ----------
    name : str
        The file name in Leaflet's ``images`` folder.

    Returns
    -------
    str
        A ``data:`` URI of the image.
    """
    return _data_uri(_leaflet_dir() / "images" / name)


def inline_css_urls(css: str, base: Path | None = None) -> str:
    """Replace every ``url(...)`` in a stylesheet by a data URI.

    Relative URLs are read from ``base`` when it has the file, else from Leaflet's images;
    an image no installed package provides is replaced by ``none`` (it is left undrawn, and
    no request is made).

    Parameters
    ----------
    css : str
        The stylesheet's text.
    base : Path, optional
        The folder the stylesheet's relative URLs are relative to.

    Returns
    -------
    str
        The stylesheet, needing no further request.
    """
    def replace(match: re.Match) -> str:
        url = match.group(2).strip()
        if url.startswith(("data:", "#")):
            return match.group(0)
        name = posixpath.basename(url.split("?")[0].split("#")[0])
        for folder in ([base] if base else []) + [_leaflet_dir() / "images"]:
            candidate = folder / (url if folder == base else name)
            if candidate.is_file():
                return f"url({_data_uri(candidate)})"
        return "none"
    return _CSS_URL.sub(replace, css)


def script_safe(text: str) -> str:
    """Make a script or stylesheet safe to inline in an HTML element.

    Parameters
    ----------
    text : str
        A script or stylesheet.

    Returns
    -------
    str
        The text with every ``</script`` and ``</style`` escaped as ``<\\/script``, ``<\\/style``.

    Examples
    --------
    >>> script_safe("a = '</script>';")
    "a = '<\\\\/script>';"
    """
    return re.sub(r"</(script|style)", r"<\\/\1", text, flags=re.IGNORECASE)


@lru_cache(maxsize=None)
def asset_text(url: str) -> str:
    """The text of the asset folium links at ``url``, for inlining.

    Parameters
    ----------
    url : str
        The CDN address folium links.

    Returns
    -------
    str
        The script's or stylesheet's text (a stylesheet's images as data URIs).

    Raises
    ------
    HetaoError
        If no installed package provides it.
    """
    name = posixpath.basename(url)
    if "/leaflet@" in url and name in ("leaflet.js", "leaflet.css"):
        path = _leaflet_dir() / name
        text = path.read_text(encoding="utf-8")
        return inline_css_urls(text, path.parent) if name.endswith(".css") else text
    copied = _folium_offline_asset(url)
    if copied is None:
        raise HetaoError(f"no offline copy of {url} in the installed packages; build with "
                         "the offline parameter off, or install a folium-offline release that has it")
    return inline_css_urls(copied) if url.endswith(".css") else copied
