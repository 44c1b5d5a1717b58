"""채점 속도 비교 (benchmark): 보통의 순차 ``nbgrader autograde`` 대 ``course autograde`` (샌드박스 켬).

    .venv/bin/python bench/benchmark.py [--students 8] [--jobs N] [--keep]

저장소의 ``nbgrader_config.py``와 ``source/``를 임시 강좌 폴더에 복사하고, 과제를 모두 배포한 뒤 데모 반
(``ctxcourse.demo``; 학생 8명 × 과제 5개 = 제출물 40개)을 만듭니다. 같은 제출물을 두 사본에서 한 번씩 채점해
걸린 시간, 그 비율, 최대 메모리(가장 큰 프로세스 하나와 프로세스 트리 전체), 두 방법의 점수가 같은지,
그리고 ``course autograde``의 시간이 어디에 쓰였는지(단계별 평균)를 보여 줍니다. 테스트가 아니므로
시간을 단정(assert)하지 않습니다. 다른 작업이 같은 기계에서 돌면 숫자가 흔들립니다.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.prefix) / "bin"


class TreeMemory:
    """프로세스와 그 자손들의 RSS를 0.2초마다 재어 최댓값을 기억합니다."""

    def __init__(self, pid: int):
        self.root = psutil.Process(pid)
        self.peak_total = 0
        self.peak_single = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self._stop.is_set():
            try:
                procs = [self.root, *self.root.children(recursive=True)]
            except psutil.Error:
                break
            sizes = []
            for proc in procs:
                try:
                    sizes.append(proc.memory_info().rss)
                except psutil.Error:
                    continue
            if sizes:
                self.peak_total = max(self.peak_total, sum(sizes))
                self.peak_single = max(self.peak_single, max(sizes))
            self._stop.wait(0.2)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def run_timed(argv: list[str], cwd: Path, log: Path) -> tuple[float, TreeMemory, int]:
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    started = time.monotonic()
    with open(log, "w", encoding="utf-8") as out:
        process = subprocess.Popen(argv, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, env=env)
        with TreeMemory(process.pid) as memory:
            code = process.wait()
    return time.monotonic() - started, memory, code


def scores(course: Path) -> dict:
    sys.modules.setdefault("rfc3987_syntax", None)
    from nbgrader.api import Gradebook

    result = {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for assignment in gb.assignments:
            for submission in assignment.submissions:
                for notebook in submission.notebooks:
                    for grade in notebook.grades:
                        result[(assignment.name, submission.student.id, grade.name)] = float(grade.score)
    return result


def mb(value: int) -> str:
    return f"{value / 1024 / 1024:,.0f} MB"


def main() -> int:
    parser = argparse.ArgumentParser(description="보통의 nbgrader autograde와 course autograde의 속도 비교")
    parser.add_argument("--students", type=int, default=8, help="데모 반의 학생 수 (과제마다 제출물 하나; 기본 8 → 40개)")
    parser.add_argument("--jobs", type=int, default=None, help="course autograde의 작업자 수 (기본: 코어 수)")
    parser.add_argument("--keep", action="store_true", help="임시 강좌 폴더를 지우지 않습니다")
    parser.add_argument("--rounds", type=int, choices=(1, 2), default=1,
                        help="1: 한 번씩 (기본), 2: A B B A 순서로 두 번씩 재어 평균 (부하가 흔들리는 기계에서)")
    args = parser.parse_args()

    sys.path.insert(0, str(REPO))
    from ctxcourse.demo import available_assignments, build_demo_class

    assignments = available_assignments(REPO)
    if not assignments:
        print("source/에 과제가 없습니다.", file=sys.stderr)
        return 2
    base = Path(tempfile.mkdtemp(prefix="ctxbench-"))
    try:
        template = base / "template"
        template.mkdir()
        shutil.copy2(REPO / "nbgrader_config.py", template / "nbgrader_config.py")
        shutil.copytree(REPO / "source", template / "source")
        print(f"임시 강좌: {template}")
        subprocess.run([str(BIN / "course"), "release", "--all"], cwd=template, check=True,
                       stdout=subprocess.DEVNULL)
        submissions = build_demo_class(template, assignments, size=args.students)
        print(f"과제 {len(assignments)}개, 학생 {args.students}명, 제출물 {len(submissions)}개, 코어 {os.cpu_count()}개")
        plain, ours = base / "plain", base / "course"
        shutil.copytree(template, plain)
        shutil.copytree(template, ours)

        def run_plain() -> tuple[float, list, int]:
            seconds_total, peaks, codes = 0.0, [], 0
            for name in assignments:
                seconds, memory, code = run_timed([str(BIN / "nbgrader"), "autograde", name, "--force"], plain,
                                                  base / f"plain-{name}.log")
                seconds_total += seconds
                peaks.append(memory)
                codes |= code
            return seconds_total, peaks, codes

        def run_ours():
            argv = [str(BIN / "course"), "autograde", "--all", "--force"]
            if args.jobs:
                argv += ["--jobs", str(args.jobs)]
            return run_timed(argv, ours, base / "course.log")

        # 다른 작업이 같은 기계를 쓰면 부하가 시간에 따라 바뀝니다. --rounds 2는 A B B A 순서로 두 번씩 재어 평균합니다.
        order = ["plain", "course"] if args.rounds == 1 else ["plain", "course", "course", "plain"]
        times: dict[str, list] = {"plain": [], "course": []}
        plain_peaks, ours_memory, total_code, ours_code = [], None, 0, 0
        for step, which in enumerate(order, 1):
            load = os.getloadavg()[0]
            label = "보통의 nbgrader autograde (순차, 과제마다 한 번)" if which == "plain" else "course autograde --all (샌드박스, 병렬)"
            print(f"{step}) {label} ... (시작할 때 부하 {load:.1f})", flush=True)
            if which == "plain":
                seconds, peaks, code = run_plain()
                plain_peaks += peaks
                total_code |= code
            else:
                seconds, ours_memory, code = run_ours()
                ours_code |= code
            times[which].append(seconds)
            print(f"   {seconds:.1f}초", flush=True)
        plain_seconds = statistics.mean(times["plain"])
        ours_seconds = statistics.mean(times["course"])
        plain_single = max(m.peak_single for m in plain_peaks)
        plain_total = max(m.peak_total for m in plain_peaks)

        plain_scores, our_scores = scores(plain), scores(ours)
        same = sum(plain_scores.get(k) == v for k, v in our_scores.items())
        differ = sorted(k for k, v in our_scores.items() if plain_scores.get(k) != v)
        timings = []
        for path in (ours / ".course_state" / "grading").rglob("*.json"):
            timings.append(json.loads(path.read_text(encoding="utf-8")).get("timing", {}))

        print()
        print(f"제출물 {len(submissions)}개")
        print(f"  기계 부하(1분 평균): 지금 {os.getloadavg()[0]:.1f} (다른 작업이 돌면 두 숫자 모두 흔들립니다)")
        print(f"  nbgrader autograde (순차)      : {plain_seconds:7.1f}초  ({plain_seconds / len(submissions):.2f}초/제출물)"
              f"  exit {total_code}")
        print(f"  course autograde (샌드박스 병렬): {ours_seconds:7.1f}초  ({ours_seconds / len(submissions):.2f}초/제출물)"
              f"  exit {ours_code}")
        print(f"  속도 비율 (nbgrader / course)   : {plain_seconds / ours_seconds:.2f}배 (목표: 순차 nbgrader의 4배, 코어 2개)")
        print(f"  최대 메모리 nbgrader: 프로세스 하나 {mb(plain_single)}, 트리 전체 {mb(plain_total)}")
        print(f"  최대 메모리 course  : 프로세스 하나 {mb(ours_memory.peak_single)}, 트리 전체 {mb(ours_memory.peak_total)}")
        print(f"  점수 비교: 채점 칸 {len(our_scores)}개 중 {same}개 같음" + (f"; 다른 칸 {differ[:5]}" if differ else ""))
        if timings:
            print("  course autograde의 시간 (제출물 하나 평균, 초):")
            for key, label in (("prepare", "준비 (nbgrader init + 정화, 부모)"), ("kernel_start", "샌드박스+커널 시작"),
                               ("sandbox", "샌드박스 전체 (커널 시작 포함)"), ("replay", "재현 판정 (깨끗한 프로세스)"),
                               ("finish", "마무리 (nbgrader 저장, 부모)")):
                values = [t.get(key, 0.0) for t in timings]
                print(f"    {label:34s} {statistics.mean(values):6.2f}  (최대 {max(values):.2f})")
        if args.keep:
            print(f"남겨 둔 폴더: {base}")
    finally:
        if not args.keep:
            shutil.rmtree(base, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
