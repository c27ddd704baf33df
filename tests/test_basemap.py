"""--basemap: XYZ tiles under report.html's map. The tile arithmetic by hand, the tiles covering the map, a stop
drawn on the tile pixel of its own longitude and latitude (GCJ-02 tiles too), the CSP opening exactly the tile
origins, hostile templates refused or escaped, and the option end to end with no network during the audit."""

import json
import math
import re
import socket

import jsonschema
import numpy as np
import pytest
import shapely
from pyproj import Transformer

from checker.errors import InputError
from checker.load.datum import from_wgs84
from checker.metrics.coverage import local_projection
from checker.report import basemap as bm
from checker.report.basemap import (
    TILE,
    Basemap,
    open_basemap,
    place_tiles,
    tile_of,
    tiles_svg,
    world_lonlat,
    world_xy,
)
from checker.report.svg import Frame, coverage_map
from checker.report.templating import SORT_SCRIPT, content_security_policy
from tests.conftest import REPO, SCHEMA

OSM = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
AMAP = "https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8&x={x}&y={y}&z={z}"
TIANDITU = ("https://t{s}.tianditu.gov.cn/vec_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=vec&STYLE=default"
            "&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk=SECRETKEY123")
SAMPLE = REPO / "sample_feeds" / "sample_city"


# Tile arithmetic, checked against the formulas worked by hand.

def test_lon_0_lat_0_is_the_corner_of_tile_1_1_at_zoom_1():
    assert world_xy(0.0, 0.0) == (0.5, 0.5)  # 256 px of the 512 px world, both ways: tile (1, 1)'s top left
    assert tile_of(0.0, 0.0, 1) == (1, 1)
    assert tile_of(-1e-9, 1e-9, 1) == (0, 0)
    assert tile_of(-180.0, 85.0511, 0) == (0, 0) and tile_of(179.999, -85.0511, 3) == (7, 7)


def test_guangzhou_at_zoom_12():
    # x = (113.26 + 180) / 360 * 4096 = 3336.65; y = (1 - asinh(tan(23.13°)) / π) / 2 * 4096 = 1777.38
    lat = math.radians(23.13)
    assert math.floor((113.26 + 180) / 360 * 4096) == 3336
    assert math.floor((1 - math.asinh(math.tan(lat)) / math.pi) / 2 * 4096) == 1777
    assert tile_of(113.26, 23.13, 12) == (3336, 1777)


def test_world_coordinates_round_trip():
    lon, lat = np.array([113.26, -70.5, 0.0]), np.array([23.13, -33.4, 60.0])
    back = world_lonlat(*world_xy(lon, lat))
    assert np.allclose(back, (lon, lat), atol=1e-9)


def test_natural_zoom_puts_one_tile_pixel_on_one_map_pixel():
    at_equator = bm.EARTH_M / (TILE * 2 ** 12)  # metres per tile pixel at zoom 12 on the equator
    assert bm.natural_zoom(at_equator, 0.0) == 12
    assert bm.natural_zoom(at_equator * math.cos(math.radians(60)), 60.0) == 12  # cos(lat): same zoom up north
    assert bm.natural_zoom(at_equator * 2, 0.0) == 11
    assert bm.natural_zoom(1e-3, 23.0) == bm.MAX_ZOOM and bm.natural_zoom(1e9, 23.0) == 0


# Placing the tiles under the overlay.

def _city(lon0: float = 113.26, lat0: float = 23.13, km: float = 20.0):
    """A built-up square around (lon0, lat0), its local projection and its map frame."""
    d_lat, d_lon = km / 2 / 110.574, km / 2 / (111.320 * math.cos(math.radians(lat0)))
    area_wgs = shapely.box(lon0 - d_lon, lat0 - d_lat, lon0 + d_lon, lat0 + d_lat)
    to_local = Transformer.from_crs(4326, local_projection(area_wgs), always_xy=True)
    area = shapely.transform(area_wgs, lambda xy: np.column_stack(to_local.transform(xy[:, 0], xy[:, 1])))
    return to_local, Frame.around(area)


