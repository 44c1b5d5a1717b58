"""``course autograde``를 악의적이거나 망가진 제출물 모음(tests/hostile/bank.py)에 실제로 돌려 봅니다.

작은 강좌(00_mini, 8점)의 임시 사본에서, 샌드박스를 켜고 작업자 2개로 한 번에 채점한 뒤 확인합니다:
제출물마다 기대한 점수(속임수로는 한 점도 더 얻지 못함), 강사용 기록(이유, 의심 표시), 제출물 밖은
아무것도 바뀌지 않음, 성적부가 온전함, 보통의 nbgrader와 정직한 제출물의 점수가 같음, 그리고 보통의
nbgrader는 속는 속임수를 이 엔진은 막음.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from hostile.bank import BY_KEY, ENTRIES, write_class
from hostile.harness import (all_output_text, cell_text, course_cmd, grade_scores, nbgrader_cmd,
                             released_minicourse, state, totals, tree_digest)
from hostile.minicourse import ASSIGNMENT, MAX_SCORE, POINTS

pytestmark = pytest.mark.slow
WATCHED = ("source", "release", "submitted", "nbgrader_config.py")
HOST_MARKERS = (Path("/tmp/ctxcourse_pwned"), Path("/work/main/PWNED"), Path("/PWNED"), Path("/usr/PWNED"))


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    base = tmp_path_factory.mktemp("grading")
    course = released_minicourse(base / "course")
    write_class(course)
    for marker in HOST_MARKERS:
        assert not marker.exists(), f"{marker}가 이미 있습니다; 지우고 다시 실행하세요"
    before = {name: tree_digest(course / name) if (course / name).is_dir() else tree_digest(course, ())
              for name in WATCHED}
    before_files = set(tree_digest(course))
    done = course_cmd(course, "autograde", "--all", "--jobs", "2", "--timeout", "5", "--memory", "1536")
    return {"course": course, "base": base, "output": done.stdout + done.stderr, "before": before,
            "before_files": before_files}


@pytest.mark.parametrize("key", [entry.key for entry in ENTRIES])
def test_each_submission_gets_exactly_what_it_earned(graded, key):
    entry = BY_KEY[key]
    course = graded["course"]
    total = totals(course).get(key)
    assert total is not None, f"{key}: 성적부에 제출 기록이 없습니다"
    if entry.score is not None:
        assert total == entry.score, f"{key} ({entry.title}): {total}점, 기대 {entry.score}점"
    assert total <= entry.max_score, f"{key} ({entry.title}): {total}점은 정직하게 얻을 수 있는 {entry.max_score}점보다 많습니다"
    report = state(course, key)
    assert report["score"] == total, "상태 파일의 점수가 성적부와 다릅니다"


@pytest.mark.parametrize("key", [entry.key for entry in ENTRIES if entry.flags or entry.reason or entry.output])
def test_each_submission_leaves_a_clear_record(graded, key):
    entry = BY_KEY[key]
    course = graded["course"]
    report = state(course, key)
    kinds = {flag["kind"] for flag in report["flags"]}
    assert entry.flags <= kinds, f"{key}: 의심 표시 {sorted(kinds)}에 {sorted(entry.flags - kinds)}가 없습니다"
    if entry.reason:
        assert any(entry.reason in reason for reason in report["reasons"]), \
            f"{key}: 이유 {report['reasons']}에 '{entry.reason}'가 없습니다"
    if entry.output:
        assert entry.output in all_output_text(course, key), f"{key}: 학생 셀 출력에 '{entry.output}'가 없습니다"


def test_honest_submissions_raise_no_flags(graded):
    noisy = {e.key: state(graded["course"], e.key)["flags"] for e in ENTRIES if e.honest}
    assert not {k: v for k, v in noisy.items() if v}, f"정직한 제출물에 의심 표시가 붙었습니다: {noisy}"


def test_test_cells_show_the_replay_verdict_in_korean(graded):
    course = graded["course"]
    failed = cell_text(course, "cv_mean", "test_context_vector_values")
    assert "가중합을 축 0으로 더했나요?" in failed
    assert grade_scores(course)[("cv_mean", "test_context_vector_values")] == 0
    # 속임수 제출에서도 테스트 셀에는 재현기의 판정이 보입니다 (커널 안의 '통과'가 아님).
    assert "가중합을 축 0으로 더했나요?" in cell_text(course, "h_allclose", "test_context_vector_values")
    for grade_id in POINTS:
        assert "Error" not in cell_text(course, "correct", grade_id), f"정답의 {grade_id}에 오류 출력이 있습니다"


def test_mutation_is_replayed(graded):
    """입력을 제자리에서 정렬하는 풀이: 재현기가 호출 뒤 인자 상태를 테스트의 변수에 되살리므로 보존 테스트가 그것을
    봅니다. 값 테스트는 부르기 전에 기대값을 계산하고 사본을 넘기므로 (docs/authoring.md) 정렬된 답에 속지 않습니다."""
    scores = grade_scores(graded["course"])
    assert scores[("rw_sorts_input", "test_repeat_weights_values")] == 0
    assert scores[("rw_sorts_input", "test_repeat_weights_unchanged")] == 0
    assert "제자리에서 바꾸었습니다" in cell_text(graded["course"], "rw_sorts_input", "test_repeat_weights_unchanged")


def test_missing_record_explains_why(graded):
    text = cell_text(graded["course"], "b_os_exit", "test_context_vector_shape")
    assert "커널이 먼저 죽어서" in text and "실행되지 않았습니다" in text


def test_nothing_outside_the_submission_changes(graded):
    course = graded["course"]
    for name, digest in graded["before"].items():
        now = tree_digest(course / name) if (course / name).is_dir() else tree_digest(course, ())
        if name == "nbgrader_config.py":
            assert now.get(name) == digest.get(name)
        else:
            assert now == digest, f"{name}/가 채점 중에 바뀌었습니다"
    created = set(tree_digest(course)) - graded["before_files"]
    allowed = ("autograded/", ".course_state/", "gradebook.db")
    assert all(path.startswith(allowed) for path in created), \
        f"채점이 허용되지 않은 곳에 파일을 만들었습니다: {[p for p in created if not p.startswith(allowed)]}"
    assert not any("PWNED" in path or "pwned" in path for path in tree_digest(course))
    for marker in HOST_MARKERS:
        assert not marker.exists(), f"샌드박스 밖에 {marker}가 생겼습니다"
    escaped = all_output_text(course, "h_escape")
    assert "gradebook.db" not in escaped.split("보이는 폴더")[1], "샌드박스 안에서 성적부가 보였습니다"
    assert "'source'" not in escaped and "'submitted'" not in escaped, "샌드박스 안에서 강좌 폴더가 보였습니다"


def test_gradebook_is_complete_and_consistent(graded):
    course = graded["course"]
    scores = grade_scores(course)
    students = {student for student, _ in scores}
    assert students == {entry.key for entry in ENTRIES}
    for student in students:
        assert {g for s, g in scores if s == student} == set(POINTS), f"{student}의 채점 칸이 모자랍니다"
    assert "database is locked" not in graded["output"]
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        waiting = [(g.student.id, g.name) for nb in gb.find_assignment(ASSIGNMENT).notebooks
                   for sub in nb.submissions for g in sub.grades if g.needs_manual_grade]
    assert not waiting, f"자동 채점이 끝났는데 수동 채점을 기다리는 칸이 있습니다: {waiting[:5]}"


def test_autograde_output_is_a_readable_summary(graded):
    out = graded["output"]
    assert "채점 결과" in out and f"제출물 {len(ENTRIES)}개" in out
    assert "b_stubborn_loop" in out and "멈추지 않아" in out


def test_report_export_and_feedback(graded):
    course = graded["course"]
    report = course_cmd(course, "report").stdout
    assert "학생별·문제별 점수" in report and "repeat_weights" in report and "context_vector" in report
    assert "가장 많이 실패한 테스트" in report and "의심 표시" in report and "h_allclose" in report
    course_cmd(course, "export", "--to", "grades.csv")
    with open(course / "grades.csv", newline="", encoding="utf-8") as handle:
        rows = {row["student_id"]: row for row in csv.DictReader(handle)}
    assert set(rows) == {entry.key for entry in ENTRIES}
    assert float(rows["correct"]["raw_score"]) == MAX_SCORE and float(rows["h_allclose"]["raw_score"]) == 6
    course_cmd(course, "feedback", "--all")
    html = (course / "feedback" / "cv_mean" / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text(encoding="utf-8")
    # cv_mean은 숨은 테스트에서 틀립니다: 페이지는 판정과 안내만 보이고 숨은 테스트의 메시지는 보이지 않습니다.
    assert "숨은 테스트에서 틀렸습니다" in html and "가중합을 축 0으로 더했나요?" not in html
    no_axis = (course / "feedback" / "rw_no_axis" / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text(encoding="utf-8")
    assert "np.repeat에 axis를 주었나요?" in no_axis   # 보이는 테스트의 한국어 진단은 그대로 보입니다


def test_plain_nbgrader_agrees_on_honest_work_and_is_fooled_by_the_cheats(graded, tmp_path):
    """같은 제출물을 보통의 nbgrader 0.9.6으로 채점합니다: 정직한 제출물은 점수가 칸마다 같고,
    bank.py의 ``plain``이 적힌 속임수는 보통의 nbgrader에서 더 많은 점수를 받습니다 (이 엔진에서는 못 받음)."""
    course = graded["course"]
    chosen = [e for e in ENTRIES if e.honest or e.plain is not None]
    plain = tmp_path / "plain"
    plain.mkdir()
    for name in ("nbgrader_config.py", "source", "release"):
        source = course / name
        shutil.copytree(source, plain / name) if source.is_dir() else shutil.copy2(source, plain / name)
    for entry in chosen:
        shutil.copytree(course / "submitted" / entry.key, plain / "submitted" / entry.key)
    nbgrader_cmd(plain, "generate_assignment", ASSIGNMENT, "--force")
    nbgrader_cmd(plain, "autograde", ASSIGNMENT, "--force")
    ours, theirs = grade_scores(course), grade_scores(plain)
    different = [(key, g, ours[(key, g)], theirs.get((key, g))) for e in chosen if e.honest
                 for key in [e.key] for g in POINTS if ours[(key, g)] != theirs.get((key, g))]
    assert not different, f"정직한 제출물인데 보통의 nbgrader와 점수가 다릅니다: {different}"
    plain_totals = totals(plain)
    for entry in chosen:
        if entry.plain is not None:
            assert plain_totals[entry.key] == entry.plain, \
                f"{entry.key}: 보통의 nbgrader가 {plain_totals[entry.key]}점을 주었습니다 (기대 {entry.plain})"
            assert totals(course)[entry.key] < entry.plain
