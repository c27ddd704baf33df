"""Which routes are basic: a published list, or every bus route not marked 定制 (custom)."""

import codecs

import polars as pl
import pytest

from checker.errors import InputError
from checker.load.base_routes import load_route_list
from checker.metrics.route_kinds import basic_routes


def select_basic_routes(routes, path):
    return basic_routes(routes, None if path is None else load_route_list(path))

ROUTES = pl.DataFrame({
    "route_id": ["1", "2", "K1", "M1", "T1", "X7"],
    "route_short_name": ["1路", "2路", "定制1", "地铁1号线", "电车1", "快7"],
    "route_long_name": ["", "", "", "", "", "商务快线"],
    "route_desc": ["", "", "", "", "", "定制化公交"],
    "route_type": [3, 3, 3, 1, 11, 702],
})


def test_default_rule_keeps_buses_and_drops_custom_routes():
    basic = select_basic_routes(ROUTES, None)
    assert basic.route_ids == ["1", "2", "T1"]
    assert basic.excluded_custom == ["K1", "X7"]
    assert "定制" in basic.how_zh


def test_list_by_route_id_or_short_name(tmp_path):
    by_id = tmp_path / "ids.csv"
    by_id.write_text("route_id\n1\nM1\n99\n", encoding="utf-8")
    basic = select_basic_routes(ROUTES, by_id)
    assert basic.route_ids == ["1", "M1"]
    assert basic.not_in_feed == ["99"]
    by_name = tmp_path / "names.csv"
    by_name.write_bytes(codecs.BOM_UTF8 + "route_short_name\r\n2路\r\n".encode())
    assert select_basic_routes(ROUTES, by_name).route_ids == ["2"]


def test_gbk_list(tmp_path):
    path = tmp_path / "gbk.csv"
    path.write_bytes("route_short_name\n2路\n电车1\n".encode("gbk"))
    assert select_basic_routes(ROUTES, path).route_ids == ["2", "T1"]


def test_list_without_a_known_column_is_refused(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("line\n1\n", encoding="utf-8")
    with pytest.raises(InputError, match="route_id or route_short_name"):
        select_basic_routes(ROUTES, path)


def test_list_matching_nothing_is_refused(tmp_path):
    path = tmp_path / "none.csv"
    path.write_text("route_id\n404\n", encoding="utf-8")
    with pytest.raises(InputError, match="None of the 1 routes"):
        select_basic_routes(ROUTES, path)


def test_cli_base_routes_excludes_unlisted(tmp_path, cli, audit_args):
    import json

    from tests.conftest import feed_tables

    listing = tmp_path / "basic.csv"
    listing.write_text("route_id\nR2\n", encoding="utf-8")
    tables = feed_tables(routes={"R1": [420, 440], "R2": [430, 450]})
    doc = json.loads(cli(*audit_args(tables), "--base-routes", listing, "--format", "json").stdout)
    assert [r["route_id"] for r in doc["metrics"]["routes"]] == ["R2"]
    assert doc["inputs"]["base_routes"].endswith("basic.csv")
