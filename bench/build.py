"""How `portal build` scales with promoted community pages.

Builds the real content plus 250, 500 and 1,000 synthetic community pages (spread over the
four languages, their text drawn from the real pages of that language) and records, for
each size: seconds, milliseconds per page and HTML bytes per page. The headline figure is
``per_page_ratio_1000_vs_250``: ms per page at 1,000 over ms per page at 250, measured in
this one process, so a slow or busy machine shifts both sides alike. Target: <= 1.2, with
bytes per page flat.
"""

from __future__ import annotations

import datetime as dt
import random
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from core import settings as settings_module
from core.languages import CODES
from core.settings import PROJECT_ROOT
from site_config.build import build
from site_config.frontmatter import FrontMatter, render

SIZES = (250, 500, 1000)
REPEATS = 3  # best of three: the machine is shared, the minimum is the least disturbed run
TAGS = [
    "battery",
    "screen",
    "charging",
    "wifi",
    "bluetooth",
    "warranty",
    "shipping",
    "refunds",
    "account",
    "password",
    "rewards",
    "laptop",
    "phone",
    "tablet",
    "earbuds",
    "watch",
    "camera",
    "speaker",
    "keyboard",
    "update",
    "backup",
    "invoice",
    "repairs",
    "care-plus",
]


def paragraphs(lang: str) -> list[str]:
    """Real sentences to fill synthetic answers with, from the language's own pages."""
    found = []
    for path in sorted((PROJECT_ROOT / "content" / lang).rglob("*.md")):
        body = path.read_text(encoding="utf-8").split("---", 2)[2]
        found += [
            re.sub(
                r"\[([^\]]*)\]\([^)]*\)", r"\1", p.strip()
            )  # links would point elsewhere from here
            for p in body.split("\n\n")
            if len(p.strip()) > 80 and not p.lstrip().startswith(("#", "!", "|", "<", "-", "1."))
        ]
    return found


def write_community(content: Path, count: int, rng: random.Random) -> None:
    texts = {lang: paragraphs(lang) for lang in CODES}
    for number in range(count):
        lang = CODES[number % len(CODES)]
        first, *rest = rng.sample(texts[lang], 4)
        title = re.sub(r"[*_`\[\]()]", "", first)[:70].rstrip(" ,.;:") or f"Answer {number}"
        meta = FrontMatter(
            title=title,
            summary=re.sub(r"[*_`\[\]()]", "", rest[0])[:180],
            kind="community",
            tags=rng.sample(TAGS, rng.randint(1, 3)),
            lang=lang,
            owner="community-team",
            updated=dt.date(2026, 11, 1) - dt.timedelta(days=rng.randint(0, 700)),
            source={"question_id": str(10_000 + number), "answer_id": str(50_000 + number)},
            authors=[f"member{rng.randint(1, 400)}"],
        )
        body = "\n\n".join(["## " + title, *rest])
        path = content / lang / "community" / f"answer-{number:05d}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(render(meta, body), encoding="utf-8")


def prepare(size: int, work: Path) -> settings_module.Settings:
    """The real content plus ``size`` synthetic community pages, in a folder of its own."""
    root = work / f"size-{size}"
    content = root / "content"
    shutil.copytree(PROJECT_ROOT / "content", content)
    write_community(content, size, random.Random(size))
    return settings_module.load(
        {
            "PORTAL_CONTENT_DIR": str(content),
            "PORTAL_SITE_DIR": str(root / "site"),
            "PORTAL_INDEX_DIR": str(root / "index"),
        }
    )


def timed_build(settings: settings_module.Settings) -> float:
    started = time.perf_counter()
    build(settings, say=lambda line: None)
    return time.perf_counter() - started


def summarise(size: int, settings: settings_module.Settings, times: list[float]) -> dict:
    pages = [p for lang in CODES for p in (settings.site_dir / lang).rglob("index.html")]
    community = [p for p in pages if re.search(r"/community/answer-\d+/index\.html$", p.as_posix())]
    seconds = min(times)
    return {
        "community_pages": size,
        "html_pages": len(pages),
        "seconds": round(seconds, 3),
        "ms_per_page": round(1000 * seconds / len(pages), 3),
        "html_bytes_per_page": round(statistics.mean(p.stat().st_size for p in pages)),
        "community_page_bytes_median": round(
            statistics.median(p.stat().st_size for p in community)
        ),
        "runs_seconds": [round(t, 3) for t in times],
    }


def main() -> None:
    from bench.results_io import write

    with tempfile.TemporaryDirectory(prefix="portal-bench-build-") as work:
        sites = {size: prepare(size, Path(work)) for size in SIZES}
        timed_build(sites[SIZES[0]])  # warm-up: imports, theme loading, caches
        times: dict[int, list[float]] = {size: [] for size in SIZES}
        # Sizes take turns, so a slow spell on this shared machine touches each of them.
        for _ in range(REPEATS):
            for size in SIZES:
                times[size].append(timed_build(sites[size]))
        results = {str(size): summarise(size, sites[size], times[size]) for size in SIZES}
    ratio = results["1000"]["ms_per_page"] / results["250"]["ms_per_page"]
    bytes_ratio = (
        results["1000"]["community_page_bytes_median"]
        / results["250"]["community_page_bytes_median"]
    )
    path = write(
        "build",
        {
            "sizes": results,
            "per_page_ratio_1000_vs_250": round(ratio, 3),
            "community_page_bytes_ratio_1000_vs_250": round(bytes_ratio, 3),
            "target": {"per_page_ratio_1000_vs_250": "<= 1.2", "bytes_per_page": "flat"},
        },
    )
    for size, row in results.items():
        print(
            f"{size:>5} community pages: {row['seconds']:6.2f} s, "
            f"{row['ms_per_page']:6.2f} ms/page, {row['html_bytes_per_page']:,} B/page",
            file=sys.stderr,
        )
    print(f"per-page ratio 1000 vs 250: {ratio:.3f}; wrote {path}", file=sys.stderr)


if __name__ == "__main__":
    if __package__ in (None, ""):
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    main()
