"""A direction is named by where it goes (its commonest last stop), in the JSON, the messages and routes.csv."""

import csv
import json

from tests.conftest import at, feed_tables


def _stops(last_name: str) -> str:
    (lon_a, lat_a), (lon_b, lat_b) = at(0, 0), at(1, 0)
    return (f"stop_id,stop_name,stop_lat,stop_lon\nA,东站,{lat_a:.7f},{lon_a:.7f}\n"
            f'B,"{last_name}",{lat_b:.7f},{lon_b:.7f}\n')


def _audit(cli, audit_args, tmp_path, last_name: str) -> tuple[dict, list[dict]]:
    out = tmp_path / "out"
    cli(*audit_args(feed_tables(**{"stops.txt": _stops(last_name)})), "--out", out)
    with (out / "routes.csv").open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    return json.loads((out / "result.json").read_text(encoding="utf-8")), rows


def test_a_direction_is_named_by_its_last_stop(cli, audit_args, tmp_path):
    doc, rows = _audit(cli, audit_args, tmp_path, "火车站")
    assert [r["towards"] for r in doc["metrics"]["routes"]] == ["火车站"]
    route_findings = [f for f in doc["findings"] if f["subject"]["type"] == "route"]
    assert route_findings and all(f["subject"]["towards"] == "火车站" for f in route_findings)
    assert all("R1 (0) → 火车站" in f["message_zh"] for f in route_findings)
    assert rows[0]["towards"] == "火车站"


def test_a_blank_last_stop_name_leaves_no_dangling_arrow(cli, audit_args, tmp_path):
    doc, rows = _audit(cli, audit_args, tmp_path, "   ")
    assert [r["towards"] for r in doc["metrics"]["routes"]] == [None]
    assert not any("→" in f["message_zh"] + f["message_en"] for f in doc["findings"])
    assert rows[0]["towards"] == ""
