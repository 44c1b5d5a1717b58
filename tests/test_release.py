"""release/: 해답·숨은 테스트·기준값이 하나도 없습니다 (커널 없이, 빠른 묶음).

한 번씩만 하는 다른 확인: release/가 ``nbgrader generate_assignment``의 결과와 바이트까지 같은지는 같은 명령을
이미 돌리는 tests/test_pipeline.py가, source의 해답이 모든 테스트를 통과하고 빈 제출(release의 빈칸 그대로)이 모든
테스트에서 0점인지는 과제 01-05는 tests/test_course_scores.py가(숨은 테스트까지), 06은 tests/test_course_06.py가
``course autograde``로 봅니다.
"""

from __future__ import annotations

import re

import nbformat

from conftest import REPO
from ctxcourse.demo import available_assignments, notebook_path

ASSIGNMENTS = available_assignments(REPO)
MARKERS = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")
# 설계 문서의 기준값 (Reference values): 학생 사본에 나오면 안 됩니다.
DESIGN_VALUES = ("-1.34717053", "0.39465326", "0.95567913", "-0.32348518", "-1.39981238", "0.27414432",
                 "0.92242864", "-0.20194883")
NUMBER = re.compile(r"-?\d+\.\d{4,}")
HIDDEN = re.compile(r"### BEGIN HIDDEN TESTS(.*?)### END HIDDEN TESTS", re.S)
SOLUTION = re.compile(r"### BEGIN SOLUTION(.*?)### END SOLUTION", re.S)


def _source_text(name: str) -> str:
    nb = nbformat.read(notebook_path(REPO, "source", name), as_version=4)
    return "\n".join(cell.source for cell in nb.cells)


def _release_texts() -> dict[str, str]:
    return {str(p.relative_to(REPO)): p.read_text(encoding="utf-8", errors="replace")
            for p in (REPO / "release").rglob("*") if p.is_file()}


def test_every_assignment_is_released():
    assert ASSIGNMENTS[:5] == ["01_repeat", "02_broadcasting", "03_axis_sum", "04_weight_sum", "05_attention_weights"]
    for name in ASSIGNMENTS:
        assert notebook_path(REPO, "release", name).exists(), f"release/{name}이 없습니다: course release {name}"


def test_release_has_no_solution_or_hidden_test_text():
    for path, text in _release_texts().items():
        for marker in MARKERS:
            assert marker not in text, f"{path}에 '{marker}'가 있습니다"


def test_release_has_no_reference_values():
    secret = set(DESIGN_VALUES)
    for name in ASSIGNMENTS:
        for block in HIDDEN.findall(_source_text(name)):
            secret.update(NUMBER.findall(block))
    assert len(secret) > len(DESIGN_VALUES), "숨은 테스트에서 기준값을 하나도 찾지 못했습니다 (검사가 헛돕니다)"
    for path, text in _release_texts().items():
        leaked = sorted(value for value in secret if value in text)
        assert not leaked, f"{path}에 기준값이 있습니다: {leaked}"


def test_release_has_no_solution_code():
    for name in ASSIGNMENTS:
        release = nbformat.read(notebook_path(REPO, "release", name), as_version=4)
        code = "\n".join(cell.source for cell in release.cells if cell.cell_type == "code")
        assert "# 여기에 코드를 작성하세요" in code
        source = _source_text(name)
        public = SOLUTION.sub("", source)  # 해답 밖(설명, 시험 셀)에도 있는 줄은 비밀이 아닙니다
        secret_lines = {line.strip() for block in SOLUTION.findall(source) for line in block.splitlines()}
        secret_lines = {line for line in secret_lines
                        if len(line) > 12 and not line.startswith("#") and line not in public}
        assert secret_lines, f"{name}: 해답 줄을 하나도 찾지 못했습니다 (검사가 헛돕니다)"
        leaked = sorted(line for line in secret_lines if line in code)
        assert not leaked, f"release/{name}에 해답 줄이 있습니다: {leaked}"
