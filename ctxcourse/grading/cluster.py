"""여러 기계의 작업자로 채점하기 (grading on a Dask cluster): :class:`DaskExecutor`.

엔진(:mod:`.engine`)의 실행자 약속(:class:`.executor.Executor`)을 Dask ``distributed``로 지킵니다. 제출물 하나가
작업(task) 하나이고, 작업은 필요한 것을 모두 **데이터**로 가지고 갑니다: 정화된 제출 노트북(과 제출 폴더의 다른
파일)의 바이트, 과제 정보(강사의 테스트 셀, 채점 함수 이름), 한도. 공유 디스크의 경로는 없습니다. 작업자는
임시 폴더를 새로 만들고 이 기계에서 쓰는 것과 같은 :class:`.executor.LocalExecutor`로 실행합니다: bubblewrap
샌드박스 안의 학생 노트북, 그리고 학생 코드가 한 번도 돈 적 없는 깨끗한 재현기 프로세스가 강사의 테스트를
실행합니다. 결과(노트북 이름 → 결과 dict)는 강사 쪽 엔진이 이제까지처럼 믿을 수 없는 데이터로 다루고, 성적부에는
강사 쪽 엔진만 씁니다.

작업자에게 필요한 것: 같은 버전의 ``ctxcourse`` 패키지(와 numpy, matplotlib, nbgrader, 파이썬)와 bubblewrap.
강좌 폴더는 필요 없습니다. 거절하는 작업자:

- 샌드박스를 시작할 수 없는 작업자: 이유를 한국어로 알리고 그 작업자에게는 더 보내지 않습니다 (보호 없이 몰래
  채점하는 일은 없습니다).
- 패키지 소스의 해시(:func:`software_versions`)가 강사 쪽과 다른 작업자: 같은 제출물이 다른 점수를 받을 수 있으므로
  거절합니다.

장애:

- 작업자가 채점 도중 죽으면 Dask 스케줄러가 그 작업을 다른 작업자에게 다시 맡깁니다 (``allowed-failures``,
  기본 3번). 엔진은 제출물마다 결과를 한 번만 받으므로 빠지거나 두 번 세는 제출물이 없습니다.
- 스케줄러에 닿지 않거나 도중에 끊기면 :class:`ClusterUnavailable` (:class:`.executor.ExecutorUnavailable`: 엔진이
  제출물 하나의 오류로 삼키지 않고 실행 전체를 멈춥니다). 그때까지 채점한 제출물은 그대로 남고, 다시 실행하면 이어서 채점합니다.
- Ctrl-C: 엔진이 :meth:`DaskExecutor.kill_all`을 부르면 기다리던 작업을 모두 취소하고 멈춥니다.
"""

from __future__ import annotations

import atexit
import functools
import hashlib
import logging
import os
import platform
import socket
import tempfile
import threading
import time
import uuid
from dataclasses import asdict
from pathlib import Path

from . import safecopy
from .course import CourseError
from .executor import ExecutorUnavailable
from .models import AssignmentInfo, NotebookInfo, NotebookJob, Prepared, SubmissionReport, TestCell
from .sandbox import Limits, SandboxUnavailable

PACKAGE_ROOT = Path(__file__).resolve().parent.parent
SKIPPED_DIRS = {"__pycache__", "node_modules", "studentlab"}   # 채점에 쓰이지 않는 것 (학생용 JupyterLab 확장)
LIBRARIES = ("numpy", "matplotlib", "nbgrader", "ipykernel", "nbclient")
CONNECT_TIMEOUT = 15


class ClusterUnavailable(ExecutorUnavailable):
    """스케줄러에 닿지 않거나, 도중에 끊겼거나, 채점할 수 있는 작업자가 없습니다 (실행 전체를 멈춥니다)."""


class ClusterStopped(BaseException):
    """강사가 멈췄습니다 (Ctrl-C): 기다리던 작업을 버립니다."""


# ---------------------------------------------------------------------------------------------
# both sides: what a worker must match
# ---------------------------------------------------------------------------------------------

@functools.lru_cache(maxsize=1)
def source_hash() -> str:
    """``ctxcourse`` 패키지 소스의 해시 (학생용 JupyterLab 확장과 캐시는 빼고)."""
    digest = hashlib.sha256()
    for folder, dirs, files in os.walk(PACKAGE_ROOT):
        dirs[:] = sorted(d for d in dirs if d not in SKIPPED_DIRS)
        for name in sorted(files):
            if name.endswith((".pyc", ".pyo")):
                continue
            path = Path(folder) / name
            digest.update(str(path.relative_to(PACKAGE_ROOT)).encode() + b"\0")
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


