"""``content/owners.yml``: the teams that keep pages up to date, and their members.

A page's ``owner`` names a team; the team's members (portal usernames) hear when a reader
says the page did not help. The build writes who hears of each page beside the index (see
:mod:`search_index.pages`), so a change here takes effect with the next build.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import yaml

from site_config.frontmatter import FrontMatterError

FILE = "owners.yml"


def load(content_dir: Path) -> dict[str, tuple[str, ...]]:
    """Each team and its members; none when the file is missing. A malformed file is a
    content error naming what to fix."""
    path = content_dir / FILE
    if not path.exists():
        return {}
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as error:
        raise FrontMatterError(path, "", "valid YAML", str(error).splitlines()[0]) from None
    if not isinstance(raw, dict):
        raise FrontMatterError(path, "", "a mapping of team: [usernames]", type(raw).__name__)
    teams: dict[str, tuple[str, ...]] = {}
    for team, members in raw.items():
        if not isinstance(members, list) or not all(isinstance(m, str) for m in members):
            raise FrontMatterError(path, str(team), "a list of usernames", repr(members))
        teams[str(team)] = tuple(members)
    return teams


def unknown_owners(owners: Mapping[str, str], teams: Mapping[str, tuple[str, ...]]) -> list[str]:
    """Warnings for pages (path → owner) whose owner is no team: nobody hears of them."""
    return [
        f"{path}: owner {owner!r} is not a team in {FILE}; nobody hears of its feedback."
        for path, owner in sorted(owners.items())
        if owner not in teams
    ]
