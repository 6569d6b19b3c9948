"""Side-by-side comparison in alternating pairs: `python -m bench.run --pairs 3 --only plain quizcast-uvicorn`.

On a shared machine a single run of each server says little: a slow phase of the machine lands on one of them. Here
the baseline (A, the first label) and the measured server (B) run alternately, A B A B ..., each on freshly started
servers with the same load, and every figure is compared within its pair. The report gives, per figure, the median
of the per-pair ratios and their spread, and a target counts as met only if every pair's ratio meets it. A pair that
starts with the load average above the limit is measured again (up to a few times) rather than reported.
"""

import asyncio
import os
import statistics
from collections.abc import Awaitable, Callable

# figure -> (how to read it from a result, the target ratio B/A, or None for a figure reported without a target)
FIGURES: dict[str, tuple[Callable[[dict], float | None], float | None]] = {
    "push_p50": (lambda r: r["push"]["p50_ms"], 1.25),
    "push_p95": (lambda r: r["push"]["p95_ms"], 1.25),
    "answers_acknowledged": (lambda r: r["fan_in"]["all_acknowledged_s"], 2.0),
    "teacher_results_complete": (lambda r: r["fan_in"]["teacher_results_complete_s"], 1.5),
    "connect": (lambda r: r["connect_s"], 2.0),
    "kib_per_socket": (lambda r: r["kib_per_socket"], None),
}
# Above this, other work on the machine would be measured with the servers.
LOAD_LIMIT = 1.5
LOAD_WAIT_S = 120
RETRIES = 3


def load_average() -> float:
    return os.getloadavg()[0]


async def quiet_enough(limit: float = LOAD_LIMIT, wait_s: float = LOAD_WAIT_S) -> float:
    """Wait (up to `wait_s`) for the 1-minute load average to fall to `limit`; returns the load when done."""
    waited = 0.0
    while load_average() > limit and waited < wait_s:
        await asyncio.sleep(5)
        waited += 5
    return load_average()


def ratio(baseline: dict, measured: dict, read: Callable[[dict], float | None]) -> float | None:
    try:
        a, b = read(baseline), read(measured)
    except (KeyError, TypeError):
        return None
    if a is None or b is None or a <= 0:
        return None
    return b / a


def summarize_pairs(pairs: list[tuple[dict, dict]], *, figures=FIGURES) -> dict:
    """Per figure: each pair's ratio, their median, min and max, and whether every pair met the target."""
    summary = {}
    for name, (read, target) in figures.items():
        ratios = [ratio(a, b, read) for a, b in pairs]
        known = [value for value in ratios if value is not None]
        entry: dict = {"ratios": ratios, "target": target}
        if known:
            entry.update(median=statistics.median(known), min=min(known), max=max(known))
            if target is not None:
                entry["met_in_every_pair"] = len(known) == len(ratios) and all(v <= target for v in known)
        summary[name] = entry
    return summary


async def run_pairs(
    measure_one: Callable[[str, int], Awaitable[dict]],
    *,
    baseline: str,
    measured: str,
    n: int,
    pairs: int,
    load_limit: float = LOAD_LIMIT,
    log: Callable[[str], None] = print,
) -> dict:
    """`pairs` pairs of (baseline, measured) runs at `n` students, alternating; each run on fresh servers."""
    done: list[tuple[dict, dict]] = []
    refused = 0
    while len(done) < pairs and refused <= RETRIES * pairs:
        load = await quiet_enough(load_limit)
        if load > load_limit:
            refused += 1
            log(f"    load average {load:.2f} > {load_limit}: waiting to measure pair {len(done) + 1}")
            continue
        a = await measure_one(baseline, n)
        b = await measure_one(measured, n)
        loads = [a.get("loadavg_start", [0])[0], b.get("loadavg_start", [0])[0]]
        if "error" in a or "error" in b:
            return {"n": n, "error": a.get("error") or b.get("error"), "pairs": done}
        if max(loads) > load_limit:
            refused += 1
            log(f"    pair {len(done) + 1} started at load {max(loads):.2f}: measured again")
            continue
        done.append((a, b))
        push = ratio(a, b, FIGURES["push_p50"][0])
        log(f"    pair {len(done)}: push p50 ratio {push:.2f}" if push else f"    pair {len(done)} done")
    return {
        "n": n,
        "baseline": baseline,
        "measured": measured,
        "pairs_wanted": pairs,
        "pairs_refused_for_load": refused,
        "load_limit": load_limit,
        "summary": summarize_pairs(done),
        "runs": [{"baseline": a, "measured": b} for a, b in done],
    }