def _tile_pixel_on_map(tile, u, v):
    """Where tile pixel (u, v) lands on the map: the image is drawn 1/4 px larger each side, then transformed."""
    a, b, c, d, e, f = tile.matrix
    p = u * (TILE + 0.5) / TILE - 0.25
    q = v * (TILE + 0.5) / TILE - 0.25
    return a * p + c * q + e, b * p + d * q + f


def _check_points_on_their_tile_pixel(basemap, frame, to_local, lon, lat):
    tiles = place_tiles(basemap, frame, to_local)
    by_index = {(t.x, t.y): t for t in tiles}
    z = tiles[0].z
    tlon, tlat = from_wgs84(lon, lat, basemap.datum)  # where the tiles draw this place
    wx, wy = world_xy(tlon, tlat)
    mx, my = frame.xy(*to_local.transform(lon, lat))  # where the overlay draws it
    errors = []
    for i in range(len(lon)):
        x, y = int(wx[i] * 2 ** z), int(wy[i] * 2 ** z)
        u, v = (wx[i] * 2 ** z - x) * TILE, (wy[i] * 2 ** z - y) * TILE
        px, py = _tile_pixel_on_map(by_index[(x, y)], u, v)
        errors.append(math.hypot(px - mx[i], py - my[i]))
    return max(errors)


@pytest.mark.parametrize("template", [OSM, AMAP])
def test_a_stop_is_drawn_on_the_tile_pixel_of_its_lon_lat(template):
    to_local, frame = _city()
    rng = np.random.default_rng(7)
    lon, lat = 113.26 + rng.uniform(-0.09, 0.09, 300), 23.13 + rng.uniform(-0.08, 0.08, 300)
    assert _check_points_on_their_tile_pixel(open_basemap(template), frame, to_local, lon, lat) < 1.0


def test_the_tiles_cover_the_map_and_are_capped(monkeypatch):
    to_local, frame = _city()
    for template in (OSM, AMAP):
        tiles = place_tiles(open_basemap(template), frame, to_local)
        assert len(tiles) <= bm.MAX_TILES
        a, b, c, d, e, f = tiles[0].matrix
        assert 0.7 < math.hypot(a, b) < 1.42  # about one tile pixel on one map pixel
        drawn = shapely.union_all([shapely.Polygon([_tile_pixel_on_map(t, u, v) for u, v in
                                                    ((0, 0), (TILE, 0), (TILE, TILE), (0, TILE))]) for t in tiles])
        assert drawn.contains(shapely.box(0, 0, frame.width, frame.height))
    natural = place_tiles(open_basemap(OSM), frame, to_local)
    monkeypatch.setattr(bm, "MAX_TILES", 4)
    capped = place_tiles(open_basemap(OSM), frame, to_local)
    assert len(capped) <= 4 and capped[0].z < natural[0].z


def test_gcj02_tiles_are_shifted_by_half_a_kilometre_in_guangzhou_and_osm_not():
    to_local, frame = _city()
    osm, amap = open_basemap(OSM), open_basemap(AMAP)
    assert (osm.datum, amap.datum) == ("wgs84", "gcj02")
    plain = {(t.z, t.x, t.y): t.matrix for t in place_tiles(osm, frame, to_local)}
    shifted = {(t.z, t.x, t.y): t.matrix for t in place_tiles(amap, frame, to_local)}
    common = sorted(set(plain) & set(shifted))
    assert common
    for key in common:
        metres = math.hypot(plain[key][4] - shifted[key][4], plain[key][5] - shifted[key][5]) / frame.scale
        assert 300 < metres < 700, metres
    # OSM: the tile pixel of a place is where the place's WGS-84 coordinates put it, no shift
    lon, lat = np.array([113.26]), np.array([23.13])
    assert _check_points_on_their_tile_pixel(osm, frame, to_local, lon, lat) < 1.0
    # on AutoNavi's tiles, the tile pixel of the place's unconverted WGS-84 coordinates is ~0.6 km off the stop
    tiles = {(t.x, t.y): t for t in place_tiles(amap, frame, to_local)}
    z = next(iter(tiles.values())).z
    wx, wy = world_xy(lon[0], lat[0])
    x, y = int(wx * 2 ** z), int(wy * 2 ** z)
    px, py = _tile_pixel_on_map(tiles[(x, y)], (wx * 2 ** z - x) * TILE, (wy * 2 ** z - y) * TILE)
    (mx,), (my,) = frame.xy(*to_local.transform(lon, lat))
    assert 300 < math.hypot(px - mx, py - my) / frame.scale < 700


