"""Inline SVG for the offline report: the coverage map and per-route departure timelines. No scripts, no
network: shapes are drawn from the audit's own geometry in its local projection (metres). Tiles only with
--basemap (report/basemap.py), laid under the unchanged overlay."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import shapely
from markupsafe import Markup, escape

MAP_WIDTH = 900
TIMELINE_WIDTH = 720
DAY_START_S, DAY_END_S = 4 * 3600, 26 * 3600  # 04:00 to 02:00 next morning, widened when service runs longer


@dataclass
class Frame:
    """Local metres -> SVG pixels (y down)."""

    minx: float
    maxy: float
    scale: float
    width: int
    height: int

    @classmethod
    def around(cls, geometry, width: int = MAP_WIDTH, margin: float = 0.03) -> Frame:
        minx, miny, maxx, maxy = geometry.bounds
        pad = max(maxx - minx, maxy - miny) * margin
        minx, miny, maxx, maxy = minx - pad, miny - pad, maxx + pad, maxy + pad
        scale = width / max(maxx - minx, 1.0)
        return cls(minx, maxy, scale, width, max(1, round((maxy - miny) * scale)))

    def xy(self, x, y) -> tuple[np.ndarray, np.ndarray]:
        return (np.asarray(x) - self.minx) * self.scale, (self.maxy - np.asarray(y)) * self.scale


def _rings(geometry) -> list:
    polygons = [geometry] if geometry.geom_type == "Polygon" else list(getattr(geometry, "geoms", []))
    rings = []
    for polygon in polygons:
        if polygon.geom_type == "Polygon" and not polygon.is_empty:
            rings += [polygon.exterior, *polygon.interiors]
    return rings


def path_d(geometry, frame: Frame) -> str:
    """An SVG path for a (multi)polygon, simplified to about half a pixel; holes by the even-odd rule."""
    if geometry is None or geometry.is_empty:
        return ""
    simple = shapely.simplify(geometry, 0.5 / frame.scale, preserve_topology=True)
    parts = []
    for ring in _rings(simple):
        xy = np.asarray(ring.coords)
        px, py = frame.xy(xy[:, 0], xy[:, 1])
        parts.append("M" + "L".join(f"{x:.1f},{y:.1f}" for x, y in zip(px, py, strict=True)) + "Z")
    return "".join(parts)


LABELLED_GAPS = 5  # the largest uncovered areas get their km2 written on the map


def _nice_length(metres: float) -> float:
    """A round scale-bar length (1, 2 or 5 times a power of ten) near `metres`."""
    power = 10 ** np.floor(np.log10(max(metres, 1.0)))
    return float(max(n * power for n in (1, 2, 5) if n * power <= metres) if metres >= power else power)


def _scale_bar(frame: Frame) -> str:
    metres = _nice_length(frame.width / frame.scale / 5)
    pixels = metres * frame.scale
    x, y = 14, frame.height - 14
    text = f"{metres / 1000:g} km" if metres >= 1000 else f"{metres:g} m"
    return (f'<g class="scale" fill="#1d2330" font-size="11"><rect x="{x}" y="{y - 4}" width="{pixels:.1f}" height="4" '
            f'fill="#1d2330"/><text x="{x}" y="{y - 8}">0</text><text x="{x + pixels:.1f}" y="{y - 8}" '
            f'text-anchor="end">{text}</text></g>')


def _north_arrow(frame: Frame) -> str:
    x, y = frame.width - 24, 18
    return (f'<g class="north" font-size="12" text-anchor="middle"><path d="M{x},{y}L{x + 7},{y + 20}L{x},{y + 15}'
            f'L{x - 7},{y + 20}Z" fill="#1d2330"/><text x="{x}" y="{y + 34}" fill="#1d2330">N 北</text></g>')


def _districts(districts: list[tuple[str, object]], frame: Frame) -> str:
    """District outlines and names, clipped to the map's frame (districts reach beyond the built-up area)."""
    view = shapely.box(frame.minx, frame.maxy - frame.height / frame.scale, frame.minx + frame.width / frame.scale,
                       frame.maxy)
    out = []
    for name, whole in districts:
        geometry = shapely.intersection(whole, view)
        if geometry.is_empty:
            continue
        point = geometry.representative_point()
        (x,), (y,) = frame.xy([point.x], [point.y])
        out.append(f'<path d="{path_d(geometry, frame)}" fill="none" stroke="#36405a" stroke-width="1.2" '
                   f'stroke-dasharray="5 3"/><text x="{x:.1f}" y="{y:.1f}" font-size="12" text-anchor="middle" '
                   f'fill="#36405a" stroke="white" stroke-width="3" paint-order="stroke">{escape(name)}</text>')
    return f'<g class="districts">{"".join(out)}</g>' if out else ""


def _gap_labels(uncovered, frame: Frame) -> str:
    parts = [] if uncovered.is_empty else list(getattr(uncovered, "geoms", [uncovered]))
    out = []
    for part in sorted(parts, key=lambda p: -p.area)[:LABELLED_GAPS]:
        if part.area < 1e4:  # under a hectare: no room for a label
            break
        point = part.representative_point()
        (x,), (y,) = frame.xy([point.x], [point.y])
        out.append(f'<text x="{x:.1f}" y="{y:.1f}" font-size="11" text-anchor="middle" fill="#8a1616" stroke="white" '
                   f'stroke-width="3" paint-order="stroke">{part.area / 1e6:.2f} km²</text>')
    return f'<g class="gap-labels">{"".join(out)}</g>' if out else ""


