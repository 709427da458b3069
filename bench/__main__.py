"""Run every benchmark in turn."""

from bench import build, search

for benchmark in (build, search):
    benchmark.main()
