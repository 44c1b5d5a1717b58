"""안전한 성적 CSV (grades.csv that a student id cannot forge).

nbgrader 0.9의 ``CsvExportPlugin``은 값을 따옴표 없이 쉼표로 이어 씁니다. 그래서 학생 폴더 이름에 쉼표나
줄바꿈이 있으면 열이 밀리거나 다른 학생의 행이 생깁니다. 이 플러그인은 같은 열을 :mod:`csv`로 올바르게
따옴표 처리해 쓰고, 스프레드시트가 수식으로 읽을 값(``= + - @``, 탭, CR로 시작하는 글)은 앞에 ``'``를 붙여
글자로 만듭니다. nbgrader의 열 뒤에 ``status``(제출, 늦음, 미제출, 수동 채점 대기)와 ``needs_manual_grade``를
덧붙이고, 늦었는지(``late``)도 따로 적습니다. ``nbgrader_config.py``에서 ``nbgrader export``의 플러그인으로도 등록되어 있습니다.
"""

from __future__ import annotations

import csv

from nbgrader.api import Gradebook
from nbgrader.plugins import ExportPlugin
from traitlets import Bool

from .grades import grade_rows

COLUMNS = ["assignment", "duedate", "timestamp", "student_id", "last_name", "first_name", "email",
           "raw_score", "late_submission_penalty", "score", "max_score", "status", "late", "needs_manual_grade"]
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(value: object) -> str:
    """CSV 칸 하나: None은 빈칸, 숫자는 그대로, 수식처럼 시작하는 글은 앞에 '를 붙입니다."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, (int, float)):
        return str(float(value)) if isinstance(value, float) else str(value)
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def rows(gradebook: Gradebook, students=(), assignments=()):
    """nbgrader의 CSV와 같은 열 + 상태 열들 (:func:`.grades.grade_rows`와 같은 계산; 제출하지 않은 학생은 0점)."""
    for row in grade_rows(gradebook, students, assignments):
        yield {"assignment": row.assignment, "duedate": row.duedate, "timestamp": row.timestamp or "",
               "student_id": row.student, "last_name": row.last_name, "first_name": row.first_name,
               "email": row.email, "raw_score": row.raw_score, "late_submission_penalty": row.penalty,
               "score": row.score, "max_score": row.max_score, "status": row.status, "late": row.seconds_late > 0,
               "needs_manual_grade": row.needs_manual}


class SafeCsvExportPlugin(ExportPlugin):
    """nbgrader ``export``의 CSV 플러그인을 대신합니다 (같은 열, 올바른 따옴표, 수식 무력화)."""

    excel = Bool(False, help="UTF-8 BOM을 붙여 엑셀(한국어 Windows)에서 한글이 깨지지 않게 합니다.").tag(config=True)

    def export(self, gradebook: Gradebook) -> None:
        dest = self.to or "grades.csv"
        self.log.info("Exporting grades to %s", dest)
        students = [str(item) for item in self.student]
        assignments = [str(item) for item in self.assignment]
        with open(dest, "w", encoding="utf-8-sig" if self.excel else "utf-8", newline="") as handle:
            writer = csv.writer(handle, quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
            writer.writerow(COLUMNS)
            for row in rows(gradebook, students, assignments):
                writer.writerow([cell(row[key]) for key in COLUMNS])


def _scores_by_student(gradebook: Gradebook) -> tuple[dict[str, dict], dict[str, float]]:
    """학생 ID → {학생 정보, 과제 → 최종 점수}, 과제 → 만점 (:func:`.grades.grade_rows`와 같은 계산)."""
    table: dict[str, dict] = {}
    assignments: dict[str, float] = {}
    for row in grade_rows(gradebook):
        assignments[row.assignment] = row.max_score
        entry = table.setdefault(row.student, {"student_id": row.student, "last_name": row.last_name,
                                               "first_name": row.first_name, "email": row.email})
        entry[row.assignment] = row.score
    return table, assignments


LMS = ("canvas", "moodle")


def write_lms(gradebook: Gradebook, dest, kind: str) -> int:
    """학습 관리 시스템이 가져가는 성적 CSV (UTF-8). 학생은 학생 ID로 맞춥니다.

    - canvas: Canvas 성적부 가져오기 형식 (``Student, ID, SIS User ID, SIS Login ID, Section, <과제>...``와
      둘째 줄 ``Points Possible``). 학생 ID를 SIS User ID와 SIS Login ID에 넣습니다.
    - moodle: Moodle의 'CSV 파일에서 성적 가져오기' 형식 (``ID number, Email address, <과제>...``). 가져올 때
      'ID number'를 사용자 연결 열로, 과제 열을 성적 항목에 연결합니다."""
    if kind not in LMS:
        raise ValueError(kind)
    table, assignments = _scores_by_student(gradebook)
    names = sorted(assignments)
    with open(dest, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
        if kind == "canvas":
            writer.writerow(["Student", "ID", "SIS User ID", "SIS Login ID", "Section", *names])
            writer.writerow(["Points Possible", "", "", "", "", *[cell(assignments[n]) for n in names]])
        else:
            writer.writerow(["ID number", "Email address", *names])
        for student in sorted(table):
            entry = table[student]
            scores = [cell(entry.get(name, 0.0)) for name in names]
            if kind == "canvas":
                full = ", ".join(x for x in (entry.get("last_name"), entry.get("first_name")) if x) or student
                writer.writerow([cell(full), "", cell(student), cell(student), "", *scores])
            else:
                writer.writerow([cell(student), cell(entry.get("email")), *scores])
    return len(table)


def write_wide(gradebook: Gradebook, dest, *, excel: bool = False) -> int:
    """학생 한 행, 과제마다 최종 점수 한 열, 합계와 만점 열 (학교 성적표에 붙이기 쉬운 모양). 행 수를 돌려줍니다.

    숫자는 :func:`.grades.grade_rows`와 같은 계산(늦은 제출 감점 뒤의 최종 점수, 미제출은 0)입니다."""
    table, assignments = _scores_by_student(gradebook)
    names = sorted(assignments)
    header = ["student_id", "last_name", "first_name", "email", *names, "total", "max_total"]
    with open(dest, "w", encoding="utf-8-sig" if excel else "utf-8", newline="") as handle:
        writer = csv.writer(handle, quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
        writer.writerow(header)
        for student in sorted(table):
            entry = table[student]
            total = sum(entry.get(name, 0.0) for name in names)
            writer.writerow([cell(entry.get(key)) for key in header[:4]] + [cell(entry.get(name, 0.0)) for name in names]
                            + [cell(total), cell(sum(assignments.values()))])
    return len(table)

