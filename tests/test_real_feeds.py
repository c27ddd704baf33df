"""Real public feeds from ../shared/data (skipped when absent): they load, audit, and agree with gtfs-kit."""

import json
import warnings
from datetime import date

import polars as pl
import pytest
import shapely

from checker.load.calendar import trips_on
from checker.load.feed import load_feed
from checker.metrics.departures import infer_directions, origin_departures
from checker.metrics.timetable import route_spans
from tests.conftest import shared_path

pytestmark = pytest.mark.shared


def _hull_polygon(feed, path):
    points = shapely.MultiPoint(feed.stops.select("stop_lon", "stop_lat").drop_nulls().to_numpy())
    geometry = shapely.geometry.mapping(points.convex_hull)
    path.write_text(json.dumps({"type": "FeatureCollection",
                                "features": [{"type": "Feature", "properties": {}, "geometry": geometry}]}))
    return path


def _audit(cli, tmp_path, feed_path, *extra):
    profile = tmp_path / "profile.toml"
    profile.write_text('tier = "prefecture"\ncity_en = "Test city"\n', encoding="utf-8")
    polygon = _hull_polygon(load_feed(feed_path), tmp_path / "hull.geojson")
    result = cli("audit", feed_path, "--built-up", polygon, "--city", "测试市", "--profile", profile,
                 "--format", "json", *extra)
    assert result.exit_code in (0, 1), result.stderr
    return json.loads(result.stdout)


def test_cairns_agrees_with_gtfs_kit(tmp_path):
    gk = pytest.importorskip("gtfs_kit")
    path = shared_path("cairns", "cairns_gtfs.zip")
    feed = load_feed(path)
    day = date(2014, 5, 30)
    trips = infer_directions(trips_on(feed, day), feed.trip_ends, feed.stops)
    departures = origin_departures(feed, trips)
    ours = route_spans(departures)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        kit_feed = gk.read_feed(path, dist_units="km")
        stats = gk.compute_trip_stats(kit_feed)
        theirs = gk.compute_route_stats(kit_feed, dates=["20140530"], trip_stats=stats,
                                        headway_start_time="00:00:00", headway_end_time="48:00:00",
                                        split_directions=True)
    theirs = pl.from_pandas(theirs[["route_id", "direction_id", "num_trips", "start_time", "max_headway"]])
    joined = ours.join(theirs.with_columns(pl.col("direction_id").cast(pl.Int64)), on=["route_id", "direction_id"])
    assert joined.height == ours.height == theirs.height
    assert (joined["trips"] == joined["num_trips"]).all()
    first = joined["first_departure_s"].map_elements(
        lambda s: f"{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}", return_dtype=pl.String)
    assert (first == joined["start_time"]).all()
    # over a window spanning the whole day, gtfs-kit's max headway is the largest gap between departures
    gaps = (departures.sort("departure_s").group_by(["route_id", "direction_id"])
            .agg(gap=(pl.col("departure_s").diff().max() / 60)))
    compared = joined.join(gaps, on=["route_id", "direction_id"]).filter(pl.col("max_headway").is_not_nan())
    assert compared.height > 20
    assert ((compared["gap"] - compared["max_headway"]).abs() < 1e-6).all()


def test_cairns_audit(tmp_path, cli):
    doc = _audit(cli, tmp_path, shared_path("cairns", "cairns_gtfs.zip"), "--date", "2014-05-30")
    routes = {(r["route_short_name"], r["direction_id"]): r for r in doc["metrics"]["routes"]}
    assert routes[("110N", 0)]["first_departure"] == "24:50:00"  # after-midnight trips stay on their day
    assert doc["metrics"]["coverage"]["stops_used"] > 300


def test_kl_rapid_bus_frequencies_and_failures(tmp_path, cli):
    doc = _audit(cli, tmp_path, shared_path("kl_rapid_bus", "gtfs.zip"), "--date", "2026-05-04")
    assert doc["service_date"]["chosen_by"] == "requested"
    peak = [f for f in doc["findings"] if f["rule"] == "GD-FREQ-PEAK"]
    assert any(f["status"] == "fail" for f in peak) and any(f["status"] == "pass" for f in peak)
    route = next(r for r in doc["metrics"]["routes"] if r["route_id"] == "S1040" and r["direction_id"] == 0)
    assert (route["first_departure"], route["last_departure"], route["trips"]) == ("06:00:00", "20:00:00", 28)


def test_atb_calendar_dates_only_and_latin1(tmp_path, cli):
    doc = _audit(cli, tmp_path, shared_path("atb_region_nord"))
    assert doc["inputs"]["feed_encodings"]["stops.txt"] in ("cp1252", "latin_1")
    assert doc["service_date"]["chosen_by"] == "busiest_weekday"
    assert doc["metrics"]["routes"]


