"""강의 노트북: 새 커널에서 처음부터 끝까지 오류와 경고 없이 실행되고, 강의의 모양을 갖추었는지."""

from __future__ import annotations

import re

import nbformat
import pytest
from nbclient import NotebookClient

from conftest import REPO

LESSONS = sorted((REPO / "notebooks").glob("[0-9][0-9]_*.ipynb"))
MAX_CODE_LINES = 18  # 설계: 코드 셀은 15줄 안팎


OURS = [p for p in LESSONS if p.name[:2] in {"01", "02", "03", "04", "05"}]   # 06은 다른 저자의 강의
PREDICTION = re.compile(r"^(my_\w+(?:\s*,\s*my_\w+)*)\s*=\s*(.+?)\s*(#.*)?$", re.M)
LANGUAGE_INFO = {"name", "version", "mimetype", "file_extension", "codemirror_mode", "pygments_lexer",
                 "nbconvert_exporter"}


def test_there_are_the_curriculum_lessons():
    assert [p.name[:2] for p in LESSONS][:5] == ["01", "02", "03", "04", "05"], [p.name for p in LESSONS]


def _checks(nb) -> list[str]:
    """"확인해 보기" 마크다운 바로 뒤의 코드 셀들."""
    return [cell.source for before, cell in zip(nb.cells, nb.cells[1:])
            if cell.cell_type == "code" and before.cell_type == "markdown" and "확인해 보기" in before.source]


@pytest.mark.parametrize("path", OURS, ids=lambda p: p.stem)
def test_every_prediction_starts_empty_and_is_checked(path):
    nb = nbformat.read(path, as_version=4)
    checks = _checks(nb)
    assert len(checks) >= 3, f"{path.name}: 확인해 보기가 {len(checks)}개뿐입니다"
    for source in checks:
        predictions = PREDICTION.findall(source)
        assert predictions, f"{path.name}: 예측 변수(my_...)가 없는 확인해 보기:\n{source[:200]}"
        filled = [names for names, value, _ in predictions if value.replace(" ", "") not in ("None", "None,None")]
        assert not filled, f"{path.name}: 예측이 미리 채워져 있습니다: {filled}"
        assert "check(" in source, f"{path.name}: ctxcourse.predict.check로 확인하지 않습니다:\n{source[:200]}"


@pytest.mark.parametrize("path", OURS, ids=lambda p: p.stem)
def test_lesson_ends_with_open_questions_and_links_to_the_fetched_copy(path):
    nb = nbformat.read(path, as_version=4)
    markdown = [c.source for c in nb.cells if c.cell_type == "markdown"]
    tail = "\n".join(markdown[-3:])
    assert "생각해 볼 질문" in tail and "<details>" in tail and "</details>" in tail, path.name
    questions = re.findall(r"^\d\. ", tail.split("<details>")[0].split("생각해 볼 질문")[1], re.M)
    assert 2 <= len(questions) <= 3, f"{path.name}: 열린 질문 {len(questions)}개"
    text = "\n".join(markdown)
    assert "release/" not in text, f"{path.name}: 과제 링크는 Fetch로 받은 사본(../<과제>/<과제>.ipynb)을 가리켜야 합니다"
    assert re.search(r"\]\(\.\./0\d_\w+/0\d_\w+\.ipynb\)", text), f"{path.name}: 과제로 가는 링크가 없습니다"
    assert "$" in text, f"{path.name}: 수식($...$)이 없습니다"


@pytest.mark.parametrize("path", OURS, ids=lambda p: p.stem)
def test_lesson_has_full_language_info(path):
    info = nbformat.read(path, as_version=4).metadata.get("language_info", {})
    assert LANGUAGE_INFO <= set(info), f"{path.name}: language_info에 {sorted(LANGUAGE_INFO - set(info))}가 없습니다"


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


def test_lesson_prints_no_matplotlib_reprs(executed):
    """셀 끝의 ax.set_xlabel(...) 같은 식이 Text(0, 0.5, ...)나 <matplotlib...> 같은 출력을 남기지 않습니다."""
    noise = [out["data"]["text/plain"][:60] for cell in executed.cells for out in cell.get("outputs", [])
             if out.output_type == "execute_result" and "image/png" not in out.get("data", {})
             and out["data"].get("text/plain", "").lstrip("[").startswith(("Text(", "<matplotlib"))]
    assert not noise, noise


# 강의 06 (다른 저자의 강의): 위의 실행 결과(강의마다 한 번)를 그대로 씁니다.
LESSON_06 = [p for p in LESSONS if p.name.startswith("06_")]


@pytest.mark.parametrize("executed", LESSON_06, indirect=True, ids=lambda p: p.stem)
def test_lesson_06_runs_clean_and_draws_its_pictures(executed):
    problems, images = [], 0
    for index, cell in enumerate(executed.cells):
        for out in cell.get("outputs", []):
            if out.output_type == "error":
                problems.append(f"셀 {index}: {out.ename}: {out.evalue}")
            if out.output_type == "stream" and out.name == "stderr":
                problems.append(f"셀 {index}: 표준 오류: {out.text.strip()[:300]}")
            images += "image/png" in out.get("data", {})
    assert not problems, "\n".join(problems)
    assert images >= 2, f"그림이 {images}개뿐입니다"


@pytest.mark.parametrize("executed", LESSON_06, indirect=True, ids=lambda p: p.stem)
def test_lesson_06_prediction_checks_start_empty_and_ask_for_a_prediction(executed):
    checks = [c for c in executed.cells if c.cell_type == "code" and re.search(r"^check\(prediction", c.source, re.M)]
    assert len(checks) >= 3
    for cell in checks:
        assert re.search(r"^prediction = None\b", cell.source, re.M), cell.source
        text = "".join(o.get("text", "") for o in cell.outputs)
        assert "예측을 적어 보세요" in text and "맞았습니다" not in text, text
