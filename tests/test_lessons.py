"""강의 노트북: 새 커널에서 처음부터 끝까지 오류와 경고 없이 실행되고, 강의의 모양을 갖추었는지."""

from __future__ import annotations

import nbformat
import pytest
from nbclient import NotebookClient

from conftest import REPO

LESSONS = sorted((REPO / "notebooks").glob("[0-9][0-9]_*.ipynb"))
MAX_CODE_LINES = 18  # 설계: 코드 셀은 15줄 안팎


def test_there_are_five_lessons():
    assert [p.name[:2] for p in LESSONS] == ["01", "02", "03", "04", "05"], [p.name for p in LESSONS]


@pytest.fixture(scope="module", params=LESSONS, ids=lambda p: p.stem)
def executed(request):
    nb = nbformat.read(request.param, as_version=4)
    NotebookClient(nb, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(request.param.parent)}}).execute()
    return nb


def test_lesson_runs_without_errors_or_warnings(executed):
    problems = []
    for index, cell in enumerate(executed.cells):
        for out in cell.get("outputs", []):
            if out.output_type == "error":
                problems.append(f"셀 {index}: {out.ename}: {out.evalue}")
            if out.output_type == "stream" and out.name == "stderr" and "Warning" in out.text:
                problems.append(f"셀 {index}: 경고: {out.text.strip()[:300]}")
    assert not problems, "\n".join(problems)


def test_lesson_shows_pictures(executed):
    images = sum("image/png" in out.get("data", {}) for cell in executed.cells for out in cell.get("outputs", []))
    assert images >= 2, f"그림이 {images}개뿐입니다"


def test_lesson_has_prose_checks_and_summary(executed):
    markdown = [c.source for c in executed.cells if c.cell_type == "markdown"]
    code = [c.source for c in executed.cells if c.cell_type == "code"]
    text = "\n".join(markdown)
    assert "확인해 보기" in text and "정리" in text
    assert len(markdown) >= len(code), "설명(마크다운) 셀이 코드 셀보다 적습니다"
    long_cells = [src.splitlines()[0] for src in code if len(src.splitlines()) > MAX_CODE_LINES]
    assert not long_cells, f"{MAX_CODE_LINES}줄이 넘는 코드 셀: {long_cells}"
    assert executed.metadata.kernelspec.name == "python3"


def test_lessons_are_committed_without_outputs():
    for path in LESSONS:
        nb = nbformat.read(path, as_version=4)
        dirty = [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and (c.outputs or c.execution_count)]
        assert not dirty, f"{path.name}: 출력이 남은 셀 {dirty} (nbstripout으로 지우세요)"
