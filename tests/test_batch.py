"""`buscheck batch`: a province's cities in parallel, errors kept per city, unchanged cities skipped."""

import csv
import json
from urllib.parse import quote

import pytest

from checker.batch.manifest import load_manifest
from checker.batch.runner import run_batch
from checker.errors import InputError
from tests.conftest import feed_tables, write_feed, write_polygon

GOOD_FEED_ROUTES = {"R1": [360 + 15 * i for i in range(64)]}  # 06:00-21:45 every 15 min


@pytest.fixture
def province(tmp_path):
    """Three cities sharing one small feed (Guangzhou, Zhuhai, Shantou) and one whose feed is missing."""
    feed = write_feed(tmp_path / "feed", feed_tables(routes=GOOD_FEED_ROUTES))
    write_polygon(tmp_path / "built_up.geojson")
    manifest = tmp_path / "province.toml"
    manifest.write_text(
        '[defaults]\nbuilt_up = "built_up.geojson"\n\n'
        f'[[city]]\nname = "广州"\nfeed = "{feed.relative_to(tmp_path)}"\n\n'
        f'[[city]]\nname = "珠海"\nfeed = "{feed.relative_to(tmp_path)}"\nwork_start = "08:30"\n\n'
        f'[[city]]\nname = "汕头"\nfeed = "{feed.relative_to(tmp_path)}"\ncoverage_target = 0.05\n\n'
        '[[city]]\nname = "潮州"\nfeed = "missing.zip"\n',
        encoding="utf-8")
    return manifest


def test_manifest_paths_and_overrides(province):
    jobs = load_manifest(province)
    assert [j.name for j in jobs] == ["广州", "珠海", "汕头", "潮州"]
    assert jobs[0].request.built_up == province.parent / "built_up.geojson"
    assert jobs[1].request.overrides == {"work_start": "08:30"}


def test_a_bad_city_is_its_own_error_and_the_rest_run(province, tmp_path):
    rows = run_batch(load_manifest(province), tmp_path / "out", workers=1)
    by_city = {r["city"]: r for r in rows}
    assert by_city["潮州"]["status"] == "error" and "missing.zip" in by_city["潮州"]["error"]
    assert by_city["广州"]["tier"] == "megacity" and by_city["珠海"]["tier"] == "large"
    assert by_city["汕头"]["coverage_target"] == 0.6  # a target below the tier minimum is raised to it
    # the same feed, so the same coverage; the margin is measured from each tier's minimum
    assert by_city["广州"]["coverage"] == by_city["珠海"]["coverage"]
    assert by_city["广州"]["coverage_margin"] == pytest.approx(by_city["广州"]["coverage"] - 1.0)
    assert (tmp_path / "out" / "广州" / "report.html").is_file()
    assert json.loads((tmp_path / "out" / "珠海" / "result.json").read_text())["settings"]["work_start"] == "08:30"


def test_unchanged_cities_are_skipped_and_changed_ones_rerun(province, tmp_path):
    out = tmp_path / "out"
    run_batch(load_manifest(province), out, workers=1)
    again = run_batch(load_manifest(province), out, workers=1)
    assert [r["skipped"] for r in again] == [True, True, True, False]  # errors are always retried
    profile = tmp_path / "p.toml"
    profile.write_text('work_end = "17:00"\n', encoding="utf-8")
    text = province.read_text(encoding="utf-8").replace('name = "汕头"', 'name = "汕头"\nprofile = "p.toml"')
    province.write_text(text, encoding="utf-8")
    third = run_batch(load_manifest(province), out, workers=1)
    assert [r["skipped"] for r in third] == [True, True, False, False]
    forced = run_batch(load_manifest(province), out, workers=1, force=True)
    assert not any(r["skipped"] for r in forced)


def test_cli_batch_in_two_processes_writes_the_summary(province, tmp_path, cli):
    out = tmp_path / "out"
    result = cli("batch", province, "--out", out, "--workers", 2)
    assert result.exit_code == 2  # one city's input is bad
    assert "潮州" in result.stdout
    with (out / "summary.csv").open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["city"] for r in rows] == ["广州", "珠海", "汕头", "潮州"]  # worst margin first, errors last
    assert [r["rank"] for r in rows] == ["1", "2", "3", "4"]
    assert rows[0]["fail GD-COV-500"] == "1"
    assert (out / "summary.xlsx").is_file()
    html = (out / "summary.html").read_text(encoding="utf-8")
    assert f'href="{quote("广州")}/report.html"' in html and "错误 error" in html  # links percent-encoded


def test_dask_local_cluster_gives_the_same_rows(province, tmp_path):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None) as cluster:
        rows = run_batch(load_manifest(province), tmp_path / "dask", workers=1, scheduler=cluster.scheduler_address)
    local = run_batch(load_manifest(province), tmp_path / "local", workers=1)
    varying = ("folder", "error", "seconds")  # where it ran and how long it took

    def strip(found):
        return [{k: v for k, v in r.items() if k not in varying} for r in found]

    assert strip(rows) == strip(local)


def test_csv_manifest_with_lists_and_numbers(tmp_path):
    manifest = tmp_path / "m.csv"
    manifest.write_text("name,feed,built_up,peak_windows,coverage_target,feed_crs\n"
                        "江门,f.zip,b.geojson,07:00-08:30;17:30-19:00,0.9,gcj02\n", encoding="utf-8")
    (job,) = load_manifest(manifest)
    assert job.request.overrides == {"peak_windows": ["07:00-08:30", "17:30-19:00"], "coverage_target": 0.9}
    assert job.request.feed_crs == "gcj02"


@pytest.mark.parametrize("text, field", [
    ("name,feed,built_up,colour\n江门,f.zip,b.geojson,red\n", "colour"),
    ("name,feed,built_up,feed_crs\n江门,f.zip,b.geojson,mars\n", "feed_crs"),
    ("name,feed,built_up,coverage_target\n江门,f.zip,b.geojson,high\n", "coverage_target"),
])
def test_bad_manifests_name_the_field(tmp_path, text, field):
    manifest = tmp_path / "m.csv"
    manifest.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as error:
        load_manifest(manifest)
    assert error.value.field == field
