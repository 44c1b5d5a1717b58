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


# ---------------------------------------------------------------------------
# 터미널 (80열에 맞게)
# ---------------------------------------------------------------------------

def question_labels(questions: list[str]) -> dict[str, str]:
    """표 머리에 쓸 짧은 이름: 문제 순서대로 "문1", "문2", ... (긴 함수 이름이 열 머리를 끊지 않도록)."""
    return {question: f"문{index}" for index, question in enumerate(questions, start=1)}


def render(report: AssignmentReport, console, *, top: int = 5) -> None:
    """과제 하나의 요약을 터미널 표로 그립니다. 열 머리는 짧은 이름(문1, 문2, ...)이고 그 뜻은 표 아래에 한 줄씩
    적으므로, 80열 터미널에서도 머리가 단어 중간에서 끊기지 않습니다. 학생이 쓴 글은 :func:`.untrusted.for_terminal`로."""
    from rich.table import Table

    from .untrusted import for_terminal

    name = for_terminal(report.assignment, 60)
    if not report.rows:
        console.print(f"[yellow]{name}: 채점된 제출물이 없습니다.[/yellow]")
        return
    labels = question_labels(report.questions)
    table = Table(title=f"{name}: 학생별·문제별 점수\n(명단 {len(report.rows)}명 평균 {report.mean:.1f}/{report.max_score:g}, "
                        f"미제출은 0점)")
    table.add_column("학생", max_width=18, overflow="ellipsis", no_wrap=True)
    for question in report.questions:
        table.add_column(labels[question], justify="right", no_wrap=True)
    table.add_column("합계", justify="right", no_wrap=True)
    table.add_column("상태", no_wrap=True)
    table.add_column("표시", overflow="fold", min_width=4)
    for row in report.rows:
        cells = []
        for question in report.questions:
            if row.standing == "미제출":
                cells.append("[dim]—[/dim]")
                continue
            got, top_score = row.questions.get(question, (0.0, 0.0))
            style = "green" if top_score and got >= top_score else ("red" if got == 0 else "yellow")
            cells.append(f"[{style}]{got:g}/{top_score:g}[/{style}]")
        flags = ", ".join(sorted({str(f.get("kind", "")) for f in row.flags}))
        standing = row.standing + (f" (감점 {row.penalty:g})" if row.penalty else "")
        table.add_row(for_terminal(row.student, 80), *cells, f"{row.score:g}/{row.max_score:g}", standing,
                      for_terminal(flags, 200))
    console.print(table)
    for question in report.questions:
        console.print(f"  {labels[question]} = {for_terminal(question, 70)}")
    if report.failed_tests:
        failed = Table(title=f"{name}: 가장 많이 실패한 테스트")
        failed.add_column("테스트", overflow="fold", max_width=28)
        failed.add_column("학생", justify="right", no_wrap=True)
        failed.add_column("가장 흔한 메시지", overflow="fold")
        for grade_id, count, message in report.failed_tests[:top]:
            failed.add_row(for_terminal(grade_id, 80).removeprefix("test_"), str(count), for_terminal(message, 300))
        console.print(failed)
    if report.flag_counts:
        console.print(f"{name}: 의심 표시 — " + ", ".join(f"{title} {count}명" for title, count in report.flag_counts))
        for row in report.rows:
            for flag in row.flags[:4]:
                console.print(f"  [magenta]{for_terminal(row.student, 80)}[/magenta] {for_terminal(flag.get('kind'), 40)}: "
                              f"{for_terminal(flag.get('detail'), 300)}")
