"""The ``portal`` command: the entry point that assembles the rooms below it."""

from __future__ import annotations

import argparse
import logging
import os
import sys

from core import settings as settings_module
from core.gamification import GamificationError, programme
from site_config.content import ContentError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="portal", description="Nimbus Care help portal.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    build = commands.add_parser(
        "build", help="check the content and build the site in every language"
    )
    build.add_argument(
        "--full",
        action="store_true",
        help="index every page and community post afresh, not only what changed",
    )

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

    work = commands.add_parser(
        "work", help="run the event consumers: notifications, email, the search feed"
    )
    work.add_argument("--once", action="store_true", help="stop when every consumer has caught up")
    # portal serve starts its worker with this, so the worker ends with the server.
    work.add_argument("--parent", type=int, help=argparse.SUPPRESS)

    find = commands.add_parser("search", help="search the published index, as the site does")
    find.add_argument("query", metavar="QUERY", help="words to search for")
    find.add_argument("--lang", help="only pages in this language (en, hi, ru, km)")
    find.add_argument("--kind", help="only this kind: faq, guide, community, question, page")
    find.add_argument("--tag", help="only pages with this tag")
    find.add_argument("--limit", type=int, default=10, help="how many results (default 10)")
    find.add_argument("--json", action="store_true", help="print the API's JSON")

    deploy = commands.add_parser(
        "deploy", help="upload the built site to its S3 bucket and refresh CloudFront"
    )
    deploy.add_argument(
        "--dry-run", action="store_true", help="print what would change and change nothing"
    )

    store = commands.add_parser("store", help="create or check the community store")
    store_actions = store.add_subparsers(dest="action", required=True, metavar="ACTION")
    store_actions.add_parser(
        "init", help="create the store PORTAL_STORE names (a SQLite file, a DynamoDB table)"
    )
    store_actions.add_parser("check", help="check that the store is there, in the right shape")

    from portal import admin

    admin.add_arguments(commands)

    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        settings = settings_module.settings()
        programme()  # the engagement rules, checked before anything starts
        return COMMANDS[args.command](settings, args)
    except (settings_module.SettingsError, GamificationError) as error:
        print(f"portal: {error}", file=sys.stderr)
        return 2


def _build(settings: settings_module.Settings, args: argparse.Namespace) -> int:
    from functions import search_feed
    from functions.store import open_store
    from site_config.build import BuildError, build

    store = open_store(settings.store)
    try:
        report = build(
            settings,
            say=lambda line: print(line, file=sys.stderr),
            community=search_feed.for_build(store),
            full=args.full,
        )
    except (ContentError, BuildError, FileNotFoundError) as error:
        print(f"portal build: {error}", file=sys.stderr)
        print("portal build: the site was not changed.", file=sys.stderr)
        return 1
    finally:
        store.close()
    pages = ", ".join(f"{lang} {count}" for lang, count in report.pages.items())
    print(f"Built {report.site} in {report.seconds:.1f} s ({pages} pages).")
    return 0


def _serve(settings: settings_module.Settings, args: argparse.Namespace) -> int:
    from portal.server import serve

    if not settings.site_dir.exists():
        print(
            f"portal serve: no site at {settings.site_dir}; run `portal build` first.",
            file=sys.stderr,
        )
        return 1
    print(f"Serving http://{args.host}:{args.port}/", file=sys.stderr)
    serve(settings, args.host, args.port, args.workers, args.threads)
    return 0


def _work(settings: settings_module.Settings, args: argparse.Namespace) -> int:
    from portal.worker import work

    work(settings, once=args.once, parent=args.parent)
    return 0


def _search(settings: settings_module.Settings, args: argparse.Namespace) -> int:
    import json

    from search_index.query import IndexMissing, QueryError, SearchIndex

    if not 1 <= args.limit <= 50:
        print("portal search: choose --limit from 1 to 50.", file=sys.stderr)
        return 2
    try:
        results = SearchIndex(settings.index_dir).search(
            args.query, lang=args.lang, kind=args.kind, tag=args.tag, pagelen=args.limit
        )
    except QueryError as error:
        print(f"portal search: {error}", file=sys.stderr)
        return 2
    except IndexMissing as error:
        print(f"portal search: {error}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(results.to_json(), ensure_ascii=False, indent=2))
        return 0
    if results.did_you_mean:
        print(f"Showing results for: {results.did_you_mean}")
    print(f"{results.total} result{'s' if results.total != 1 else ''} for {results.query!r}")
    for number, hit in enumerate(results.items, start=1):
        heading = f"{hit.title} › {hit.section}" if hit.section else hit.title
        print(f"{number:>2}. {heading}  [{hit.kind}, {hit.lang}, {hit.score:.2f}]")
        print(f"    {settings.site_url}{hit.url}")
        print(f"    {_plain(hit.snippet)}")
    return 0


def _deploy(settings: settings_module.Settings, args: argparse.Namespace) -> int:
    from site_config.deploy import DeployError, deploy

    try:
        deploy(settings, dry_run=args.dry_run, say=print)
    except DeployError as error:
        print(f"portal deploy: {error}", file=sys.stderr)
        return 1
    return 0


def _store(settings: settings_module.Settings, args: argparse.Namespace) -> int:
    from core.aws import AwsError
    from functions.store import StoreError, init_store, open_store

    try:
        if args.action == "init":
            made = init_store(settings.store)
            print(f"{'Created' if made else 'Already there, in the right shape'}: {settings.store}")
        else:
            open_store(settings.store).close()
            print(f"In the right shape: {settings.store}")
    except (StoreError, AwsError, OSError) as error:
        print(f"portal store {args.action}: {error}", file=sys.stderr)
        return 1
    return 0


def _plain(snippet: str) -> str:
    import html
    import re

    return html.unescape(re.sub(r"</?mark[^>]*>", "", snippet))


def _user(settings: settings_module.Settings, args: argparse.Namespace) -> int:
    from portal import admin

    return admin.user(settings, args)


def _promote(settings: settings_module.Settings, args: argparse.Namespace) -> int:
    from portal import admin

    return admin.promote(settings, args)


def _demo(settings: settings_module.Settings, args: argparse.Namespace) -> int:
    from portal import admin

    return admin.demo(settings, args)


COMMANDS = {
    "build": _build,
    "serve": _serve,
    "work": _work,
    "search": _search,
    "user": _user,
    "demo": _demo,
    "promote": _promote,
    "deploy": _deploy,
    "store": _store,
}

if __name__ == "__main__":
    sys.exit(main())
