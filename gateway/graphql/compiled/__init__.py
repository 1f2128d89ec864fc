"""Compiled reads: a query answered by one SQL statement that builds its `data` JSON in PostgreSQL.

`planner.py` turns a validated operation into that statement once per document (types declare their SQL source
beside them, `schema/sql_source.py`; rules come from `permissions/sql_rules.py`), `schema/sql_json.py` writes JSON text
exactly as the standard path serializes it, and `extension.py` runs the plan, or leaves the request to the
standard path whenever the plan cannot answer exactly as it would.
"""
