"""Benchmarks, each run as `python -m bench.<name>` from the repository root.

They print figures; nothing here is a test or a timed assertion. See docs/benchmarks.md.
"""
