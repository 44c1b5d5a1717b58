"""병렬·샌드박스·위조 불가 채점 엔진 (the parallel, sandboxed, tamper-proof autograder), nbgrader 위에 세운 것.

엔진은 찾고, 건너뛰고, 나누어 맡기고, 멈춥니다. 한 제출물의 흐름:

1. 준비 (부모, 주 스레드): 입구 검사(:mod:`.intake`: ID, 링크, 노트북 크기·셀), nbgrader ``Autograde``의
   ``init_assignment``(학생·제출 기록, 파일 복사)와 정화 전처리기로 ``autograded/``에 정화된 노트북을 씁니다
   (:mod:`.nbgrader_glue`). 제출된 그대로의 노트북에서 바뀐 테스트 셀과 수상한 코드를 찾아 둡니다.
2. 실행 (작업 스레드, :mod:`.executor`): 정화된 노트북을 샌드박스에서 실행하고, 테스트 셀 자리에서는 깨끗한
   재현기가 강사의 테스트를 실행하며 채점 함수 호출만 학생 커널에 평범한 데이터로 맡깁니다 (:mod:`.protocol`).
3. 마무리 (부모, 주 스레드): nbgrader의 채점 전처리기들이 재현기의 판정을 성적부에 씁니다. 실행에서 일어난
   일은 한국어 이유와 표시가 되고(:mod:`.messages`), 상태 파일에 남습니다 (:mod:`.state`).

성적부에 쓰는 것은 부모의 주 스레드뿐이라 "database is locked"나 잃어버린 행이 없습니다. 이미 채점했고 입력이
그대로인 제출물은 건너뜁니다 (``force``로 다시 채점). Ctrl-C는 안전한 자리에서 멈추고 반쯤 쓴 결과를 지웁니다.
"""

from __future__ import annotations

import concurrent.futures as futures
import contextlib
import fcntl
import hashlib
import os
import signal
import threading
from collections import deque
from pathlib import Path

from nbgrader.api import MissingEntry
from traitlets.config import Config

from . import messages, nbgrader_glue, safecopy
from .catalog import Catalog
from .config import default_jobs, limits_for
from .course import Course, CourseError
from .executor import ExecutorUnavailable, LocalExecutor
from .intake import student_id_problem
from .models import ENGINE_VERSION, AssignmentInfo, Prepared, Progress, SubmissionReport
from .nbgrader_glue import SandboxAutograde
from .sandbox import Limits
from .state import StateStore
from .steps import SubmissionSteps


