"""`make bench`: in-process timings and SQL statement counts for hot operations."""
