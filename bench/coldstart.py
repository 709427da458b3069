"""Lambda cold starts: what a container pays before its first answer, and the package's size.

For each deployable function (:data:`functions.app.FUNCTIONS`), a fresh interpreter imports
:mod:`functions.lambda_handlers` and makes that function's handler with
:func:`~functions.lambda_handlers.handler_for`: every import and ``create_app``, which is
what Lambda's init phase does before the first invocation; and the same for the stream's
consumers (:mod:`functions.stream`, ``stream``). Timed with ``perf_counter`` inside the
interpreter, so its own start-up (``interpreter_ms``, measured apart with ``python -c
pass``) is not counted. The store is the DynamoDB store, as on Lambda, on a table made
before the runs on moto's server (a process of its own on loopback): opening it imports
boto3, makes its client and checks the table's shape (one DescribeTable call).
``boto3_client_ms`` is boto3's import and client alone. Runs go round the functions in
turn, ``RUNS`` times, and each function's figure is its median; ``import_ms`` is the
slowest function's. One ``python -X importtime`` run of the slowest names the modules that
cost most (``slowest_modules``: their own time, without what they import).

``package_mb``: the deployment package without boto3 and botocore (the Lambda runtime ships
them): the installed files (each distribution's RECORD, ``__pycache__`` excluded) of the
project's runtime dependencies, that is ``[project] dependencies`` of pyproject.toml and what
they require, without extras and without boto3's own tree (botocore, s3transfer, jmespath,
urllib3, python-dateutil, six, unless something else needs them), each pinned in
requirements.lock; plus the project's ``functions/``, ``core/`` and ``search_index/`` and of
``site_config/`` the modules the handlers import and its ``*.yml`` data. ``package_mb_imported``
counts only the distributions the handlers import (the build's MkDocs, Material, gunicorn
and the rest left out), the smallest package that works.

Targets: ``import_ms`` <= 300 (aim 200); ``package_mb`` <= 250, Lambda's limit unzipped.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
import tomllib
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement

from bench.aws import free_port, moto_server
from core.settings import PROJECT_ROOT
from functions.app import FUNCTIONS

RUNS = 7
IMPORT_TARGET_MS = 300
PACKAGE_TARGET_MB = 250
AWS_SHIPPED = {"boto3", "botocore"}
PROJECT_PACKAGES = ("functions", "core", "search_index")

STREAM = "stream"  # the consumers' handler (functions/stream.py), timed beside the apps

# One cold start: the handler module's imports and the function's app (or the consumers),
# with its store opened: boto3's import, its DynamoDB client and the table's shape check.
INIT = """
import json, sys, time
started = time.perf_counter()
if sys.argv[1] == "stream":
    from functions import stream
else:
    from functions import lambda_handlers
from core.settings import settings
imported = time.perf_counter()
if sys.argv[1] == "stream":
    stream.StreamConsumers(settings())
else:
    lambda_handlers.handler_for(sys.argv[1], settings())
made = time.perf_counter()
print(json.dumps({"import_ms": (imported - started) * 1000, "app_ms": (made - imported) * 1000,
                  "total_ms": (made - started) * 1000, "modules": sorted(sys.modules)}))
"""
BOTO3 = """
import time
started = time.perf_counter()
import boto3
boto3.client("dynamodb", region_name="eu-west-1")
print((time.perf_counter() - started) * 1000)
"""


def run(code: str, *args: str, environ: dict[str, str], flags: tuple[str, ...] = ()) -> str:
    done = subprocess.run(
        [sys.executable, *flags, "-c", code, *args],
        env=environ,
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout if not flags else done.stderr


def cold_starts(environ: dict[str, str]) -> tuple[dict[str, dict], set[str]]:
    """Each function's median figures over RUNS fresh interpreters, and every module seen."""
    runs: dict[str, list[dict]] = {name: [] for name in [*FUNCTIONS, STREAM]}
    modules: set[str] = set()
    for _ in range(RUNS):
        for name in runs:  # in turn, so a busy moment spreads over all of them
            figures = json.loads(run(INIT, name, environ=environ))
            modules.update(figures.pop("modules"))
            runs[name].append(figures)
    medians = {
        name: {
            key: round(statistics.median(figures[key] for figures in found), 1)
            for key in ("total_ms", "import_ms", "app_ms")
        }
        for name, found in runs.items()
    }
    return medians, modules


def slowest_modules(function: str, environ: dict[str, str], count: int = 12) -> list[dict]:
    """The modules with the most time of their own in one ``-X importtime`` run."""
    report = run(INIT, function, environ=environ, flags=("-X", "importtime"))
    found = []
    for line in report.splitlines():
        match = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)", line)
        if match:
            own, cumulative, _, module = match.groups()
            found.append((int(own), int(cumulative), module))
    found.sort(reverse=True)
    return [
        {"module": name, "own_ms": round(own / 1000, 1), "with_imports_ms": round(total / 1000, 1)}
        for own, total, name in found[:count]
    ]


def interpreter_ms(environ: dict[str, str]) -> float:
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], env=environ, check=True)
        times.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(times), 1)


