"""Routing benchmarks: `make bench` (python -m bench.run) measures accuracy, unmet detection and speed."""