@functools.lru_cache(maxsize=1)
def software_versions() -> dict:
    """점수에 영향을 주는 소프트웨어의 버전: 패키지 소스 해시, 파이썬, 주요 라이브러리."""
    from importlib.metadata import PackageNotFoundError, version

    found = {"ctxcourse": source_hash(), "python": ".".join(platform.python_version_tuple()[:2])}
    for name in LIBRARIES:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = "없음"
    return found


def version_problem(expected: dict, found: dict) -> str | None:
    """버전이 다르면 한국어 설명, 같으면 None."""
    differences = [f"{name} {found.get(name, '없음')} (강사 쪽 {value})" for name, value in expected.items()
                   if found.get(name) != value]
    if not differences:
        return None
    return ("작업자의 소프트웨어 버전이 강사 쪽과 다릅니다: " + ", ".join(differences) + ". 같은 제출물이 다른 점수를 받을 수 "
            "있으므로 이 작업자는 쓰지 않습니다. 작업자에 같은 버전의 강좌 패키지를 설치하세요 (pip install -r requirements.txt). "
            "(worker runs a different version of the course package: refused)")


# ---------------------------------------------------------------------------------------------
# worker side
# ---------------------------------------------------------------------------------------------

_worker_lock = threading.Lock()
_worker_executors: dict = {}     # 한도 → (LocalExecutor 또는 None, 샌드박스 설명 또는 거절 이유)


def _worker_address() -> str:
    try:
        from distributed import get_worker

        return str(get_worker().address)
    except Exception:  # noqa: BLE001  (Dask 밖에서 부를 때)
        return f"local-{os.getpid()}"


def _worker_executor(limits: dict):
    """이 작업자 프로세스의 :class:`.executor.LocalExecutor` (한도마다 하나, 처음 부를 때 샌드박스를 확인)."""
    from .executor import LocalExecutor

    key = tuple(sorted(limits.items()))
    with _worker_lock:
        if key not in _worker_executors:
            executor = LocalExecutor(Limits(**limits), sandbox=True)
            state_dir = Path(tempfile.gettempdir()) / f"ctxcluster-{os.getuid()}"
            state_dir.mkdir(mode=0o700, exist_ok=True)
            try:
                note = executor.start(state_dir)
            except SandboxUnavailable as error:
                executor.close()
                _worker_executors[key] = (None, f"이 작업자는 샌드박스를 시작할 수 없어 채점하지 않습니다: {error}")
            except Exception as error:  # noqa: BLE001
                executor.close()
                _worker_executors[key] = (None, f"이 작업자는 샌드박스를 확인하지 못해 채점하지 않습니다: "
                                                f"{type(error).__name__}: {error}")
            else:
                atexit.register(executor.close)
                _worker_executors[key] = (executor, note)
        return _worker_executors[key]


def probe_worker(limits: dict) -> dict:
    """강사 쪽이 작업을 보내기 전에 작업자마다 부릅니다: 버전과 샌드박스."""
    executor, note = _worker_executor(limits) if limits else (None, "")
    return {"versions": software_versions(), "sandbox": executor is not None, "note": note,
            "host": socket.gethostname(), "worker": _worker_address()}


def _write_tree(folder: Path, files: dict) -> None:
    """작업에 실려 온 파일들(상대 경로 → 바이트)을 새 폴더에 씁니다. 폴더 밖을 가리키는 경로는 거절합니다."""
    for relative, data in files.items():
        parts = Path(relative).parts
        if not parts or Path(relative).is_absolute() or any(p in ("", ".", "..") for p in parts):
            raise ValueError(f"작업의 파일 경로가 이상합니다: {relative!r}")
        target = folder.joinpath(*parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)


def _info_from(data: dict) -> AssignmentInfo:
    notebooks = {}
    for name, notebook in data["notebooks"].items():
        fields = dict(notebook)
        fields["tests"] = [TestCell(**test) for test in notebook["tests"]]
        notebooks[name] = NotebookInfo(**fields)
    return AssignmentInfo(data["name"], notebooks, data["signature"])