# The template: datum, subdomains, origins, refusals.

@pytest.mark.parametrize(("template", "datum", "how"), [
    (OSM, "wgs84", "host"), (AMAP, "gcj02", "host"), (TIANDITU, "wgs84", "host"),
    ("https://rt{s}.map.gtimg.com/tile?z={z}&x={x}&y={-y}&type=vector&styleid=0", "gcj02", "host"),
    ("https://mt{s}.google.cn/vt?x={x}&y={y}&z={z}", "gcj02", "host"),
    ("https://tiles.example.org/{z}/{x}/{y}.png", "wgs84", "default"),
])
def test_the_datum_is_known_from_the_host(template, datum, how):
    found = open_basemap(template)
    assert (found.datum, found.datum_how) == (datum, how)
    assert open_basemap(template, "gcj02").datum_how == "given"


def test_subdomains_origins_and_tms_rows():
    tianditu = open_basemap(TIANDITU)
    assert tianditu.origins == tuple(f"https://t{i}.tianditu.gov.cn" for i in range(8))
    assert "TILEROW=1777&TILECOL=3336" in tianditu.url(12, 3336, 1777)
    assert open_basemap("https://{s}.tile.example.org:8443/{z}/{x}/{y}.png").origins == tuple(
        f"https://{s}.tile.example.org:8443" for s in "abc")
    assert open_basemap(OSM).origins == ("https://tile.openstreetmap.org",)
    tencent = open_basemap("https://rt{s}.map.gtimg.com/tile?z={z}&x={x}&y={-y}")
    assert tencent.url(12, 3336, 1777).endswith("z=12&x=3336&y=2318")  # 4095 - 1777


def test_keys_are_hidden_from_the_result_but_not_from_the_tiles():
    found = open_basemap(TIANDITU)
    assert "SECRETKEY123" not in found.shown and found.shown.endswith("tk=***")
    assert "SECRETKEY123" in found.url(3, 1, 2)


@pytest.mark.parametrize("template", [
    "javascript:alert(1)//{z}/{x}/{y}", "JaVaScRiPt:alert(1)//{z}/{x}/{y}", "data:image/png;base64,{z}{x}{y}",
    "file:///tmp/{z}/{x}/{y}.png", "//tile.openstreetmap.org/{z}/{x}/{y}.png", "tiles/{z}/{x}/{y}.png",
    'https://a.example.org/{z}/{x}/{y}.png"><script>alert(1)</script>',
    "https://a.example.org/{z}/{x}/{y}.png' onload='alert(1)", "https://a.example.org/{z}/{x} /{y}.png",
    "https://evil.example.org;script-src */{z}/{x}/{y}", "https://user:pass@a.example.org/{z}/{x}/{y}",
    "https://{z}.example.org/{x}/{y}", "https://a.example.org/{z}/{x}.png", "https://a.example.org/{z}/{x}/{y}/{apikey}",
    "https://a.example.org:99999/{z}/{x}/{y}", "https://天地图.cn/{z}/{x}/{y}",
    "https://api.map.baidu.com/tile/?x={x}&y={y}&z={z}", "https://t{s}.tianditu.gov.cn/vec_c/wmts?TILEMATRIX={z}&TILEROW={y}&TILECOL={x}",
])
def test_hostile_or_unusable_templates_are_refused(template):
    with pytest.raises(InputError) as refused:
        open_basemap(template)
    assert "--basemap" in refused.value.message() and refused.value.zh and refused.value.en


def test_baidu_datum_is_refused():
    with pytest.raises(InputError, match="Baidu"):
        open_basemap(OSM, "bd09")


