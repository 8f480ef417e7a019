"""Benchmarks: each prints ratios against the baselines named in the issues, measured side by side in one run.

Run one with ``python -m bench.<name>``; results and commands are recorded in ``BENCHMARKS.md``.
"""
