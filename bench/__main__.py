"""Run every benchmark in turn."""

from bench import api, build, publish, search

for benchmark in (build, search, api, publish):
    benchmark.main()
