"""Time the pure assessment: assess_thread on 100 statements, find_signals on the seed article.

python benchmarks/assess_thread.py
"""

from __future__ import annotations

import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from assess_support import report  # noqa: E402

from watchfloor.assess.config import AssessConfig  # noqa: E402
from watchfloor.assess.grading import assess_thread  # noqa: E402
from watchfloor.assess.records import ThreadOverrides  # noqa: E402
from watchfloor.assess.signals import find_signals  # noqa: E402

SEED = REPO.parent / "shared" / "seed" / "000_90c7e3912a3a1d27.txt"
TEXTS = (
    "The cell bought a rifle and mapped out the envoy's route, officials said in recent weeks.",
    "Northland threatened the envoy since the spring; the threat has become more specific.",
    "A report says the plot was called off last month.",
)


def median_ms(call: object, runs: int = 300) -> tuple[float, float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        call()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    times.sort()
    return statistics.median(times) * 1e3, times[int(0.95 * runs)] * 1e3


def main() -> None:
    config = AssessConfig.load()
    reports = [
        report(
            n,
            date(2024, 1, 1) + timedelta(days=n),
            TEXTS[n % 3],
            source=f"S{n % 7}",
            origin_source=f"S{n % 5}",
            cluster_id=n % 9,
            where="the capital" if n % 2 else None,
            when="2024-06-01" if n % 4 == 0 else None,
        )
        for n in range(100)
    ]
    statements = [s for s, _ in reports]
    signals = [x for _, found in reports for x in found]
    med, p95 = median_ms(
        lambda: assess_thread(
            "Northland→protectee:envoy-1",
            statements,
            signals,
            overrides=ThreadOverrides(),
            config=config,
            today=date(2024, 4, 15),
        )
    )
    print(
        f"assess_thread, {len(statements)} statements, {len(signals)} signals: "
        f"median {med:.2f} ms, p95 {p95:.2f} ms"
    )
    if SEED.exists():
        text = SEED.read_text(encoding="utf-8")
        med, p95 = median_ms(lambda: find_signals(text))
        print(
            f"find_signals, seed article ({len(text)} chars): median {med:.2f} ms, p95 {p95:.2f} ms"
        )


if __name__ == "__main__":
    main()
