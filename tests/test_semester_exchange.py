"""한 학기를 nbgrader의 exchange로: 배포 → 학생 fetch·submit → collect → 채점 → 강사가 배점을 바꿔 다시 배포 →
늦은 재제출과 collect --update → 새 학생 → 백업·정리·복원. 단계마다 아무것도 잃지 않는지, 정직한 학생에게 의심
표시가 붙지 않는지, report와 export가 같은 이야기를 하는지 확인합니다.

학생은 이 기계의 다른 Unix 계정이 아니라 nbgrader의 ``--student``로 구별합니다 (제출 폴더 이름이 학생 ID).
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import nbformat
import pytest

from hostile.bank import BY_KEY, build_notebook
from hostile.harness import course_cmd, nbgrader_cmd, released_minicourse, state, totals, tree_digest
from hostile.minicourse import ASSIGNMENT

pytestmark = pytest.mark.slow
NB = f"{ASSIGNMENT}.ipynb"
COURSE_ID = "attention-context-vector"


def _student(course: Path, home: Path, student: str, entry_key: str) -> None:
    """학생 한 명: exchange에서 받고(fetch), 풀고, 냅니다(submit)."""
    home.mkdir(parents=True, exist_ok=True)
    # 학생의 nbgrader 캐시(기본: ~/.local/share/jupyter/nbgrader_cache)는 학생 폴더 안에 둡니다: 테스트가 이 기계 사용자의
    # 과제 목록에 가짜 제출을 남기지 않도록.
    flags = [f"--Exchange.root={course / 'exchange'}", f"--CourseDirectory.course_id={COURSE_ID}",
             f"--Exchange.cache={home.parent / '.nbgrader_cache'}"]
    nbgrader_cmd(home, "fetch_assignment", ASSIGNMENT, *flags) if not (home / ASSIGNMENT).exists() else None
    nb = build_notebook(nbformat.read(home / ASSIGNMENT / NB, as_version=4), BY_KEY[entry_key])
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "explain_axis":
            cell.source = f"{student}: 시각 축을 따라 더해야 은닉 차원마다 가중합이 남습니다."
    nbformat.write(nb, home / ASSIGNMENT / NB)
    nbgrader_cmd(home, "submit", ASSIGNMENT, "--student", student, *flags)


def _export(course: Path) -> dict:
    course_cmd(course, "export")
    with open(course / "grades.csv", encoding="utf-8", newline="") as handle:
        return {row["student_id"]: row for row in csv.DictReader(handle)}


def _add_free_text_question(course: Path) -> None:
    """손으로 채점하는 서술형 답 칸(2점)을 과제 끝에 더합니다."""
    from nbformat.v4 import new_markdown_cell

    path = course / "source" / ASSIGNMENT / NB
    source = nbformat.read(path, as_version=4)
    source.cells.append(new_markdown_cell("axis=0으로 합하는 까닭을 한 문장으로 쓰세요.", metadata={"nbgrader": {
        "grade_id": "explain_axis", "solution": True, "grade": True, "locked": False, "points": 2,
        "schema_version": 3}}))
    nbformat.write(source, path)


def _grade_by_hand(course: Path, student: str, points: float) -> None:
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        grade = gb.find_grade("explain_axis", ASSIGNMENT, ASSIGNMENT, student)
        grade.manual_score = points
        grade.needs_manual_grade = False   # formgrader가 점수를 매길 때 하는 일
        gb.db.commit()


def test_a_semester_through_the_exchange(tmp_path):
    course = released_minicourse(tmp_path / "course")
    _add_free_text_question(course)
    course_cmd(course, "release", ASSIGNMENT, "--exchange")
    homes = tmp_path / "homes"
    _student(course, homes / "alice", "alice", "correct")
    _student(course, homes / "bob", "bob", "cv_mean")
    nbgrader_cmd(course, "collect", ASSIGNMENT)
    assert (course / "submitted" / "alice" / ASSIGNMENT / "timestamp.txt").is_file()
    course_cmd(course, "autograde", "--all")
    assert totals(course) == {"alice": 8.0, "bob": 6.0}
    rows = _export(course)
    assert (rows["alice"]["status"], rows["alice"]["needs_manual_grade"]) == ("수동 채점 대기", "1")
    assert "수동 채점 대기" in " ".join(course_cmd(course, "report").stdout.split())
    _grade_by_hand(course, "alice", 2)
    _grade_by_hand(course, "bob", 1)
    rows = _export(course)
    assert (rows["alice"]["status"], float(rows["alice"]["score"])) == ("제출", 10.0)

    # 강사가 마음을 바꿉니다: 테스트 하나의 배점을 1 → 2, 다시 배포 (exchange에도).
    source = nbformat.read(course / "source" / ASSIGNMENT / NB, as_version=4)
    for cell in source.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "test_context_vector_shape":
            cell.metadata.nbgrader["points"] = 2
    nbformat.write(source, course / "source" / ASSIGNMENT / NB)
    released = "".join(course_cmd(course, "release", ASSIGNMENT, "--exchange").stdout.split())
    assert "예전버전으로채점" in released

    # 마감이 지났습니다. bob은 예전 배포본으로 고쳐 늦게 다시 내고, carol은 새 배포본을 받아 냅니다.
    nbgrader_cmd(course, "db", "assignment", "add", ASSIGNMENT, "--duedate=2026-01-01 00:00:00 UTC")
    _student(course, homes / "bob", "bob", "correct")
    _student(course, homes / "carol", "carol", "rw_no_axis")
    nbgrader_cmd(course, "collect", "--update", ASSIGNMENT)
    course_cmd(course, "autograde", "--all")
    scores = totals(course)
    assert scores == {"alice": 11.0, "bob": 10.0, "carol": 6.0}, scores   # 손으로 준 점수는 다시 채점해도 남습니다
    for student in ("alice", "bob", "carol"):
        assert not state(course, student)["flags"], (student, state(course, student)["flags"])
    assert any("강사가 바꾼 배점" in r for r in state(course, "bob")["reasons"])

    # report와 export가 같은 수를 말합니다 (명단 3명).
    rows = _export(course)
    assert {s: float(r["score"]) for s, r in rows.items()} == scores   # 감점 방식 "none": 늦어도 점수는 그대로
    assert rows["bob"]["late"] == "True" and rows["carol"]["late"] == "True"
    # 다시 채점하면 nbgrader는 서술형 답을 다시 '수동 채점 대기'로 둡니다 (준 점수는 남아 있음).
    assert {r["status"] for r in rows.values()} == {"수동 채점 대기"}
    report = " ".join(course_cmd(course, "report").stdout.split())
    assert f"명단 3명 평균 {sum(scores.values()) / 3:.1f}/11" in report
    assert rows["carol"]["status"] == "수동 채점 대기"

    # 백업 → 정리 → 복원: 성적부, 제출물, exchange의 받은 편지함까지 그대로.
    kept = ("gradebook.db", "submitted", "autograded", "exchange", ".course_state/grading")
    before = {name: tree_digest(course / name) for name in kept if (course / name).is_dir()}
    course_cmd(course, "clean")
    assert not (course / "exchange").exists() and not (course / "submitted").exists()
    backup = sorted((course / "backups").glob("*.tar.gz"))[-1]
    course_cmd(course, "restore", str(backup))
    assert totals(course) == scores
    assert {name: tree_digest(course / name) for name in kept if (course / name).is_dir()} == before
    shutil.rmtree(homes)
