"""한 제출물의 준비와 마무리: nbgrader 변환기로 성적부에 쓰는 두 단계 (부모의 주 스레드에서만).

1. 준비 (:meth:`SubmissionSteps.prepare`): 입구 검사(:mod:`.intake`: 링크, 노트북 크기·셀), nbgrader
   ``Autograde``의 ``init_assignment``(학생·제출 기록, 파일 복사)와 정화 전처리기로 ``autograded/``에 정화된
   노트북을 씁니다. 제출된 그대로의 노트북에서 바뀐 테스트 셀과 수상한 코드를 찾아 둡니다.
2. (실행은 실행자의 일: :mod:`.executor`)
3. 마무리 (:meth:`SubmissionSteps.finish`): 실행자의 (믿을 수 없는) 결과를 정리해 nbgrader의 채점 전처리기가
   성적부에 쓰고, 실행에서 일어난 일을 한국어 이유와 표시로 남깁니다 (:mod:`.messages`). 제출물 하나의 점수는
   한 트랜잭션으로 씁니다: 도중에 성적부와의 연결이 끊기면 그 제출물의 점수는 하나도 쓰이지 않습니다.

성적부에 닿을 수 없다는 오류(:func:`.nbgrader_glue.gradebook_unreachable`)는 제출물 하나의 문제("읽을 수 없음",
0점)로 바꾸지 않고 그대로 올려 보내, 엔진이 실행을 멈추게 합니다.
"""

from __future__ import annotations

import contextlib
import os
import time
from dataclasses import asdict
from datetime import datetime, timezone
from pathlib import Path

import nbformat

from . import intake, messages, nbgrader_glue
from .catalog import Catalog
from .course import Course
from .models import NotebookInfo, NotebookJob, Prepared, SubmissionReport, TestResult
from .nbgrader_glue import SandboxAutograde, cell_score, clean_outputs
from .sandbox import Limits
from .state import StateStore


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class SubmissionSteps:
    """준비와 마무리. 엔진이 만들고 주 스레드에서만 부릅니다."""

    def __init__(self, course: Course, converter: SandboxAutograde, catalog: Catalog, states: StateStore,
                 limits: Limits, sandboxed: bool, fingerprint):
        self.course, self.converter, self.catalog, self.states = course, converter, catalog, states
        self.limits, self.sandboxed, self.fingerprint = limits, sandboxed, fingerprint

    def _folder(self, kind: str, assignment: str, student: str) -> Path:
        return Path(self.course.coursedir.format_path(kind, student, assignment))

    # -- 1. 준비 -------------------------------------------------------------------------------------
    def prepare(self, assignment: str, student: str) -> Prepared:
        info = self.catalog.get(assignment)
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
            nbgrader_glue.ensure_student(self.course, student)   # 다른 기계와 같은 학생을 동시에 만들어도 되도록
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
            if nbgrader_glue.gradebook_unreachable(error):
                raise
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
        except Exception as error:  # noqa: BLE001
            if nbgrader_glue.gradebook_unreachable(error):
                raise
            # nbgrader의 add_missing_cells는 지워진 셀 바로 앞의 nbgrader 셀도 지워졌으면 KeyError를 냅니다.
            # 그때는 되살리지 않고 정화합니다 (지워진 테스트는 실행되지 않아 0점).
            self.converter.sanitize(assignment, student, name, add_missing_cells=False)

    # -- 3. 마무리 ------------------------------------------------------------------------------------
    def finish(self, prepared: Prepared, outcomes: dict) -> SubmissionReport:
        report = prepared.report
        assignment, student = report.assignment, report.student
        self.course.coursedir.assignment_id, self.course.coursedir.student_id = assignment, student
        if "__error__" in outcomes:
            report.reasons.append(messages.internal_error(outcomes["__error__"]))
            report.status = "error"
            outcomes = {}
        finish_started = time.monotonic()
        with self.course.gradebook() as gb:   # 한 트랜잭션: 끝에 한 번 커밋 (도중에 멈추면 닫을 때 되돌림)
            graded_names = {job.name for job in prepared.jobs}
            for name in prepared.info.notebooks:
                if name not in graded_names:   # 빠졌거나, 비었거나, 너무 크거나, 읽을 수 없는 노트북: 0점 (수동 채점 대기 아님)
                    nbgrader_glue.zero_notebook(gb, assignment, student, name)
            for job in prepared.jobs:
                self._finish_notebook(gb, report, prepared.info.notebooks[job.name], job, outcomes.get(job.name))
            gb.db.commit()
        with contextlib.suppress(OSError):
            self.converter.set_permissions(assignment, student)
        self.converter.run_post_convert_hook()
        report.score, report.max_score = nbgrader_glue.submission_score(self.course, assignment, student,
                                                                        prepared.info.max_score)
        report.graded_at = now()
        report.timing["finish"] = round(time.monotonic() - finish_started, 3)
        report.seconds = round(time.monotonic() - prepared.started, 2)
        return report

    def _finish_notebook(self, gb, report: SubmissionReport, info: NotebookInfo, job: NotebookJob, outcome) -> None:
        assignment, student, name = report.assignment, report.student, job.name
        if outcome is None:
            nbgrader_glue.zero_notebook(gb, assignment, student, name)
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
            self.converter.finish(assignment, student, name, {"cells": outcome["cells"], "tests": test_outputs}, gb)
        except Exception as error:  # noqa: BLE001
            if nbgrader_glue.database_error(error):   # 이 트랜잭션은 믿을 수 없습니다: 제출물 전체를 되돌립니다
                raise
            report.reasons.append(messages.nbgrader_error(error))
            report.status = "error"
            nbgrader_glue.zero_notebook(gb, assignment, student, name)
            return
        present = set(job.tests.values())
        nbgrader_glue.zero_tests(gb, assignment, student, name,
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
