"""성적의 한 가지 진실 (one computation behind every report and export).

``course report``와 ``course export``(그리고 ``nbgrader export``)는 모두 이 모듈의 :func:`grade_rows`로
성적을 읽습니다. 성적부의 명단(학생 표) 전체 × 과제마다 한 행: 제출했는지, 제출 시각, 늦었는지, 원점수,
늦은 제출 감점, 최종 점수, 만점, 수동 채점을 기다리는 칸 수. 제출하지 않은 학생도 0점 행으로 들어가므로
평균은 언제나 명단 전체에 대한 것입니다.
"""

from __future__ import annotations

from dataclasses import dataclass

from nbgrader.api import Gradebook, MissingEntry


@dataclass(frozen=True)
class GradeRow:
    assignment: str
    student: str
    first_name: str | None
    last_name: str | None
    email: str | None
    duedate: object
    submitted: bool
    timestamp: object
    seconds_late: float
    raw_score: float
    penalty: float
    score: float
    max_score: float
    needs_manual: int

    @property
    def status(self) -> str:
        if not self.submitted:
            return "미제출"
        if self.needs_manual:
            return "수동 채점 대기"
        return "늦음" if self.seconds_late > 0 else "제출"


def grade_rows(gradebook: Gradebook, students=(), assignments=()):
    """명단 × 과제의 :class:`GradeRow`들 (과제 순, 학생 ID 순)."""
    for assignment in sorted(gradebook.assignments, key=lambda a: a.name):
        if assignments and assignment.name not in assignments:
            continue
        for student in sorted(gradebook.students, key=lambda s: s.id):
            if students and student.id not in students:
                continue
            base = dict(assignment=assignment.name, student=student.id, first_name=student.first_name,
                        last_name=student.last_name, email=student.email, duedate=assignment.duedate,
                        max_score=float(assignment.max_score))
            try:
                submission = gradebook.find_submission(assignment.name, student.id)
            except MissingEntry:
                yield GradeRow(**base, submitted=False, timestamp=None, seconds_late=0.0, raw_score=0.0,
                               penalty=0.0, score=0.0, needs_manual=0)
                continue
            raw = float(submission.score or 0.0)
            penalty = float(submission.late_submission_penalty or 0.0)
            manual = sum(1 for notebook in submission.notebooks for grade in notebook.grades
                         if grade.needs_manual_grade)
            yield GradeRow(**base, submitted=True, timestamp=submission.timestamp,
                           seconds_late=float(submission.total_seconds_late or 0.0), raw_score=raw, penalty=penalty,
                           score=max(0.0, raw - penalty), needs_manual=manual)
