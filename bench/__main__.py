"""Run every benchmark in turn."""

from bench import api, build, coldstart, engagement, metrics, publish, search, search_scale

for benchmark in (build, search, api, publish, search_scale, metrics, engagement, coldstart):
    benchmark.main()
