"""Dask 클러스터로 채점하기 (``course autograde --scheduler``): 실제 ``dask scheduler``와 ``dask worker`` 프로세스를
127.0.0.1에서 띄워 작은 강좌의 실수 모음을 채점합니다.

- 점수가 이 기계에서 채점한 것과 같고, 상태 파일에 채점한 작업자가 남습니다.
- 채점 도중 작업자를 죽여도(SIGKILL) 모든 제출물이 정확히 한 번 채점됩니다.
- 스케줄러에 닿지 않으면 분명한 오류와 종료 코드 2; 도중에 스케줄러가 죽으면 채점한 것은 남고 다시 실행하면 이어서.
- 패키지 버전이 다른 작업자와 샌드박스(bubblewrap)가 없는 작업자는 거절됩니다.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from hostile.bank import BY_KEY, Entry, write_class
from hostile.harness import BIN, course_cmd, env, grade_scores, released_minicourse, state
from hostile.minicourse import ASSIGNMENT

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]
CLASS = ("correct", "blank", "cv_mean", "rw_no_axis", "pw_none", "h_allclose")
DEADLINE = 600   # 기다림의 상한 (판정이 아니라 멈춘 테스트를 끝내기 위한 것)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(condition, what: str, deadline: float = DEADLINE):
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"{what}: {deadline}초 안에 일어나지 않았습니다")


class Cluster:
    """이 테스트가 띄운 스케줄러와 작업자 프로세스들 (모두 127.0.0.1, 끝나면 이 테스트가 멈춥니다)."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.port = free_port()
        self.address = f"tcp://127.0.0.1:{self.port}"
        self.processes: list[subprocess.Popen] = []
        self.scheduler = self._spawn("scheduler", [str(BIN / "dask"), "scheduler", "--host", "127.0.0.1",
                                                   "--port", str(self.port), "--no-dashboard", "--idle-timeout", "900"])
        wait_until(self._listening, "스케줄러 시작")
        self.workers: dict[str, subprocess.Popen] = {}
        self._client = None

    def _spawn(self, name: str, argv: list[str], environment: dict | None = None) -> subprocess.Popen:
        log = open(self.folder / f"{name}.log", "w")
        process = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, env=environment or env(),
                                   cwd=self.folder, start_new_session=True)
        self.processes.append(process)
        return process

    def _listening(self) -> bool:
        with socket.socket() as sock:
            sock.settimeout(0.5)
            return sock.connect_ex(("127.0.0.1", self.port)) == 0

    def add_worker(self, name: str, environment: dict | None = None) -> str:
        """작업자 하나(스레드 1개, nanny 없음)를 띄우고 스케줄러에 등록될 때까지 기다립니다. 주소를 돌려줍니다."""
        before = set(self.worker_addresses())
        process = self._spawn(name, [str(BIN / "dask"), "worker", self.address, "--host", "127.0.0.1",
                                     "--nthreads", "1", "--no-nanny", "--no-dashboard", "--name", name,
                                     "--death-timeout", "60"], environment)
        new = wait_until(lambda: set(self.worker_addresses()) - before, f"작업자 {name} 등록")
        address = sorted(new)[0]
        self.workers[address] = process
        return address

    def client(self):
        if self._client is None:
            from distributed import Client

            self._client = Client(self.address, timeout=30, set_as_default=False)
        return self._client

    def worker_addresses(self) -> list[str]:
        return list(self.client().scheduler_info(n_workers=-1)["workers"])

    def processing(self) -> dict:
        return {k: list(v) for k, v in self.client().processing().items()}

    def kill(self, process: subprocess.Popen) -> None:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=60)

    def stop_client(self) -> None:
        if self._client is not None:
            client, self._client = self._client, None
            client.close(timeout=10)

    def stop(self) -> None:
        self.stop_client()
        for process in self.processes:
            self.kill(process)


