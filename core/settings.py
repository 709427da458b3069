"""The one settings object, read once from the environment.

Every setting is listed with its default in README.md; relative paths are taken from the
directory the command runs in.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class SettingsError(ValueError):
    """A setting that cannot be used as given."""


@dataclass(frozen=True)
class Settings:
    # Settings for where things live
    content_dir: Path
    site_dir: Path
    index_dir: Path
    store: str
    # Settings for the running service
    env: str
    secret_key: str | None
    site_url: str
    # Settings for the community functions
    secret_key_file: Path  # where development keeps its generated key (no PORTAL_SECRET_KEY)
    smtp_url: str | None  # smtp://host:port (smtps:// for TLS, user:password@ optional)
    mail_from: str
    proxy_hops: int = 0  # proxies in front that append to X-Forwarded-For (0: trust none)
    # Settings for `portal deploy` (the site on S3 + CloudFront)
    site_bucket: str | None = None  # the S3 bucket the site is served from
    distribution_id: str | None = None  # the CloudFront distribution in front of it
    # Settings for search and promotion on AWS Lambda (no shared disk)
    index_bucket: str | None = None  # the search index's snapshots (search_index/snapshots.py)
    content_bucket: str | None = None  # content/ for the indexer's builds of promoted pages

    @property
    def development(self) -> bool:
        return self.env == "development"

    @property
    def mkdocs_config(self) -> Path:
        return PROJECT_ROOT / "mkdocs.yml"


def load(environ: Mapping[str, str] | None = None) -> Settings:
    """Build settings from an environment mapping (``os.environ`` by default)."""
    env = os.environ if environ is None else environ
    kind = env.get("PORTAL_ENV", "development")
    if kind not in ("development", "production"):
        raise SettingsError(f"PORTAL_ENV must be 'development' or 'production', not {kind!r}.")
    secret = env.get("PORTAL_SECRET_KEY") or None
    if kind == "production" and not secret:
        raise SettingsError(
            "PORTAL_SECRET_KEY is required when PORTAL_ENV=production: set it to a long "
            "random string, e.g. the output of "
            "`python -c 'import secrets; print(secrets.token_hex(32))'`."
        )
    site_url = env.get("PORTAL_SITE_URL", "http://127.0.0.1:8000/")
    if not site_url.startswith(("http://", "https://")):
        raise SettingsError(
            f"PORTAL_SITE_URL must start with http:// or https://, not {site_url!r}."
        )
    smtp_url = env.get("PORTAL_SMTP_URL") or None
    if smtp_url and not smtp_url.startswith(("smtp://", "smtps://")):
        raise SettingsError(
            f"PORTAL_SMTP_URL must look like smtp://host:port or smtps://host:port, "
            f"not {smtp_url!r}."
        )
    hops = env.get("PORTAL_PROXY_HOPS", "0")
    if not (hops.isascii() and hops.isdigit() and int(hops) <= 5):
        raise SettingsError(
            f"PORTAL_PROXY_HOPS must be the number of proxies in front of the portal (0 to 5), "
            f"not {hops!r}."
        )
    return Settings(
        content_dir=Path(env.get("PORTAL_CONTENT_DIR", "content")).absolute(),
        site_dir=Path(env.get("PORTAL_SITE_DIR", "site")).absolute(),
        index_dir=Path(env.get("PORTAL_INDEX_DIR", "var/index")).absolute(),
        store=env.get("PORTAL_STORE", "sqlite:///var/portal.db"),
        env=kind,
        secret_key=secret,
        site_url=site_url.rstrip("/") + "/",
        secret_key_file=Path(env.get("PORTAL_SECRET_KEY_FILE", "var/secret_key")).absolute(),
        smtp_url=smtp_url,
        mail_from=env.get("PORTAL_MAIL_FROM", "Nimbus Care <community@nimbus.example.com>"),
        proxy_hops=int(hops),
        site_bucket=_bucket(env, "PORTAL_SITE_BUCKET", "nimbus-care-site"),
        index_bucket=_bucket(env, "PORTAL_INDEX_BUCKET", "nimbus-care-index"),
        content_bucket=_bucket(env, "PORTAL_CONTENT_BUCKET", "nimbus-care-content"),
        distribution_id=env.get("PORTAL_DISTRIBUTION_ID") or None,
    )


def _bucket(env: Mapping[str, str], name: str, example: str) -> str | None:
    bucket = env.get(name) or None
    if bucket and not re.fullmatch(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]", bucket):
        raise SettingsError(
            f"{name} must be an S3 bucket's name (3 to 63 lowercase letters, digits, dots "
            f"and hyphens, e.g. {example}), not {bucket!r}."
        )
    return bucket


@cache
def settings() -> Settings:
    """The process's settings, read once."""
    return load()
