"""Long text without line breaks: time per pipeline stage and peak memory, one fresh process per size.

The input is prose in one paragraph (the reference interview's words, its
sentences shuffled so the text does not simply repeat). Targets (issue 13):
1 MB ≤ 10 s, 5 MB ≤ 50 s, peak memory ≤ 1 GB. Both are over the encoder's budget
(`RHETORSCOPE_ENCODER_MAX_CHARS`), so the models line says which tier ran.

    python benchmarks/long_text.py                  # 1 MB and 5 MB
    python benchmarks/long_text.py --sizes 0.25,1
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "examples" / "mfa-lavrov-interview-2025-03-21.txt"


def one_paragraph(size: int, seed: int = 5) -> str:
    """`size` characters of the reference's sentences in random order, joined by spaces."""
    import re

    sentences = re.split(r"(?<=[.!?])\s+", " ".join(REFERENCE.read_text(encoding="utf-8").split()))
    rng = random.Random(seed)
    parts: list[str] = []
    length = 0
    while length < size:
        sentence = rng.choice(sentences)
        parts.append(sentence)
        length += len(sentence) + 1
    return " ".join(parts)[:size]


def measure(size: int) -> dict[str, object]:
    """Run in a child process: the pipeline on one paragraph of `size` characters."""
    from rhetorscope.pipeline import default_pipeline
    from rhetorscope.readers import read_bytes

    pipeline = default_pipeline()
    pipeline(read_bytes(b"Warm-up. The models load once.", name="warm.txt")[0])
    (raw,) = read_bytes(one_paragraph(size).encode(), name="long.txt")
    stages: dict[str, tuple[float, float]] = {}
    current: list[tuple[float, float, str]] = [(time.perf_counter(), time.process_time(), "")]

    def stage(name: str) -> None:
        """Close the running stage (wall and CPU seconds) and start `name`."""
        wall, cpu = time.perf_counter(), time.process_time()
        began, began_cpu, running = current[0]
        if running:
            stages[running] = (wall - began, cpu - began_cpu)
        current[0] = (wall, cpu, name)

    started, started_cpu = time.perf_counter(), time.process_time()
    analysis = pipeline(raw, on_stage=stage)
    stage("")
    return {"seconds": time.perf_counter() - started, "cpu": time.process_time() - started_cpu, "stages": stages,
            "findings": len(analysis.findings), "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "models": analysis.models}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1,5", help="comma-separated sizes in MB")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.child)))
        return
    print(f"machine: {os.cpu_count()} CPUs · load average {os.getloadavg()[0]:.1f}")
    print(f"{'size':>7} {'total s':>8} {'CPU s':>8} {'peak MB':>8} {'findings':>9}  per stage (wall/CPU s)")
    for mb in (float(s) for s in args.sizes.split(",")):
        done = subprocess.run([sys.executable, __file__, "--child", str(int(mb * 1_000_000))], check=True,
                              capture_output=True, text=True)
        result = json.loads(done.stdout.strip().splitlines()[-1])
        stages = " · ".join(f"{k} {wall:.1f}/{cpu:.1f}" for k, (wall, cpu) in result["stages"].items())
        print(f"{mb:>5g} MB {result['seconds']:>8.1f} {result['cpu']:>8.1f} {result['peak_mb']:>8.0f} "
              f"{result['findings']:>9}  {stages}")
        print(" " * 9 + "models: " + "; ".join(f"{k} {v}" for k, v in result["models"].items()))


if __name__ == "__main__":
    main()
