"""Benchmarks and evaluation sets; each module reports ratios, not absolute timings."""
