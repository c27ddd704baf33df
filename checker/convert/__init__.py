"""Write GTFS from what load/ read: a service table (首末班 + 发车间隔, or Macau's DSAT files) becomes a feed
with frequencies.txt (exact_times 0), a calendar per day type and stop times estimated from stop distances.

convert/ imports only model/ and load/ records and writes files; it reads none (load/ does). audit.py uses
`as_gtfs` to audit a service table directly, through the same GTFS loader as any feed.
"""
