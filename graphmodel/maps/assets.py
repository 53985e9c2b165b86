"""Everything a map page needs, inlined: vis-network from the pyvis wheel, our CSS and JS.

The pages must work with the network unplugged, so nothing is ever referenced by URL:

* vis-network's JS and CSS are read from the copy shipped inside the installed pyvis
  package (``pyvis/lib/vis-9.1.2``) and inlined; pyvis's own template (which links
  Bootstrap and TomSelect from CDNs) is never used;
* fonts are the system's (:data:`graphmodel.maps.theme.FONT_STACK`), never web fonts;
* each page carries a Content-Security-Policy that forbids every fetch
  (``default-src 'none'``, ``connect-src 'none'``, images only ``data:``) and allows
  only the page's own inline scripts, by hash — so even a stray reference could not
  leave the machine, and an injected inline handler (``onerror=…``) would not run;
* :func:`external_references` scans a finished page for any network reference and
  :func:`finalize_page` refuses to return a page that has one.

>>> len(vis_network_js()) > 100_000
True
>>> external_references('<link href="https://cdn.example/x.css">')
['https://cdn.example/x.css']
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
from functools import lru_cache
from pathlib import Path

from ..files import write_file
from ..resources import asset_text

__all__ = [
    "VIS_VERSION",
    "vis_network_js",
    "vis_network_css",
    "asset_text",
    "external_references",
    "content_security_policy",
    "finalize_page",
    "atomic_write_text",
    "OfflineError",
    "CSP_PLACEHOLDER",
]

VIS_VERSION = "9.1.2"
CSP_PLACEHOLDER = "__QMAP_CONTENT_SECURITY_POLICY__"


class OfflineError(RuntimeError):
    """A page would reference something over the network."""


def _pyvis_lib(name: str) -> str:
    import pyvis

    path = Path(pyvis.__file__).parent / "lib" / f"vis-{VIS_VERSION}" / name
    if not path.is_file():  # pragma: no cover - a pyvis without its bundled copy
        raise FileNotFoundError(f"pyvis 包中缺少 vis-network {VIS_VERSION}（{path}）; reinstall pyvis>=0.3.2,<0.4")
    text = path.read_text("utf-8")
    if "</script" in text.lower() or "</style" in text.lower():  # pragma: no cover - would end the inline block
        raise OfflineError(f"{path} cannot be inlined")
    return text


@lru_cache(maxsize=1)
def vis_network_js() -> str:
    """vis-network's minified JS, from the pyvis package."""
    return _pyvis_lib("vis-network.min.js")


@lru_cache(maxsize=1)
def vis_network_css() -> str:
    """vis-network's CSS (its images are ``data:`` URIs), from the pyvis package."""
    return _pyvis_lib("vis-network.css")


_SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script>", re.S | re.I)
_STYLE_BLOCK = re.compile(r"<style\b[^>]*>(.*?)</style>", re.S | re.I)
_TAG = re.compile(r"<[a-zA-Z][^>]*>")
_URL_ATTR = re.compile(
    r"""\s(?:src|href|action|formaction|poster|srcset|data|background|manifest|ping|cite|longdesc|xlink:href)\s*=\s*"""
    r"""(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.I)
_STYLE_ATTR = re.compile(r"""\sstyle\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.I)
_CSS_URL = re.compile(r"""url\(\s*['"]?([^'")\s]+)|@import\s+(?:url\()?\s*['"]?([^'");\s]+)""", re.I)
_NETWORK = re.compile(r"^\s*(?:[a-z][a-z0-9+.-]*:)?//|^\s*(?:https?|ftp|wss?):", re.I)


def _without_scripts(html: str) -> str:
    return _SCRIPT.sub(lambda m: f"<script{m.group(1)}></script>", html)  # keep the tag: src= counts


def external_references(html: str) -> list[str]:
    """Every URL in ``html`` that would be fetched over the network (should be empty).

    Looks at the attributes of every tag (``src``, ``href``, …), at ``url(…)`` and
    ``@import`` in style blocks and style attributes, and at ``<meta http-equiv=refresh>``.
    Script bodies (our code, vis-network, the JSON data) are not HTML and are left to
    the page's Content-Security-Policy and the browser test.
    """
    found: list[str] = []
    body = _without_scripts(html)
    for tag in _TAG.findall(body):
        for m in _URL_ATTR.finditer(tag):
            url = next(g for g in m.groups() if g is not None)
            if _NETWORK.search(url):
                found.append(url)
        for m in _STYLE_ATTR.finditer(tag):
            found += [u for u in _css_urls(next(g for g in m.groups() if g is not None)) if _NETWORK.search(u)]
        if re.match(r"<meta\b", tag, re.I) and re.search(r"refresh", tag, re.I) and re.search(r"url\s*=", tag, re.I):
            found.append(tag)
    for block in _STYLE_BLOCK.findall(body):
        found += [u for u in _css_urls(block) if _NETWORK.search(u)]
    return found


def _css_urls(css: str) -> list[str]:
    return [a or b for a, b in _CSS_URL.findall(css)]


def content_security_policy(html: str) -> str:
    """A policy allowing exactly the page's inline scripts (by SHA-256) and nothing from anywhere.

    Styles may be inline (vis-network sets element styles); images only ``data:``.
    """
    hashes = []
    for attrs, code in _SCRIPT.findall(html):
        if re.search(r"""type\s*=\s*["']?application/json""", attrs, re.I):
            continue  # data blocks are never executed
        digest = base64.b64encode(hashlib.sha256(code.encode("utf-8")).digest()).decode("ascii")
        hashes.append(f"'sha256-{digest}'")
    scripts = " ".join(sorted(set(hashes))) or "'none'"
    return ("default-src 'none'; " f"script-src {scripts}; " "style-src 'unsafe-inline'; "
            "img-src data: blob:; font-src data:; connect-src 'none'; media-src 'none'; object-src 'none'; "
            "frame-src 'none'; worker-src 'none'; base-uri 'none'; form-action 'none'")


def finalize_page(html: str) -> str:
    """Fill in the page's Content-Security-Policy and check it references nothing online.

    The template puts :data:`CSP_PLACEHOLDER` in a ``<meta http-equiv>`` in its head,
    before any user text, so only that first occurrence is replaced.
    """
    if CSP_PLACEHOLDER not in html:  # pragma: no cover - a template without its policy
        raise OfflineError("page template has no Content-Security-Policy placeholder")
    head, rest = html.split(CSP_PLACEHOLDER, 1)
    page = head + content_security_policy(html) + rest
    bad = external_references(page)
    if bad:
        raise OfflineError(f"页面引用了网络资源 page references the network: {bad[:5]}")
    return page


def atomic_write_text(path: str | os.PathLike, text: str, *, force: bool = True) -> Path:
    """Write ``text`` (UTF-8) whole or not at all (:func:`graphmodel.files.write_file`)."""
    return write_file(path, text, force=force)
