"""`make demo`: watchfloor on the example watchlist and reports, through the real commands.

Everything runs offline against the embedded store in ./var/demo (removed first, so the demo
always starts from nothing). Each step prints the command it runs, so a reader can repeat it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples"
REPORTS = sorted((EXAMPLES / "reports").iterdir())
WATCHLIST = EXAMPLES / "watchlist.yaml"
HOME = REPO / "var" / "demo"


def watchfloor(*args: str) -> None:
    command = [str(Path(sys.executable).parent / "watchfloor"), *args]
    shown = " ".join(
        [
            "watchfloor",
            *(str(Path(a).relative_to(REPO)) if a.startswith(str(REPO)) else a for a in args),
        ]
    )
    print(f"\n$ {shown}", flush=True)
    env = {**os.environ, "WATCHFLOOR_HOME": str(HOME), "COLUMNS": os.environ.get("COLUMNS", "160")}
    env.pop("WATCHFLOOR_DATABASE_URL", None)
    subprocess.run(command, check=True, env=env)


def dated(report: Path) -> list[str]:
    # The example files carry their date in their names (YYYY-MM-DD-...).
    return ["--watchlist", str(WATCHLIST), "--published", report.name[:10]]


def main() -> None:
    shutil.rmtree(HOME, ignore_errors=True)
    print("== 1. The English pipeline watchfloor ships (no download needed)")
    first_sentence = REPORTS[1].read_text(encoding="utf-8").split("\n\n")[1].split(" - ", 1)[1]
    sample = HOME / "sentence.txt"
    sample.parent.mkdir(parents=True, exist_ok=True)
    sample.write_text(first_sentence, encoding="utf-8")
    watchfloor("nlp", str(sample))

    print("\n== 2. Threat statements in each example report, linked to the example watchlist")
    for report in REPORTS:
        watchfloor("extract", str(report), *dated(report))

    print("\n== 3. Keep them: the embedded store (SQLite under var/demo), then the threat table")
    watchfloor("init")
    for report in REPORTS:
        watchfloor("ingest", str(report), *dated(report))
    watchfloor("ingest", str(REPORTS[0]), *dated(REPORTS[0]))  # a repeat is a no-op
    watchfloor("statements")
    watchfloor("statements", "--warn")
    watchfloor("search", "high commissioner")


if __name__ == "__main__":
    main()
