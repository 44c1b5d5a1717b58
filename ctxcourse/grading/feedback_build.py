"""``course feedback``: 채점된 노트북과 성적부에서 학생마다 한국어 피드백 페이지를 만듭니다.

페이지의 모양과 안전 규칙은 :mod:`.feedback_page`에 있습니다. 여기서는 무엇을 어디에 쓰는지만 정합니다:
``feedback/<학생>/<과제>/<노트북>.html``과, nbgrader ``release_feedback``이 읽는 ``timestamp.txt``,
``submission_secret.txt`` (채점 폴더에 있으면; 링크나 특수 파일이면 복사하지 않습니다).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbgrader.api import MissingEntry

from . import safecopy
from .course import Course
from .intake import student_id_problem
from .models import MAX_NOTEBOOK_BYTES
from .feedback_page import notebook_page, write_page
from .report import questions_of

RELEASE_FILES = ("timestamp.txt", "submission_secret.txt")


@dataclass
class FeedbackResult:
    pages: list[Path] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)   # (학생, 이유)


def _students(course: Course, assignment: str, only: str | None) -> list[str]:
    autograded = course.root / course.coursedir.autograded_directory
    if not autograded.is_dir():
        return []
    found = [p.name for p in autograded.iterdir()
             if not p.is_symlink() and p.is_dir() and (p / assignment).is_dir() and not (p / assignment).is_symlink()]
    return sorted(s for s in found if only is None or s == only)


def _question_scores(grades: dict, test_of: dict, names: list[str]) -> list[tuple[str, float, float]]:
    totals: dict[str, list[float]] = {}
    for grade_id, (score, top) in grades.items():
        question = test_of.get(grade_id, "기타")
        bucket = totals.setdefault(question, [0.0, 0.0])
        bucket[0] += score
        bucket[1] += top
    order = [n for n in names if n in totals] + sorted(q for q in totals if q not in names)
    return [(q, totals[q][0], totals[q][1]) for q in order if totals[q][1]]


def make_feedback(course: Course, assignment: str, student: str | None = None) -> FeedbackResult:
    """과제 하나의 피드백 페이지를 만듭니다 (``student``를 주면 그 학생만)."""
    result = FeedbackResult()
    coursedir = course.coursedir
    with course.gradebook() as gb:
        record = gb.find_assignment(assignment)
        notebooks = {}
        for notebook in record.notebooks:
            names, test_of = questions_of(notebook)
            sources = {c.name: c.source for c in notebook.source_cells}
            notebooks[notebook.name] = (names, test_of, sources)
        for who in _students(course, assignment, student):
            problem = student_id_problem(who)
            if problem:
                result.skipped.append((who, problem))
                continue
            try:
                submission = gb.find_submission(assignment, who)
            except MissingEntry:
                result.skipped.append((who, "성적부에 제출 기록이 없습니다 (먼저 course autograde)."))
                continue
            folder = Path(coursedir.format_path(coursedir.autograded_directory, who, assignment))
            out = Path(coursedir.format_path(coursedir.feedback_directory, who, assignment))
            timestamp = str(submission.timestamp or "")
            for notebook in submission.notebooks:
                names, test_of, sources = notebooks[notebook.name]
                path = folder / f"{notebook.name}.ipynb"
                try:
                    nb = nbformat.reads(safecopy.read_bytes(path, MAX_NOTEBOOK_BYTES).decode("utf-8"), as_version=4)
                except (safecopy.UnsafeSubmission, UnicodeDecodeError, ValueError) as error:
                    result.skipped.append((who, f"{notebook.name}.ipynb를 읽을 수 없습니다: {error}"))
                    continue
                grades = {g.name: (float(g.score or 0.0), float(g.max_score or 0.0)) for g in notebook.grades}
                page = notebook_page(nb, assignment=assignment, notebook=notebook.name, student=who, grades=grades,
                                     test_sources={k: v for k, v in sources.items() if k in test_of},
                                     questions=_question_scores(grades, test_of, names), timestamp=timestamp)
                result.pages.append(write_page(page, out / f"{notebook.name}.html"))
            for name in RELEASE_FILES:
                try:
                    data = safecopy.read_bytes(folder / name, 4096)
                except safecopy.UnsafeSubmission:
                    continue
                (out / name).write_bytes(data)
    return result