def test_cairns_peak_headways_agree_with_gtfs_kit_where_the_definitions_do():
    """gtfs-kit measures only between departures inside its window; ours adds straddling gaps and edges.
    On a window that opens and closes on a route's own departures the two definitions coincide."""
    gk = pytest.importorskip("gtfs_kit")
    from checker.metrics.timetable import Window, headways

    path = shared_path("cairns", "cairns_gtfs.zip")
    feed = load_feed(path)
    day = date(2014, 5, 30)
    departures = origin_departures(feed, infer_directions(trips_on(feed, day), feed.trip_ends, feed.stops))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        kit_feed = gk.read_feed(path, dist_units="km")
        stats = gk.compute_trip_stats(kit_feed)
    compared = 0
    for (route_id, direction), group in departures.group_by(["route_id", "direction_id"]):
        times = sorted(t for t in group["departure_s"].to_list() if 7 * 3600 <= t <= 9 * 3600)
        if len(times) < 3:
            continue
        a, b = times[0], times[-1]
        ours = headways(group, [Window(a, b)]).filter(pl.col("window") != "offpeak")["max_headway_s"][0] / 60
        clock = [f"{t // 3600:02d}:{t % 3600 // 60:02d}:{t % 60:02d}" for t in (a, b)]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            theirs = gk.compute_route_stats(kit_feed, dates=["20140530"], trip_stats=stats,
                                            headway_start_time=clock[0], headway_end_time=clock[1],
                                            split_directions=True)
        row = theirs[(theirs["route_id"] == route_id) & (theirs["direction_id"] == direction)]
        assert ours == pytest.approx(float(row["max_headway"].iloc[0]), abs=1e-6), (route_id, direction)
        compared += 1
    assert compared >= 10


def test_cairns_trip_lengths_and_peak_speed_agree_with_gtfs_kit():
    """Trip lengths from shapes (haversine here, gtfs-kit's UTM geometry there) and the peak operating speed."""
    gk = pytest.importorskip("gtfs_kit")
    from checker.metrics import network
    from checker.metrics.timetable import Window

    path = shared_path("cairns", "cairns_gtfs.zip")
    feed = load_feed(path, shapes=True)
    ours = network.trip_lengths(feed, network.Segments.of(feed))
    assert set(ours["by"].unique()) == {"shape"}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        stats = gk.compute_trip_stats(gk.read_feed(path, dist_units="km"))
    theirs = pl.from_pandas(stats[["trip_id", "distance", "start_time", "end_time"]])
    joined = ours.join(theirs, on="trip_id")
    assert joined.height == ours.height
    relative = ((joined["length_m"] / 1000 - joined["distance"]).abs() / joined["distance"])
    assert relative.max() < 0.005  # under half a percent on every trip

    day = date(2014, 5, 30)
    departures = origin_departures(feed, infer_directions(trips_on(feed, day), feed.trip_ends, feed.stops))
    peaks = [Window(7 * 3600, 9 * 3600), Window(17 * 3600, 19 * 3600)]
    speed = network.peak_speed(departures, ours, peaks)

    def seconds(text):
        h, m, s = (int(x) for x in text.split(":"))
        return h * 3600 + m * 60 + s

    peak_ids = departures.filter(
        pl.any_horizontal([pl.col("departure_s").is_between(w.start_s, w.end_s, closed="left") for w in peaks]))["trip_id"]
    kit = joined.filter(pl.col("trip_id").is_in(peak_ids.implode()))
    hours = sum(seconds(e) - seconds(s) for s, e in zip(kit["start_time"], kit["end_time"], strict=True)) / 3600
    assert speed["departures"] == kit.height
    assert speed["km_h"] == pytest.approx(kit["distance"].sum() / hours, rel=0.005)
    assert 10 < speed["km_h"] < 40  # a plausible city bus speed


@pytest.mark.parametrize("feed, date_option", [(("cairns", "cairns_gtfs.zip"), ("--date", "2014-05-30")),
                                               (("kl_rapid_bus", "gtfs.zip"), ("--date", "2026-05-04")),
                                               (("atb_region_nord",), ())])
def test_no_datum_false_alarm_on_real_feeds(tmp_path, cli, feed, date_option):
    """Correct WGS-84 feeds over a polygon around their own stops: no reading of another datum is suggested."""
    doc = _audit(cli, tmp_path, shared_path(*feed), *date_option)
    suggested = [n["en"] for n in doc["notices"] if "--feed-crs" in n["en"] or "--built-up-crs" in n["en"]]
    assert not suggested
