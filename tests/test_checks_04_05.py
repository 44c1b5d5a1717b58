"""과제 4(WeightSum)와 5(어텐션 가중치)의 진단 도구, 실수 모음, 테스트 셀을 빠르게 확인합니다.

nbgrader나 커널 없이, 노트북의 코드 셀을 한 이름공간에서 차례로 실행해 봅니다 (진짜 채점 파이프라인은
tests/test_pipeline.py가 확인합니다). 정답 함수는 source/ 노트북의 해답 셀에서 가져옵니다.
"""

from __future__ import annotations

import re

import nbformat
import numpy as np
import pytest

from conftest import REPO
from source_cells import failing_tests
from ctxcourse import feedback
from ctxcourse.checks import attention_weights as aw
from ctxcourse.checks import weight_sum as ws
from ctxcourse.feedback import Feedback
from ctxcourse.mistakes import mistakes_for

ASSIGNMENTS = ("04_weight_sum", "05_attention_weights")
STUB = 'raise NotImplementedError("아직 작성하지 않았습니다")'
SOLUTION = re.compile(r"### BEGIN SOLUTION.*?### END SOLUTION", re.S)
HIDDEN = re.compile(r"### BEGIN HIDDEN TESTS(.*?)### END HIDDEN TESTS", re.S)


def _cells(assignment: str) -> list:
    return nbformat.read(REPO / "source" / assignment / f"{assignment}.ipynb", as_version=4).cells


def _grade_ids(assignment: str, kind: str) -> set[str]:
    return {c.metadata["nbgrader"]["grade_id"] for c in _cells(assignment)
            if c.metadata.get("nbgrader", {}).get(kind)}


def run_notebook(assignment: str, replace: dict[str, str] | None = None) -> dict[str, str]:
    """코드 셀을 차례로 실행하고, 실패한 테스트 셀의 grade_id → 오류 메시지를 돌려줍니다."""
    return {grade_id: f"{type(error).__name__}: {error}" for grade_id, error in failing_tests(assignment, replace).items()}


@pytest.fixture(scope="module")
def solutions() -> dict:
    """source/ 노트북의 해답 셀을 실행한 이름공간 (두 과제의 정답 함수)."""
    namespace: dict = {"np": np}
    for assignment in ASSIGNMENTS:
        for cell in _cells(assignment):
            if cell.metadata.get("nbgrader", {}).get("solution"):
                exec(cell.source, namespace)  # noqa: S102
    return namespace


def fails(function, *args, match: str):
    with pytest.raises(Feedback, match=re.escape(match)):
        function(*args)


# --- the assignments as a whole: solution, blank release, mistakes bank -------------------------

@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_solution_passes_every_test(assignment):
    assert run_notebook(assignment) == {}


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_blank_fails_every_test_with_a_korean_hint(assignment):
    blanks = {c.metadata["nbgrader"]["grade_id"]: SOLUTION.sub(STUB, c.source) for c in _cells(assignment)
              if c.metadata.get("nbgrader", {}).get("solution")}
    failed = run_notebook(assignment, blanks)
    assert set(failed) == _grade_ids(assignment, "grade")
    assert all("NotImplementedError를 냅니다" in message for message in failed.values())


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_mistakes_bank_is_well_formed(assignment):
    bank = mistakes_for(assignment)
    assert len(bank) >= 5
    assert len({m.key for m in bank}) == len(bank)
    solutions, tests = _grade_ids(assignment, "solution"), _grade_ids(assignment, "grade")
    for mistake in bank:
        assert mistake.cells and set(mistake.cells) <= solutions, mistake.key
        assert mistake.lost and mistake.lost <= tests, mistake.key
        assert set(mistake.messages) == set(mistake.lost), mistake.key


@pytest.mark.parametrize("mistake", [(a, m) for a in ASSIGNMENTS for m in mistakes_for(a)],
                         ids=lambda pair: pair[1].key)
def test_each_mistake_loses_exactly_its_tests_with_its_message(mistake):
    assignment, mistake = mistake
    failed = run_notebook(assignment, mistake.cells)
    assert set(failed) == set(mistake.lost)
    for grade_id, text in mistake.messages.items():
        assert text in failed[grade_id], (grade_id, failed[grade_id])


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_checks_and_mistakes_hold_no_reference_values(assignment):
    """숨은 테스트의 기준값과 기준 예제의 요약값(digest)은 학생도 가진 패키지에 없어야 합니다."""
    source = "\n".join(c.source for c in _cells(assignment))
    secrets = set(re.findall(r"-?\d+\.\d{5,}", "\n".join(HIDDEN.findall(source))))
    secrets |= set(re.findall(r'"([0-9a-f]{16})"', source))
    assert len(secrets) > 10
    module = {"04_weight_sum": "weight_sum", "05_attention_weights": "attention_weights"}[assignment]
    for path in (REPO / "ctxcourse" / "checks" / f"{module}.py", REPO / "instructor" / "mistakes" / f"{module}.py"):
        text = path.read_text(encoding="utf-8")
        assert not [s for s in secrets if s in text], path


