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

import sys

sys.modules.setdefault("rfc3987_syntax", None)

import concurrent.futures as futures  # noqa: E402
import contextlib  # noqa: E402
import fcntl  # noqa: E402
import hashlib  # noqa: E402
import os  # noqa: E402
import signal  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
from collections import deque  # noqa: E402
from dataclasses import asdict  # noqa: E402
from datetime import datetime, timezone  # noqa: E402
from pathlib import Path  # noqa: E402

import nbformat  # noqa: E402
from nbgrader.api import MissingEntry  # noqa: E402
from traitlets.config import Config  # noqa: E402

from . import intake, messages, nbgrader_glue, releases, safecopy  # noqa: E402
from .course import Course, CourseError  # noqa: E402
from .executor import LocalExecutor  # noqa: E402
from .graded import defines_function, test_function  # noqa: E402,F401  (예전 이름 그대로)
from .intake import notebook_problem, strip_hidden, student_id_problem  # noqa: E402,F401
from .models import (ENGINE_VERSION, FLAG_TITLES, MAX_NOTEBOOK_BYTES, AssignmentInfo, NotebookInfo,  # noqa: E402,F401
                     NotebookJob, Prepared, Progress, SubmissionReport, TestCell, TestResult)
from .nbgrader_glue import SandboxAutograde, cell_score, clean_outputs  # noqa: E402,F401
from .sandbox import Limits  # noqa: E402
from .state import StateStore  # noqa: E402


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class GradingEngine:
    """``course autograde``의 엔진. ``executor``를 주지 않으면 이 기계의 샌드박스(:class:`.executor.LocalExecutor`)."""

    def __init__(self, course: Course, *, jobs: int | None = None, sandbox: bool = True, force: bool = False,
                 limits: Limits | None = None, progress: Progress | None = None, keep_work: bool = False,
                 executor=None):
        self.course = course
        self.jobs = max(1, jobs or os.cpu_count() or 1)
        self.force = force
        self.limits = limits or Limits().with_cell_timeout(course.cell_timeout())
        self.executor = executor or LocalExecutor(self.limits, sandbox=sandbox, keep_work=keep_work)
        self.progress = progress or Progress()
        self.states = StateStore(course.state_dir)
        self._infos: dict[str, AssignmentInfo] = {}
        self.converter = SandboxAutograde(coursedir=course.coursedir, config=Config(course.config), log=course.log)
        self.converter.open()

    @property
    def sandboxed(self) -> bool:
        return self.executor.enabled

    # -- gradebook information ------------------------------------------------------------------
    def assignment_info(self, name: str) -> AssignmentInfo:
        if name not in self._infos:
            with self.course.gradebook() as gb:
                try:
                    assignment = gb.find_assignment(name)
                except MissingEntry:
                    raise CourseError(f"과제 '{name}'가 성적부(gradebook.db)에 없습니다. 먼저 'course release {name}'를 "
                                      f"실행하세요. (run 'course release {name}' first)") from None
                digest = hashlib.sha256(ENGINE_VERSION.encode())
                notebooks = {nb.name: self._notebook_info(name, nb, digest)
                             for nb in sorted(assignment.notebooks, key=lambda n: n.name)}
            digest.update(f"timeout={self.limits.cell_timeout}|sandbox={self.sandboxed}".encode())
            if not notebooks:
                raise CourseError(f"과제 '{name}'에 노트북이 없습니다. 'course release {name}'를 다시 실행하세요.")
            self._infos[name] = AssignmentInfo(name, notebooks, digest.hexdigest())
        return self._infos[name]

    def _notebook_info(self, assignment: str, notebook, digest) -> NotebookInfo:
        sources = {cell.name: cell for cell in notebook.source_cells}
        solutions = {cell.name for cell in notebook.solution_cells}
        graded = [name for name in sorted(solutions) if name in sources and defines_function(sources[name].source, name)]
        tests, points, release = [], {}, {}
        for cell in notebook.grade_cells:
            points[cell.name] = float(cell.max_score)
            if cell.cell_type == "code" and cell.name not in solutions and cell.name in sources:
                source = sources[cell.name].source
                tests.append(TestCell(cell.name, source, float(cell.max_score), test_function(cell.name, graded)))
                release[cell.name] = strip_hidden(source)
        for cell in sorted(notebook.source_cells, key=lambda c: c.name):
            digest.update(f"{notebook.name}|{cell.name}|{cell.checksum}|".encode())
        for grade_id, value in sorted(points.items()):
            digest.update(f"{grade_id}={value}|".encode())
        earlier_sources, earlier_points = releases.earlier(self.course, assignment, notebook.name)
        return NotebookInfo(notebook.name, tests, graded, release, points, earlier_sources, earlier_points)

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
            return self._grade(assignments, student)

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
                        prepared = self._step("준비", *pending.popleft(), reports, self._prepare)
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
        except Exception as error:  # noqa: BLE001
            return {"__error__": f"{type(error).__name__}: {error}"}

    def _step(self, step: str, assignment: str, student: str, reports: list, action):
        """준비나 마무리 한 단계: 중단되면 반쯤 쓴 결과를 지우고, 실패하면 기록하고 다음 제출물로 갑니다."""
        try:
            with self._discard_on_interrupt(assignment, student):
                result = action(assignment, student)
        except Exception as error:  # noqa: BLE001  (제출물 하나의 문제가 반 전체를 멈추지 않도록)
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

    # -- step 1: prepare (main thread, gradebook writes via nbgrader) ---------------------------
    def _prepare(self, assignment: str, student: str) -> Prepared:
        info = self.assignment_info(assignment)
        report = SubmissionReport(assignment, student, max_score=info.max_score, sandbox=self.sandboxed)
        report.fingerprint = self.fingerprint(assignment, student)
        prepared = Prepared(report, info, [])
        coursedir, conv = self.course.coursedir, self.converter
        coursedir.assignment_id, coursedir.student_id = assignment, student
        nbgrader_glue.remove_tree(str(self._folder(coursedir.autograded_directory, assignment, student)))
        self.states.remove(assignment, student)
        problems = intake.folder_problems(self.course.root, coursedir.submitted_directory, student, assignment)
        if problems:
            report.reasons.extend(problems[:5] + [messages.REFUSED])
            report.status = "refused"
            conv.notebooks = []
            nbgrader_glue.register_without_notebooks(self.course, assignment, student)
            return prepared
        folder = self._folder(coursedir.submitted_directory, assignment, student)
        present, problems = intake.notebook_problems(folder, info.notebooks)
        report.reasons.extend(problems)
        conv.notebooks = [conv.submitted_notebook(assignment, student, name) for name in present]
        conv.run_pre_convert_hook()
        self._register(assignment, student)
        for name in present:
            job = self._sanitized_job(prepared, name)
            if job is not None:
                prepared.jobs.append(job)
                prepared.files[name] = Path(conv.autograded_notebook(assignment, student, name)).parent
        if not prepared.jobs and report.status == "graded":
            report.status = "no_notebook"
        report.timing["prepare"] = round(time.monotonic() - prepared.started, 3)
        return prepared

    def _register(self, assignment: str, student: str) -> None:
        """nbgrader의 init_assignment (학생·제출 기록, 파일 복사, 빠진 노트북 0점). 노트북이 하나도 없으면 직접."""
        conv = self.converter
        if conv.notebooks:
            conv.init_assignment(assignment, student)
            return
        coursedir = self.course.coursedir
        timestamp = coursedir.get_existing_timestamp(coursedir.format_path(coursedir.submitted_directory, student,
                                                                            assignment))
        nbgrader_glue.register_without_notebooks(self.course, assignment, student, timestamp)

    def _sanitized_job(self, prepared: Prepared, name: str) -> NotebookJob | None:
        """노트북 하나를 검사하고 정화해 실행할 일로 만듭니다 (읽을 수 없으면 None과 이유)."""
        report, conv = prepared.report, self.converter
        assignment, student = report.assignment, report.student
        info = prepared.info.notebooks[name]
        intake.inspect_submission(report, info, conv.submitted_notebook(assignment, student, name))
        target = conv.autograded_notebook(assignment, student, name)
        try:
            self._sanitize(assignment, student, name)
            sanitized = nbformat.read(target, as_version=4)
        except Exception as error:  # noqa: BLE001
            report.reasons.append(messages.unreadable(name, error))
            report.status = "unreadable"
            if os.path.exists(target):
                os.remove(target)
            return None
        tests = nbgrader_glue.test_cell_indices(sanitized, {t.grade_id for t in info.tests})
        return NotebookJob(name, tests, len(sanitized.cells))

    def _sanitize(self, assignment: str, student: str, name: str) -> None:
        try:
            self.converter.sanitize(assignment, student, name)
        except nbformat.reader.NotJSONError:
            raise
        except Exception:  # noqa: BLE001
            # nbgrader의 add_missing_cells는 지워진 셀 바로 앞의 nbgrader 셀도 지워졌으면 KeyError를 냅니다.
            # 그때는 되살리지 않고 정화합니다 (지워진 테스트는 실행되지 않아 0점).
            self.converter.sanitize(assignment, student, name, add_missing_cells=False)

    # -- step 3: finish (main thread, gradebook writes via nbgrader) ----------------------------
    def _finish(self, prepared: Prepared, outcomes: dict) -> SubmissionReport:
        report = prepared.report
        assignment, student = report.assignment, report.student
        self.course.coursedir.assignment_id, self.course.coursedir.student_id = assignment, student
        if "__error__" in outcomes:
            report.reasons.append(messages.internal_error(outcomes["__error__"]))
            report.status = "error"
            outcomes = {}
        finish_started = time.monotonic()
        graded_names = {job.name for job in prepared.jobs}
        for name in prepared.info.notebooks:
            if name not in graded_names:   # 빠졌거나, 비었거나, 너무 크거나, 읽을 수 없는 노트북: 0점 (수동 채점 대기 아님)
                nbgrader_glue.zero_notebook(self.course, assignment, student, name)
        for job in prepared.jobs:
            self._finish_notebook(report, prepared.info.notebooks[job.name], job, outcomes.get(job.name))
        with contextlib.suppress(OSError):
            self.converter.set_permissions(assignment, student)
        self.converter.run_post_convert_hook()
        report.score, report.max_score = nbgrader_glue.submission_score(self.course, assignment, student,
                                                                        prepared.info.max_score)
        report.graded_at = _now()
        report.timing["finish"] = round(time.monotonic() - finish_started, 3)
        report.seconds = round(time.monotonic() - prepared.started, 2)
        self.states.write(report)
        self.progress.advance(report)
        return report

    def _finish_notebook(self, report: SubmissionReport, info: NotebookInfo, job: NotebookJob, outcome) -> None:
        assignment, student, name = report.assignment, report.student, job.name
        if outcome is None:
            nbgrader_glue.zero_notebook(self.course, assignment, student, name)
            target = self.converter.autograded_notebook(assignment, student, name)
            if os.path.exists(target):
                os.remove(target)
            return
        messages.explain(report, outcome, self.limits)
        for key, value in (("sandbox", outcome["elapsed"]), ("kernel_start", outcome.get("kernel_start")),
                           ("replay", outcome.get("replay_seconds"))):
            if isinstance(value, (int, float)):
                report.timing[key] = round(report.timing.get(key, 0.0) + value, 3)
        replay = outcome["replay"]
        if replay.get("error"):
            report.reasons.append(messages.replay_error(replay["error"]))
            report.status = "error"
        test_outputs = self._test_outputs(info, replay.get("tests") or {})
        for note in replay.get("notes") or []:
            report.flag("records_tampered", str(note))
        try:
            self.converter.finish(assignment, student, name, {"cells": outcome["cells"], "tests": test_outputs})
        except Exception as error:  # noqa: BLE001
            report.reasons.append(messages.nbgrader_error(error))
            report.status = "error"
            nbgrader_glue.zero_notebook(self.course, assignment, student, name)
            return
        present = set(job.tests.values())
        nbgrader_glue.zero_tests(self.course, assignment, student, name,
                                 [t.grade_id for t in info.tests if t.grade_id not in present])
        for test in info.tests:
            outputs = test_outputs[test.grade_id]
            score = cell_score(outputs, test.points) if test.grade_id in present else 0.0
            passed = score >= test.points
            report.tests[test.grade_id] = asdict(TestResult(test.grade_id, test.function, score, test.points, passed,
                                                            None, "" if passed else messages.error_message(outputs)))

    @staticmethod
    def _test_outputs(info: NotebookInfo, replay_tests: dict) -> dict[str, list]:
        """재현기의 (믿을 수 없는 형식일 수 있는) 테스트 출력을 nbformat 출력 목록으로."""
        test_outputs = {}
        for test in info.tests:
            outputs = replay_tests.get(test.grade_id, {}).get("outputs")
            if not isinstance(outputs, list):
                outputs = [dict(messages.NO_RESULT)]
            test_outputs[test.grade_id] = clean_outputs(outputs) or ([] if outputs == [] else [dict(messages.BAD_RESULT)])
        return test_outputs
