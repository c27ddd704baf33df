"""An optional basemap under the coverage map (`--basemap URL_TEMPLATE`): XYZ tiles in Web Mercator, which the
reader's browser fetches; buscheck itself never does. Without the option the report stays offline.

The overlay is never moved: the map stays in its local equal-area projection (metres), so areas, the scale bar
and the north arrow mean what they meant without tiles. Each tile is placed under it by an affine transform
fitted to nine points of the tile, taken tile pixel -> Web Mercator -> lon/lat in the tiles' datum -> WGS-84
(GCJ-02 tiles: the loader's inverse, checker/load/datum.py) -> local metres -> map pixel. Over one tile the
chain departs from an affine map by well under a screen pixel (tests), so a stop is drawn on the tile pixel of
its own longitude and latitude. Shifting GCJ-02 tiles onto WGS-84 is the same as shifting the overlay onto them.

Template placeholders: {z} {x} {y} ({-y}: TMS rows, as Tencent's tiles are numbered), {s} a subdomain
(0-7 for 天地图, 1-4 for AutoNavi, 0-3 for Google China and Tencent, a b c for anything else) and {r} (dropped).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import numpy as np
from markupsafe import Markup, escape

from checker.errors import InputError
from checker.load.datum import LABELS as DATUM_LABELS
from checker.load.datum import from_wgs84, to_wgs84

TILE = 256  # pixels per tile side
MAX_TILES = 64  # a map needing more at its natural zoom gets a lower one
MAX_ZOOM = 18  # 天地图, AutoNavi and most others stop at 18
EARTH_M = 2 * math.pi * 6378137.0  # the equator's length on the Web Mercator sphere

# Hosts (the template's, ending so) whose tiles are in GCJ-02, and those refused: Baidu's tiles are BD-09 on a
# tile grid of its own (not XYZ Web Mercator), which no shift would put right.
GCJ02_HOSTS = ("amap.com", "autonavi.com", "gtimg.com", "qq.com", "google.cn")
BAIDU_HOSTS = ("baidu.com", "bdimg.com", "bdstatic.com")
SUBDOMAINS = (("tianditu.gov.cn", tuple("01234567")), ("tianditu.com", tuple("01234567")),
              ("autonavi.com", tuple("1234")), ("amap.com", tuple("1234")), ("google.cn", tuple("0123")),
              ("gtimg.com", tuple("0123")))
DEFAULT_SUBDOMAINS = ("a", "b", "c")
PLACEHOLDERS = ("{z}", "{x}", "{y}", "{-y}", "{s}", "{r}")
SECRET_PARAMETERS = ("tk", "key", "ak", "token", "access_token", "apikey", "api_key", "accesstoken")
_HOST = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$")
_NEVER_IN_URL = set('"\'<>\\`')  # never part of a URL unencoded; each could end an HTML attribute


def _refuse(template: str, en: str, zh: str) -> InputError:
    return InputError("--basemap", en, zh, value=redacted(template))


def redacted(template: str) -> str:
    """The template with the values of key-like query parameters (天地图's tk=, key=, token=, ...) replaced by
    ***: what result.json and the report's text show. The tile URLs in report.html carry the key, as they must."""
    def hide(match: re.Match[str]) -> str:
        return match.group(1) + "***"
    names = "|".join(SECRET_PARAMETERS)
    return re.sub(rf"([?&;](?:{names})=)[^&#;]*", hide, template, flags=re.IGNORECASE)


def _host_ends(host: str, suffixes: tuple[str, ...]) -> bool:
    return any(host == s or host.endswith("." + s) for s in suffixes)


@dataclass(frozen=True)
class Basemap:
    template: str  # as given (tile URLs are made from it)
    datum: str  # the tiles' datum: wgs84 or gcj02
    datum_how: str  # "given" (--basemap-datum) or "host" (known from the tiles' host) or "default"
    host: str  # the template's host, {s} left in
    origins: tuple[str, ...]  # scheme://host[:port] of every subdomain: the CSP's img-src
    subdomains: tuple[str, ...]

    def url(self, z: int, x: int, y: int) -> str:
        s = self.subdomains[(x + y) % len(self.subdomains)] if self.subdomains else ""
        return (self.template.replace("{z}", str(z)).replace("{x}", str(x)).replace("{-y}", str(2 ** z - 1 - y))
                .replace("{y}", str(y)).replace("{s}", s).replace("{r}", ""))

    @property
    def shown(self) -> str:
        return redacted(self.template)

    @property
    def osm(self) -> bool:
        return _host_ends(self.host.replace("{s}.", ""), ("openstreetmap.org", "openstreetmap.fr"))

    def about(self) -> dict[str, Any]:
        """What the report says under the map."""
        return {"host": self.host, "datum": self.datum, "datum_label": DATUM_LABELS[self.datum],
                "datum_how": self.datum_how, "shifted": self.datum != "wgs84", "osm": self.osm,
                "template": self.shown}


def open_basemap(template: str | None, datum: str = "auto") -> Basemap | None:
    """The --basemap template checked (exit 2 on anything but an http(s) XYZ template of a plain host) with its
    datum: `datum` when given (wgs84, gcj02), else known from the host, else WGS-84 (OSM, 天地图 CGCS2000)."""
    if template is None:
        return None
    text = template.strip()
    if not text or any(ord(c) <= 32 or ord(c) == 127 or c in _NEVER_IN_URL for c in text):
        raise _refuse(template, "Expected a tile URL template without spaces, quotes, angle brackets, backslashes or "
                      "control characters (percent-encode them), e.g. https://tile.openstreetmap.org/{z}/{x}/{y}.png",
                      "瓦片地址模板不得含空格、引号、尖括号、反斜杠或控制字符（请用百分号编码），例如 "
                      "https://tile.openstreetmap.org/{z}/{x}/{y}.png")
    for name in re.findall(r"\{[^}]*\}", text):
        if name not in PLACEHOLDERS:
            raise _refuse(template, f"Unknown placeholder {name}; known ones are {' '.join(PLACEHOLDERS)} (write a "
                          "key such as 天地图's tk= into the template itself).",
                          f"未知占位符 {name}；可用占位符为 {' '.join(PLACEHOLDERS)}（天地图的 tk= 等密钥请直接写入模板）。")
    if "{z}" not in text or "{x}" not in text or ("{y}" not in text and "{-y}" not in text):
        raise _refuse(template, "The template needs {z}, {x} and {y} (or {-y}): XYZ tiles in Web Mercator.",
                      "模板须包含 {z}、{x}、{y}（或 {-y}）：Web 墨卡托 XYZ 瓦片。")
    parts = urlsplit(text)
    if parts.scheme.lower() not in ("http", "https"):
        raise _refuse(template, "Only http:// and https:// tile URLs are allowed.", "瓦片地址只允许 http:// 或 https://。")
    netloc = parts.netloc
    if "@" in netloc or any(p in netloc for p in ("{z}", "{x}", "{y}", "{-y}", "{r}")):
        raise _refuse(template, "The host may hold only {s}, and no user name or password.",
                      "主机名中只允许 {s} 占位符，不得包含用户名或密码。")
    host_part, _, port = netloc.rpartition(":") if re.search(r":\d*$", netloc) else (netloc, "", "")
    host = host_part.lower()
    if port and not (port.isdigit() and 0 < int(port) < 65536):
        raise _refuse(template, "The port is not a number from 1 to 65535.", "端口应为 1 至 65535 之间的数字。")
    plain = host.replace("{s}", "a")
    if not _HOST.match(plain):
        raise _refuse(template, "Expected a plain host name (ASCII letters, digits, dots and hyphens; an "
                      "internationalised name in its xn-- form).", "主机名应由 ASCII 字母、数字、点和连字符组成（中文域名请用 xn-- 形式）。")
    if _host_ends(plain, BAIDU_HOSTS) or (datum == "bd09"):
        raise _refuse(template, "Baidu tiles (BD-09, on Baidu's own tile grid) cannot be placed under the map; use "
                      "天地图, OpenStreetMap or AutoNavi tiles.", "百度瓦片（BD-09 坐标、百度自有瓦片网格）无法与本图对齐；"
                      "请改用天地图、OpenStreetMap 或高德瓦片。")
    if _host_ends(plain, ("tianditu.gov.cn", "tianditu.com")) and (
            "_c/" in parts.path.lower() or any(k.lower() == "tilematrixset" and v.lower() == "c"
                                               for k, v in parse_qsl(parts.query))):
        raise _refuse(template, "天地图's _c layers are in longitude/latitude; use the _w (Web Mercator) layers, "
                      "e.g. vec_w, img_w, cva_w.", "天地图 _c 图层为经纬度投影，请使用 _w（Web 墨卡托）图层，如 vec_w、img_w、cva_w。")
    subdomains: tuple[str, ...] = ()
    if "{s}" in text:
        subdomains = next((subs for suffix, subs in SUBDOMAINS if _host_ends(plain, (suffix,))), DEFAULT_SUBDOMAINS)
    scheme = parts.scheme.lower()
    origins = tuple(sorted({f"{scheme}://{host.replace('{s}', s)}{':' + port if port else ''}"
                            for s in (subdomains or ("",))}))
    if datum in ("wgs84", "gcj02"):
        chosen, how = datum, "given"
    elif _host_ends(plain, GCJ02_HOSTS):
        chosen, how = "gcj02", "host"
    elif _host_ends(plain, ("openstreetmap.org", "openstreetmap.fr", "tianditu.gov.cn", "tianditu.com")):
        chosen, how = "wgs84", "host"
    else:
        chosen, how = "wgs84", "default"
    return Basemap(text, chosen, how, host, origins, subdomains)


# Tile arithmetic (Web Mercator, the sphere of radius 6378137 m; x east, y south, both 0..1 over the world).

def world_xy(lon: Any, lat: Any) -> tuple[np.ndarray, np.ndarray]:
    """Longitude/latitude (degrees) -> Web Mercator as a share of the world: (0, 0) top left, (1, 1) bottom
    right; lon 0 lat 0 is (0.5, 0.5)."""
    lat = np.clip(np.asarray(lat, dtype=float), -85.05112878, 85.05112878)
    x = (np.asarray(lon, dtype=float) + 180.0) / 360.0
    y = 0.5 - np.log(np.tan(np.pi / 4 + np.radians(lat) / 2)) / (2 * np.pi)
    return x, y


def world_lonlat(x: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
    """The inverse of `world_xy`."""
    lon = np.asarray(x, dtype=float) * 360.0 - 180.0
    lat = np.degrees(2 * np.arctan(np.exp((0.5 - np.asarray(y, dtype=float)) * 2 * np.pi)) - np.pi / 2)
    return lon, lat


def tile_of(lon: float, lat: float, z: int) -> tuple[int, int]:
    """The XYZ tile (x, y) holding this point at zoom z."""
    x, y = world_xy(lon, lat)
    n = 2 ** z
    return min(int(math.floor(float(x) * n)), n - 1), min(int(math.floor(float(y) * n)), n - 1)


def natural_zoom(metres_per_pixel: float, lat: float) -> int:
    """The zoom whose tile pixel is nearest (in ratio) a map pixel at latitude `lat` (a Web Mercator pixel
    covers EARTH_M * cos(lat) / (256 * 2**z) metres of ground)."""
    exact = math.log2(EARTH_M * math.cos(math.radians(lat)) / (TILE * max(metres_per_pixel, 1e-6)))
    return int(min(MAX_ZOOM, max(0, round(exact))))


@dataclass
class Placed:
    z: int
    x: int
    y: int
    matrix: tuple[float, float, float, float, float, float]  # SVG matrix(a b c d e f): tile pixel -> map pixel
    url: str


def _to_map(frame: Any, to_local: Any, lon: np.ndarray, lat: np.ndarray, datum: str) -> tuple[np.ndarray, np.ndarray]:
    """Points in the tiles' datum -> map pixels."""
    wlon, wlat = to_wgs84(lon, lat, datum)
    px, py = frame.xy(*to_local.transform(wlon, wlat))
    return np.asarray(px), np.asarray(py)


def place_tiles(basemap: Basemap, frame: Any, to_local: Any) -> list[Placed]:
    """The tiles covering the map's frame, each with the affine transform that lays it under the overlay."""
    x0, x1 = frame.minx, frame.minx + frame.width / frame.scale
    y1, y0 = frame.maxy, frame.maxy - frame.height / frame.scale
    t = np.linspace(0.0, 1.0, 21)
    edge_x = np.concatenate([x0 + (x1 - x0) * t, np.full_like(t, x1), x1 - (x1 - x0) * t, np.full_like(t, x0)])
    edge_y = np.concatenate([np.full_like(t, y0), y0 + (y1 - y0) * t, np.full_like(t, y1), y1 - (y1 - y0) * t])
    lon, lat = to_local.transform(edge_x, edge_y, direction="INVERSE")
    lon, lat = from_wgs84(lon, lat, basemap.datum)  # where the frame's edge lies on the tiles
    wx, wy = world_xy(lon, lat)
    centre_lat = float(to_local.transform((x0 + x1) / 2, (y0 + y1) / 2, direction="INVERSE")[1])
    z = natural_zoom(1 / frame.scale, centre_lat)
    while True:
        n = 2 ** z
        tx0, tx1 = int(np.floor(wx.min() * n)), int(np.floor(wx.max() * n))
        ty0, ty1 = max(0, int(np.floor(wy.min() * n))), min(n - 1, int(np.floor(wy.max() * n)))
        if (tx1 - tx0 + 1) * (ty1 - ty0 + 1) <= MAX_TILES or z == 0:
            break
        z -= 1
    tiles = [(x, y) for y in range(ty0, ty1 + 1) for x in range(tx0, tx1 + 1)]
    grid = np.array([(u, v) for v in (0, TILE / 2, TILE) for u in (0, TILE / 2, TILE)])
    pts_x = np.concatenate([(x + grid[:, 0] / TILE) / n for x, _ in tiles])
    pts_y = np.concatenate([(y + grid[:, 1] / TILE) / n for _, y in tiles])
    px, py = _to_map(frame, to_local, *world_lonlat(pts_x, pts_y), basemap.datum)
    design = np.column_stack([grid, np.ones(len(grid))])
    placed = []
    for i, (x, y) in enumerate(tiles):
        part = slice(9 * i, 9 * i + 9)
        (a, c, e), (b, d, f) = (np.linalg.lstsq(design, px[part], rcond=None)[0],
                                np.linalg.lstsq(design, py[part], rcond=None)[0])
        placed.append(Placed(z, x, y, (a, b, c, d, e, f), basemap.url(z, x % n, y)))
    return placed


def tiles_svg(basemap: Basemap, frame: Any, to_local: Any) -> str:
    """<image> elements for the tiles, drawn first (below everything). Each is 1/4 pixel larger on every side
    so that neighbours overlap instead of leaving a hairline; clipped to the map (not under the legend). A tile
    that fails to load leaves the map's own background and hides nothing."""
    out = []
    for tile in place_tiles(basemap, frame, to_local):
        matrix = " ".join(f"{v:.6g}" for v in tile.matrix)
        out.append(f'<image href="{escape(tile.url)}" x="-0.25" y="-0.25" width="{TILE + 0.5}" height="{TILE + 0.5}" '
                   f'preserveAspectRatio="none" transform="matrix({matrix})"/>')
    clip = f'<clipPath id="basemap-clip"><rect width="{frame.width}" height="{frame.height}"/></clipPath>'
    return Markup(f'{clip}<g class="basemap-tiles" clip-path="url(#basemap-clip)">{"".join(out)}</g>')