# --- generic helpers appended to ctxcourse.feedback ---------------------------------------------

def test_check_pair():
    x, y = np.zeros(2), np.ones(3)
    assert feedback.check_pair((x, y), "f", ("x", "y")) == (x, y)
    fails(feedback.check_pair, None, "f", ("x", "y"), match="return x, y")
    fails(feedback.check_pair, x, "f", ("x", "y"), match="튜플로 돌려주세요")
    fails(feedback.check_pair, (x, y, x), "f", ("x", "y"), match="값 3개")
    fails(feedback.check_pair, (x, [1.0]), "f", ("x", "y"), match="돌려준 y가 파이썬 list")


def test_check_varies():
    feedback.check_varies(np.zeros(2), np.zeros(3), "f")
    feedback.check_varies(np.zeros(2), np.ones(2), "f")
    fails(feedback.check_varies, np.ones(2), [1.0, 1.0], "f", match="코드에 적어 넣지")


def test_numerical_gradient_matches_the_analytic_one_and_keeps_x():
    x = np.array([[1.0, -2.0], [0.5, 3.0]])
    before = x.copy()
    grad = feedback.numerical_gradient(lambda v: np.sum(v ** 3), x)
    assert np.allclose(grad, 3 * before ** 2, atol=1e-6)
    assert np.array_equal(x, before)


def test_check_keeps_inputs():
    x = np.arange(3.0)

    def scale_in_place(v):
        v *= 2
        return v

    feedback.check_keeps_inputs(lambda v: v * 2, (x,), ("x",), "f")
    fails(feedback.check_keeps_inputs, scale_in_place, (x,), ("x",), "f", match="입력 x를 제자리에서")
    assert np.array_equal(x, np.arange(3.0))
    fails(feedback.check_keeps_inputs, lambda v: 1 / 0, (x,), ("x",), "f", match="오류가 났습니다")


# --- ctxcourse.checks.weight_sum ----------------------------------------------------------------

N, T, H = 3, 5, 2
RNG = np.random.RandomState(0)
HS, A, DC = RNG.randn(N, T, H), RNG.dirichlet(np.ones(T), size=N), RNG.randn(N, H)


def test_seed_batches_have_the_notebook_shapes():
    hs, a, dc = ws.seed_batch()
    assert (hs.shape, a.shape, dc.shape) == ((2, 5, 4), (2, 5), (2, 4))
    assert np.allclose(a.sum(axis=1), 1)
    hs, h = aw.seed_batch()
    assert (hs.shape, h.shape) == ((2, 5, 4), (2, 4))


def test_forward_check_names_the_wrong_axis_list_and_missing_weights(solutions):
    c = solutions["weight_sum_forward"](HS, A)
    assert ws.check_forward(c, HS, A) is c
    ws.check_forward_values(c, HS, A)
    fails(ws.check_forward, np.zeros((N, T)), HS, A, match="축(축 2)으로 합했습니다")
    fails(ws.check_forward, np.zeros((T, H)), HS, A, match="미니배치 축(축 0)")
    fails(ws.check_forward, np.zeros((N, 1, H)), HS, A, match="keepdims")
    fails(ws.check_forward, np.matmul(A, HS), HS, A, match="a.reshape(N, 1, T) @ hs")
    fails(ws.check_forward, c.tolist(), HS, A, match="리스트가 아니라 numpy 배열")
    fails(ws.check_forward_values, HS.sum(axis=1), HS, A, match="가중치를 곱하지 않고")
    fails(ws.check_forward_values, HS[:, 0], HS, A, match="첫 시각의 은닉 상태")


def test_call_forward_explains_a_broadcasting_error():
    fails(ws.call_forward, lambda hs, a: np.sum(hs * a, axis=1), HS, A, match="a.reshape(N, T, 1)")


