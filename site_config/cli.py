"""The ``portal`` command."""

from __future__ import annotations

import argparse
import logging
import os
import sys

from site_config import settings as settings_module
from site_config.content import ContentError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="portal", description="Nimbus Care help portal.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    commands.add_parser("build", help="check the content and build the site in every language")

    serve = commands.add_parser("serve", help="serve the site and the API")
    serve.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)"
    )
    serve.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000)")
    serve.add_argument(
        "--workers",
        type=int,
        default=os.cpu_count() or 1,
        help="worker processes (default: one per core)",
    )
    serve.add_argument("--threads", type=int, default=4, help="threads per worker (default 4)")

    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        settings = settings_module.settings()
        return COMMANDS[args.command](settings, args)
    except settings_module.SettingsError as error:
        print(f"portal: {error}", file=sys.stderr)
        return 2


def _build(settings: settings_module.Settings, args: argparse.Namespace) -> int:
    from site_config.build import BuildError, build

    try:
        report = build(settings, say=lambda line: print(line, file=sys.stderr))
    except (ContentError, BuildError, FileNotFoundError) as error:
        print(f"portal build: {error}", file=sys.stderr)
        print("portal build: the site was not changed.", file=sys.stderr)
        return 1
    pages = ", ".join(f"{lang} {count}" for lang, count in report.pages.items())
    print(f"Built {report.site} in {report.seconds:.1f} s ({pages} pages).")
    return 0


def _serve(settings: settings_module.Settings, args: argparse.Namespace) -> int:
    from site_config.server import serve

    if not settings.site_dir.exists():
        print(
            f"portal serve: no site at {settings.site_dir}; run `portal build` first.",
            file=sys.stderr,
        )
        return 1
    print(f"Serving http://{args.host}:{args.port}/", file=sys.stderr)
    serve(settings, args.host, args.port, args.workers, args.threads)
    return 0


COMMANDS = {"build": _build, "serve": _serve}

if __name__ == "__main__":
    sys.exit(main())