def test_tile_urls_are_escaped_in_the_svg():
    to_local, frame = _city()
    hostile = Basemap('https://a.example.org/{z}/{x}/{y}.png?a=1&b="><script>alert(1)</script>', "wgs84", "given",
                      "a.example.org", ("https://a.example.org",), ())
    svg = tiles_svg(hostile, frame, to_local)
    assert "<script" not in svg and "&amp;b=&#34;&gt;&lt;script&gt;" in svg


def test_the_csp_opens_exactly_the_tile_origins():
    offline = content_security_policy(SORT_SCRIPT)
    assert "img-src" not in offline
    online = content_security_policy(SORT_SCRIPT, images=open_basemap(AMAP).origins)
    assert online == offline.replace("base-uri", "img-src https://webrd01.is.autonavi.com https://webrd02.is.autonavi.com "
                                     "https://webrd03.is.autonavi.com https://webrd04.is.autonavi.com; base-uri")


def test_without_a_basemap_the_map_has_no_tiles():
    to_local, frame = _city()
    area = shapely.box(0, 0, 1000, 1000)
    plain = coverage_map(area, area, shapely.Polygon(), np.empty((0, 2)), [])
    assert "<image" not in plain and "with-basemap" not in plain
    under = coverage_map(area, area, shapely.Polygon(), np.empty((0, 2)), [], underlay=lambda frame: "<g/>")
    assert under.replace(' class="with-basemap"', "").replace("<g/>", "") == plain


# End to end: the CLI on the sample city, with no network.

