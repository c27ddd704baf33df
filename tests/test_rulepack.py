"""The Guangdong pack as data: tiers, cities, defaults, and what a city profile may change."""

import pytest

from checker.errors import InputError
from checker.load.pack import resolve_city
from checker.pipeline import open_pack as load_pack

PACK = load_pack(None)


@pytest.mark.parametrize("city, tier, minimum", [
    ("广州", "megacity", 1.0), ("Shenzhen", "megacity", 1.0), ("佛山市", "megacity", 1.0), ("dongguan", "megacity", 1.0),
    ("珠海", "large", 0.8), ("Zhongshan", "large", 0.8), ("江门", "large", 0.8), ("Huizhou", "large", 0.8),
    ("汕头", "prefecture", 0.6), ("Yunfu", "prefecture", 0.6),
    ("台山", "county", 0.5), ("Luoding", "county", 0.5),
])
def test_city_tiers(city, tier, minimum):
    profile = resolve_city(PACK, city)
    assert (profile.tier.id, profile.coverage_target) == (tier, minimum)


def test_all_21_prefectures_are_listed():
    prefectures = [c for t in PACK.tiers if t.id != "county" for c in t.cities]
    assert len(prefectures) == 21
    assert len({c["name"] for c in prefectures}) == 21


def test_defaults():
    city = resolve_city(PACK, "广州")
    assert (city.work_start_s, city.work_end_s) == (9 * 3600, 18 * 3600)
    assert [w.label for w in city.peak_windows] == ["07:00-09:00", "17:00-19:00"]
    rules = {r.id: r for r in PACK.rules}
    assert rules["GD-FREQ-PEAK"].params["max_min"] == 30
    assert rules["GD-FREQ-OFFPEAK"].params["max_min"] == 60
    assert rules["GD-SPAN-FIRST"].params["before_work_start_min"] == 90
    assert rules["GD-SPAN-LAST"].params["after_work_end_min"] == 120
    assert rules["GD-COV-500"].params["radius_m"] == 500


def test_profile_overrides(tmp_path):
    path = tmp_path / "zh.toml"
    path.write_text('coverage_target = 0.95\nwork_start = "08:30"\npeak_windows = ["07:30-09:30"]\n', encoding="utf-8")
    city = resolve_city(PACK, "中山", path)
    assert city.coverage_target == 0.95
    assert city.work_start_s == 8 * 3600 + 1800
    assert [w.label for w in city.peak_windows] == ["07:30-09:30"]


def test_a_lower_target_cannot_undercut_the_tier(tmp_path):
    path = tmp_path / "low.toml"
    path.write_text("coverage_target = 0.5\n", encoding="utf-8")
    city = resolve_city(PACK, "广州", path)
    assert city.coverage_target == 1.0
    assert city.notices


def test_unlisted_city_needs_a_tier(tmp_path):
    with pytest.raises(InputError, match="not a city of rule pack"):
        resolve_city(PACK, "新丰县")
    path = tmp_path / "county.toml"
    path.write_text('tier = "county"\n', encoding="utf-8")
    assert resolve_city(PACK, "新丰县", path).coverage_target == 0.5


def test_profile_cannot_move_a_listed_city(tmp_path):
    path = tmp_path / "cheat.toml"
    path.write_text('tier = "county"\n', encoding="utf-8")
    with pytest.raises(InputError, match="cannot change"):
        resolve_city(PACK, "广州", path)


def test_bad_peak_window(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text('peak_windows = ["9-7"]\n', encoding="utf-8")
    with pytest.raises(InputError, match="peak windows"):
        resolve_city(PACK, "广州", path)


@pytest.mark.parametrize("text, field", [
    ('coverage_targt = 0.9\n', "coverage_targt"),
    ('coverage_target = "high"\n', "coverage_target"),
    ("coverage_target = 95\n", "coverage_target"),
    ("work_start = 9\n", "work_start"),
    ('peak_windows = "07:00-09:00"\n', "peak_windows"),
    ('night_max_headway_min = "30"\n', "night_max_headway_min"),
])
def test_bad_profile_settings_name_the_field(tmp_path, text, field):
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as error:
        resolve_city(PACK, "广州", path)
    assert error.value.field == field


def test_a_profile_for_another_city_is_refused(tmp_path):
    path = tmp_path / "zh.toml"
    path.write_text('city = "中山"\ncity_en = "Zhongshan"\n', encoding="utf-8")
    assert resolve_city(PACK, "Zhongshan", path).name == "中山"
    with pytest.raises(InputError, match="not 广州"):
        resolve_city(PACK, "广州", path)
