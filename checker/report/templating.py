"""The Jinja environment of the HTML reports and the Content-Security-Policy they carry.

Everything a template shows from input (city, route, stop, hub, facility and district names, feed values quoted
in messages, file paths) is escaped: autoescape is on for `*.html.j2` (jinja's `select_autoescape()` default
list, html/htm/xml, leaves `.j2` names unescaped) and for any other name. Only values built by buscheck itself
as `Markup` (the inline SVG, whose labels are escaped where it is drawn, and the sort script) are inserted as is.
The policy forbids every script but the one sort script (allowed by its sha256), and every load from outside
but a --basemap's tiles (img-src: exactly their origins).
"""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

TEMPLATES = Path(__file__).parent / "templates"

ENV = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(enabled_extensions=("html.j2", "htm.j2", "xml.j2", "html", "htm", "xml"),
                                 default_for_string=True, default=True),
)


def for_people(value: object, unit: str = "") -> str:
    """A finding's value or threshold as a person reads it: 80.16% (not 0.801562), 40 min, 07:30."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)[:5] if unit == "time" and isinstance(value, str) and value.count(":") == 2 else str(value)
    if unit == "ratio":
        return f"{value * 100:.2f}%"
    if unit in ("min", "km", "m", "%"):
        return f"{value:g} {unit}"
    return f"{value:g}"


ENV.filters["for_people"] = for_people

# The one script of report.html: click a table header to sort. Kept in its own file so that its hash is taken
# over exactly the text the page carries.
SORT_SCRIPT = Markup((TEMPLATES / "sort.js").read_text(encoding="utf-8"))


def script_source(script: str) -> str:
    """A CSP source allowing exactly this inline script: 'sha256-<base64 of its UTF-8 bytes' digest>'."""
    return "'sha256-" + base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii") + "'"


def content_security_policy(*scripts: str, images: tuple[str, ...] = ()) -> str:
    """No network, no plugins, no forms, no <base>; inline styles allowed (the pages carry their own CSS and the
    legend's swatches); scripts only those given, by hash (none when none is given). `images`: the origins
    (scheme://host[:port]) of a --basemap's tiles, the one load from outside a report may make."""
    allowed = " ".join(script_source(s) for s in scripts) or "'none'"
    tiles = f"img-src {' '.join(images)}; " if images else ""
    return (f"default-src 'none'; script-src {allowed}; style-src 'unsafe-inline'; {tiles}"
            "base-uri 'none'; form-action 'none'")
