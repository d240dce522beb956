"""The pure core of newsflow: bytes or strings in, frozen dataclasses out.

No network, SQL, Prefect, environment variables or clock here; callers pass in
everything a function needs (tests/extractors/test_purity.py keeps it so).
"""
