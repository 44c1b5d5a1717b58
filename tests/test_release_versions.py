"""강사가 테스트를 바꾸고 다시 배포해도 정직한 학생에게 의심 표시가 붙지 않는지 (versioned releases).

예전 배포본을 받아 낸 학생의 테스트 셀은 '강사가 바꾼 테스트'로 기록되고 지금 버전으로 채점됩니다. 어느 배포
버전과도 다른 테스트 셀만 학생이 고친 것(test_cell_changed)입니다. ``course release --exchange``는 exchange의
배포본도 새 버전으로 바꿉니다.
"""

from __future__ import annotations

import json

import nbformat
import pytest

from hostile.bank import BY_KEY, build_notebook
from hostile.harness import course_cmd, released_minicourse, state, totals
from hostile.minicourse import ASSIGNMENT

pytestmark = pytest.mark.slow
NB = f"{ASSIGNMENT}.ipynb"


def _submit(course, student, nb):
    folder = course / "submitted" / student / ASSIGNMENT
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, folder / NB)


def test_a_changed_test_is_the_instructors_change_not_tampering(tmp_path):
    course = released_minicourse(tmp_path / "course")
    old_release = nbformat.read(course / "release" / ASSIGNMENT / NB, as_version=4)
    _submit(course, "honest", build_notebook(old_release, BY_KEY["correct"]))
    course_cmd(course, "autograde", "--all")
    assert totals(course)["honest"] == 8 and not state(course, "honest")["flags"]
    source = nbformat.read(course / "source" / ASSIGNMENT / NB, as_version=4)
    for cell in source.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id == "test_context_vector_shape":
            cell.metadata.nbgrader["points"] = 2
        if grade_id == "test_repeat_weights_unchanged":
            cell.source = "# 입력을 바꾸지 않아야 합니다\n" + cell.source
    nbformat.write(source, course / "source" / ASSIGNMENT / NB)
    released = course_cmd(course, "release", ASSIGNMENT, "--exchange")
    assert "예전버전으로채점" in "".join(released.stdout.split())
    assert list((course / "exchange").rglob(f"outbound/{ASSIGNMENT}/{NB}"))
    history = json.loads((course / ".course_state" / "releases" / f"{ASSIGNMENT}.json").read_text())
    assert [v["version"] for v in history] == [1, 2]
    tamper = build_notebook(old_release, BY_KEY["correct"])
    for cell in tamper.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "test_repeat_weights_values":
            cell.source = "pass"
    _submit(course, "tamper", tamper)
    course_cmd(course, "autograde", "--all")
    honest = state(course, "honest")
    assert totals(course)["honest"] == 9, "지금 버전(9점)으로 다시 채점해야 합니다"
    assert not honest["flags"], honest["flags"]
    assert any("강사가 바꾼 테스트: test_repeat_weights_unchanged" in r for r in honest["reasons"])
    assert any("강사가 바꾼 배점: test_context_vector_shape" in r for r in honest["reasons"])
    assert {f["kind"] for f in state(course, "tamper")["flags"]} == {"test_cell_changed"}
