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


def test_the_batch_parent_reads_a_toml_manifest_without_the_audit_libraries(province):
    """The parent hashes cities and hands them out while the workers start: polars and shapely are the
    workers' (imported in the parent, they delayed every worker's start by 0.2 s)."""
    import subprocess
    import sys

    code = ("import sys, checker.cli, checker.batch.runner, checker.report.outdir\n"
            "from checker.batch.manifest import load_manifest\n"
            f"assert len(load_manifest({str(province)!r})) == 4\n"
            "print(sorted({'polars', 'shapely', 'numpy'} & set(sys.modules)))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


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


@pytest.mark.parametrize("key", ["feed", "built_up", "hubs", "profile"])
def test_a_nul_in_a_manifest_path_is_refused(tmp_path, key):
    manifest = tmp_path / "m.toml"
    entry = {"name": "江门", "feed": "f.zip", "built_up": "b.geojson", key: "a\\u0000b.zip"}  # TOML's escape of NUL
    manifest.write_text("[[city]]\n" + "".join(f'{k} = "{v}"\n' for k, v in entry.items()), encoding="utf-8")
    with pytest.raises(InputError) as error:
        load_manifest(manifest)
    assert error.value.field == key and "NUL" in error.value.message()


HOSTILE_NAMES = ["..", ".", "a/b", "a:b", "a\\b", "a_b", "广州", "广州", "summary.html", "CON", " x ", "\u202eevil",
                 "../../etc", "/abs", "A", "a", "\x00", "x" * 300]


def test_city_folders_are_safe_unique_and_inside_out(tmp_path):
    manifest = tmp_path / "m.toml"
    manifest.write_text("".join(f'[[city]]\nname = {json.dumps(name)}\nfeed = "f.zip"\nbuilt_up = "b.geojson"\n\n'
                                for name in HOSTILE_NAMES), encoding="utf-8")
    jobs = load_manifest(manifest)
    folders = [job.slug for job in jobs]
    assert [job.name for job in jobs] == HOSTILE_NAMES
    assert len({f.casefold() for f in folders}) == len(folders)  # unique, even on a case-insensitive disk
    out = tmp_path / "out"
    for folder in folders:
        assert folder not in ("", ".", "..") and not folder.startswith(".")
        assert not set(folder) & set('/\\:*?"<>|') and folder.isprintable() and " " not in folder
        assert len(folder.encode("utf-8")) <= 120
        assert (out / folder).resolve().parent == out.resolve()
        assert folder.casefold() not in ("summary.csv", "summary.xlsx", "summary.html", "con")
    by_name = dict(zip(HOSTILE_NAMES, folders, strict=False))
    assert by_name["a_b"] == "a_b" and by_name["a/b"] != by_name["a:b"]  # differ in a refused character only
    assert folders[6:8] == ["广州", "广州-2"]  # the same name twice: in manifest order


def test_cities_named_dot_dot_write_inside_out(province, tmp_path, cli):
    text = province.read_text(encoding="utf-8")
    tier = '\ntier = "large"'  # names the pack does not know need a tier
    text = text.replace('name = "广州"', 'name = ".."' + tier).replace('name = "珠海"', 'name = "."' + tier)
    text = text.replace('name = "汕头"', 'name = "a/b"' + tier)
    province.write_text(text, encoding="utf-8")
    before = sorted(p.name for p in tmp_path.iterdir())
    out = tmp_path / "out"
    result = cli("batch", province, "--out", out, "--workers", 1)
    assert result.exit_code == 2, result.output  # 潮州's feed is missing
    assert "潮州" in result.output and result.output.count("missing.zip") == 1, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([*before, "out"])  # nothing beside --out
    jobs = load_manifest(province)
    folders = {p.name for p in out.iterdir() if p.is_dir()}
    assert folders == {job.slug for job in jobs if job.name != "潮州"}
    for job in jobs[:3]:
        assert json.loads((out / job.slug / "result.json").read_text(encoding="utf-8"))["city"]["name"] == job.name


def test_rules_and_profile_resolve_relative_to_the_manifest(tmp_path, monkeypatch):
    from checker.load.pack import pack_path

    (tmp_path / "province" / "packs").mkdir(parents=True)
    (tmp_path / "province" / "packs" / "mine.toml").write_bytes(pack_path(None).read_bytes())
    manifest = tmp_path / "province" / "m.toml"
    manifest.write_text('[defaults]\nfeed = "f.zip"\nbuilt_up = "b.geojson"\n\n'
                        '[[city]]\nname = "江门"\nrules = "packs/mine.toml"\nprofile = "p.toml"\n\n'
                        '[[city]]\nname = "阳泉"\nrules = "transit-metropolis"\nprofile = "yangquan-2025"\n',
                        encoding="utf-8")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    own, shipped = load_manifest(manifest)
    assert own.request.rules == str(manifest.parent / "packs" / "mine.toml")
    assert own.request.profile == manifest.parent / "p.toml"
    assert shipped.request.rules == "transit-metropolis" and shipped.request.profile == "yangquan-2025"
    from checker.load.pack import resolve_city
    from checker.pipeline import open_pack

    assert open_pack(own.request.rules).path == manifest.parent / "packs" / "mine.toml"
    pack = open_pack(shipped.request.rules)
    assert resolve_city(pack, "阳泉", shipped.request.profile, {}).tier.id  # the shipped profile is found


def test_cities_go_to_workers_largest_feed_first(tmp_path):
    """Largest first (a zip's size; a folder's stop_times.txt), ties and unreadable feeds in manifest order at
    the end, so that the batch does not end with a large city running alone."""
    from checker.batch.manifest import CityJob
    from checker.batch.runner import largest_first
    from checker.inputs import AuditRequest

    def job(name, feed):
        return CityJob(name, name, AuditRequest(feed=feed, built_up=tmp_path / "b.geojson", city=name))

    (tmp_path / "small.zip").write_bytes(b"x" * 10)
    (tmp_path / "big.zip").write_bytes(b"x" * 1000)
    (tmp_path / "folder").mkdir()
    (tmp_path / "folder" / "stop_times.txt").write_bytes(b"x" * 500)
    (tmp_path / "same.zip").write_bytes(b"x" * 10)
    jobs = [job("a", tmp_path / "small.zip"), job("b", tmp_path / "missing.zip"), job("c", tmp_path / "big.zip"),
            job("d", tmp_path / "folder"), job("e", tmp_path / "same.zip")]
    assert [j.name for j in largest_first(jobs)] == ["c", "d", "a", "e", "b"]
