"""채점 엔진 테스트용 작은 강좌 (a tiny hermetic course for the grading-engine tests).

``build_minicourse(dest)``는 저장소의 ``nbgrader_config.py``와 과제 하나(``00_mini``)를 가진
강좌 폴더를 만듭니다. 과제는 강좌의 계약(docs/authoring.md)을 그대로 따릅니다: 해답 셀 하나에
함수 하나, 자기 완결적인 테스트 셀, 숨은 테스트, ``ctxcourse.feedback``의 한국어 메시지.
채점 함수: ``repeat_weights(a, H)`` → (T, H), ``context_vector(hs, a)`` → (H,),
``plot_weights(a)`` → matplotlib Figure.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

REPO = Path(__file__).resolve().parents[2]
ASSIGNMENT = "00_mini"

SETUP = """import numpy as np
from ctxcourse.seed import seed_data
hs, a = seed_data()"""

SOLUTIONS = {
    "repeat_weights": '''def repeat_weights(a, H):
    """가중치 a (T,)를 열 방향으로 H번 복제해 (T, H) 배열을 돌려줍니다."""
    ### BEGIN SOLUTION
    return np.repeat(np.asarray(a).reshape(-1, 1), H, axis=1)
    ### END SOLUTION''',
    "context_vector": '''def context_vector(hs, a):
    """은닉 상태 hs (T, H)와 가중치 a (T,)의 가중합인 맥락 벡터 (H,)를 돌려줍니다."""
    ### BEGIN SOLUTION
    return (hs * np.asarray(a).reshape(-1, 1)).sum(axis=0)
    ### END SOLUTION''',
    "plot_weights": '''def plot_weights(a):
    """가중치 a (T,)를 한 행짜리 히트맵으로 그린 Figure를 돌려줍니다."""
    ### BEGIN SOLUTION
    import matplotlib.pyplot as plt
    from ctxcourse.fonts import setup_korean_font
    setup_korean_font()
    fig, ax = plt.subplots()
    ax.imshow(np.asarray(a, dtype=float).reshape(1, -1), vmin=0, vmax=1)
    ax.set_xlabel("시각 t")
    return fig
    ### END SOLUTION''',
}

# (grade_id, points, source)
TESTS = {
    "repeat_weights": [
        ("test_repeat_weights_shape", 1, '''"""repeat_weights의 결과가 (T, H) 형상의 ndarray인지 확인합니다."""
import numpy as np
from ctxcourse import feedback
from ctxcourse.seed import seed_data
hs_t, a_t = seed_data()
result = feedback.call(repeat_weights, a_t, 4, name="repeat_weights")
feedback.check_ndarray(result, "repeat_weights")
feedback.check_shape(result, (5, 4), "repeat_weights", hints={(20,): "np.repeat에 axis를 주었나요?"})'''),
        ("test_repeat_weights_values", 2, '''"""새 입력(T=7, H=3)에서 각 열이 a와 같은지 확인합니다."""
import numpy as np
from ctxcourse import feedback
rng = np.random.default_rng(7)
w = rng.random(7)
expected = np.stack([w, w, w], axis=1)   # 기대값은 학생 함수를 부르기 전에 (입력을 바꾸는 함수에 속지 않도록)
result = feedback.call(repeat_weights, w.copy(), 3, name="repeat_weights")
feedback.check_ndarray(result, "repeat_weights")
feedback.check_shape(result, (7, 3), "repeat_weights")
### BEGIN HIDDEN TESTS
feedback.check_close(result, expected, "repeat_weights", "각 열이 a여야 합니다 (tile과 repeat를 헷갈렸나요?).")
### END HIDDEN TESTS'''),
        ("test_repeat_weights_unchanged", 1, '''"""repeat_weights가 입력 a를 바꾸지 않는지 확인합니다."""
import numpy as np
from ctxcourse import feedback
w = np.array([0.5, 0.25, 0.25])
before = w.copy()
feedback.call(repeat_weights, w, 2, name="repeat_weights")
feedback.check_unchanged(before, w, "a", "repeat_weights")'''),
    ],
    "context_vector": [
        ("test_context_vector_shape", 1, '''"""context_vector의 결과가 (H,) 형상인지 확인합니다."""
import numpy as np
from ctxcourse import feedback
from ctxcourse.seed import seed_data
hs_t, a_t = seed_data()
c = feedback.call(context_vector, hs_t, a_t, name="context_vector")
feedback.check_ndarray(c, "context_vector")
feedback.check_shape(c, (4,), "context_vector", hints={(5,): "축 방향을 바꾸어 보세요 (axis=0).", (1, 4): "keepdims를 빼세요."})'''),
        ("test_context_vector_values", 2, '''"""기준 예제와 새 입력에서 맥락 벡터의 값을 확인합니다."""
import numpy as np
from ctxcourse import feedback
from ctxcourse.seed import seed_data
hs_t, a_t = seed_data()
c = feedback.call(context_vector, hs_t, a_t, name="context_vector")
feedback.check_shape(c, (4,), "context_vector")
### BEGIN HIDDEN TESTS
feedback.check_close(c, [-1.34717053, 0.39465326, 0.95567913, -0.32348518], "context_vector", "가중합을 축 0으로 더했나요?")
rng = np.random.default_rng(3)
hs2, a2 = rng.normal(size=(6, 3)), rng.random(6)
expected = a2 @ hs2
feedback.check_close(feedback.call(context_vector, hs2.copy(), a2.copy(), name="context_vector"), expected, "context_vector")
### END HIDDEN TESTS'''),
    ],
    "plot_weights": [
        ("test_plot_weights_heatmap", 1, '''"""plot_weights가 가중치를 담은 히트맵 Figure를 돌려주는지 확인합니다."""
import numpy as np
from ctxcourse import feedback
w = np.array([0.7, 0.2, 0.1])
facts = feedback.figure_facts(feedback.call(plot_weights, w, name="plot_weights"))
if facts is None:
    feedback.fail("plot_weights()가 matplotlib Figure를 돌려주어야 합니다.")
layers = [np.asarray(layer).ravel() for ax in facts["axes"] for layer in ax["layers"]]
if not any(layer.shape == w.shape and np.allclose(layer, w) for layer in layers):
    feedback.fail("그림에 가중치 a의 값이 보이지 않습니다.")'''),
    ],
}

TRY_CELLS = {
    "repeat_weights": "print(repeat_weights(a, 4).shape)",
    "context_vector": "print(context_vector(hs, a))",
    "plot_weights": "fig = plot_weights(a)",
}

POINTS = {gid: pts for tests in TESTS.values() for gid, pts, _ in tests}
MAX_SCORE = float(sum(POINTS.values()))


def _meta(grade_id: str, *, solution: bool = False, grade: bool = False, points: float = 0,
          locked: bool = False) -> dict:
    meta = {"grade_id": grade_id, "solution": solution, "grade": grade, "locked": locked,
            "schema_version": 3}
    if grade:
        meta["points"] = points
    return {"nbgrader": meta}


def source_notebook():
    """``00_mini``의 강사용(source) 노트북."""
    cells = [new_markdown_cell("# 작은 과제 (채점 엔진 테스트용)", metadata=_meta("intro", locked=True)),
             new_code_cell(SETUP, metadata=_meta("setup", locked=True))]
    for name, code in SOLUTIONS.items():
        cells.append(new_markdown_cell(f"## {name}"))
        cells.append(new_code_cell(code, metadata=_meta(name, solution=True)))
        cells.append(new_code_cell(TRY_CELLS[name]))
        for grade_id, points, test in TESTS[name]:
            cells.append(new_code_cell(test, metadata=_meta(grade_id, grade=True, points=points, locked=True)))
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    return nb


def build_minicourse(dest: Path) -> Path:
    """``dest``에 작은 강좌를 만들고 그 경로를 돌려줍니다 (nbgrader_config.py + source/00_mini)."""
    dest = Path(dest)
    (dest / "source" / ASSIGNMENT).mkdir(parents=True, exist_ok=True)
    shutil.copy2(REPO / "nbgrader_config.py", dest / "nbgrader_config.py")
    with open(dest / "nbgrader_config.py", "a", encoding="utf-8") as handle:   # 테스트에서만: 짧은 유예 (기본 5초)
        handle.write("\nc.GradingLimits.grace = 2\n")
    nbformat.write(source_notebook(), dest / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    return dest


def solution_code() -> dict[str, str]:
    """해답 셀 grade_id → 정답 코드 (구분 줄을 지운 것)."""
    return {name: "\n".join(line for line in code.splitlines() if "### " not in line)
            for name, code in SOLUTIONS.items()}