class GradingEngine:
    """``course autograde``의 엔진. ``executor``를 주지 않으면 이 기계의 샌드박스(:class:`.executor.LocalExecutor`)."""

    def __init__(self, course: Course, *, jobs: int | None = None, sandbox: bool = True, force: bool = False,
                 limits: Limits | None = None, progress: Progress | None = None, keep_work: bool = False,
                 executor=None):
        self.course = course
        self.jobs = max(1, jobs or default_jobs())
        self.force = force
        self.limits = limits or limits_for(course.config, course.cell_timeout())
        self.executor = executor or LocalExecutor(self.limits, sandbox=sandbox, keep_work=keep_work)
        self.progress = progress or Progress()
        self.states = StateStore(course.state_dir)
        self.catalog = Catalog(course, self.limits.cell_timeout, self.sandboxed)
        self.converter = SandboxAutograde(coursedir=course.coursedir, config=Config(course.config), log=course.log)
        self.converter.open()
        nbgrader_glue.log_gradebook_errors_to(course.log)
        self.steps = SubmissionSteps(course, self.converter, self.catalog, self.states, self.limits, self.sandboxed,
                                     self.fingerprint)

    @property
    def sandboxed(self) -> bool:
        return self.executor.enabled

    def assignment_info(self, name: str) -> AssignmentInfo:
        return self.catalog.get(name)

    # -- finding and skipping submissions -------------------------------------------------------
    def submissions(self, assignments: list[str], student: str | None = None) -> list[tuple[str, str]]:
        found = []
        submitted = self.course.root / self.course.coursedir.submitted_directory
        for assignment in assignments:
            if not submitted.is_dir():
                break
            for student_dir in sorted(p for p in submitted.iterdir() if p.is_dir() and not p.name.startswith(".")):
                if (student is None or student_dir.name == student) and (student_dir / assignment).is_dir():
                    found.append((assignment, student_dir.name))
        return found

    def _folder(self, kind: str, assignment: str, student: str) -> Path:
        return Path(self.course.coursedir.format_path(kind, student, assignment))

    def fingerprint(self, assignment: str, student: str) -> str:
        digest = hashlib.sha256(self.assignment_info(assignment).signature.encode())
        folder = self._folder(self.course.coursedir.submitted_directory, assignment, student)
        inspection = safecopy.inspect_tree(folder)
        digest.update(f"{folder.parent.is_symlink()}|".encode() + "|".join(inspection.problems).encode())
        if inspection.ok:
            for relative in inspection.files:
                digest.update(relative.encode() + b"\0")
                try:
                    digest.update(safecopy.read_bytes(folder / relative))
                except safecopy.UnsafeSubmission as error:
                    digest.update(str(error).encode())
        return digest.hexdigest()

    def state_path(self, assignment: str, student: str) -> Path:
        return self.states.path(assignment, student)

    def load_state(self, assignment: str, student: str) -> dict | None:
        return self.states.load(assignment, student)

    def _up_to_date(self, assignment: str, student: str) -> SubmissionReport | None:
        state = self.states.load(assignment, student)
        if not state or state.get("engine") != ENGINE_VERSION:
            return None
        if state.get("fingerprint") != self.fingerprint(assignment, student):
            return None
        if state.get("status") == "error":   # 채점기 쪽 오류(작업자가 죽음 등)는 다음 실행에서 다시 해 봅니다
            return None
        if state.get("status") == "graded":
            for name in self.assignment_info(assignment).notebooks:
                if not os.path.exists(self.converter.autograded_notebook(assignment, student, name)):
                    return None
        with self.course.gradebook() as gb:
            try:
                gb.find_submission(assignment, student)
            except MissingEntry:
                return None
        known = {f.name for f in SubmissionReport.__dataclass_fields__.values()}
        report = SubmissionReport(**{k: v for k, v in state.items() if k in known})
        report.status = "skipped"
        return report

    def _sort(self, pairs, student: str | None) -> tuple[list[SubmissionReport], list[tuple[str, str]]]:
        """(이미 끝난 기록: ID 오류와 건너뛴 것, 채점할 제출물)."""
        reports, todo = [], []
        for assignment, who in pairs:
            problem = student_id_problem(who)
            if problem:
                report = SubmissionReport(assignment, who, status="invalid_id", sandbox=self.sandboxed)
                report.reasons.append(problem)
                reports.append(report)
                continue
            skip = None if (self.force or student is not None) else self._up_to_date(assignment, who)
            reports.append(skip) if skip is not None else todo.append((assignment, who))
        return reports, todo

    # -- main loop ------------------------------------------------------------------------------
    def grade(self, assignments: list[str], student: str | None = None) -> list[SubmissionReport]:
        """과제들의 제출물을 채점하고 제출물마다 :class:`SubmissionReport`를 돌려줍니다.

        같은 강좌에서 두 채점이 동시에 돌지 않도록 ``.course_state/grading.lock``을 잡습니다."""
        self.course.state_dir.mkdir(parents=True, exist_ok=True)
        with open(self.course.state_dir / "grading.lock", "w") as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                raise CourseError("이 강좌에서 다른 'course autograde'가 이미 실행 중입니다. 그것이 끝난 뒤에 다시 "
                                  "실행하세요. (another autograde is running in this course)") from None
            try:
                return self._grade(assignments, student)
            except CourseError:
                raise
            except Exception as error:   # 시작할 때부터 성적부에 닿지 않음 (과제 목록, 건너뛸 제출물 찾기)
                if nbgrader_glue.gradebook_unreachable(error):
                    raise CourseError(messages.gradebook_unreachable(self.course.coursedir.db_url, error)) from error
                raise

    def _grade(self, assignments: list[str], student: str | None) -> list[SubmissionReport]:
        for name in assignments:
            self.assignment_info(name)
        pairs = self.submissions(assignments, student)
        if not pairs:
            where = f"submitted/{student or '<학생>'}/{'|'.join(assignments)}/"
            raise CourseError(f"채점할 제출물이 없습니다: {where} 폴더가 없습니다. 학생 제출물을 "
                              f"submitted/<학생 ID>/<과제>/<과제>.ipynb 에 모으세요. (no submissions found)")
        reports, todo = self._sort(pairs, student)
        self.progress.start(len(todo), sum(r.status == "skipped" for r in reports))
        if todo:
            self.progress.note(self.executor.start(self.course.state_dir))
            try:
                reports.extend(self._run(deque(todo)))
            finally:
                self.executor.close()
        return reports

    @contextlib.contextmanager
    def _ctrl_c(self):
        """Ctrl-C는 깃발만 세우고, 주 루프가 안전한 자리에서 KeyboardInterrupt를 냅니다 (GC 콜백이나 nbgrader
        안에서 난 KeyboardInterrupt는 삼켜지거나 성적부를 반쯤 쓴 채로 남길 수 있습니다)."""
        interrupted = threading.Event()
        previous = None
        if threading.current_thread() is threading.main_thread():
            previous = signal.signal(signal.SIGINT, lambda signum, frame: interrupted.set())
        try:
            yield interrupted
        finally:
            if previous is not None:
                signal.signal(signal.SIGINT, previous)

    def _run(self, pending: deque) -> list[SubmissionReport]:
        reports: list[SubmissionReport] = []
        inflight: dict[futures.Future, Prepared] = {}
        pool = futures.ThreadPoolExecutor(max_workers=self.jobs, thread_name_prefix="ctxgrade")
        with self._ctrl_c() as interrupted:
            try:
                while pending or inflight:
                    if interrupted.is_set():
                        raise KeyboardInterrupt
                    while pending and len(inflight) < self.jobs * 2 and not interrupted.is_set():
                        prepared = self._step("준비", *pending.popleft(), reports, self.steps.prepare)
                        if prepared is not None and not prepared.jobs:
                            self._step("마무리", prepared.report.assignment, prepared.report.student, reports,
                                       lambda a, s: self._finish(prepared, {}))
                        elif prepared is not None:
                            inflight[pool.submit(self.executor.execute, prepared)] = prepared
                    done, _ = futures.wait(list(inflight), timeout=0.5, return_when=futures.FIRST_COMPLETED)
                    for future in done:
                        prepared = inflight.pop(future)
                        outcomes = self._outcomes(future)
                        self._step("마무리", prepared.report.assignment, prepared.report.student, reports,
                                   lambda a, s: self._finish(prepared, outcomes))
            except BaseException:
                for future in inflight:
                    future.cancel()
                self.executor.kill_all()
                for prepared in inflight.values():
                    self._discard(prepared.report.assignment, prepared.report.student)
                raise
            finally:
                pool.shutdown(wait=True, cancel_futures=True)
        return reports

    @staticmethod
    def _outcomes(future) -> dict:
        try:
            return future.result()
        except ExecutorUnavailable:
            raise                      # 실행자 전체의 문제: 실행을 멈춥니다 (제출물 하나의 오류가 아님)
        except Exception as error:  # noqa: BLE001
            return {"__error__": f"{type(error).__name__}: {error}"}

    def _step(self, step: str, assignment: str, student: str, reports: list, action):
        """준비나 마무리 한 단계: 중단되면 반쯤 쓴 결과를 지우고, 실패하면 기록하고 다음 제출물로 갑니다."""
        try:
            with self._discard_on_interrupt(assignment, student):
                result = action(assignment, student)
        except Exception as error:  # noqa: BLE001  (제출물 하나의 문제가 반 전체를 멈추지 않도록)
            if nbgrader_glue.gradebook_unreachable(error):   # 성적부 자체의 문제는 모두의 문제: 멈추고 알립니다
                raise CourseError(messages.gradebook_unreachable(self.course.coursedir.db_url, error)) from error
            reports.append(self._failed(assignment, student, step, error))
            return None
        if isinstance(result, SubmissionReport):
            reports.append(result)
        return result

    def _discard(self, assignment: str, student: str) -> None:
        """끝내지 못한 제출물의 반쯤 쓴 결과를 지웁니다 (다음에 다시 채점)."""
        dest = self._folder(self.course.coursedir.autograded_directory, assignment, student)
        nbgrader_glue.remove_tree(str(dest))
        with contextlib.suppress(OSError):
            os.rmdir(dest.parent)  # 비어 있을 때만 지워집니다
        self.states.remove(assignment, student)

    def _failed(self, assignment: str, student: str, step: str, error: Exception) -> SubmissionReport:
        """예상하지 못한 오류: 기록을 남기고 (상태 파일은 쓰지 않아 다음 실행에서 다시 시도) 다음 제출물로 갑니다."""
        import traceback

        self.course.log.error("%s/%s %s 중 오류:\n%s", student, assignment, step, traceback.format_exc())
        report = SubmissionReport(assignment, student, status="error", sandbox=self.sandboxed)
        report.reasons.append(messages.unexpected(step, error, self.course.state_dir / "logs" / "nbgrader.log"))
        with contextlib.suppress(Exception):
            report.score, report.max_score = nbgrader_glue.submission_score(
                self.course, assignment, student, self.assignment_info(assignment).max_score)
        self.progress.advance(report)
        return report

    @contextlib.contextmanager
    def _discard_on_interrupt(self, assignment: str, student: str):
        """준비나 마무리 도중에 멈추면(Ctrl-C) 그 제출물의 반쯤 쓴 결과를 지웁니다."""
        try:
            yield
        except BaseException:
            self._discard(assignment, student)
            raise

    def _finish(self, prepared: Prepared, outcomes: dict) -> SubmissionReport:
        report = self.steps.finish(prepared, outcomes)
        self.states.write(report)
        self.progress.advance(report)
        return report