def boto3_client_ms(environ: dict[str, str]) -> float:
    return round(statistics.median(float(run(BOTO3, environ=environ)) for _ in range(RUNS)), 1)


# The package


def normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def locked() -> set[str]:
    lines = (PROJECT_ROOT / "requirements.lock").read_text(encoding="utf-8").splitlines()
    return {normal(line.split("==")[0]) for line in lines if re.match(r"^[A-Za-z0-9]", line)}


def runtime_distributions() -> set[str]:
    """pyproject's dependencies and what they require (no extras), without boto3's tree."""
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    waiting = [Requirement(text) for text in project["project"]["dependencies"]]
    found: set[str] = set()
    while waiting:
        requirement = waiting.pop()
        name = normal(requirement.name)
        if name in found or name in AWS_SHIPPED:
            continue
        if requirement.marker and not requirement.marker.evaluate({"extra": ""}):
            continue
        found.add(name)
        waiting.extend(Requirement(text) for text in metadata.requires(name) or ())
    return found


def imported_distributions(modules: set[str]) -> set[str]:
    owners = metadata.packages_distributions()
    return {
        normal(dist)
        for module in modules
        for dist in owners.get(module.partition(".")[0], ())
        if normal(dist) not in AWS_SHIPPED | {"help-portal"}  # the project: counted apart
    }


def installed_bytes(name: str) -> int:
    total = 0
    for file in metadata.distribution(name).files or ():
        path = Path(file.locate())
        if "__pycache__" not in file.parts and path.is_file():
            total += path.stat().st_size
    return total


def project_bytes(modules: set[str]) -> int:
    files = [
        path
        for package in PROJECT_PACKAGES
        for path in (PROJECT_ROOT / package).rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    ]
    files += (PROJECT_ROOT / "site_config").glob("*.yml")
    files += [
        PROJECT_ROOT / Path(*module.split(".")).with_suffix(".py")
        for module in modules
        if module.startswith("site_config.")
    ]
    return sum(path.stat().st_size for path in set(files) if path.is_file())


def package(modules: set[str]) -> dict:
    runtime = runtime_distributions()
    unlocked = runtime - locked()
    assert not unlocked, f"runtime dependencies missing from requirements.lock: {unlocked}"
    imported = imported_distributions(modules)
    sizes = {name: installed_bytes(name) for name in runtime | imported}
    own = project_bytes(modules)
    megabytes = 1024 * 1024
    return {
        "package_mb": round((own + sum(sizes[n] for n in runtime)) / megabytes, 1),
        "package_mb_imported": round((own + sum(sizes[n] for n in imported)) / megabytes, 1),
        "project_mb": round(own / megabytes, 2),
        "distributions_mb": {
            name: round(size / megabytes, 2)
            for name, size in sorted(sizes.items(), key=lambda item: -item[1])
        },
        "imported_distributions": sorted(imported),
        "left_out": sorted(AWS_SHIPPED),
    }


def main() -> None:
    from bench.results_io import write

    started = time.perf_counter()
    load_before = [round(value, 2) for value in os.getloadavg()]
    with (
        tempfile.TemporaryDirectory(prefix="portal-bench-coldstart-") as folder,
        moto_server(free_port()) as aws,
    ):
        environ = {
            **os.environ,
            **aws,
            "PORTAL_ENV": "production",
            "PORTAL_SECRET_KEY": secrets.token_hex(32),
            "PORTAL_STORE": "dynamodb://coldstart",
            "PORTAL_INDEX_DIR": f"{folder}/index",
            "PORTAL_SITE_DIR": f"{folder}/site",
        }
        portal = str(Path(sys.executable).with_name("portal"))
        subprocess.run([portal, "store", "init"], env=environ, check=True, capture_output=True)
        medians, modules = cold_starts(environ)
        slowest = max(medians, key=lambda name: medians[name]["total_ms"])
        culprits = slowest_modules(slowest, environ)
        boto3_ms = boto3_client_ms(environ)
        interpreter = interpreter_ms(environ)
    import_ms = medians[slowest]["total_ms"]
    sizes = package(modules)
    results = {
        # The machine is shared: a busy neighbour shows here and explains a slow run.
        "load_average_before": load_before,
        "import_ms": import_ms,
        "slowest_function": slowest,
        "package_mb": sizes["package_mb"],
        "meets_targets": import_ms <= IMPORT_TARGET_MS and sizes["package_mb"] <= PACKAGE_TARGET_MB,
        "targets": {
            "import_ms": f"<= {IMPORT_TARGET_MS} (aim 200)",
            "package_mb": f"<= {PACKAGE_TARGET_MB}",
        },
        "runs": RUNS,
        "functions": medians,
        "slowest_modules": culprits,
        "interpreter_ms": interpreter,
        "boto3_client_ms": boto3_ms,
        "package": sizes,
        "load_average_after": [round(value, 2) for value in os.getloadavg()],
        "total_seconds": round(time.perf_counter() - started),
    }
    path = write("coldstart", results)
    print(
        f"{path}: slowest cold start {import_ms} ms ({slowest}); package "
        f"{sizes['package_mb']} MB ({sizes['package_mb_imported']} MB of what the handlers "
        f"import); {results['total_seconds']} s in all",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