def grade_task(task: dict) -> dict:
    """작업자에서 실행되는 작업 하나: 제출물 하나를 샌드박스와 깨끗한 재현기로 채점해 결과를 돌려줍니다.

    거절할 때는 예외 대신 ``{"refused": 이유}``를 돌려줍니다 (강사 쪽이 이 작업자를 빼고 다시 맡깁니다)."""
    address, host = _worker_address(), socket.gethostname()
    problem = version_problem(task["versions"], software_versions())
    if problem:
        return {"refused": problem, "kind": "version", "worker": address, "host": host}
    executor, note = _worker_executor(task["limits"])
    if executor is None:
        return {"refused": note, "kind": "sandbox", "worker": address, "host": host}
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="ctxcluster-task-") as temporary:
        files = {}
        for index, (name, tree) in enumerate(task["files"].items()):
            folder = Path(temporary) / f"nb{index}"
            folder.mkdir()
            _write_tree(folder, tree)
            files[name] = folder
        report = SubmissionReport(task["assignment"], task["student"])
        jobs = [NotebookJob(**job) for job in task["jobs"]]
        outcomes = executor.execute(Prepared(report, _info_from(task["info"]), jobs, files))
    return {"outcomes": outcomes, "worker": address, "host": host, "seconds": round(time.monotonic() - started, 3)}


# ---------------------------------------------------------------------------------------------
# instructor side
# ---------------------------------------------------------------------------------------------

def _pack_files(folder: Path) -> dict:
    """정화된 노트북이 있는 폴더의 보통 파일들 → 상대 경로 → 바이트 (링크·특수 파일은 거절, 크기 한도)."""
    inspection = safecopy.inspect_tree(folder)
    if not inspection.ok:
        raise safecopy.UnsafeSubmission(" ".join(inspection.problems[:3]))
    budget, files = safecopy.MAX_BYTES, {}
    for relative in inspection.files:
        data = safecopy.read_bytes(folder / relative, budget)
        budget -= len(data)
        files[relative] = data
    return files


