"""채점의 규모 측정 (not a test): 이 기계의 병렬 채점과 127.0.0.1의 Dask 클러스터를 같은 제출물로 나란히 잽니다.

    .venv/bin/python bench/scale.py                 # 제출물 20개와 40개, 작업자 2개
    .venv/bin/python bench/scale.py --n 50 100 200 --workers 2

제출물은 테스트용 작은 강좌(tests/hostile/minicourse.py, 채점 함수 3개)에 실수 모음(tests/hostile/bank.py)의 정직한
답들을 돌려 가며 만듭니다. 보여 주는 것: 벽시계 시간, 처리량(제출물/초), 제출물 하나의 단계별 평균 시간(준비,
샌드박스 실행 전체, 그중 커널 시작, 재현기 판정, 마무리, 작업자에서 걸린 시간), 강사 프로세스의 최대 메모리(RSS),
기계의 부하(load average, 앞뒤). 마지막 줄은 잰 값으로 어림한 제출물 6,000개의 시간입니다.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from hostile.bank import BY_KEY, Entry, write_class  # noqa: E402
from hostile.harness import env, released_minicourse  # noqa: E402
from hostile.minicourse import ASSIGNMENT  # noqa: E402

BIN = Path(sys.prefix) / "bin"
HONEST = ("correct", "blank", "cv_mean", "rw_no_axis", "pw_none", "rw_hardcoded", "cv_syntax")
STAGES = ("prepare", "sandbox", "kernel_start", "replay", "finish", "worker")


def make_class(course: Path, n: int) -> None:
    entries = []
    for index in range(n):
        base = BY_KEY[HONEST[index % len(HONEST)]]
        entries.append(Entry(f"s{index:04d}", base.title, base.cells, base=base.base, extra=base.extra,
                             score=base.score))
    write_class(course, entries)


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


def run_autograde(course: Path, *args: str) -> dict:
    """``course autograde --all``을 실행하며 강사 프로세스의 RSS를 0.2초마다 잽니다."""
    import psutil

    started = time.monotonic()
    process = subprocess.Popen([str(BIN / "course"), "autograde", "--all", *args], cwd=course, env=env(),
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    watched, peak = psutil.Process(process.pid), 0
    while process.poll() is None:
        try:
            peak = max(peak, watched.memory_info().rss)
        except psutil.Error:
            pass
        time.sleep(0.2)
    output = process.stdout.read()
    wall = time.monotonic() - started
    if process.returncode != 0:
        raise SystemExit(f"course autograde 실패 (exit {process.returncode}):\n{output[-3000:]}")
    stages: dict[str, list[float]] = {stage: [] for stage in STAGES}
    scores = {}
    for path in (course / ".course_state" / "grading" / ASSIGNMENT).glob("*.json"):
        record = json.loads(path.read_text(encoding="utf-8"))
        scores[path.stem] = record["score"]
        for stage in STAGES:
            value = (record.get("timing") or {}).get(stage)
            if isinstance(value, (int, float)):
                stages[stage].append(float(value))
    return {"wall": wall, "peak_mb": peak / 2 ** 20, "stages": {k: statistics.mean(v) for k, v in stages.items() if v},
            "scores": scores}


class LocalCluster:
    """127.0.0.1의 ``dask scheduler``와 작업자 ``workers``개 (스레드 1개씩)."""

    def __init__(self, workers: int, folder: Path):
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.address = f"tcp://127.0.0.1:{self.port}"
        self.processes = []
        self._spawn(folder / "scheduler.log", "scheduler", "--host", "127.0.0.1", "--port", str(self.port),
                    "--no-dashboard")
        for index in range(workers):
            self._spawn(folder / f"worker-{index}.log", "worker", self.address, "--host", "127.0.0.1", "--nthreads",
                        "1", "--no-dashboard", "--death-timeout", "60")
        from distributed import Client

        with Client(self.address, timeout=60, set_as_default=False) as client:
            client.wait_for_workers(workers, timeout=120)

    def _spawn(self, log: Path, *args: str) -> None:
        self.processes.append(subprocess.Popen([str(BIN / "dask"), *args], stdout=open(log, "w"),
                                               stderr=subprocess.STDOUT, env=env(), start_new_session=True))

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)


def row(label: str, n: int, result: dict) -> str:
    stages = result["stages"]
    parts = " ".join(f"{stage}={stages[stage]:.2f}" for stage in STAGES if stage in stages)
    return (f"{label:8s} n={n:4d}  wall={result['wall']:7.1f}s  per-sub={result['wall'] / n:5.2f}s  "
            f"throughput={n / result['wall']:5.2f}/s  instructor-peak-RSS={result['peak_mb']:6.0f}MB  [{parts}]")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, nargs="+", default=[20, 40], help="제출물 수 (여러 개)")
    parser.add_argument("--workers", type=int, default=2, help="클러스터 작업자 수 (127.0.0.1)")
    parser.add_argument("--jobs", type=int, default=None, help="이 기계의 병렬 수 (기본: 코어 수)")
    args = parser.parse_args()
    print(f"기계: CPU {os.cpu_count()}개, load average (1/5/15분) 처음 {load()}", flush=True)
    with tempfile.TemporaryDirectory(prefix="ctxbench-") as scratch:
        root = Path(scratch)
        template = released_minicourse(root / "template")
        results = []
        for n in args.n:
            base = root / f"class-{n}"
            shutil.copytree(template, base)
            make_class(base, n)
            shutil.copytree(base, root / f"local-{n}")
            shutil.copytree(base, root / f"cluster-{n}")
            local_args = ["--jobs", str(args.jobs)] if args.jobs else []
            before = load()
            local = run_autograde(root / f"local-{n}", *local_args)
            print(row("local", n, local) + f"  load {before} -> {load()}", flush=True)
            # 작업자는 오래 사는 프로세스입니다: 처음 한 번의 준비(샌드박스 확인, matplotlib 글꼴 캐시)는 재지 않습니다.
            # 재기마다 새 클러스터를 띄웁니다 (작업자는 시작할 때의 패키지 버전을 기억합니다).
            cluster = LocalCluster(args.workers, root)
            try:
                warm = root / f"warm-up-{n}"
                shutil.copytree(template, warm)
                make_class(warm, 2 * args.workers)
                run_autograde(warm, "--scheduler", cluster.address)
                before = load()
                remote = run_autograde(root / f"cluster-{n}", "--scheduler", cluster.address)
            finally:
                cluster.stop()
            print(row("cluster", n, remote) + f"  load {before} -> {load()}", flush=True)
            same = local["scores"] == remote["scores"]
            print(f"         같은 점수: {'예' if same else '아니오 (!)'}; 클러스터/로컬 시간 비 "
                  f"{remote['wall'] / local['wall']:.2f}", flush=True)
            results.append((n, local, remote))
    n, local, remote = results[-1]
    worker_cost = remote["stages"].get("worker") or remote["wall"] * args.workers / n
    # 강사 쪽의 준비와 마무리(성적부 쓰기)는 제출물마다 차례로 하므로, 작업자를 늘려도 그보다 빨라지지 않습니다.
    serial = remote["stages"].get("prepare", 0.0) + remote["stages"].get("finish", 0.0)
    print(f"작업자 한 스레드가 제출물 하나에 쓴 시간(평균): {worker_cost:.2f}s, 강사 쪽 준비+마무리(차례로): {serial:.2f}s "
          f"→ 제출물 6,000개 어림 max(6000×{worker_cost:.2f}/작업자, 6000×{serial:.2f}): " + ", ".join(
              f"작업자 {w}개 {6000 * max(worker_cost / w, serial) / 60:.0f}분" for w in (2, 8, 32, 128)), flush=True)
    print(f"끝: load average {load()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
