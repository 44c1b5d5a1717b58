"""release/: source/가 만드는 것과 정확히 같고, 해답·숨은 테스트·기준값이 하나도 없습니다."""

from __future__ import annotations

import re
import shutil

import nbformat
import pytest
from nbgrader.validator import Validator
from traitlets.config import Config

from conftest import REPO, nbgrader
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


def test_release_is_exactly_what_source_generates(course):
    shutil.rmtree(course / "release")
    nbgrader(course, "generate_assignment", "*", "--force")   # 과제 이름은 glob: 과제 전부를 한 프로세스에서
    committed = sorted(p.relative_to(REPO / "release") for p in (REPO / "release").rglob("*") if p.is_file())
    generated = sorted(p.relative_to(course / "release") for p in (course / "release").rglob("*") if p.is_file())
    assert committed == generated
    for rel in committed:
        assert (REPO / "release" / rel).read_bytes() == (course / "release" / rel).read_bytes(), (
            f"release/{rel}이 source/와 다릅니다. 'course release --all'로 다시 만드세요.")


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


def _validator(invert: bool) -> Validator:
    config = Config()
    config.Validator.invert = invert
    config.Execute.timeout = 120
    return Validator(config=config)


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_source_passes_validate(name):
    results = _validator(False).validate(str(notebook_path(REPO, "source", name)))
    assert not results.get("failed") and not results.get("changed"), results


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_blank_release_fails_every_test_cleanly(name):
    # validate --invert: 통과한 테스트 셀이 있으면 'passed'에 담깁니다.
    results = _validator(True).validate(str(notebook_path(REPO, "release", name)))
    assert not results.get("passed"), f"빈 release 노트북이 통과한 테스트: {results.get('passed')}"
