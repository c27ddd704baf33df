"""Per route and direction: departures, first and last departure, and the largest headway in each window.

Headway semantics (see README, "How headways are measured"):
- a gap between consecutive departures counts for every window it overlaps, so a gap straddling a window
  edge counts for the window on both sides;
- a peak window is measured from its own edges when the route has no departure before (or after) it: a
  route whose first departure is 07:40 has a 40-minute wait counted in a 07:00-09:00 peak, and a route with
  no departure in the peak at all gets the full wait from the window edge to its next departure;
- off-peak is all operating time (first to last departure) outside the peak windows; a gap lying wholly
  inside one peak window does not count for it.
"""

from __future__ import annotations

import polars as pl

from checker.model.clock import Window

KEY = ["route_id", "direction_id"]
OFFPEAK = "offpeak"


def route_spans(departures: pl.DataFrame) -> pl.DataFrame:
    """route_id, direction_id, trips, first_departure_s, last_departure_s, max_gap_s (largest gap between
    consecutive departures, whatever the window), departures_s (sorted), origin_stop_id (commonest)."""
    ordered = pl.col("departure_s").sort()
    ends = ([pl.col("destination_stop_id").mode().sort().first().alias("destination_stop_id")]
            if "destination_stop_id" in departures.columns else [])  # and the commonest destination, when known
    return (
        departures.group_by(KEY)
        .agg(
            pl.len().alias("trips"),
            pl.col("departure_s").min().alias("first_departure_s"),
            pl.col("departure_s").max().alias("last_departure_s"),
            ordered.diff().max().alias("max_gap_s"),
            ordered.alias("departures_s"),
            pl.col("origin_stop_id").mode().sort().first().alias("origin_stop_id"),
            *ends,
        )
        .sort(KEY)
    )


def headways(departures: pl.DataFrame, peaks: list[Window]) -> pl.DataFrame:
    """One row per route, direction and window (each peak label, then 'offpeak'):
    departures in the window, max_headway_s, and the worst gap's gap_from_s / gap_to_s."""
    ordered = departures.select(*KEY, "departure_s").sort([*KEY, "departure_s"])
    gaps = ordered.with_columns(gap_from_s=pl.col("departure_s").shift(1).over(KEY)).filter(
        pl.col("gap_from_s").is_not_null()
    ).select(*KEY, "gap_from_s", gap_to_s=pl.col("departure_s"))
    spans = ordered.group_by(KEY).agg(first=pl.col("departure_s").min(), last=pl.col("departure_s").max())

    candidates = []
    counts = []
    for window in peaks:
        a, b = window.start_s, window.end_s
        label = pl.lit(window.label)
        candidates.append(
            gaps.filter((pl.col("gap_from_s") < b) & (pl.col("gap_to_s") > a)).with_columns(window=label)
        )
        candidates.append(
            spans.filter(pl.col("first") > a).select(*KEY, gap_from_s=pl.lit(a), gap_to_s=pl.col("first"), window=label)
        )
        candidates.append(
            spans.filter(pl.col("last") < b).select(*KEY, gap_from_s=pl.col("last"), gap_to_s=pl.lit(b), window=label)
        )
        counts.append(
            ordered.filter(pl.col("departure_s").is_between(a, b, closed="left"))
            .group_by(KEY)
            .len("departures")
            .with_columns(window=label)
        )
    inside_a_peak = pl.lit(False)
    for window in peaks:
        inside_a_peak = inside_a_peak | (
            (pl.col("gap_from_s") >= window.start_s) & (pl.col("gap_to_s") <= window.end_s)
        )
    candidates.append(gaps.filter(~inside_a_peak).with_columns(window=pl.lit(OFFPEAK)))
    counts.append(
        ordered.filter(~in_any(pl.col("departure_s"), peaks)).group_by(KEY).len("departures").with_columns(
            window=pl.lit(OFFPEAK)
        )
    )

    schema = {"gap_from_s": pl.Int64, "gap_to_s": pl.Int64}
    worst = (
        pl.concat([c.select(*KEY, "window", *[pl.col(k).cast(t) for k, t in schema.items()]) for c in candidates])
        .with_columns(gap_s=pl.col("gap_to_s") - pl.col("gap_from_s"))
        .sort([*KEY, "window", "gap_s", "gap_from_s"], descending=[False, False, False, True, False])
        .group_by([*KEY, "window"], maintain_order=True)
        .first()
        .rename({"gap_s": "max_headway_s"})
    )
    labels = [w.label for w in peaks] + [OFFPEAK]
    grid = spans.select(KEY).join(pl.DataFrame({"window": labels}), how="cross")
    count_frame = pl.concat([c.select(*KEY, "window", pl.col("departures").cast(pl.Int64)) for c in counts])
    return (
        grid.join(worst, on=[*KEY, "window"], how="left")
        .join(count_frame, on=[*KEY, "window"], how="left")
        .with_columns(pl.col("departures").fill_null(0))
        .select(*KEY, "window", "departures", "max_headway_s", "gap_from_s", "gap_to_s")
        .sort([*KEY, "window"])
    )


def in_any(expr: pl.Expr, windows: list[Window]) -> pl.Expr:
    inside = pl.lit(False)
    for window in windows:
        inside = inside | expr.is_between(window.start_s, window.end_s, closed="left")
    return inside
