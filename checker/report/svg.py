"""Inline SVG for the offline report: the coverage map and per-route departure timelines. No tiles, no
scripts, no network: shapes are drawn from the audit's own geometry in its local projection (metres)."""

from __future__ import annotations

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


def coverage_map(area, covered, uncovered, stops: np.ndarray, markers: list[dict]) -> Markup:
    """The built-up area, its covered and uncovered parts, the stops, and markers {x, y, kind, label}
    (kind: hub, facility, facility_missed) in local metres."""
    frame = Frame.around(area)
    out = [f'<svg id="coverage-map" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {frame.width} {frame.height}" '
           f'width="100%" role="img" aria-label="coverage map 覆盖图">',
           f'<path class="area" fill-rule="evenodd" d="{path_d(area, frame)}"/>',
           f'<path class="covered" fill-rule="evenodd" d="{path_d(covered, frame)}"/>',
           f'<path class="uncovered" fill-rule="evenodd" d="{path_d(uncovered, frame)}"/>']
    if len(stops):
        px, py = frame.xy(stops[:, 0], stops[:, 1])
        out.append('<g class="stops">' + "".join(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="1.6"/>'
                                                 for x, y in zip(px, py, strict=True)) + "</g>")
    for marker in markers:
        (x,), (y,) = frame.xy([marker["x"]], [marker["y"]])
        label = escape(marker["label"])
        if marker["kind"] == "hub":
            shape = f'<path class="hub" d="M{x:.1f},{y - 7:.1f}L{x + 6:.1f},{y + 5:.1f}L{x - 6:.1f},{y + 5:.1f}Z"/>'
        else:
            shape = f'<rect class="{marker["kind"]}" x="{x - 4:.1f}" y="{y - 4:.1f}" width="8" height="8"/>'
        out.append(f"<g><title>{label}</title>{shape}</g>")
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