class DaskExecutor:
    """Dask 스케줄러(``tcp://HOST:PORT``)의 작업자들에게 제출물을 맡깁니다. 엔진의 작업 스레드마다 :meth:`execute`를
    부르며, 한 번에 작업자들의 스레드 수만큼 맡깁니다 (:meth:`connect`가 돌려주는 수를 엔진의 ``jobs``로)."""

    enabled = True        # 작업자는 언제나 샌드박스에서 실행합니다 (못 하면 거절)
    poll = 0.5

    def __init__(self, scheduler: str, limits: Limits, *, note=None, connect_timeout: float = CONNECT_TIMEOUT):
        self.scheduler = scheduler
        self.limits = limits
        self.connect_timeout = connect_timeout
        self.client = None
        self._note = note or (lambda text: None)
        self._limits = dict(limits.__dict__)
        self._versions = software_versions()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._futures: set = set()
        self.good: dict[str, dict] = {}      # 작업자 주소 → 정보 (스레드 수, 호스트)
        self.refused: dict[str, str] = {}    # 작업자 주소 → 거절 이유
        self.graded_by: dict[str, int] = {}

    # -- connecting and choosing workers ------------------------------------------------------
    def connect(self) -> int:
        """스케줄러에 연결하고 작업자들을 확인합니다. 쓸 수 있는 작업자의 스레드 수 합을 돌려줍니다."""
        if self.client is None:
            from distributed import Client

            # distributed의 로그(재연결 시도, 닫을 때의 traceback)는 강사에게 보이지 않게: 무슨 일인지는 우리가 한국어로 말합니다.
            for name in ("distributed", "distributed.client", "distributed.utils", "distributed.core"):
                logging.getLogger(name).setLevel(logging.CRITICAL)

            self._check_tls()
            try:
                self.client = Client(self.scheduler, timeout=self.connect_timeout, set_as_default=False)
            except (OSError, TimeoutError, ValueError) as error:
                raise CourseError(
                    f"Dask 스케줄러 {self.scheduler}에 연결할 수 없습니다 ({type(error).__name__}: {str(error)[:300]}). "
                    "주소와 포트, 스케줄러가 실행 중인지('dask scheduler' 또는 'make cluster'), 방화벽을 확인하세요. "
                    f"(cannot reach the Dask scheduler at {self.scheduler})") from None
        self._refresh(wait_for_workers=True)
        threads = sum(info["nthreads"] for info in self.good.values())
        return max(1, threads)

    def _check_tls(self) -> None:
        """``tls://`` 주소인데 이 기계의 Dask 설정에 인증서가 없으면, distributed가 반쯤 만든 Client를 남기며 TypeError를
        내기 전에(그 Client는 끝날 때 30초를 기다리며 traceback을 찍습니다) 무엇을 할지 말합니다."""
        import dask

        if not self.scheduler.startswith("tls://"):
            return
        needed = ("distributed.comm.tls.ca-file", "distributed.comm.tls.client.cert")
        if all(dask.config.get(key, None) for key in needed):
            return
        raise CourseError(
            f"TLS 스케줄러 {self.scheduler}에 연결하려면 이 기계의 Dask 설정에 인증서가 있어야 합니다 "
            "(distributed.comm.tls.ca-file, client.cert, client.key; 환경 변수 DASK_DISTRIBUTED__COMM__TLS__... "
            "또는 ~/.config/dask/*.yaml). docs/deploy-workers.md의 TLS 부분을 보세요. "
            f"(TLS scheduler {self.scheduler} needs certificates in the Dask config)")

    def _live_workers(self) -> dict:
        return dict(self.client.scheduler_info(n_workers=-1).get("workers") or {})

    def _refresh(self, *, wait_for_workers: bool = False) -> None:
        """처음 보는 작업자를 확인합니다 (버전, 샌드박스). 사라진 작업자는 목록에서 뺍니다."""
        deadline = time.monotonic() + self.connect_timeout
        live = self._live_workers()
        while wait_for_workers and not live and time.monotonic() < deadline and not self._stop.is_set():
            time.sleep(0.5)
            live = self._live_workers()
        with self._lock:
            for address in list(self.good):
                if address not in live:
                    del self.good[address]
            new = [a for a in live if a not in self.good and a not in self.refused]
        if new:
            self._probe(new, live)
        if not self.good:
            reasons = "; ".join(f"{a}: {r}" for a, r in list(self.refused.items())[:3])
            raise ClusterUnavailable(
                f"스케줄러 {self.scheduler}에 채점할 수 있는 작업자가 없습니다"
                + (f" (거절한 작업자: {reasons})" if reasons else " (작업자가 하나도 연결되어 있지 않습니다)")
                + ". 작업자를 시작하세요: 'dask worker " + self.scheduler + " --nthreads 1'. "
                  "(no usable Dask workers)")

    def _probe(self, addresses: list[str], live: dict) -> None:
        try:
            answers = self.client.run(probe_worker, self._limits, workers=addresses, on_error="return")
        except Exception as error:  # noqa: BLE001
            answers = {a: error for a in addresses}
        for address in addresses:
            answer = answers.get(address)
            if isinstance(answer, BaseException) or not isinstance(answer, dict):
                self._refuse(address, f"작업자에서 강좌 패키지를 확인하지 못했습니다 ({type(answer).__name__}: "
                                      f"{str(answer)[:300]}). 작업자에 강좌 패키지를 설치하세요.")
                continue
            problem = version_problem(self._versions, answer.get("versions") or {})
            if problem:
                self._refuse(address, problem)
            elif not answer.get("sandbox"):
                self._refuse(address, str(answer.get("note")))
            else:
                with self._lock:
                    self.good[address] = {"nthreads": int(live.get(address, {}).get("nthreads") or 1),
                                          "host": str(answer.get("host", ""))}

    def _refuse(self, address: str, reason: str) -> None:
        with self._lock:
            first = address not in self.refused
            self.refused[address] = reason
            self.good.pop(address, None)
        if first:
            self._note(f"작업자 {address} 거절: {reason}")

    def start(self, state_dir: Path) -> str:
        self.connect()
        hosts = sorted({info["host"] for info in self.good.values()})
        threads = sum(info["nthreads"] for info in self.good.values())
        line = (f"Dask 클러스터 {self.scheduler}: 작업자 {len(self.good)}개 (스레드 {threads}개, 기계 {', '.join(hosts)}), "
                f"작업자마다 bubblewrap 샌드박스와 깨끗한 재현기")
        if self.refused:
            line += f"; 거절한 작업자 {len(self.refused)}개"
        return line

    # -- running one submission ---------------------------------------------------------------
    def _task(self, prepared: Prepared) -> dict:
        report = prepared.report
        info = asdict(prepared.info)
        return {"assignment": report.assignment, "student": report.student, "info": info,
                "jobs": [asdict(job) for job in prepared.jobs], "limits": self._limits, "versions": self._versions,
                "files": {job.name: _pack_files(prepared.files[job.name]) for job in prepared.jobs}}

    def execute(self, prepared: Prepared) -> dict:
        """제출물 하나를 작업자에게 맡기고 결과(노트북 이름 → 결과)를 돌려줍니다. 거절되면 다른 작업자에게."""
        task = self._task(prepared)
        report = prepared.report
        while True:
            if self._stop.is_set():
                raise ClusterStopped()
            with self._lock:
                workers = sorted(self.good)
            if not workers:
                self._refresh()
                continue
            key = f"ctxgrade-{report.assignment}-{report.student}-{uuid.uuid4().hex[:10]}"
            future = self.client.submit(grade_task, task, key=key, pure=False, workers=workers,
                                        allow_other_workers=False, retries=0)
            with self._lock:
                self._futures.add(future)
            try:
                answer = self._wait(future, set(workers))
            finally:
                with self._lock:
                    self._futures.discard(future)
                future.release()
            if answer is None:      # 맡긴 작업자가 모두 사라짐: 남은 작업자에게 다시
                continue
            if not isinstance(answer, dict):
                raise RuntimeError(f"작업자가 알 수 없는 결과를 돌려주었습니다: {type(answer).__name__}")
            if "refused" in answer:
                self._refuse(str(answer.get("worker")), str(answer["refused"]))
                continue
            worker = f"{answer.get('host', '')} {answer.get('worker', '')}".strip()[:200]
            outcomes = answer.get("outcomes")
            if not isinstance(outcomes, dict):
                raise RuntimeError("작업자의 결과에 노트북 결과가 없습니다")
            for outcome in outcomes.values():
                if isinstance(outcome, dict):
                    outcome["worker"] = worker
            if hasattr(report, "worker"):
                report.worker = worker
            if isinstance(answer.get("seconds"), (int, float)):
                report.timing["worker"] = round(float(answer["seconds"]), 3)   # 작업자에서 걸린 시간 (전송 제외)
            with self._lock:
                self.graded_by[worker] = self.graded_by.get(worker, 0) + 1
            return outcomes

    def _wait(self, future, workers: set):
        """작업이 끝나기를 기다립니다. 멈춤(Ctrl-C)과 스케줄러 끊김을 살피고, 맡긴 작업자가 모두 사라졌으면 None."""
        from distributed import KilledWorker
        from distributed.client import FutureCancelledError

        checked = time.monotonic()
        finished = threading.Event()   # 끝나면 곧바로 깹니다 (0.5초마다 물어보면 제출물마다 평균 0.25초를 잃습니다)
        future.add_done_callback(lambda _: finished.set())
        while not future.done():
            finished.wait(self.poll)
            if self._stop.is_set():
                future.cancel()
                raise ClusterStopped()
            if self.client.status not in ("running", "connecting", "newly-created"):
                raise self._lost()
            if time.monotonic() - checked > 5:
                checked = time.monotonic()
                try:
                    live = set(self._live_workers())
                except Exception:  # noqa: BLE001
                    continue
                if not workers & live:
                    self._refresh()
                    future.cancel()
                    return None
                if any(a not in self.good and a not in self.refused for a in live):
                    self._refresh()
        try:
            return future.result()
        except FutureCancelledError as error:
            if self._stop.is_set():
                raise ClusterStopped() from None
            if "scheduler" in str(getattr(error, "reason", "")) or self.client.status != "running":
                raise self._lost() from None
            raise RuntimeError(f"Dask가 작업을 취소했습니다: {error}") from None
        except KilledWorker:
            raise RuntimeError("이 제출물을 맡은 작업자가 여러 번(distributed.scheduler.allowed-failures 넘게) 죽었습니다. "
                               "작업자의 메모리와 로그를 확인하세요. (KilledWorker)") from None
        except OSError as error:
            raise self._lost(error) from None

    def _lost(self, error: Exception | None = None) -> ClusterUnavailable:
        detail = f" ({type(error).__name__}: {error})" if error else ""
        return ClusterUnavailable(
            f"Dask 스케줄러 {self.scheduler}와의 연결이 끊겼습니다{detail}. 그때까지 채점한 제출물은 그대로 남아 있고, "
            "스케줄러를 다시 시작한 뒤 같은 명령을 실행하면 남은 제출물부터 이어서 채점합니다. "
            "(lost the connection to the Dask scheduler; graded work is kept, rerun to resume)")

    # -- stopping ----------------------------------------------------------------------------
    def kill_all(self) -> None:
        self._stop.set()
        with self._lock:
            futures = list(self._futures)
        if futures and self.client is not None:
            try:
                self.client.cancel(futures)
            except Exception:  # noqa: BLE001  (스케줄러가 이미 없으면)
                pass

    def close(self) -> None:
        if self.client is not None:
            client, self.client = self.client, None
            try:
                client.close(timeout=10)
            except Exception:  # noqa: BLE001
                pass