LEGEND = (("covered", "已覆盖 covered"), ("uncovered", "未覆盖 uncovered"), ("stop", "站点 stop"), ("hub", "枢纽 hub"),
          ("facility", "已覆盖的优先设施 priority facility reached"),
          ("facility_missed", "未覆盖的优先设施 priority facility not reached"), ("district", "行政区 district"))


def _legend_symbol(kind: str, x: float, y: float) -> str:
    """The legend's sample of a symbol (class "key" too, so that counting the map's own symbols skips it)."""
    if kind in ("covered", "uncovered"):
        return f'<rect class="{kind} key" x="{x}" y="{y - 9}" width="12" height="12"/>'
    if kind == "stop":
        return f'<g class="stops key"><circle cx="{x + 6}" cy="{y - 3}" r="2.5"/></g>'
    if kind == "hub":
        return f'<path class="hub key" d="{_triangle(x + 6, y - 3)}"/>'
    if kind == "district":
        return (f'<line x1="{x}" y1="{y - 3}" x2="{x + 12}" y2="{y - 3}" stroke="#36405a" stroke-width="1.2" '
                f'stroke-dasharray="5 3"/>')
    return f'<rect class="{kind} key" x="{x + 2}" y="{y - 7}" width="8" height="8"/>'


def _triangle(x: float, y: float) -> str:
    return f"M{x:.1f},{y - 7:.1f}L{x + 6:.1f},{y + 5:.1f}L{x - 6:.1f},{y + 5:.1f}Z"


def coverage_map(area, covered, uncovered, stops: np.ndarray, markers: list[dict],
                 districts: list[tuple[str, object]] | None = None,
                 underlay: Callable[[Frame], str] | None = None) -> Markup:
    """The built-up area, its covered and uncovered parts (the largest labelled with their km²), the stops,
    markers {x, y, kind, label} (kind: hub, facility, facility_missed; names on hover), district outlines and
    names, a scale bar, a north arrow and a legend that draws the same symbols. Local metres in.
    `underlay(frame)`: SVG drawn first, below everything (basemap tiles); the map is then of class
    "with-basemap"."""
    frame = Frame.around(area)
    under = underlay(frame) if underlay is not None else ""
    marked = ' class="with-basemap"' if under else ""
    kinds = {"covered", "uncovered", "stop"} | {m["kind"] for m in markers} | ({"district"} if districts else set())
    legend = [kind for kind, _ in LEGEND if kind in kinds]
    legend_h = 22 * ((len(legend) + 2) // 3)
    height = frame.height + legend_h
    out = [f'<svg id="coverage-map"{marked} xmlns="http://www.w3.org/2000/svg" '
           f'viewBox="0 0 {frame.width} {height}" width="100%" role="img" aria-label="coverage map 覆盖图">', under,
           f'<path class="area" fill-rule="evenodd" d="{path_d(area, frame)}"/>',
           f'<path class="covered" fill-rule="evenodd" d="{path_d(covered, frame)}"/>',
           f'<path class="uncovered" fill-rule="evenodd" d="{path_d(uncovered, frame)}"/>']
    out.append(_districts(districts or [], frame))
    if len(stops):
        px, py = frame.xy(stops[:, 0], stops[:, 1])
        out.append('<g class="stops">' + "".join(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="1.6"/>'
                                                 for x, y in zip(px, py, strict=True)) + "</g>")
    out.append(_gap_labels(uncovered, frame))
    for marker in markers:
        (x,), (y,) = frame.xy([marker["x"]], [marker["y"]])
        label = escape(marker["label"])
        if marker["kind"] == "hub":
            shape = f'<path class="hub" d="{_triangle(x, y)}"/>'
        else:
            shape = f'<rect class="{marker["kind"]}" x="{x - 4:.1f}" y="{y - 4:.1f}" width="8" height="8"/>'
        out.append(f"<g><title>{label}</title>{shape}</g>")
    out += [_scale_bar(frame), _north_arrow(frame)]
    names = dict(LEGEND)
    for i, kind in enumerate(legend):
        x, y = 14 + (i % 3) * (frame.width - 28) / 3, frame.height + 18 + 22 * (i // 3)
        out.append(f'<g class="legend-item">{_legend_symbol(kind, x, y)}<text x="{x + 18}" y="{y}" font-size="12" '
                   f'fill="#1d2330">{escape(names[kind])}</text></g>')
    out.append("</svg>")
    return Markup("".join(out))


def timeline(departures_s: list[int], peaks: list[tuple[int, int]], gaps: list[tuple[int, int]]) -> Markup:
    """One route-direction's day: peak windows shaded, each departure a tick, failing gaps in red."""
    start = min([DAY_START_S, *departures_s])
    end = max([DAY_END_S, *departures_s])
    scale = TIMELINE_WIDTH / (end - start)

    def x(t: int) -> float:
        return (t - start) * scale

    out = [f'<svg class="timeline" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {TIMELINE_WIDTH} 30" '
           f'width="{TIMELINE_WIDTH}" height="30">']
    out += [f'<rect class="peak" x="{x(a):.1f}" y="0" width="{(b - a) * scale:.1f}" height="22"/>' for a, b in peaks]
    out += [f'<rect class="gap" x="{x(a):.1f}" y="2" width="{(b - a) * scale:.1f}" height="18"/>' for a, b in gaps]
    out.append('<path class="ticks" d="' + "".join(f"M{x(t):.1f},4V18" for t in departures_s) + '"/>')
    for hour in range(start // 3600 + 1, end // 3600 + 1, 2):
        out.append(f'<text x="{x(hour * 3600):.1f}" y="29">{hour:02d}</text>')
    out.append("</svg>")
    return Markup("".join(out))
