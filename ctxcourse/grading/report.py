"""반 전체 요약 (class report): 학생별·문제별 점수, 흔한 실패 테스트와 메시지, 부정행위 의심 표시.

점수는 nbgrader 성적부(gradebook)에서, 실패 메시지와 표시는 채점 엔진의 상태 파일
(``.course_state/grading/<과제>/<학생>.json``)에서 읽습니다. 화면 그리기는 :mod:`ctxcourse.cli`가 합니다.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from nbgrader.api import MissingEntry

from .course import Course
from .grades import grade_rows
from .models import FLAG_TITLES
from .graded import defines_function, test_function


@dataclass
class StudentRow:
    student: str
    questions: dict[str, tuple[float, float]]   # 문제(채점 함수) → (점수, 만점)
    score: float
    max_score: float
    status: str = ""
    reasons: list[str] = field(default_factory=list)
    flags: list[dict] = field(default_factory=list)
    standing: str = "제출"        # 제출, 늦음, 미제출, 수동 채점 대기 (:class:`.grades.GradeRow.status`)
    penalty: float = 0.0


@dataclass
class AssignmentReport:
    assignment: str
    questions: list[str]
    rows: list[StudentRow]
    failed_tests: list[tuple[str, int, str]]     # (grade_id, 실패한 학생 수, 가장 흔한 메시지)
    flag_counts: list[tuple[str, int]]           # (표시 종류, 학생 수)
    max_score: float

    @property
    def mean(self) -> float:
        """명단 전체(미제출은 0점)의 평균 최종 점수 — ``course export``의 score 열과 같은 수."""
        return sum(r.score for r in self.rows) / len(self.rows) if self.rows else 0.0


SEVERAL, OTHER = "여러 함수", "기타"


def _by_reference(source: str, graded: list[str]) -> str:
    """이름으로 채점 함수를 알 수 없는 테스트: 코드가 부르는 채점 함수가 하나면 그것, 여럿이면 '여러 함수'."""
    used = [name for name in graded if re.search(rf"\b{re.escape(name)}\b", source)]
    return used[0] if len(used) == 1 else (SEVERAL if used else OTHER)


def questions_of(notebook) -> tuple[list[str], dict[str, str]]:
    """성적부의 노트북 기록 하나에서 (채점 함수 이름들, 채점 셀 grade_id → 문제 이름)."""
    sources = {c.name: c.source for c in notebook.source_cells}
    names = [c.name for c in notebook.solution_cells if defines_function(sources.get(c.name, ""), c.name)]
    test_of = {cell.name: test_function(cell.name, names) or _by_reference(sources.get(cell.name, ""), names)
               for cell in notebook.grade_cells}
    return names, test_of


def _state(course: Course, assignment: str, student: str) -> dict:
    """채점 상태 파일 (:class:`.state.StateStore`; 없거나 읽을 수 없으면 빈 dict)."""
    from .state import StateStore

    return StateStore(course.state_dir).load(assignment, student) or {}


def build_report(course: Course, assignment: str) -> AssignmentReport:
    """과제 하나의 요약을 만듭니다. 과제가 성적부에 없으면 빈 요약."""
    with course.gradebook() as gb:
        try:
            record = gb.find_assignment(assignment)
        except MissingEntry:
            return AssignmentReport(assignment, [], [], [], [], 0.0)
        graded, test_of = [], {}
        for notebook in record.notebooks:
            names, tests = questions_of(notebook)
            graded.extend(names)
            test_of.update(tests)
        questions = [name for name in graded if name in set(test_of.values())]
        questions += [label for label in (SEVERAL, OTHER) if label in test_of.values()]
        max_score = float(record.max_score)
        rows, failures, messages, flag_students = [], Counter(), defaultdict(Counter), Counter()
        truths = {row.student: row for row in grade_rows(gb, assignments=[assignment])}   # 명단 전체 (export와 같은 계산)
        for submission in sorted(record.submissions, key=lambda s: s.student.id):
            student = submission.student.id
            state = _state(course, assignment, student)
            per_question: dict[str, list[float]] = {q: [0.0, 0.0] for q in questions}
            for notebook in submission.notebooks:
                for grade in notebook.grades:
                    question = test_of.get(grade.name, OTHER)
                    bucket = per_question.setdefault(question, [0.0, 0.0])
                    bucket[0] += float(grade.score or 0.0)
                    bucket[1] += float(grade.max_score or 0.0)
                    if grade.max_score and (grade.score or 0.0) < grade.max_score:
                        failures[grade.name] += 1
                        message = (state.get("tests", {}).get(grade.name, {}) or {}).get("message", "")
                        messages[grade.name][_short(message)] += 1
            flags = state.get("flags", [])
            for kind in {f.get("kind") for f in flags}:
                flag_students[kind] += 1
            truth = truths.get(student)
            rows.append(StudentRow(student, {q: tuple(v) for q, v in per_question.items()},
                                   truth.score if truth else float(submission.score), float(submission.max_score),
                                   state.get("status", "nbgrader"), state.get("reasons", []), flags,
                                   truth.status if truth else "제출", truth.penalty if truth else 0.0))
        for student, truth in sorted(truths.items()):
            if not truth.submitted:
                rows.append(StudentRow(student, {}, 0.0, max_score, "missing", [], [], truth.status, 0.0))
        rows.sort(key=lambda row: row.student)
    failed = [(gid, count, messages[gid].most_common(1)[0][0] if messages[gid] else "")
              for gid, count in failures.most_common()]
    flag_counts = [(FLAG_TITLES.get(kind, kind), count) for kind, count in flag_students.most_common()]
    return AssignmentReport(assignment, questions, rows, failed, flag_counts, max_score)


def _short(message: str) -> str:
    message = " ".join(str(message).split())
    for prefix in ("Feedback: ", "AssertionError: "):
        if message.startswith(prefix):
            message = message[len(prefix):]
    return message[:160]