@pytest.fixture
def no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("buscheck opened a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


def _sample_args(out, *extra):
    return ["audit", SAMPLE / "gtfs.zip", "--built-up", SAMPLE / "built_up.geojson", "--city", "示例市",
            "--profile", SAMPLE / "profile.toml", "--districts", SAMPLE / "districts.geojson",
            "--hubs", SAMPLE / "hubs.csv", "--facilities", SAMPLE / "facilities.csv", "--out", out, *extra]


def test_cli_basemap_end_to_end_without_network(cli, tmp_path, no_network):
    out = tmp_path / "out"
    done = cli(*_sample_args(out, "--basemap", TIANDITU))
    assert done.exit_code in (0, 1, 4), done.output
    html = (out / "report.html").read_text(encoding="utf-8")
    images = re.findall(r"<image [^>]*>", html)
    assert 1 <= len(images) <= bm.MAX_TILES
    assert all('href="https://t' in image and ".tianditu.gov.cn/vec_w/wmts?" in image for image in images)
    policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', html).group(1)
    assert "img-src " + " ".join(f"https://t{i}.tianditu.gov.cn" for i in range(8)) + ";" in policy
    assert 'id="basemap-note"' in html and "t{s}.tianditu.gov.cn" in html and "provider's terms" in html
    doc = json.loads((out / "result.json").read_text(encoding="utf-8"))
    jsonschema.validate(doc, SCHEMA)
    assert doc["inputs"]["basemap"].endswith("tk=***") and doc["inputs"]["basemap_datum"] == "wgs84"
    for name in ("result.json", "findings.csv", "routes.csv"):
        assert "SECRETKEY123" not in (out / name).read_text(encoding="utf-8")


def test_cli_osm_attribution_and_gcj02_note(cli, tmp_path, no_network):
    done = cli(*_sample_args(tmp_path / "osm", "--basemap", OSM))
    assert done.exit_code in (0, 1, 4), done.output
    html = (tmp_path / "osm" / "report.html").read_text(encoding="utf-8")
    assert "© OpenStreetMap contributors" in html and "the overlay is not shifted" in html
    done = cli(*_sample_args(tmp_path / "amap", "--basemap", AMAP))
    html = (tmp_path / "amap" / "report.html").read_text(encoding="utf-8")
    assert "The overlay was shifted WGS-84 → GCJ-02" in html and "basemap tiles 底图 gcj02" in html


def test_cli_refuses_a_javascript_template_with_exit_2(cli, tmp_path):
    done = cli(*_sample_args(tmp_path / "out", "--basemap", "javascript:alert(1)//{z}/{x}/{y}"))
    assert done.exit_code == 2
    assert "Only http:// and https://" in done.output and "只允许" in done.output
    assert not (tmp_path / "out" / "report.html").exists()


def test_cli_basemap_datum_option(cli, tmp_path):
    done = cli(*_sample_args(tmp_path / "out", "--basemap", OSM, "--basemap-datum", "GCJ-02", "--format", "json"))
    assert json.loads(done.stdout)["inputs"]["basemap_datum"] == "gcj02"
    done = cli(*_sample_args(tmp_path / "out2", "--basemap", OSM, "--basemap-datum", "bd09"))
    assert done.exit_code == 2 and "Baidu" in done.output


def test_without_basemap_the_result_and_report_say_nothing_of_it(cli, tmp_path):
    done = cli(*_sample_args(tmp_path / "out"))
    assert done.exit_code in (0, 1, 4)
    html = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert "<image" not in html and "img-src" not in html and "id=\"basemap-note\"" not in html
    assert "basemap" not in json.loads((tmp_path / "out" / "result.json").read_text(encoding="utf-8"))["inputs"]


def test_a_manifest_city_may_have_a_basemap(tmp_path):
    from checker.batch.manifest import load_manifest

    manifest = tmp_path / "cities.toml"
    manifest.write_text(f'[defaults]\nbasemap = "{OSM}"\n\n[[city]]\nname = "示例市"\nfeed = "gtfs.zip"\n'
                        'built_up = "b.geojson"\nbasemap_datum = "auto"\n', encoding="utf-8")
    (job,) = load_manifest(manifest)
    assert (job.request.basemap, job.request.basemap_datum) == (OSM, "auto")
    manifest.write_text('[[city]]\nname = "x"\nfeed = "f.zip"\nbuilt_up = "b.geojson"\nbasemap_datum = "mars"\n',
                        encoding="utf-8")
    with pytest.raises(InputError, match="auto"):
        load_manifest(manifest)


def test_report_with_failed_tiles_renders_without_csp_errors(cli, tmp_path):
    from tests.browser import Page

    out = tmp_path / "out"
    cli(*_sample_args(out, "--basemap", AMAP))
    with Page(tmp_path / "profile") as page:
        page.open((out / "report.html").as_uri())
        page.settle(1)
        shown = page.evaluate("""(() => {
            const map = document.getElementById("coverage-map");
            return [map.querySelectorAll("image").length, map.querySelectorAll(".stops circle").length,
                    getComputedStyle(map.querySelector("path.covered")).fillOpacity];
        })()""")
    assert shown[0] >= 1 and shown[1] > 100 and float(shown[2]) < 0.85
    assert not [p for p in page.problems if "Content Security Policy" in p or "Refused" in p], page.problems
    assert all("net::" in p for p in page.problems), page.problems  # the tiles cannot load here: nothing else fails


def test_diff_notice_map_takes_a_basemap(cli, tmp_path, no_network):
    out = tmp_path / "diff"
    feed = SAMPLE / "gtfs.zip"
    done = cli("diff", feed, feed, "--built-up", SAMPLE / "built_up.geojson", "--city", "示例市",
               "--profile", SAMPLE / "profile.toml", "--out", out, "--basemap", AMAP)
    assert done.exit_code in (0, 1), done.output
    html = (out / "notice.html").read_text(encoding="utf-8")
    assert re.search(r"<image [^>]*webrd0\d\.is\.autonavi\.com", html)
    assert "img-src https://webrd01.is.autonavi.com" in html and "The overlay was shifted WGS-84 → GCJ-02" in html
    done = cli("diff", feed, feed, "--built-up", SAMPLE / "built_up.geojson", "--city", "示例市",
               "--profile", SAMPLE / "profile.toml", "--out", tmp_path / "plain")
    assert done.exit_code in (0, 1), done.output
    assert "<image" not in (tmp_path / "plain" / "notice.html").read_text(encoding="utf-8")
