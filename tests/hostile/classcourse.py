"""채점 클래스용 작은 강좌와 그 악의적인 제출물 모음 (a tiny class-based course and its hostile bank).

``build_classcourse(dest)``는 과제 하나(``00_layer``)를 가진 강좌 폴더를 만듭니다. 채점 대상은 함수가 아니라
책(밑바닥부터 시작하는 딥러닝 2, 8장)의 계층 API를 따르는 클래스 ``WeightSum``입니다
(``params``, ``grads``, ``forward(hs, a) → c``, ``backward(dc) → (dhs, da)``).

만점은 6점입니다: 순전파 2점, API(params/grads가 빈 리스트) 1점, 역전파(수치 미분과 비교) 2점, 입력 보존 1점.
API와 입력 보존 점수는 순전파 값이 맞을 때만 얻습니다 (빈 풀이는 0점).
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

REPO = Path(__file__).resolve().parents[2]
ASSIGNMENT = "00_layer"

SOLUTION = '''class WeightSum:
    """WeightSum 계층: 은닉 상태 hs (N, T, H)와 가중치 a (N, T)의 가중합 c (N, H)를 구합니다."""

    def __init__(self):
        self.params, self.grads = [], []
        self.cache = None

    def forward(self, hs, a):
        """c (N, H)를 돌려줍니다."""
        ### BEGIN SOLUTION
        N, T, H = hs.shape
        ar = a.reshape(N, T, 1)
        self.cache = (hs, ar)
        return np.sum(hs * ar, axis=1)
        ### END SOLUTION

    def backward(self, dc):
        """(dhs, da)를 돌려줍니다."""
        ### BEGIN SOLUTION
        hs, ar = self.cache
        N, T, H = hs.shape
        dt = np.repeat(dc.reshape(N, 1, H), T, axis=1)
        return dt * ar, np.sum(dt * hs, axis=2)
        ### END SOLUTION'''

_FORWARD_CHECK = '''layer = WeightSum()
c = feedback.call(layer.forward, hs.copy(), a.copy(), name="WeightSum.forward")
feedback.check_ndarray(c, "WeightSum.forward")
feedback.check_shape(c, (N, H), "WeightSum.forward")
feedback.check_close(c, np.einsum("nt,nth->nh", a, hs), "WeightSum.forward", "가중합을 시각 축으로 더했나요?")'''

TESTS = [
    ("test_WeightSum_forward", 2, '''"""WeightSum.forward가 새 입력 (N, T, H) = (3, 4, 2)에서 맥락 벡터 (N, H)를 돌려주는지 확인합니다."""
import numpy as np
from ctxcourse import feedback
N, T, H = 3, 4, 2
rng = np.random.default_rng(11)
hs, a = rng.normal(size=(N, T, H)), rng.dirichlet(np.ones(T), size=N)
''' + _FORWARD_CHECK),
    ("test_WeightSum_api", 1, '''"""WeightSum의 params와 grads가 빈 리스트인지 확인합니다 (순전파 값이 맞을 때만)."""
import numpy as np
from ctxcourse import feedback
N, T, H = 2, 5, 3
rng = np.random.default_rng(13)
hs, a = rng.normal(size=(N, T, H)), rng.dirichlet(np.ones(T), size=N)
''' + _FORWARD_CHECK + '''
params, grads = layer.params, layer.grads
if type(params) is not list or type(grads) is not list or params or grads:
    feedback.fail("WeightSum의 params와 grads는 빈 리스트여야 합니다 (학습할 매개변수가 없는 계층입니다).")'''),
    ("test_WeightSum_backward", 2, '''"""WeightSum.backward의 (dhs, da)가 L = sum(c * dc)의 수치 미분과 같은지 확인합니다."""
import numpy as np
from ctxcourse import feedback
N, T, H = 2, 3, 4
rng = np.random.default_rng(12)
hs, a, dc = rng.normal(size=(N, T, H)), rng.dirichlet(np.ones(T), size=N), rng.normal(size=(N, H))
''' + _FORWARD_CHECK + '''
result = feedback.call(layer.backward, dc.copy(), name="WeightSum.backward")
dhs, da = feedback.check_pair(result, "WeightSum.backward", ("dhs", "da"))
probe = WeightSum()
num_dhs = feedback.numerical_gradient(lambda x: np.sum(probe.forward(x, a.copy()) * dc), hs)
num_da = feedback.numerical_gradient(lambda x: np.sum(probe.forward(hs.copy(), x) * dc), a)
feedback.check_close(dhs, num_dhs, "WeightSum.backward", "dhs가 수치 미분과 다릅니다.", atol=1e-6)
feedback.check_close(da, num_da, "WeightSum.backward", "da가 수치 미분과 다릅니다.", atol=1e-6)'''),
    ("test_WeightSum_inputs", 1, '''"""WeightSum의 forward와 backward가 입력 배열을 바꾸지 않는지 확인합니다 (값이 맞을 때만)."""
import numpy as np
from ctxcourse import feedback
N, T, H = 4, 2, 3
rng = np.random.default_rng(14)
hs, a, dc = rng.normal(size=(N, T, H)), rng.dirichlet(np.ones(T), size=N), rng.normal(size=(N, H))
hs0, a0, dc0 = hs.copy(), a.copy(), dc.copy()
layer = WeightSum()
c = feedback.call(layer.forward, hs, a, name="WeightSum.forward")
feedback.check_ndarray(c, "WeightSum.forward")
feedback.check_close(c, np.einsum("nt,nth->nh", a0, hs0), "WeightSum.forward", "순전파 값이 먼저 맞아야 합니다.")
feedback.call(layer.backward, dc, name="WeightSum.backward")
for before, after, label in ((hs0, hs, "hs"), (a0, a, "a"), (dc0, dc, "dc")):
    feedback.check_unchanged(before, after, label, "WeightSum")'''),
]

POINTS = {gid: pts for gid, pts, _ in TESTS}
MAX_SCORE = float(sum(POINTS.values()))


def _meta(grade_id: str, *, solution: bool = False, grade: bool = False, points: float = 0,
          locked: bool = False) -> dict:
    meta = {"grade_id": grade_id, "solution": solution, "grade": grade, "locked": locked, "schema_version": 3}
    if grade:
        meta["points"] = points
    return {"nbgrader": meta}


def source_notebook():
    cells = [new_markdown_cell("# 작은 과제: WeightSum 계층 (채점 엔진 테스트용)", metadata=_meta("intro", locked=True)),
             new_code_cell("import numpy as np", metadata=_meta("setup", locked=True)),
             new_markdown_cell("## WeightSum"),
             new_code_cell(SOLUTION, metadata=_meta("WeightSum", solution=True)),
             new_code_cell("layer = WeightSum()\nprint(layer.forward(np.ones((1, 2, 3)), np.full((1, 2), 0.5)))")]
    for grade_id, points, test in TESTS:
        cells.append(new_code_cell(test, metadata=_meta(grade_id, grade=True, points=points, locked=True)))
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    return nb


def build_classcourse(dest: Path) -> Path:
    dest = Path(dest)
    (dest / "source" / ASSIGNMENT).mkdir(parents=True, exist_ok=True)
    shutil.copy2(REPO / "nbgrader_config.py", dest / "nbgrader_config.py")
    nbformat.write(source_notebook(), dest / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    return dest


CORRECT = "\n".join(line for line in SOLUTION.splitlines() if "### " not in line)

WRONG_BACKWARD = CORRECT.replace("return dt * ar, np.sum(dt * hs, axis=2)", "return dt, np.sum(dt * hs, axis=2)")

LIAR = '''class Liar(np.ndarray):
    def __eq__(self, other):
        return True
    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        return True
    def __array_function__(self, func, types, args, kwargs):
        return True

class WeightSum:
    def __init__(self):
        self.params, self.grads = [], []
    def forward(self, hs, a):
        N, T, H = hs.shape
        return np.zeros((N, H)).view(Liar)
    def backward(self, dc):
        N, H = dc.shape
        return np.zeros((N, 3, H)).view(Liar), np.zeros((N, 3)).view(Liar)'''

PROPERTY = CORRECT.replace("        self.params, self.grads = [], []\n", "        self._p, self.grads = [], []\n") \
    .replace("return dt * ar, np.sum(dt * hs, axis=2)", "return dt, np.sum(dt * hs, axis=2)") + '''

    @property
    def params(self):
        import ctxcourse.feedback as fb
        fb.check_close = lambda *args, **kwargs: None
        np.allclose = lambda *args, **kwargs: True
        return self._p'''

GETATTR = '''class WeightSum:
    def __getattr__(self, name):
        return lambda *args, **kwargs: True'''

PARAMS_GROW = CORRECT.replace("        self.cache = (hs, ar)\n", "        self.cache = (hs, ar)\n        self.params.append(a)\n"
                                                                     "        self.grads.append(np.zeros_like(a))\n")

INPUT_MUTATION = CORRECT.replace("        return np.sum(hs * ar, axis=1)", "        hs *= ar\n        return np.sum(hs, axis=1)")

NUMPY_PATCH = '''class WeightSum:
    def __init__(self):
        self.params, self.grads = [], []
    def forward(self, hs, a):
        np.allclose = lambda *args, **kwargs: True
        np.array_equal = lambda *args, **kwargs: True
        N, T, H = hs.shape
        return np.zeros((N, H))
    def backward(self, dc):
        N, H = dc.shape
        return np.zeros((N, 3, H)), np.zeros((N, 3))'''

ALIAS_SELF = CORRECT.replace("        return np.sum(hs * ar, axis=1)", "        return self")


@dataclass(frozen=True)
class ClassEntry:
    key: str
    title: str
    code: str | None                 # 해답 셀 코드 (None이면 빈 release 그대로)
    score: float
    flags: frozenset = field(default_factory=frozenset)
    message: tuple = ()              # (grade_id, 그 셀 출력에 나와야 할 글귀)


ENTRIES = [
    ClassEntry("correct", "정답", CORRECT, 6),
    ClassEntry("blank", "빈 제출", None, 0),
    ClassEntry("wrong_backward", "역전파에서 가중치를 곱하지 않음", WRONG_BACKWARD, 4,
               message=("test_WeightSum_backward", "dhs가 수치 미분과 다릅니다")),
    # 커널 안에서도 type(c) is np.ndarray 검사에 걸리므로 판정 불일치는 없습니다; 재현기에는 형식 이름만 갑니다.
    ClassEntry("liar", "__eq__·ufunc가 거짓말하는 ndarray 하위 클래스를 돌려줌", LIAR, 0,
               flags=frozenset({"suspicious_code"}), message=("test_WeightSum_forward", "Liar 객체를 돌려주었습니다")),
    ClassEntry("property", "params 속성을 읽으면 채점 도구와 numpy를 바꿈 (역전파는 틀림)", PROPERTY, 4,
               flags=frozenset({"suspicious_code"})),
    ClassEntry("getattr", "__getattr__가 무엇이든 '통과'하는 함수를 돌려줌", GETATTR, 0),
    ClassEntry("params_grow", "부를 때마다 params·grads를 제자리에서 늘림", PARAMS_GROW, 5,
               message=("test_WeightSum_api", "빈 리스트여야 합니다")),
    ClassEntry("input_mutation", "순전파가 입력 hs를 제자리에서 바꿈", INPUT_MUTATION, 3,
               message=("test_WeightSum_inputs", "제자리에서 바꾸었습니다")),
    ClassEntry("numpy_patch", "forward 안에서 np.allclose를 바꾸고 0을 돌려줌", NUMPY_PATCH, 0,
               flags=frozenset({"suspicious_code"})),
    ClassEntry("returns_self", "forward가 배열 대신 객체 자신을 돌려줌", ALIAS_SELF, 0),
]

BY_KEY = {entry.key: entry for entry in ENTRIES}


def write_class(course: Path, entries=ENTRIES) -> list[ClassEntry]:
    """``submitted/<key>/00_layer/00_layer.ipynb``를 씁니다 (release가 먼저 있어야 합니다)."""
    release = nbformat.read(Path(course) / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    for entry in entries:
        nb = nbformat.from_dict(release)
        for cell in nb.cells:
            if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "WeightSum" and entry.code is not None:
                cell.source = entry.code
        folder = Path(course) / "submitted" / entry.key / ASSIGNMENT
        folder.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, folder / f"{ASSIGNMENT}.ipynb")
    return list(entries)
