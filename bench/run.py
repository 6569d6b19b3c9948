"""The benchmark: `python -m bench.run` (make bench) or `python -m bench.run --smoke` (make bench-smoke).

A full run sets up a fresh PostgreSQL database and a private Redis, creates the teacher, classroom, quiz and session
with bench.setup_data, signs the teacher and a few students in with their passwords and lets the other students join
as guests over HTTP, then measures each server in turn with the same load (bench.scenario): Quizcast on uvicorn and
on daphne, on one worker and on two, and the three peers of bench/peers. Servers run on CPU 0, this process (every
client socket, one clock) on CPU 1. Raw numbers go to bench/results/<date>.json, the chart to
bench/results/latency.png. docs/performance.md explains the method and the numbers.
"""

import argparse
import asyncio
import datetime
import json
import os
import platform
import resource
import subprocess
import sys
import time
from importlib import metadata

import aiohttp

from bench import http_flow, pairs, servers
from bench.scenario import ANSWER_BURSTS, Target, run_scenario

RESULTS = servers.ROOT / "bench" / "results"
STATE = servers.OUT / "state.json"
SERVER_CPUS = "0"
LOAD_CPU = 1

# (label, kind, options, student counts) in the order they run. `kind` is "quizcast" or a peer.
FULL_PLAN = [
    ("plain", "plain", {}, [1000, 2000, 5000]),
    ("quizcast-uvicorn", "quizcast", {"server": "uvicorn", "workers": 1}, [1000, 2000, 5000]),
    ("quizcast-daphne", "quizcast", {"server": "daphne", "workers": 1}, [1000]),
    ("quizcast-uvicorn-2w", "quizcast", {"server": "uvicorn", "workers": 2}, [1000, 5000]),
    ("quizcast-uvicorn-2w-core", "quizcast", {"server": "uvicorn", "workers": 2, "layer": "core"}, [1000]),
    ("quizcast-uvicorn-nopool", "quizcast", {"server": "uvicorn", "workers": 1, "pool": 0}, [1000]),
    ("socketio-redis", "socketio", {}, [1000, 2000, 5000]),
    ("channels-tutorial", "channels", {}, [1000, 2000, 5000]),
]


def raise_open_files(wanted: int = 65536) -> int:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = min(wanted, hard) if hard != resource.RLIM_INFINITY else wanted
    if soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def source_commit() -> str | None:
    """The commit measured: BENCH_COMMIT when run from an exported tree, else the checkout's HEAD (and whether the
    working tree had changes)."""
    if os.environ.get("BENCH_COMMIT"):
        return os.environ["BENCH_COMMIT"]
    try:
        head = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=servers.ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain"], cwd=servers.ROOT, capture_output=True, text=True)
    except (OSError, subprocess.CalledProcessError):
        return None
    return head + ("+local-changes" if dirty.stdout.strip() else "")


