"""The full fuzz run: deterministic mutants of the gpt2-style and llama-style test models through `stats`,
`generate` and `report`, then the app opening the nastiest of them in fresh processes.

    python bench/fuzz.py [--per-base 1000] [--seed 0] [--app 24] [--keep failing/]

Each run is judged as tests/fuzzing.py says: ok (exit 0, standard JSON), clean error (exit 2, one line,
no traceback) or failure (anything else, a hang past 60 s, over 1.5 GB).  Prints the figures per
strategy, the slowest run and the peak memory; exit status 1 when anything failed.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests import fuzzing  # noqa: E402

APP_TIME_LIMIT_S = 120


def app_check(mutants: list[tuple[str, str, int]], keep: Path | None) -> list[tuple[str, str, float]]:
    """Open each mutant in the app (a fresh process, offscreen, on every tab it would show): no crash, no
    traceback, no hang.  Returns (mutant, verdict, seconds)."""
    results = []
    with tempfile.TemporaryDirectory(prefix="inspector-fuzz-app-") as tmp:
        for base, strategy, seed in mutants:
            folder = fuzzing.make_mutant(base, strategy, seed, Path(tmp))
            env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
            t0 = time.monotonic()
            try:
                r = subprocess.run([sys.executable, str(ROOT / "main.py"), "--screenshot", str(folder / "shot.png"),
                                    str(folder), "--tab", "layers", "--steps", "3"], capture_output=True, text=True,
                                   env=env, timeout=APP_TIME_LIMIT_S, cwd=ROOT)
                seconds = time.monotonic() - t0
                bad = r.returncode not in (0, 2) or "Traceback" in r.stderr or "Destroyed while" in r.stderr
                verdict = f"failure (exit {r.returncode}: {r.stderr.strip()[-200:]})" if bad else \
                    ("ok" if r.returncode == 0 else "clean error")
            except subprocess.TimeoutExpired:
                seconds, verdict = APP_TIME_LIMIT_S, "failure (hang)"
            if verdict.startswith("failure") and keep is not None:
                shutil.copytree(folder, keep / f"app-{folder.name}", dirs_exist_ok=True)
            results.append((folder.name, verdict, seconds))
            shutil.rmtree(folder, ignore_errors=True)
    return results


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--per-base", type=int, default=1000, help="mutants of each base model")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--app", type=int, default=24, help="how many of the nastiest mutants the app opens")
    ap.add_argument("--keep", type=Path, help="copy failing mutants here")
    args = ap.parse_args()
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
    t0 = time.monotonic()
    last = [0.0]

    def progress(n, total, verdict):
        if verdict.outcome == "failure":
            print(f"  FAILURE {verdict.mutant} {verdict.command}: {verdict.why}", flush=True)
        if time.monotonic() - last[0] > 30:
            last[0] = time.monotonic()
            print(f"  {n + 1}/{total} mutants, {time.monotonic() - t0:.0f} s", flush=True)

    tally = fuzzing.fuzz(["gpt2", "llama"], args.per_base, seed=args.seed, progress=progress, keep=args.keep)
    cli_s = time.monotonic() - t0
    print(f"\n{len(tally.verdicts)} runs of {len(tally.verdicts) // len(fuzzing.COMMANDS)} mutants in {cli_s:.0f} s\n")
    print("| strategy | runs | ok | clean error | failure | slowest run (s) | peak RSS (MB) |")
    print("|---|--:|--:|--:|--:|--:|--:|")
    rows = tally.by_strategy()
    for strategy in fuzzing.STRATEGIES:
        if strategy not in rows:
            continue
        mine = [v for v in tally.verdicts if v.strategy == strategy]
        r = rows[strategy]
        print(f"| {strategy} | {r['runs']} | {r['ok']} | {r['error']} | {r['failure']} | "
              f"{max(v.seconds for v in mine):.1f} | {max(v.rss_mb for v in mine):.0f} |")
    total = {k: sum(r[k] for r in rows.values()) for k in ("runs", "ok", "error", "failure")}
    print(f"| all | {total['runs']} | {total['ok']} | {total['error']} | {total['failure']} | "
          f"{max(v.seconds for v in tally.verdicts):.1f} | {max(v.rss_mb for v in tally.verdicts):.0f} |")
    slow = max(tally.verdicts, key=lambda v: v.seconds)
    big = max(tally.verdicts, key=lambda v: v.rss_mb)
    print(f"\nslowest: {slow.mutant} {slow.command} {slow.seconds:.1f} s ({slow.outcome})")
    print(f"peak memory: {big.mutant} {big.command} {big.rss_mb:.0f} MB ({big.outcome})")

    # the nastiest for the app: the slowest mutant of each strategy, then the most memory-hungry ones
    by_mutant: dict[str, tuple[float, float]] = {}
    for v in tally.verdicts:
        s, m = by_mutant.get(v.mutant, (0.0, 0.0))
        by_mutant[v.mutant] = (max(s, v.seconds), max(m, v.rss_mb))
    picks: list[str] = []
    for strategy in fuzzing.STRATEGIES:
        own = [k for k in by_mutant if k.split("-")[1] == strategy]
        picks += sorted(own, key=lambda k: -by_mutant[k][0])[:1]
    picks += [k for k in sorted(by_mutant, key=lambda k: -by_mutant[k][1]) if k not in picks]
    mutants = []
    for name in picks[: args.app]:
        base, rest = name.split("-", 1)
        strategy, seed = rest.rsplit("-", 1)
        mutants.append((base, strategy, int(seed)))
    app = app_check(mutants, args.keep)
    print(f"\napp: {len(app)} mutants opened in fresh processes")
    for name, verdict, seconds in app:
        print(f"  {name}: {verdict} in {seconds:.1f} s")
    failed = tally.failures or [a for a in app if a[1].startswith("failure")]
    print(f"\n{'FAILURES' if failed else 'no failures'}; total {time.monotonic() - t0:.0f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