def test_backward_check_names_swaps_shapes_and_missing_factors(solutions):
    dhs, da = solutions["weight_sum_backward"](HS, A, DC)
    assert ws.check_backward((dhs, da), HS, A, DC) == (dhs, da)
    ws.check_backward_values(dhs, da, HS, A, DC)
    fails(ws.check_backward, (da, dhs), HS, A, DC, match="순서가 바뀌었습니다")
    fails(ws.check_backward, dhs, HS, A, DC, match="튜플로 돌려주세요")
    fails(ws.check_backward, (dhs, np.zeros((N, H))), HS, A, DC, match="da를 시각 축(축 1)으로 합했습니다")
    fails(ws.check_backward, (np.zeros((N, 1, H)), da), HS, A, DC, match="복제(repeat)하지 않았습니다")
    repeated = np.repeat(DC[:, None, :], T, axis=1)
    fails(ws.check_backward_values, repeated, da, HS, A, DC, match="가중치 a를 곱하지 않았습니다")
    fails(ws.check_backward_values, np.repeat(A[:, :, None], H, axis=2), da, HS, A, DC, match="dc를 곱하지")
    fails(ws.check_backward_values, dhs, HS.sum(axis=2), HS, A, DC, match="dc를 곱하지 않았습니다")


def test_gradient_check(solutions):
    forward = solutions["weight_sum_forward"]
    dhs, da = solutions["weight_sum_backward"](HS, A, DC)
    ws.check_gradient(forward, HS, A, DC, dhs, da)
    fails(ws.check_gradient, forward, HS, A, DC, -dhs, da, match="dhs가 수치 미분")
    fails(ws.check_gradient, forward, HS, A, DC, dhs, 2 * da, match="da가 수치 미분")
    fails(ws.check_gradient, lambda hs, a: np.ones((N, H)), HS, A, DC, dhs, da, match="코드에 적어 넣지")
    fails(ws.check_gradient, lambda hs, a: hs.sum(axis=2), HS, A, DC, dhs, da, match="먼저 맞아야 합니다")


# --- ctxcourse.checks.attention_weights ---------------------------------------------------------

def test_softmax_check_names_axis_whole_sum_overflow_and_shape(solutions):
    softmax = solutions["softmax"]
    x = RNG.randn(4, 6)
    aw.check_softmax(softmax(x), x)
    aw.check_softmax(softmax(x[0]), x[0])
    aw.check_softmax(softmax(x.reshape(2, 2, 6)), x.reshape(2, 2, 6))
    e = np.exp(x)
    fails(aw.check_softmax, e / e.sum(axis=0, keepdims=True), x, match="소프트맥스를 축 0을 따라")
    fails(aw.check_softmax, e / e.sum(), x, match="배열 전체의 합으로 나누었습니다")
    fails(aw.check_softmax, np.full_like(x, np.nan), x, match="최댓값을 빼세요")
    fails(aw.check_softmax, x, x, match="소프트맥스를 거치지 않은")
    fails(aw.check_softmax, e.sum(axis=-1), x, match="합한 값만 돌려주었습니다")
    fails(aw.check_softmax, e / e.sum(axis=-1, keepdims=True) * 2, x, match="합해도 1이 되지 않습니다")


def test_call_softmax_explains_a_missing_keepdims():
    x = RNG.randn(4, 6)
    fails(aw.call_softmax, lambda v: np.exp(v) / np.exp(v).sum(axis=-1), x, match="keepdims=True")
    fails(aw.call_softmax, lambda v: np.exp(v) / np.exp(v).sum(axis=1, keepdims=True), x[0], match="axis=-1로")


def test_weights_check_names_the_score_axis_and_the_softmax_axis(solutions):
    h = RNG.randn(N, H)
    a = solutions["attention_weights"](HS, h)
    assert aw.check_weights(a, HS, h) is a
    fails(aw.check_weights_shape, np.zeros((N, H)), HS, h, match="시각 축(축 1)으로 합했습니다")
    fails(aw.check_weights_shape, np.zeros((N, T, H)), HS, h, match="더하지 않았습니다")
    scores = np.sum(HS * h[:, None, :], axis=2)
    e = np.exp(scores)
    fails(aw.check_weights, e / e.sum(axis=0), HS, h, match="축 0(미니배치 축)")


def test_attention_check_names_swaps_and_context_errors(solutions):
    h = RNG.randn(N, H)
    c, a = solutions["attention"](HS, h)
    assert aw.check_attention((c, a), HS, h) == (c, a)
    fails(aw.check_attention, (a, c), HS, h, match="순서가 바뀌었습니다")
    fails(aw.check_attention, (np.zeros((N, T)), a), HS, h, match="은닉 차원 축(축 2)으로 합했습니다")
    fails(aw.check_attention, (HS.mean(axis=1), a), HS, h, match="가중치를 곱하지 않고")
    fails(aw.check_attention, (c + 10 * np.abs(HS).max(), a), HS, h, match="가중합이 아닙니다")
    fails(aw.check_attention, (c, a.tolist()), HS, h, match="돌려준 a가 파이썬 list")