def machine_info() -> dict:
    model = ""
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    packages = {}
    for name in (
        "django", "channels", "channels-redis", "daphne", "twisted", "uvicorn", "uvloop", "httptools", "websockets",
        "python-socketio", "python-engineio", "aiohttp", "redis", "psycopg",
    ):  # fmt: skip
        try:
            packages[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            packages[name] = None
    versions = {}
    for command in (["redis-server", "--version"], ["psql", "--version"]):
        try:
            versions[command[0]] = subprocess.run(command, capture_output=True, text=True).stdout.strip()
        except OSError:
            versions[command[0]] = None
    return {
        "nproc": os.cpu_count(),
        "cpu_model": model,
        "kernel": platform.release(),
        "python": platform.python_version(),
        "packages": packages,
        "services": versions,
    }


async def sign_everyone_in(bases: list[str], setup: dict, guests: int) -> dict:
    """The teacher and the enrolled students sign in with passwords; the rest join as guests with the code."""
    base = bases[0]
    connector = aiohttp.TCPConnector(limit=32)
    async with aiohttp.ClientSession(connector=connector, cookie_jar=aiohttp.DummyCookieJar()) as http:
        teacher, teacher_s = await http_flow.timed(http_flow.password_sign_in(http, base, **setup["teacher"]))
        student_logins = []
        enrolled = []
        for student in setup["students"]:
            browser, seconds = await http_flow.timed(http_flow.password_sign_in(http, base, **student))
            enrolled.append(browser)
            student_logins.append(seconds)
        limit = asyncio.Semaphore(32)

        async def join(index: int) -> http_flow.Browser:
            async with limit:
                return await http_flow.guest_join(
                    http, bases[index % len(bases)], code=setup["code"], display_name=f"Guest {index:05d}"
                )

        started = time.perf_counter()
        joined = await asyncio.gather(*(join(index) for index in range(guests)))
        join_s = time.perf_counter() - started
    return {
        "teacher": teacher,
        "students": enrolled + list(joined),
        "timing": {
            "teacher_sign_in_s": teacher_s,
            "student_password_sign_in_s": student_logins,
            "guest_joins": guests,
            "guest_join_total_s": join_s,
            "guest_join_per_s": guests / join_s if join_s else None,
        },
    }


def server_broadcast_times(process: servers.Process, n: int) -> dict | None:
    """How long websockets.broadcast() itself took in the plain peer, as it logged (the client's share is the rest)."""
    times = []
    for line in process.log.read_text().splitlines() if process.log and process.log.exists() else []:
        parts = line.split()
        if len(parts) == 3 and parts[0] == "BROADCAST" and int(parts[1]) == n:
            times.append(float(parts[2]))
    if not times:
        return None
    times.sort()
    return {"p50": times[len(times) // 2], "max": times[-1], "count": len(times)}


async def start_target(label: str, kind: str, options: dict, stack: servers.Stack, context: dict) -> Target:
    if kind == "quizcast":
        env = servers.quizcast_env(
            database=context["database"],
            redis_url=context["redis_url"],
            server=options["server"],
            layer=options.get("layer", "pubsub"),
            pool=options.get("pool", 8),
        )
        processes = await servers.start_quizcast(
            stack, env=env, workers=options["workers"], cpus=context["server_cpus"], label=label
        )
        setup = context["setup"]
        return Target(
            name=label,
            dialect="json",
            processes=processes,
            student_path=f"/ws/sessions/{setup['session_id']}/student/",
            teacher_path=f"/ws/sessions/{setup['session_id']}/teacher/",
            question_ids=setup["question_ids"],
            database=context["database"],
            student_cookies=[browser.header() for browser in context["people"]["students"]],
            teacher_cookie=context["people"]["teacher"].header(),
        )
    processes = await servers.start_peer(stack, kind=kind, redis_url=context["redis_url"], cpus=context["server_cpus"])
    socketio = kind == "socketio"
    return Target(
        name=label,
        dialect="socketio" if socketio else "json",
        processes=processes,
        student_path="/socket.io/?EIO=4&transport=websocket&role=student" if socketio else "/ws/student/",
        teacher_path="/socket.io/?EIO=4&transport=websocket&role=teacher" if socketio else "/ws/teacher/",
        question_ids=[1, 2, 3, 4, 5],
    )


async def measure(label: str, kind: str, options: dict, counts: list[int], *, context: dict, args) -> list[dict]:
    """Each N gets freshly started servers, so memory freed by a previous N cannot hide the cost of this one."""
    results = []
    for n in counts:
        print(f"  {label}: N={n} ...", flush=True)
        stack = servers.Stack()
        try:
            if kind == "quizcast":
                servers.settle_database(context["database"])
            target = await start_target(label, kind, options, stack, context)
            result = await run_scenario(
                target, n=n, warmup=args.warmup, pushes=args.pushes, bursts_of_answers=args.bursts
            )
            if kind == "plain":
                result["server_broadcast_ms"] = server_broadcast_times(target.processes[0], n)
            result["label"] = label
            result["options"] = options
            push, fan_in = result["push"], result["fan_in"]
            print(
                f"    connect {result['connect_s']:.1f}s  push p50/p99 {push['p50_ms']:.1f}/{push['p99_ms']:.1f} ms"
                f"  missing {result['deliveries']['missing']} dup {result['deliveries']['duplicates']}"
                f"  acks {fan_in['acknowledged']} in {fan_in['all_acknowledged_s']}"
                f"  results {fan_in['teacher_results_complete_s']}  stored {fan_in['stored']}"
                f"  server CPU {fan_in['server_cpu_s'] * 1000:.0f} ms"
                f"  {result['kib_per_socket']:.1f} KiB/socket",
                flush=True,
            )
            results.append(result)
        except Exception as error:
            print(f"  {label} N={n} failed: {error!r}", flush=True)
            for process in stack.processes:
                print(process.tail(15))
            results.append({"label": label, "server": label, "n": n, "error": repr(error), "options": options})
        finally:
            stack.stop()
        await asyncio.sleep(1)
    return results


async def measure_pairs(plan: list, *, context: dict, args) -> list[dict]:
    """The first two labels of --only, alternately, --pairs times at each N (bench.pairs)."""
    entries = {label: (kind, options) for label, kind, options, _counts in plan}
    baseline, measured = args.only[0], args.only[1]
    counts = args.n or plan[0][3]

    async def measure_one(label: str, n: int) -> dict:
        kind, options = entries[label]
        return (await measure(label, kind, options, [n], context=context, args=args))[0]

    reports = []
    for n in counts:
        print(f"Pairs at N={n}: {baseline} (A) and {measured} (B), {args.pairs} pairs ...", flush=True)
        report = await pairs.run_pairs(measure_one, baseline=baseline, measured=measured, n=n, pairs=args.pairs)
        for name, figure in report.get("summary", {}).items():
            if "median" in figure:
                met = figure.get("met_in_every_pair")
                verdict = "" if met is None else ("  met in every pair" if met else "  NOT met in every pair")
                print(
                    f"  {name}: B/A median {figure['median']:.2f} (min {figure['min']:.2f}, max {figure['max']:.2f})"
                    f"{'  target ' + format(figure['target'], 'g') if figure['target'] else ''}{verdict}",
                    flush=True,
                )
        reports.append(report)
    return reports


async def main_async(args) -> dict:
    cpus = servers.cpu_count()
    pinned = cpus >= 2 and not args.no_pin
    if pinned:
        os.sched_setaffinity(0, {LOAD_CPU})
    open_files = raise_open_files()
    if args.smoke:
        plan = [(f"quizcast-{args.server}", "quizcast", {"server": args.server, "workers": 1}, [args.smoke_n])]
    else:
        plan = [entry for entry in FULL_PLAN if not args.only or entry[0] in args.only]
    if args.n:
        plan = [(label, kind, options, [n for n in args.n]) for label, kind, options, _counts in plan]
    largest = max(n for *_rest, counts in plan for n in counts)

    needs_app = any(kind == "quizcast" for _label, kind, _options, _counts in plan)
    base_stack = servers.Stack()
    reusing = needs_app and args.reuse and STATE.exists()
    fresh = needs_app and not reusing
    database = servers.fresh_database("sqlite" if args.smoke else "postgresql") if fresh else None
    run: dict = {
        "started": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "smoke": args.smoke,
        "commit": source_commit(),
        "machine": machine_info(),
        "pinning": {"servers": SERVER_CPUS if pinned else None, "load": LOAD_CPU if pinned else None},
        "open_files_limit": open_files,
        "database": database.kind if database else None,
        "warmup": args.warmup,
        "pushes": args.pushes,
        "results": [],
    }
    try:
        redis_url = (
            None if args.smoke else await servers.start_redis(base_stack, cpus=str(LOAD_CPU) if pinned else None)
        )
        run["layer"] = "in-memory" if redis_url is None else "redis"
        context = {"database": database, "redis_url": redis_url, "server_cpus": SERVER_CPUS if pinned else None}
        if reusing:
            # Development only: the database and cookies of a previous --keep-database run.
            state = json.loads(STATE.read_text())
            database = servers.Database(**state["database"])
            args.keep_database = True
            people = {
                "teacher": http_flow.Browser(state["people"]["teacher"]),
                "students": [http_flow.Browser(c) for c in state["people"]["students"]],
                "timing": state["people"]["timing"],
            }
            if len(people["students"]) < largest:
                raise SystemExit(
                    f"--reuse: the kept run signed in {len(people['students'])} students and this one needs {largest};"
                    f" run once with --keep-database and --n {largest}, without --reuse"
                )
            run["sign_in"] = people["timing"]
            context.update({"database": database, "setup": state["setup"], "people": people})
        elif needs_app:
            env = servers.quizcast_env(database=database, redis_url=redis_url, server="uvicorn")
            print("Preparing the app: migrate, collectstatic, setup data ...", flush=True)
            setup = servers.prepare_app(env)
            password_students = len(setup["students"])
            print(f"Signing in the teacher and {password_students} students, joining guests for N={largest} ...")
            signin_stack = servers.Stack()
            with servers.fast_commits(database):
                try:
                    # Two workers on both CPUs: joins are the slow part of setting up a run, and not compared.
                    workers = await servers.start_quizcast(signin_stack, env=env, workers=2, cpus=None, label="sign-in")
                    people = await sign_everyone_in(
                        [f"http://127.0.0.1:{worker.port}" for worker in workers],
                        setup,
                        max(0, largest - password_students),
                    )
                finally:
                    signin_stack.stop()
            if args.keep_database:
                STATE.write_text(
                    json.dumps(
                        {
                            "database": database.__dict__,
                            "setup": setup,
                            "people": {
                                "teacher": people["teacher"].cookies,
                                "students": [b.cookies for b in people["students"]],
                                "timing": people["timing"],
                            },
                        }
                    )
                )
            run["sign_in"] = people["timing"]
            print(f"  {json.dumps(people['timing'])}", flush=True)
            context.update({"setup": setup, "people": people})
        if args.pairs:
            run["pairs"] = await measure_pairs(plan, context=context, args=args)
        else:
            for label, kind, options, counts in plan:
                print(f"Measuring {label} ...", flush=True)
                run["results"] += await measure(label, kind, options, counts, context=context, args=args)
    finally:
        base_stack.stop()
        if database is not None and not args.keep_database:
            servers.drop_database(database)
    run["finished"] = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
    return run


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--smoke", action="store_true", help="a few seconds: Quizcast only, tiny N, SQLite")
    parser.add_argument("--smoke-n", type=int, default=20)
    parser.add_argument("--server", choices=["uvicorn", "daphne"], default="uvicorn", help="the smoke run's server")
    parser.add_argument("--only", nargs="*", help="labels of the plan to run (default: all)")
    parser.add_argument("--n", type=int, nargs="*", help="student counts to use instead of the plan's")
    parser.add_argument("--warmup", type=int, default=None)
    parser.add_argument("--pushes", type=int, default=None)
    parser.add_argument(
        "--bursts", type=int, default=ANSWER_BURSTS, help="bursts of N answers per run; the median one is reported"
    )
    parser.add_argument(
        "--pairs",
        type=int,
        default=0,
        help="compare the first two --only labels in this many alternating pairs (A B A B ...) at each --n",
    )
    parser.add_argument("--output", help="where to write the JSON (default bench/results/<date>.json)")
    parser.add_argument("--no-chart", action="store_true")
    parser.add_argument("--no-pin", action="store_true", help="do not pin servers and load to separate CPUs")
    parser.add_argument("--keep-database", action="store_true", help="keep the database and cookies (for --reuse)")
    parser.add_argument("--reuse", action="store_true", help="development: reuse a --keep-database run's state")
    args = parser.parse_args(argv)
    if args.pairs and (not args.only or len(args.only) != 2):
        parser.error("--pairs needs exactly two --only labels: the baseline, then the server measured against it")
    if args.warmup is None:
        args.warmup = 1 if args.smoke else 5
    if args.pushes is None:
        args.pushes = 3 if args.smoke else 20

    run = _run(main_async(args))
    if args.output:
        output = servers.Path(args.output)
    elif args.smoke:
        output = servers.OUT / "smoke.json"
    else:
        output = RESULTS / f"{datetime.date.today().isoformat()}.json"
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(run, indent=1, default=str) + "\n")
    print(f"Wrote {output}")
    if not args.smoke and not args.no_chart and not args.pairs:
        from bench.report import write_chart

        chart = write_chart(run, RESULTS / "latency.png")
        print(f"Wrote {chart}")
    failed = [result for result in run["results"] if "error" in result]
    failed += [report for report in run.get("pairs", []) if "error" in report]
    if failed:
        sys.exit(1)


def _run(coroutine):
    try:
        import uvloop
    except ImportError:  # pragma: no cover
        return asyncio.run(coroutine)
    return uvloop.run(coroutine)


if __name__ == "__main__":
    main()
