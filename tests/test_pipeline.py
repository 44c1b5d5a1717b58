"""nbgrader의 실제 파이프라인 (generate_assignment → autograde → export)을 데모 반에 돌려 점수를 확인합니다.
generate_assignment가 source/에서 새로 만든 release/는 저장소의 release/와 바이트까지 같아야 합니다.

데모 반에는 정답, 빈 제출, 실수 모음(ctxcourse.mistakes)의 제출이 섞여 있습니다. 여기서는 과제마다 정답, 빈 제출,
실수 하나를 보통의 nbgrader로 채점합니다: 각 제출은 정확히 기대한 테스트 셀에서만 점수를 잃고, 그 셀의 출력에
실수를 짚는 한국어 메시지가 있어야 합니다. 실수 모음 전체는 같은 규칙으로 tests/test_course_scores.py(와 06은
test_course_06.py)가, 이 강좌의 채점 엔진으로는 ``course demo``(tests/test_semester.py, ``make demo``)가 봅니다.
"""

from __future__ import annotations

import csv
import shutil

import nbformat
import pytest
from nbgrader.api import Gradebook

from conftest import REPO, copy_course, nbgrader
from ctxcourse.demo import available_assignments, build_demo_class, notebook_path
from ctxcourse.mistakes import mistakes_for

ASSIGNMENTS = available_assignments(REPO)
pytestmark = pytest.mark.slow


MISTAKES_PER_ASSIGNMENT = 1   # 보통의 nbgrader로 채점하는 실수 수 (전부는 test_course_scores와 course demo가 봅니다)


def _sample(submissions) -> list:
    """과제마다 정답, 빈 제출, 실수 몇 개: 보통의 ``nbgrader autograde``와 맞는지 보기에 충분한 표본."""
    kept, seen = [], {}
    for sub in submissions:
        banked = sub.kind in {m.key for m in mistakes_for(sub.assignment)}
        if sub.kind not in ("correct", "blank") and not banked:
            continue                                   # 데모 반에 심은 제출물 (베낀 코드 등)
        group = (sub.assignment, "mistake" if banked else sub.kind)
        if seen.get(group, 0) < (MISTAKES_PER_ASSIGNMENT if banked else 1):
            seen[group] = seen.get(group, 0) + 1
            kept.append(sub)
    return kept


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    course = copy_course(tmp_path_factory.mktemp("pipeline") / "course")
    shutil.rmtree(course / "release")                          # release/는 아래 명령이 source/에서 새로 만듭니다
    nbgrader(course, "generate_assignment", "*", "--force")   # 과제 이름은 glob: 과제 전부를 한 프로세스에서
    everyone = build_demo_class(course, ASSIGNMENTS)
    submissions = _sample(everyone)
    chosen = {(s.student, s.assignment) for s in submissions}
    for sub in everyone:
        if (sub.student, sub.assignment) not in chosen:
            shutil.rmtree(course / "submitted" / sub.student / sub.assignment)
    nbgrader(course, "autograde", "*", "--force")
    nbgrader(course, "export", "--to", str(course / "grades.csv"))
    return course, submissions, everyone


def _scores(course, sub):
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        nb = gb.find_submission_notebook(sub.assignment, sub.assignment, sub.student)
        return {g.name: (g.score, g.max_score) for g in nb.grades if g.cell.cell_type == "code"}


def _cell_output(course, sub, grade_id) -> str:
    nb = nbformat.read(notebook_path(course, "autograded", sub.assignment, sub.student), as_version=4)
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == grade_id:
            return "\n".join(str(out.get("evalue", "")) + "".join(out.get("traceback", [])) + out.get("text", "")
                             for out in cell.get("outputs", []))
    raise KeyError(grade_id)


def test_release_is_exactly_what_source_generates(graded):
    course = graded[0]
    committed = sorted(p.relative_to(REPO / "release") for p in (REPO / "release").rglob("*") if p.is_file())
    generated = sorted(p.relative_to(course / "release") for p in (course / "release").rglob("*") if p.is_file())
    assert committed == generated
    for rel in committed:
        assert (REPO / "release" / rel).read_bytes() == (course / "release" / rel).read_bytes(), (
            f"release/{rel}이 source/와 다릅니다. 'course release --all'로 다시 만드세요.")


def test_every_assignment_has_a_mistake_bank():
    for name in ASSIGNMENTS:
        assert len(mistakes_for(name)) >= 3, f"{name}의 실수 모음이 너무 작습니다"


def test_the_demo_class_covers_every_banked_mistake(graded):
    _, _, submissions = graded
    for name in ASSIGNMENTS:
        made = {s.kind for s in submissions if s.assignment == name}
        assert {m.key for m in mistakes_for(name)} <= made
        assert {"correct", "blank"} <= made


def test_each_submission_loses_exactly_the_expected_tests(graded):
    course, submissions, _ = graded
    wrong = []
    for sub in submissions:
        scores = _scores(course, sub)
        lost = {gid for gid, (score, top) in scores.items() if score < top}
        if lost != set(sub.expected_lost):
            wrong.append(f"{sub.student}/{sub.assignment} ({sub.kind}): 잃은 테스트 {sorted(lost)}, "
                         f"기대 {sorted(sub.expected_lost)}")
    assert not wrong, "\n".join(wrong)


def test_solutions_get_full_marks_and_blanks_zero(graded):
    course, submissions, _ = graded
    for sub in submissions:
        scores = _scores(course, sub)
        total, top = sum(s for s, _ in scores.values()), sum(t for _, t in scores.values())
        if sub.kind == "correct":
            assert total == top > 0, f"{sub.student}/{sub.assignment}: {total}/{top}"
        if sub.kind == "blank":
            assert total == 0, f"{sub.student}/{sub.assignment}: 빈 제출이 {total}점"


def test_each_mistake_shows_its_korean_message(graded):
    course, submissions, _ = graded
    by_key = {(name, m.key): m for name in ASSIGNMENTS for m in mistakes_for(name)}
    missing = []
    for sub in submissions:
        mistake = by_key.get((sub.assignment, sub.kind))
        for grade_id, text in (mistake.messages if mistake else {}).items():
            if text not in _cell_output(course, sub, grade_id):
                missing.append(f"{sub.assignment}/{sub.kind}/{grade_id}: '{text}'")
    assert not missing, "메시지가 보이지 않습니다:\n" + "\n".join(missing)


def test_export_lists_every_submission(graded):
    course, submissions, _ = graded
    with open(course / "grades.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    seen = {(r["student_id"], r["assignment"]) for r in rows if r["timestamp"] or r["raw_score"]}
    assert {(s.student, s.assignment) for s in submissions} <= seen
    assert all(float(r["raw_score"]) <= float(r["max_score"]) for r in rows)
