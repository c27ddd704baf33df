"""Each file's encoding is found on its own: UTF-8 with or without BOM, GBK/GB18030, latin-1, CRLF."""

import codecs

from checker.load.encoding import to_utf8
from checker.load.feed import load_feed
from tests.conftest import feed_tables, write_feed


def test_utf8_bom_is_stripped():
    data, encoding = to_utf8(codecs.BOM_UTF8 + "stop_id,stop_name\n1,天河\n".encode())
    assert encoding == "utf-8-sig"
    assert data.decode("utf-8").startswith("stop_id")


def test_gbk_is_detected():
    data, encoding = to_utf8("stop_id,stop_name\n1,广州东站\n2,体育西路\n".encode("gbk"))
    assert encoding == "gb18030"
    assert "广州东站" in data.decode("utf-8")


def test_latin1_is_not_mistaken_for_gbk():
    data, encoding = to_utf8("stop_id,stop_name\n1,Olsøya\n2,Hjørundhølen bru\n".encode("latin-1"))
    assert encoding in ("cp1252", "latin_1")
    assert "Hjørundhølen" in data.decode("utf-8")


def test_feed_with_gbk_stops_bom_routes_and_crlf(tmp_path):
    tables = feed_tables()
    stops = "stop_id,stop_name,stop_lat,stop_lon\r\nA,广州东站,22.6,113.3\r\nB,体育西路,22.6,113.31\r\n"
    tables["stops.txt"] = stops.encode("gbk")
    tables["routes.txt"] = codecs.BOM_UTF8 + "route_id,route_short_name,route_type\r\nR1,1路,3\r\n".encode()
    feed = load_feed(write_feed(tmp_path, tables))
    assert feed.encodings["stops.txt"] == "gb18030"
    assert feed.encodings["routes.txt"] == "utf-8-sig"
    assert sorted(feed.stops["stop_name"].to_list()) == ["体育西路", "广州东站"]
    assert feed.routes["route_short_name"].to_list() == ["1路"]
    assert any("stops.txt" in en for en, _ in feed.notices)
