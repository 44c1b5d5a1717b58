"""공정한 점수 (fair points): 과제 01-05마다 해답은 만점, 빈 함수는 0점, 0으로 채운 결과도 0점입니다.

형상·자료형·입력 보존 점수는 값이 맞을 때만 받으므로, ``return None``만 있는 함수, 아직
``NotImplementedError``를 내는 함수(배포본 그대로), 올바른 형상의 0 배열을 돌려주는 함수는 어느 테스트에서도
점수를 받지 못해야 합니다. (실수 모음(instructor/mistakes)의 각 실수가 적힌 테스트에서만 점수를 잃고 그 셀에 적힌
한국어 메시지를 보이는지는 커널 없이 빠른 묶음에서 봅니다: tests/test_checks_01_03.py, tests/test_checks_04_05.py.
실수 모음 전체를 진짜 채점 파이프라인으로 채점하는 것은 tests/test_pipeline.py와 ``course demo``의 테스트입니다.)

채점은 nbgrader와 같은 규칙입니다: source 노트북(숨은 테스트 포함)의 해답 셀만 바꾸어 새 커널에서 실행하고,
오류 출력이 있는 테스트 셀은 0점, 없으면 만점입니다. ``nbgrader autograde``를 쓰는 느린 확인은
tests/test_pipeline.py가 합니다.
"""

from __future__ import annotations

import re

import nbformat
import pytest
from nbclient import NotebookClient

from conftest import REPO
from ctxcourse.demo import notebook_path

ASSIGNMENTS = ["01_repeat", "02_broadcasting", "03_axis_sum", "04_weight_sum", "05_attention_weights"]
BEGIN = re.compile(r"^(\s*)### BEGIN SOLUTION\s*$")
END = re.compile(r"^\s*### END SOLUTION\s*$")

# 올바른 형상의 0 (또는 0만 담은 결과)을 돌려주는 풀이: 해답 셀 grade_id → 함수 본문
ZEROS = {
    "repeat_weights": "return np.zeros((a.shape[0], H))",
    "weight_rows": "return np.zeros_like(hs, dtype=float)",
    "broadcast_shape": "return (0,) * max(len(shape1), len(shape2))",
    "context_vector": "return np.zeros(hs.shape[1])",
    "weighted_sum": "return np.zeros(np.delete(np.shape(x), axis % np.ndim(x)))",
    "plot_weights": ("fig, ax = plt.subplots()\n"
                     "image = ax.imshow(np.zeros((1, len(a))), vmin=0, vmax=1)\n"
                     "fig.colorbar(image, ax=ax)\n"
                     "ax.set_title('어텐션 가중치')\n"
                     "ax.set_xticks(range(len(a)), labels if labels is not None else range(len(a)))\n"
                     "return fig"),
    "weight_sum_forward": "return np.zeros((hs.shape[0], hs.shape[2]))",
    "weight_sum_backward": "return np.zeros_like(hs), np.zeros_like(a)",
    "softmax": "return np.zeros_like(x, dtype=float)",
    "masked_softmax": "return np.zeros_like(x, dtype=float)",
    "attention_weights": "return np.zeros(hs.shape[:2])",
    "attention": "return np.zeros((hs.shape[0], hs.shape[2])), np.zeros(hs.shape[:2])",
}
TRACEBACKS: dict[str, list[str]] = {}   # 마지막 run()의 테스트 셀 grade_id → 오류 출력의 traceback 줄들
STUB = "# 여기에 코드를 작성하세요\nraise NotImplementedError(\"아직 작성하지 않았습니다\")"


def _source(name: str):
    return nbformat.read(notebook_path(REPO, "source", name), as_version=4)


def solution_ids(nb) -> list[str]:
    return [c.metadata.nbgrader["grade_id"] for c in nb.cells
            if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("solution")]


def with_body(cell_source: str, body: str) -> str:
    """해답 셀의 ``### BEGIN SOLUTION`` … ``### END SOLUTION`` 부분을 ``body``로 바꾼 코드."""
    out, indent, inside = [], "", False
    for line in cell_source.splitlines():
        match = BEGIN.match(line)
        if match:
            indent, inside = match.group(1), True
            out += [indent + part for part in body.splitlines()]
        elif END.match(line):
            inside = False
        elif not inside:
            out.append(line)
    assert not inside and indent, "해답 셀에 BEGIN/END SOLUTION이 없습니다"
    return "\n".join(out)


def run(name: str, replace: dict[str, str]) -> tuple[dict[str, tuple[float, float]], dict[str, str]]:
    """source 노트북의 해답 셀을 ``replace`` (grade_id → 셀 전체 코드)로 바꾸어 실행합니다.

    돌려주는 값: 테스트 셀 grade_id → (점수, 배점), 그리고 grade_id → 그 셀의 출력 글.
    """
    nb = _source(name)
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in replace:
            cell.source = replace[grade_id]
    NotebookClient(nb, timeout=300, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(REPO)}}).execute()
    scores, texts = {}, {}
    TRACEBACKS.clear()
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type == "code" and meta.get("grade"):
            failed = any(out.output_type == "error" for out in cell.outputs)
            scores[meta["grade_id"]] = (0.0 if failed else float(meta["points"]), float(meta["points"]))
            TRACEBACKS[meta["grade_id"]] = [line for out in cell.outputs if out.output_type == "error"
                                            for line in out.get("traceback", [])]
            texts[meta["grade_id"]] = "\n".join(
                str(out.get("evalue", "")) + "".join(out.get("traceback", [])) + out.get("text", "")
                for out in cell.outputs)
    return scores, texts


def variant(name: str, kind: str) -> dict[str, str]:
    nb = _source(name)
    cells = {c.metadata.nbgrader["grade_id"]: c.source for c in nb.cells
             if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("solution")}
    if kind == "solution":
        return {}
    bodies = {"blank": lambda gid: STUB, "none": lambda gid: "return None", "zeros": lambda gid: ZEROS[gid]}[kind]
    return {gid: with_body(source, bodies(gid)) for gid, source in cells.items()}


def total(scores: dict) -> tuple[float, float]:
    return sum(s for s, _ in scores.values()), sum(t for _, t in scores.values())


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_every_solution_cell_has_a_zeros_variant(name):
    assert set(solution_ids(_source(name))) <= set(ZEROS), "ZEROS에 새 해답 셀의 0 풀이를 더하세요"


@pytest.mark.parametrize("kind", ["solution", "blank", "none", "zeros"])
@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_scores_are_fair(name, kind):
    scores, texts = run(name, variant(name, kind))
    got, top = total(scores)
    if kind == "solution":
        assert got == top > 0, {gid: texts[gid][-300:] for gid, (s, t) in scores.items() if s < t}
    else:
        earned = {gid: s for gid, (s, _) in scores.items() if s}
        assert got == 0, f"{name}: {kind} 풀이가 {got}/{top}점을 받았습니다: {earned}"
        # 실패한 테스트 셀은 내부 프레임 없이 한국어 한 줄만 보여 줍니다 (이슈 14의 6번)
        noisy = {gid: lines for gid, lines in TRACEBACKS.items() if len(lines) != 1 or "테스트 실패" not in lines[0]}
        assert not noisy, f"{name}: 긴 traceback: {list(noisy.items())[:1]}"
    if kind == "solution":
        passed = {gid for gid, text in texts.items() if "통과" in text}
        assert passed == set(scores), f"{name}: '통과'를 출력하지 않는 테스트 셀: {sorted(set(scores) - passed)}"
