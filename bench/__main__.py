"""Run every benchmark in turn."""

from bench import api, build, search

for benchmark in (build, search, api):
    benchmark.main()
