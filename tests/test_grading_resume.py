"""병렬 채점의 이어 하기(resumable), 한 학생 다시 채점, --force, 중단 뒤 이어 하기를 실제 제출물로 확인합니다."""

from __future__ import annotations

import os
import signal
import subprocess
import time

import nbformat
import pytest

from hostile.bank import BY_KEY, build_notebook, write_class
from hostile.harness import BIN, course_cmd, env, released_minicourse, state, totals
from hostile.minicourse import ASSIGNMENT

pytestmark = pytest.mark.slow
CLASS = [BY_KEY[key] for key in ("correct", "cv_mean", "blank", "rw_no_axis")]


@pytest.fixture
def small_class(tmp_path):
    course = released_minicourse(tmp_path / "course")
    write_class(course, CLASS)
    return course


def _states(course) -> dict:
    folder = course / ".course_state" / "grading" / ASSIGNMENT
    return {p.stem: p.stat().st_mtime_ns for p in folder.glob("*.json")} if folder.is_dir() else {}


def test_interrupted_run_resumes_and_skips_finished_work(small_class):
    course = small_class
    process = subprocess.Popen([str(BIN / "course"), "autograde", ASSIGNMENT, "--jobs", "1"], cwd=course, env=env(),
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 300
    while not _states(course) and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.2)
    assert process.poll() is None, "첫 제출물을 채점하기 전에 명령이 끝났습니다:\n" + process.communicate()[0]
    process.send_signal(signal.SIGINT)
    out, _ = process.communicate(timeout=120)
    assert process.returncode == 130, out
    assert "중단했습니다" in out and "이어서" in out
    finished = _states(course)
    assert 1 <= len(finished) < len(CLASS)
    autograded = {p.name for p in (course / "autograded").iterdir()} if (course / "autograded").is_dir() else set()
    assert autograded <= set(finished), f"상태 파일 없이 남은 반쯤 채점한 폴더: {autograded - set(finished)}"

    done = course_cmd(course, "autograde", ASSIGNMENT, "--jobs", "2")
    assert "건너뜁니다" in done.stdout
    after = _states(course)
    assert set(after) == {entry.key for entry in CLASS}
    assert all(after[key] == mtime for key, mtime in finished.items()), "끝낸 제출물을 다시 채점했습니다"
    assert totals(course) == {entry.key: float(entry.score) for entry in CLASS}


def test_unchanged_work_is_skipped_changed_work_is_regraded(small_class):
    course = small_class
    course_cmd(course, "autograde", "--all", "--jobs", "2")
    first = _states(course)
    again = course_cmd(course, "autograde", "--all")
    assert f"제출물 {len(CLASS)}개는 건너뜁니다" in again.stdout
    assert _states(course) == first

    # 한 학생이 고쳐서 다시 냈습니다: 그 제출물만 다시 채점합니다.
    release = nbformat.read(course / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    nbformat.write(build_notebook(release, BY_KEY["correct"]), course / "submitted" / "cv_mean" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    course_cmd(course, "autograde", "--all")
    now = _states(course)
    changed = {key for key in now if now[key] != first[key]}
    assert changed == {"cv_mean"}
    assert totals(course)["cv_mean"] == 8 and state(course, "cv_mean")["score"] == 8

    # --student: 그 학생만 (바뀌지 않았어도) 다시 채점합니다.
    course_cmd(course, "autograde", ASSIGNMENT, "--student", "blank")
    later = _states(course)
    assert {key for key in later if later[key] != now[key]} == {"blank"}

    # --force: 모두 다시.
    course_cmd(course, "autograde", "--all", "--force", "--jobs", "2")
    forced = _states(course)
    assert all(forced[key] != later[key] for key in forced)
    assert totals(course) == {"correct": 8.0, "cv_mean": 8.0, "blank": 0.0, "rw_no_axis": 5.0}

    # 강사가 테스트를 고쳐 다시 배포하면 (성적부의 셀이 바뀜) 바뀌지 않은 제출물도 다시 채점합니다.
    source = course / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    nb = nbformat.read(source, as_version=4)
    for cell in nb.cells:
        if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "test_plot_weights_heatmap":
            cell.source += "\nassert True  # 강사가 고친 테스트"
    nbformat.write(nb, source)
    course_cmd(course, "release", ASSIGNMENT)
    course_cmd(course, "autograde", "--all", "--jobs", "2")
    released = _states(course)
    assert all(released[key] != forced[key] for key in forced)
    assert totals(course)["correct"] == 8
    assert os.path.exists(course / "autograded" / "correct" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
