"""Benchmarks; each writes bench/results/<name>.json. Run them all with `make bench`."""
