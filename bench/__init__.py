"""Benchmarks of huiqi; each records its results in bench/RESULTS.md."""
