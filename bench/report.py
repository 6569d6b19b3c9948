"""Tables and the chart from a run's JSON: `python -m bench.report bench/results/<date>.json`.

Every figure is also given as a ratio to the plain `websockets.broadcast()` server (peer a) at the same N.
"""

import argparse
import json
import math
from pathlib import Path

BASELINE = "plain"

FIGURES = [
    # (column, how to read it from a result, format)
    ("push p50 ms", lambda r: r["push"]["p50_ms"], "{:.1f}"),
    ("push p95 ms", lambda r: r["push"]["p95_ms"], "{:.1f}"),
    ("push p99 ms", lambda r: r["push"]["p99_ms"], "{:.1f}"),
    ("all acked s", lambda r: r["fan_in"]["all_acknowledged_s"], "{:.3f}"),
    ("teacher sees N s", lambda r: r["fan_in"]["teacher_results_complete_s"], "{:.3f}"),
    ("KiB/socket", lambda r: r["kib_per_socket"], "{:.1f}"),
    ("connect N s", lambda r: r["connect_s"], "{:.1f}"),
]


def _value(result: dict, read) -> float | None:
    try:
        value = read(result)
    except (KeyError, TypeError):
        return None
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else float(value)


def baselines(run: dict) -> dict[int, dict]:
    return {r["n"]: r for r in run["results"] if r.get("label") == BASELINE and "error" not in r}


def table(run: dict) -> str:
    base = baselines(run)
    header = ["server", "N", "workers"] + [name for name, _read, _fmt in FIGURES] + ["missing", "dup", "stored"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for result in run["results"]:
        if "error" in result:
            lines.append(f"| {result['label']} | failed: {result['error'][:80]} |")
            continue
        reference = base.get(result["n"])
        cells = [result["label"], str(result["n"]), str(result["workers"])]
        for _name, read, fmt in FIGURES:
            value = _value(result, read)
            if value is None:
                cells.append("—")
                continue
            text = fmt.format(value)
            if reference is not None and result["label"] != BASELINE:
                reference_value = _value(reference, read)
                if reference_value:
                    text += f" ({value / reference_value:.2f}x)"
            cells.append(text)
        deliveries, fan_in = result["deliveries"], result["fan_in"]
        cells += [
            str(deliveries["missing"]),
            str(deliveries["duplicates"]),
            "—" if fan_in["stored"] is None else f"{fan_in['stored']}/{result['n']}",
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def write_chart(run: dict, path: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    series: dict[str, list[tuple[int, float]]] = {}
    for result in run["results"]:
        if "error" in result:
            continue
        value = _value(result, lambda r: r["push"]["p99_ms"])
        if value is not None:
            series.setdefault(result["label"], []).append((result["n"], value))
    figure, axes = plt.subplots(figsize=(8, 5), dpi=110)
    for label, points in sorted(series.items(), key=lambda item: (item[0] != BASELINE, item[0])):
        points.sort()
        style = {"linewidth": 3, "color": "black"} if label == BASELINE else {}
        axes.plot([n for n, _v in points], [v for _n, v in points], marker="o", label=label, **style)
    axes.set_xlabel("students connected (N)")
    axes.set_ylabel("push p99 until the last student has it (ms, log scale)")
    axes.set_yscale("log")
    axes.set_title("Push latency against N (server on 1 core, load on the other)")
    axes.grid(True, which="both", alpha=0.3)
    axes.legend(fontsize=8)
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path)
    plt.close(figure)
    return path


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("results", type=Path)
    parser.add_argument("--chart", type=Path)
    args = parser.parse_args(argv)
    run = json.loads(args.results.read_text())
    print(table(run))
    if args.chart:
        print(write_chart(run, args.chart))


if __name__ == "__main__":
    main()