@pytest.fixture
def cluster(tmp_path):
    running = Cluster(tmp_path)
    yield running
    running.stop()


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    """제출물을 모은 (채점 전) 작은 강좌와, 이 기계에서 채점한 점수."""
    root = tmp_path_factory.mktemp("cluster")
    course = released_minicourse(root / "template")
    write_class(course, [BY_KEY[key] for key in CLASS])
    local = root / "local"
    shutil.copytree(course, local)
    course_cmd(local, "autograde", "--all")
    return course, grade_scores(local)


def fresh(template, tmp_path: Path, name: str = "course") -> Path:
    course = tmp_path / name
    shutil.copytree(template[0], course)
    return course


def states(course: Path) -> dict:
    folder = course / ".course_state" / "grading" / ASSIGNMENT
    return {path.stem: state(course, path.stem) for path in folder.glob("*.json")} if folder.is_dir() else {}


def submission_count(course: Path) -> int:
    sys.modules.setdefault("rfc3987_syntax", None)
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        return len(gb.find_assignment(ASSIGNMENT).submissions)


def autograde_async(course: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen([str(BIN / "course"), "autograde", "--all", *args], cwd=course, env=env(), text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def test_cluster_scores_match_local_and_record_the_worker(template, cluster, tmp_path):
    workers = {cluster.add_worker("w1"), cluster.add_worker("w2")}
    course = fresh(template, tmp_path)
    done = course_cmd(course, "autograde", "--all", "--scheduler", cluster.address)
    assert "Dask 클러스터" in done.stdout and "작업자 2개" in done.stdout, done.stdout
    assert grade_scores(course) == template[1]
    graded = states(course)
    assert set(graded) == set(CLASS)
    for student, record in graded.items():
        assert record["status"] == "graded", (student, record)
        host, address = record["worker"].split(" ")
        assert address in workers and host == socket.gethostname()
    assert submission_count(course) == len(CLASS)


def test_killed_worker_loses_nothing_and_counts_nothing_twice(template, cluster, tmp_path):
    """작업자 하나(희생자)만 있을 때 느린 제출물 하나를 맡기고, 그것을 채점하는 동안 다른 작업자가 들어온 뒤 희생자를
    죽입니다 (제출물 하나가 1초도 걸리지 않으므로, 느린 제출물 없이는 죽이기 전에 채점이 끝나 버립니다)."""
    victim = cluster.add_worker("victim")
    course = fresh(template, tmp_path)
    slow = Entry("a_slow", "느린 정답 (희생자가 채점하는 동안 작업자를 죽이기 위해)",
                 extra=(("start", "import time\ntime.sleep(20)"),), score=8)
    write_class(course, [slow])
    config = course / "nbgrader_config.py"   # 이번에는 설정 파일로: c.CourseGrader.scheduler
    config.write_text(config.read_text(encoding="utf-8") + f'\nc.CourseGrader.scheduler = "{cluster.address}"\n',
                      encoding="utf-8")
    run = autograde_async(course)
    try:
        in_flight = wait_until(lambda: [k for k in cluster.processing().get(victim, []) if "-a_slow-" in k],
                               "희생될 작업자가 느린 제출물을 맡음")
        survivor = cluster.add_worker("survivor")
        cluster.kill(cluster.workers[victim])
        output, _ = run.communicate(timeout=DEADLINE)
    finally:
        if run.poll() is None:
            run.kill()
    assert run.returncode == 0, output
    scores = grade_scores(course)
    slow_scores = {gid: v for (student, gid), v in scores.items() if student == "a_slow"}
    correct = {gid: v for (student, gid), v in template[1].items() if student == "correct"}
    assert slow_scores == correct, output
    assert {k: v for k, v in scores.items() if k[0] != "a_slow"} == template[1], output
    graded = states(course)
    assert set(graded) == set(CLASS) | {"a_slow"} and all(r["status"] == "graded" for r in graded.values()), output
    assert submission_count(course) == len(CLASS) + 1
    assert graded["a_slow"]["worker"].endswith(survivor), graded["a_slow"]   # 죽은 작업자의 것은 살아 있는 작업자가
    assert in_flight


def test_unreachable_scheduler_is_a_clear_error(template, tmp_path):
    course = fresh(template, tmp_path)
    done = course_cmd(course, "autograde", "--all", "--scheduler", f"tcp://127.0.0.1:{free_port()}", check=False)
    assert done.returncode == 2, done.stdout + done.stderr
    text = " ".join((done.stdout + done.stderr).split())
    assert "스케줄러" in text and "cannot reach the Dask scheduler" in text, text
    assert "Traceback" not in text
    assert not states(course)
    # TLS 주소인데 이 기계의 Dask 설정에 인증서가 없으면: distributed의 TypeError 대신 무엇을 할지 말합니다.
    tls = course_cmd(course, "autograde", "--all", "--scheduler", f"tls://127.0.0.1:{free_port()}", check=False)
    text = " ".join((tls.stdout + tls.stderr).split())
    assert tls.returncode == 2 and "인증서" in text and "docs/deploy-workers.md" in text, text
    assert "TypeError" not in text and "예상하지 못한" not in text and "Traceback" not in text


def test_scheduler_lost_mid_run_keeps_work_and_a_rerun_resumes(template, cluster, tmp_path):
    cluster.add_worker("only")
    course = fresh(template, tmp_path)
    run = autograde_async(course, "--scheduler", cluster.address)
    try:
        wait_until(lambda: states(course), "첫 제출물 채점")
        cluster.stop_client()
        cluster.kill(cluster.scheduler)
        output, _ = run.communicate(timeout=DEADLINE)
    finally:
        if run.poll() is None:
            run.kill()
    text = " ".join(output.split())
    assert run.returncode == 2, output
    assert "연결이 끊겼습니다" in text and "rerun to resume" in text and "Traceback" not in text, output
    kept = states(course)
    assert kept and all(r["status"] == "graded" for r in kept.values())
    cluster.stop()

    (tmp_path / "second").mkdir()
    second = Cluster(tmp_path / "second")
    try:
        second.add_worker("again")
        done = course_cmd(course, "autograde", "--all", "--scheduler", second.address)
    finally:
        second.stop()
    if len(kept) < len(CLASS):
        assert f"제출물 {len(kept)}개는 건너뜁니다" in " ".join(done.stdout.split()), done.stdout
    assert grade_scores(course) == template[1]
    assert set(states(course)) == set(CLASS)
    assert submission_count(course) == len(CLASS)


def test_workers_with_another_version_or_no_sandbox_are_refused(template, cluster, tmp_path):
    # 다른 버전: 패키지를 복사해 한 줄을 더한 사본을 PYTHONPATH 앞에 둔 작업자
    other = tmp_path / "other-version"
    shutil.copytree(REPO / "ctxcourse", other / "ctxcourse",
                    ignore=shutil.ignore_patterns("node_modules", "__pycache__"))
    with open(other / "ctxcourse" / "grading" / "replay.py", "a", encoding="utf-8") as handle:
        handle.write("\n# 다른 버전\n")
    mismatched = cluster.add_worker("mismatched", {**env(), "PYTHONPATH": str(other)})
    # 샌드박스 없음: PATH에 bubblewrap이 없는 작업자
    no_sandbox = cluster.add_worker("nobwrap", {**env(), "PATH": str(BIN)})
    good = cluster.add_worker("good")
    course = fresh(template, tmp_path)
    done = course_cmd(course, "autograde", "--all", "--scheduler", cluster.address)
    text = " ".join(done.stdout.split())
    assert f"작업자 {mismatched} 거절" in text and "버전이 강사 쪽과 다릅니다" in text, done.stdout
    assert f"작업자 {no_sandbox} 거절" in text and "샌드박스를 시작할 수 없어" in text, done.stdout
    assert grade_scores(course) == template[1]
    assert {r["worker"].split(" ")[1] for r in states(course).values()} == {good}
