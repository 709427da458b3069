"""The README keeps up with the code: every setting, command and make target is listed."""

from __future__ import annotations

import re

from core.settings import PROJECT_ROOT
from portal import cli

README = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")


def test_every_setting_is_documented():
    source = (PROJECT_ROOT / "core" / "settings.py").read_text(encoding="utf-8")
    settings = set(re.findall(r'"(PORTAL_[A-Z_]+)"', source))
    assert settings, "no settings found; has settings.py changed shape?"
    missing = {name for name in settings if f"`{name}`" not in README}
    assert not missing, f"settings missing from README.md: {sorted(missing)}"


def test_every_command_is_documented():
    missing = {name for name in cli.COMMANDS if f"`portal {name}" not in README}
    assert not missing, f"portal commands missing from README.md: {sorted(missing)}"


def test_every_make_target_is_documented():
    makefile = (PROJECT_ROOT / "Makefile").read_text(encoding="utf-8")
    targets = set(re.search(r"^\.PHONY: (.+)$", makefile, re.M).group(1).split())
    missing = {target for target in targets if f"`make {target}" not in README}
    assert not missing, f"make targets missing from README.md: {sorted(missing)}"
