"""``GET /api/health``: is the service up, and which site build is it serving."""

from __future__ import annotations

from flask import Blueprint, current_app

from core import publish
from core.settings import Settings

bp = Blueprint("health", __name__, url_prefix="/api")


@bp.get("/health")
def health() -> dict:
    settings: Settings = current_app.config["PORTAL_SETTINGS"]
    build = publish.current(settings.site_dir)
    return {"status": "ok", "site_build": build.name if build else None}
