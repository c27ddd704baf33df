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
    departures in the window, max_headway_s, and the worst gap's gap_from_s / gap_to_s (the longest; of equal
    ones, the earliest). One pass: each route's gaps are reduced per window in one group-by."""
    departure, since = pl.col("departure_s"), pl.col("gap_from_s")
    same_route = pl.all_horizontal(pl.col(k).eq_missing(pl.col(k).shift(1)) for k in KEY)  # as a group-by
    ordered = (departures.select(*KEY, "departure_s").sort([*KEY, "departure_s"])
               .with_columns(gap_from_s=pl.when(same_route).then(departure.shift(1))))  # null on a route's first

    gaps: dict[str, pl.Expr] = {}  # per window, each departure's gap from the one before, where it counts

    def worst(gap: pl.Expr, name: str) -> list[pl.Expr]:
        """The longest of the gaps `gap` keeps (null elsewhere), and where the earliest such gap starts (rows
        are in time order, and arg_max gives the first of equal maxima)."""
        gaps[name] = gap
        return [pl.col(name).max().alias(f"{name}_len"), since.gather(pl.col(name).arg_max()).first().alias(f"{name}_from")]

    inside_a_peak = pl.lit(False)
    aggregations = [departure.min().alias("first"), departure.max().alias("last")]
    for i, window in enumerate(peaks):
        a, b = window.start_s, window.end_s
        aggregations += [*worst(pl.when((since < b) & (departure > a)).then(departure - since), f"p{i}"),
                         departure.is_between(a, b, closed="left").sum().alias(f"p{i}_departures")]
        inside_a_peak = inside_a_peak | ((since >= a) & (departure <= b))
    # counted on the column: with no peak (a day type without peaks) `~in_any` alone is one literal, summed once
    aggregations += [*worst(pl.when(~inside_a_peak).then(departure - since), "off"),
                     (departure.is_not_null() & ~in_any(departure, peaks)).sum().alias("off_departures")]
    per_route = ordered.with_columns(**gaps).group_by(KEY).agg(aggregations)

    rows = []
    for i, window in enumerate(peaks):
        a, b = window.start_s, window.end_s
        # a peak is also measured from its edges: before the first departure, after the last one
        candidates = [(pl.col(f"p{i}_len"), pl.col(f"p{i}_from")),
                      (pl.when(pl.col("first") > a).then(pl.col("first") - a), pl.lit(a)),
                      (pl.when(pl.col("last") < b).then(b - pl.col("last")), pl.col("last"))]
        length = pl.max_horizontal(gap for gap, _ in candidates)
        start = pl.min_horizontal(pl.when(gap == length).then(begin) for gap, begin in candidates)
        rows.append(per_route.select(*KEY, window=pl.lit(window.label), departures=f"p{i}_departures",
                                     gap_s=length, gap_from_s=start))
    rows.append(per_route.select(*KEY, window=pl.lit(OFFPEAK), departures="off_departures", gap_s="off_len",
                                 gap_from_s="off_from"))
    return (
        pl.concat([r.select(*KEY, "window", *(pl.col(c).cast(pl.Int64) for c in ("departures", "gap_s", "gap_from_s")))
                   for r in rows])
        .select(*KEY, "window", "departures", max_headway_s="gap_s", gap_from_s="gap_from_s",
                gap_to_s=pl.col("gap_from_s") + pl.col("gap_s"))
        .sort([*KEY, "window"])
    )


def in_any(expr: pl.Expr, windows: list[Window]) -> pl.Expr:
    inside = pl.lit(False)
    for window in windows:
        inside = inside | expr.is_between(window.start_s, window.end_s, closed="left")
    return inside
