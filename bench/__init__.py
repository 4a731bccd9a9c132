"""Benchmarks of the platform, run by `make bench`; figures go to bench/README.md."""
