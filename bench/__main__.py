"""Run every benchmark in turn."""

from bench import build

for benchmark in (build,):
    benchmark.main()
