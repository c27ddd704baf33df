"""Art. 10(1): the built-up area's stop coverage against the tier minimum or the city's own target."""

from __future__ import annotations

from checker.judge.context import Context, city_subject, finding
from checker.judge.registry import number, register
from checker.model.pack import Rule
from checker.model.result import Finding

OWN_TARGET_WORDS = "各地可根据实际情况制定本地区建成区基本公交站点500米的覆盖目标"


@register("coverage_min", number("radius_m", "m", "straight-line radius around each served stop", 500))
def check_coverage_min(rule: Rule, context: Context) -> list[Finding]:
    """Share of the built-up area within `radius_m` (straight line) of a stop that a basic route serves on the
    audit date, against the tier minimum or the city's own higher target (never lower than the minimum).

    Measured by metrics/coverage.py: circles around the served stops, unioned and clipped to the built-up
    polygon in an equal-area projection centred on it. One finding for the city. Edge: the ratio is compared
    at the precision reported (0.01 percentage point), so 99.999% is not a failure of 100%.
    """
    city, cov = context.city, context.metrics.coverage
    target = city.coverage_target
    ratio = cov.ratio
    passed = round(ratio, 4) >= round(target, 4)
    basis_en = "the city's own target" if target > city.tier.coverage_min else f"the {city.tier.name_en} minimum"
    basis_zh = "本市自定目标" if target > city.tier.coverage_min else f"{city.tier.name}最低要求"
    radius = rule.params["radius_m"]
    doubt_zh = doubt_en = ""
    if cov.polygon_doubtful:
        doubt_zh = (f" 注意：该多边形 {cov.far_from_stops_share:.0%} 的面积距所有站点超过 2 公里，可能并非建成区，"
                    "本结论以其为建成区。")
        doubt_en = (f" Caution: {cov.far_from_stops_share:.0%} of this polygon lies more than 2 km from every stop; it may "
                    "not be a built-up area, and this verdict takes it as one.")
    judged = [
        finding(
            rule, "pass" if passed else "fail", city_subject(city), round(ratio, 6), target, "ratio",
            f"建成区基本公交站点{radius}米覆盖率 {ratio:.2%}，{basis_zh} {target:.0%}，"
            f"{'达标' if passed else '未达标'}；未覆盖 {cov.uncovered_km2:.2f} 平方公里。{doubt_zh}",
            f"{ratio:.2%} of the built-up area lies within {radius} m of a basic-bus stop; "
            f"{basis_en} is {target:.0%}: {'met' if passed else 'not met'}; "
            f"{cov.uncovered_km2:.2f} km2 uncovered.{doubt_en}",
        )
    ]
    if not passed and round(ratio, 4) >= round(city.tier.coverage_min, 4):
        # the tier's minimum is met; only the city's own target (覆盖目标) is missed: the standard lets a city set
        # one, it does not make it binding
        judged[0].strength, judged[0].strength_words = "should", OWN_TARGET_WORDS
        judged[0].message_zh += f"（已达到{city.tier.name}最低要求 {city.tier.coverage_min:.0%}）"
        judged[0].message_en += f" (the {city.tier.name_en} minimum of {city.tier.coverage_min:.0%} is met)"
    return judged
