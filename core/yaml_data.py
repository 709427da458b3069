"""Reading the project's YAML data files (the engagement programme, tag names, the words of
the API), as start-up does on every cold start: with libyaml's parser where PyYAML has it,
several times faster than the pure-Python one, and the same safe subset of YAML."""

from __future__ import annotations

from typing import Any

import yaml

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
YAMLError = yaml.YAMLError


def parse_yaml(text: str) -> Any:
    """The data of one YAML document (only plain data: no tags that run code)."""
    return yaml.load(text, Loader=_LOADER)
