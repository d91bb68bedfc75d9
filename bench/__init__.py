"""Benchmarks, each run as `python -m bench.<name>` from the repository root.

They print figures; nothing here is a test or a timed assertion. See docs/benchmarks.md.
"""

import os

# As `python -m bot` runs (bot/cli.py): one BLAS thread, set before NumPy is first imported.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
