"""실행자: 제출물 하나를 샌드박스에서 실행하고 그 기록과 판정을 돌려줍니다 (the executor seam).

엔진(:mod:`.engine`)은 "이 제출물을 샌드박스에서 실행하고 판정을 달라"를 실행자에게 맡기고, 성적부에는
자기만 씁니다. :class:`LocalExecutor`는 이 기계의 스레드 풀 안에서 일하는 첫 구현입니다: 작업 스레드마다
재현기 프로세스 하나를 두고, 샌드박스의 실행기와 재현기를 :class:`.conversation.Conversation`으로 잇습니다.
다른 구현(예: 여러 기계의 작업자)은 같은 :class:`Executor` 약속을 지키면 됩니다: ``start``, ``execute``, ``close``,
``kill_all``. 돌려주는 값은 노트북 이름 → 결과(dict: cells, events, test_status, stopped, replay, 시간)이고,
엔진은 그것을 믿을 수 없는 데이터로 다룹니다.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import Protocol

import nbformat

from . import protocol, safecopy
from .conversation import Conversation
from .models import NotebookInfo, NotebookJob, Prepared
from .nbgrader_glue import clean_outputs
from .replay import ReplayWorker
from .sandbox import Limits, Sandbox


class ExecutorUnavailable(RuntimeError):
    """실행자 전체가 더 일할 수 없습니다 (예: 클러스터의 스케줄러가 끊김). 엔진은 이것을 제출물 하나의 오류로 삼키지
    않고 실행 전체를 멈춥니다: 끝낸 제출물은 남고, 다시 실행하면 이어서 채점합니다."""


class Executor(Protocol):
    """엔진과 실행자 사이의 약속."""

    def start(self, state_dir: Path) -> str: ...

    def execute(self, prepared: Prepared) -> dict: ...

    def kill_all(self) -> None: ...

    def close(self) -> None: ...


class LocalExecutor:
    """이 기계에서 bubblewrap 샌드박스로 실행합니다 (작업 스레드마다 하나씩 부릅니다)."""

    def __init__(self, limits: Limits, *, sandbox: bool = True, keep_work: bool = False):
        self.limits = limits
        self.sandbox = Sandbox(limits, enabled=sandbox)
        self.keep_work = keep_work
        self.work_root: Path | None = None
        self._local = threading.local()
        self._slots = iter(range(10_000))
        self._lock = threading.Lock()
        self._workers: list[ReplayWorker] = []

    @property
    def enabled(self) -> bool:
        return self.sandbox.enabled

    def start(self, state_dir: Path) -> str:
        """샌드박스를 확인하고 작업 폴더를 만듭니다. 강사에게 보여 줄 한 줄을 돌려줍니다."""
        note = self.sandbox.check()
        self.work_root = Path(tempfile.mkdtemp(prefix="ctxgrade-"))
        os.chmod(self.work_root, 0o711)
        if self.sandbox.enabled:
            self.sandbox.warm_matplotlib_cache(Path(state_dir) / "mplcache")
        return note

    def kill_all(self) -> None:
        self.sandbox.kill_all()

    def close(self) -> None:
        self.sandbox.close()
        for worker in self._workers:
            worker.close()
        if self.work_root is not None and not self.keep_work:
            shutil.rmtree(self.work_root, ignore_errors=True)

    # -- per worker thread ---------------------------------------------------------------------
    def _slot(self) -> int:
        if not hasattr(self._local, "slot"):
            with self._lock:
                self._local.slot = next(self._slots)
            self._local.replay = None
        return self._local.slot

    def _replay_worker(self) -> ReplayWorker:
        slot = self._slot()
        if self._local.replay is None:
            runner = [self.sandbox.python, "-I", "-m", "ctxcourse.grading.replay", "--serve"]
            if self.sandbox.enabled:
                if self.sandbox.root_mode:
                    runner += ["--uid", str(self.sandbox.uid_for(5000 + slot))]

                def spawn(**popen):   # 대화 스레드에서 다시 시작될 수 있으므로 그 스레드와 함께 죽지 않게
                    return self.sandbox.spawn(None, runner, die_with_parent=False, **popen)
            else:
                environment = {**os.environ, "MPLBACKEND": "Agg"}

                def spawn(**popen):
                    return subprocess.Popen(runner, env=environment, start_new_session=True, **popen)
            self._local.replay = ReplayWorker(spawn)
            with self._lock:
                self._workers.append(self._local.replay)
        return self._local.replay

    def execute(self, prepared: Prepared) -> dict:
        """제출물의 노트북마다 샌드박스 실행 + 재현기 판정. 노트북 이름 → 결과."""
        return {job.name: self._run_notebook(prepared, job) for job in prepared.jobs}

    def _run_notebook(self, prepared: Prepared, job: NotebookJob) -> dict:
        slot = self._slot()
        report, info = prepared.report, prepared.info.notebooks[job.name]
        job_dir = self.work_root / f"{report.assignment}-{report.student}-{job.name}-{slot}-{time.monotonic_ns()}"
        safecopy.copy_tree(prepared.files[job.name], job_dir / "files")
        strip_tests(job_dir / "files" / f"{job.name}.ipynb", job.tests)
        os.chmod(job_dir, 0o700)
        worker = self._replay_worker()
        try:
            run, conversation = self._sandbox_run(job_dir, job, info, slot, worker)
            if run.reused and not (run.finished or run.wall_timeout or run.overflow or run.runner_stopped):
                # 실행기가 done 없이 곧바로 끝났습니다: 앞 제출물이 같은 zygote에 무언가를 남겼을 수 있으므로 (그 zygote는
                # 이미 바꿨음) 새 zygote에서 한 번 더 실행합니다. 학생 자신의 코드 때문이면 두 번째도 같은 결과입니다.
                # 시간·출력 한도에 걸린 실행은 다시 하지 않습니다 (한 학생이 작업자를 두 배로 붙잡지 않도록).
                run, conversation = self._sandbox_run(job_dir, job, info, slot, worker)
            outcome = protocol.digest_run(run, job.tests, job.cells, clean_outputs)
            replay_started = time.monotonic()
            outcome["replay"] = replay_rest(worker, conversation, info, outcome)
            outcome["replay_seconds"] = time.monotonic() - replay_started
            return outcome
        finally:
            if not self.keep_work:
                shutil.rmtree(job_dir, ignore_errors=True)

    def _sandbox_run(self, job_dir: Path, job: NotebookJob, info: NotebookInfo, slot: int, worker):
        """노트북 하나를 샌드박스에서 한 번 실행합니다 (재현기와 잇는 대화 하나와 함께). (실행 결과, 대화)."""
        conversation = Conversation(worker, dict(job.tests), {t.grade_id: t.source for t in info.tests}, info.graded,
                                    call_timeout=self.limits.cell_timeout + self.limits.grace + 30,
                                    test_timeout=self.limits.wall_timeout)
        run = self.sandbox.run(job_dir, {
            "notebook_name": f"{job.name}.ipynb", "tests": {str(k): v for k, v in job.tests.items()},
            "graded": info.graded, "kernel_name": "python3"}, slot, conversation=conversation)
        conversation.join()
        return run, conversation


def strip_tests(path: Path, tests: dict[int, str]) -> None:
    """샌드박스에 들어가는 노트북에서 테스트 셀의 코드와 출력을 지웁니다. 실행기는 테스트 셀을 실행하지 않으므로
    필요 없고, 남겨 두면 학생 코드가 파일을 읽어 숨은 테스트와 기대값을 볼 수 있습니다."""
    nb = nbformat.read(path, as_version=4)
    for index in tests:
        if 0 <= index < len(nb.cells):
            cell = nb.cells[index]
            cell.source = ""
            cell.outputs = []
            cell.metadata.get("nbgrader", {}).pop("checksum", None)   # 성적부의 체크섬 = 숨은 테스트까지 담은 셀의 MD5
    nbformat.write(nb, path)


def replay_rest(worker, conversation, info: NotebookInfo, outcome: dict) -> dict:
    """대화에서 답한 테스트의 판정에, 실행되지 못한 테스트(앞에서 커널이 죽음 등)의 판정을 더합니다.
    후자는 기록 없이 재현기를 돌려 한국어 이유를 얻습니다."""
    rest = [{"grade_id": t.grade_id, "source": t.source} for t in info.tests if t.grade_id not in conversation.results]
    answer = {"tests": {}, "notes": []}
    if rest:
        answer = worker.run({"tests": rest, "graded": info.graded, "records": {}, "status": outcome["test_status"],
                             "stopped": outcome["stopped"] or "not_run", "recorder_failed": outcome["recorder_failed"]})
    merged = {"tests": {**(answer.get("tests") or {}), **conversation.results},
              "notes": list(conversation.notes) + list(answer.get("notes") or [])}
    errors = conversation.errors + ([answer["error"]] if answer.get("error") else [])
    if errors:
        merged["error"] = "; ".join(errors)[:1000]
    return merged
