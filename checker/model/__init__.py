"""The typed records every stage shares: clock times, the rule pack and city profile, metrics, the result.

Nothing here imports another stage of buscheck, and nothing here reads a file or formats a report.
"""
