"""과제 01-03의 진단 도구(ctxcourse.checks.repeat, broadcasting, axis_sum)와 실수 모음의 단위 테스트.

각 진단은 자기 실수에서 그 실수의 이름을 대고, 맞는 답에서는 아무 말도 하지 않아야 합니다.
노트북을 실행하지 않으므로 빠릅니다 (실제 채점은 tests/test_pipeline.py가 확인합니다).
"""

from __future__ import annotations

import inspect

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import nbformat  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from conftest import REPO  # noqa: E402
from source_cells import failing_tests  # noqa: E402
from ctxcourse import feedback as fb  # noqa: E402
from ctxcourse.checks import axis_sum, broadcasting, repeat  # noqa: E402
from ctxcourse.demo import grade_cells, notebook_path  # noqa: E402
from ctxcourse.demo import test_ids as graded_test_ids  # noqa: E402
from ctxcourse.fonts import setup_korean_font  # noqa: E402
from ctxcourse.mistakes import mistakes_for  # noqa: E402
from ctxcourse.seed import WORDS, seed_data  # noqa: E402

RNG = np.random.default_rng(0)
ASSIGNMENTS = ("01_repeat", "02_broadcasting", "03_axis_sum")


def fails_with(text: str, func, *args):
    """``func(*args)``가 ``text``를 담은 Feedback으로 실패하는지 확인합니다."""
    with pytest.raises(fb.Feedback) as info:
        func(*args)
    assert text in str(info.value), str(info.value)
    return str(info.value)


# ---------------------------------------------------------------- 01 repeat

def _repeated(a, H):
    return a.reshape(-1, 1).repeat(H, axis=1)


@pytest.mark.parametrize("T, H", [(5, 4), (7, 3), (3, 6), (4, 4), (5, 1)])
def test_repeat_is_silent_on_the_right_answer(T, H):
    a = RNG.dirichlet(np.ones(T))
    result = repeat.check_shape(a, H, _repeated(a, H))
    repeat.check_values(a, H, result)
    before = a.copy()
    repeat.check_input(before, a)


@pytest.mark.parametrize("make, text", [
    (lambda a, H: a.reshape(-1, 1).repeat(H), "1차원으로 펼쳐집니다"),
    (lambda a, H: a.repeat(H), "axis=1을 주세요"),
    (lambda a, H: np.tile(a, H), "통째로 이어 붙입니다"),
    (lambda a, H: a.reshape(-1, 1).repeat(H, axis=0), "axis=0으로 복제해서"),
    (lambda a, H: np.tile(a, (H, 1)), "각 행이 a가 되었습니다"),
    (lambda a, H: a.reshape(1, -1).repeat(H, axis=0), "각 행이 a가 되었습니다"),
    (lambda a, H: a.reshape(-1, 1), "복제하지 않았습니다"),
    (lambda a, H: [[w] * H for w in a], "파이썬 리스트가 아니라 numpy 배열"),
    (lambda a, H: None, "None"),
])
def test_repeat_shape_diagnoses(make, text):
    a = np.array([0.8, 0.1, 0.03, 0.05, 0.02])
    fails_with(text, repeat.check_shape, a, 4, make(a, 4))


def test_non_numeric_arrays_are_named():
    a = np.array([0.8, 0.1, 0.03, 0.05, 0.02])
    fails_with("숫자(실수) 배열", repeat.check_shape, a, 4, np.full((5, 4), "0.8"))
    hs = seed_data()[0]
    fails_with("숫자(실수) 배열", axis_sum.check_context_shape, hs, a, np.array([None] * 4))


def test_repeat_value_diagnoses():
    a = RNG.dirichlet(np.ones(5))
    tiled = np.tile(a, 4).reshape(5, 4)
    fails_with("통째로 이어 붙입니다", repeat.check_values, a, 4, tiled)
    square = RNG.dirichlet(np.ones(4))
    fails_with("각 행이 a가 되었습니다", repeat.check_values, square, 4, np.tile(square, (4, 1)))
    fails_with("a[t]로 채워져야", repeat.check_values, a, 4, _repeated(a[::-1], 4))


def test_repeat_missing_reshape_error_is_named():
    a = np.array([0.8, 0.1, 0.03, 0.05, 0.02])
    fails_with("reshape 빠짐", repeat.call, lambda a, H: a.repeat(H, axis=1), a, 4)


def test_repeat_input_checks():
    a = np.arange(5.0)
    changed_shape = a.reshape(5, 1)
    fails_with("형상을 제자리에서 바꾸었습니다", repeat.check_input, a, changed_shape)
    fails_with("제자리에서 바꾸었습니다", repeat.check_input, a, a * 2)


def test_repeat_fresh_check():
    a = np.array([0.8, 0.1, 0.03, 0.05, 0.02])
    seed_result = _repeated(a, 4)
    fails_with("기준 예제의 테스트는 통과해도", repeat.check_fresh, seed_result, seed_result.copy())
    repeat.check_fresh(seed_result, _repeated(a, 7))
    repeat.check_fresh(seed_result, [[1, 2]])


# ---------------------------------------------------------------- 02 broadcasting

@pytest.mark.parametrize("T, H", [(5, 4), (7, 3), (4, 4), (1, 6)])
def test_weight_rows_is_silent_on_the_right_answer(T, H):
    hs, a = RNG.normal(size=(T, H)), RNG.dirichlet(np.ones(T))
    result = broadcasting.check_weight_rows_shape(hs, a, hs * a[:, np.newaxis])
    broadcasting.check_weight_rows_values(hs, a, result)


def test_weight_rows_diagnoses():
    hs, a = seed_data()
    fails_with("reshape 빠짐", broadcasting.call_weight_rows, lambda hs, a: hs * a, hs, a)
    square, w = RNG.normal(size=(4, 4)), RNG.dirichlet(np.ones(4))
    fails_with("열마다 곱해졌습니다", broadcasting.check_weight_rows_values, square, w, square * w)
    fails_with("가중치를 곱하지 않았습니다", broadcasting.check_weight_rows_values, hs, a, hs.copy())
    fails_with("이미 시각 축으로 합했습니다", broadcasting.check_weight_rows_shape, hs, a,
               (hs * a[:, None]).sum(axis=0))
    fails_with("파이썬 리스트가 아니라", broadcasting.check_weight_rows_shape, hs, a, (hs * a[:, None]).tolist())
    seed = hs * a[:, None]
    fails_with("기준 예제", broadcasting.check_weight_rows_fresh, seed, seed.copy())


def _by_rule(shape1, shape2):
    n = max(len(shape1), len(shape2))
    s1 = (1,) * (n - len(shape1)) + tuple(shape1)
    s2 = (1,) * (n - len(shape2)) + tuple(shape2)
    if any(d1 != d2 and 1 not in (d1, d2) for d1, d2 in zip(s1, s2)):
        raise ValueError("no")
    return tuple(d2 if d1 == 1 else d1 for d1, d2 in zip(s1, s2))


PAIRS = [((5, 4), (5, 1)), ((5, 4), (4,)), ((5, 4), (5,)), ((0,), (1,)), ((), (2, 3)), ((2, 0), (3, 1)),
         ((3, 2), (0, 3, 2)), ((6, 1, 1), (1, 5, 4)), ((4, 3), (2, 1, 3, 4))]


def _expected(shape1, shape2):
    try:
        return np.broadcast_shapes(shape1, shape2)
    except ValueError:
        return ValueError


@pytest.mark.parametrize("shape1, shape2", PAIRS)
def test_broadcast_shape_check_is_silent_on_numpy_and_the_rule(shape1, shape2):
    expected = _expected(shape1, shape2)
    broadcasting.check_outcome(shape1, shape2, broadcasting.outcome(_by_rule, shape1, shape2), expected)
    broadcasting.check_outcome(shape1, shape2, broadcasting.outcome(np.broadcast_shapes, shape1, shape2), expected)


def _leading(shape1, shape2):
    n = max(len(shape1), len(shape2))
    s1 = tuple(shape1) + (1,) * (n - len(shape1))
    s2 = tuple(shape2) + (1,) * (n - len(shape2))
    if any(d1 != d2 and 1 not in (d1, d2) for d1, d2 in zip(s1, s2)):
        raise ValueError("no")
    return tuple(d2 if d1 == 1 else d1 for d1, d2 in zip(s1, s2))


def _with_max(shape1, shape2):
    n = max(len(shape1), len(shape2))
    s1 = (1,) * (n - len(shape1)) + tuple(shape1)
    s2 = (1,) * (n - len(shape2)) + tuple(shape2)
    _by_rule(shape1, shape2)   # 브로드캐스팅할 수 없으면 ValueError
    return tuple(max(d1, d2) for d1, d2 in zip(s1, s2))


def _asserting(shape1, shape2):
    try:
        return _by_rule(shape1, shape2)
    except ValueError:
        raise AssertionError("브로드캐스팅할 수 없습니다") from None


def _printing(shape1, shape2):
    try:
        return _by_rule(shape1, shape2)
    except ValueError:
        return None


@pytest.mark.parametrize("func, shape1, shape2, text", [
    (_leading, (5, 4), (4,), "뒤쪽(오른쪽) 축부터"),
    (_leading, (5, 4), (5,), "앞쪽부터 맞춘 것 같습니다"),
    (_with_max, (0,), (1,), "크기 0인 축과 크기 1인 축"),
    (_asserting, (5, 4), (5,), "raise ValueError"),
    (_printing, (5, 4), (5,), "None을 돌려주었습니다"),
    (lambda s1, s2: list(_by_rule(s1, s2)), (5, 4), (5, 1), "튜플로 돌려주세요"),
    (lambda s1, s2: (5.0, 4.0), (5, 4), (5, 1), "정수로 된 튜플"),
    (lambda s1, s2: (4,), (5, 4), (4,), "긴 쪽의 길이"),
])
def test_broadcast_shape_diagnoses(func, shape1, shape2, text):
    expected = _expected(shape1, shape2)
    got = broadcasting.outcome(func, shape1, shape2)
    fails_with(text, broadcasting.check_outcome, shape1, shape2, got, expected)


def test_broadcast_shape_stub_fails_at_once():
    def stub(shape1, shape2):
        raise NotImplementedError("아직 작성하지 않았습니다")
    fails_with("NotImplementedError", broadcasting.outcome, stub, (1,), (1,))


def test_forbid_numpy_broadcasting_names_the_shortcut_and_restores_numpy():
    originals = {name: getattr(np, name) for name in ("broadcast_shapes", "broadcast", "broadcast_arrays",
                                                      "broadcast_to")}
    with broadcasting.forbid_numpy_broadcasting():
        got = broadcasting.outcome(lambda s1, s2: np.broadcast_shapes(s1, s2), (5, 4), (5, 1))
        by_hand = broadcasting.outcome(_by_rule, (5, 4), (5, 1))
    assert {name: getattr(np, name) for name in originals} == originals
    fails_with("np.broadcast_shapes", broadcasting.check_by_hand, (5, 4), (5, 1), got, (5, 4))
    broadcasting.check_by_hand((5, 4), (5, 1), by_hand, (5, 4))
    with pytest.raises(ZeroDivisionError):
        with broadcasting.forbid_numpy_broadcasting():
            1 / 0
    assert np.broadcast_shapes is originals["broadcast_shapes"]


# ---------------------------------------------------------------- 03 axis_sum

@pytest.mark.parametrize("T, H", [(5, 4), (7, 3), (4, 4), (3, 6)])
def test_context_vector_is_silent_on_the_right_answer(T, H):
    hs, a = RNG.normal(size=(T, H)), RNG.dirichlet(np.ones(T))
    c = axis_sum.check_context_shape(hs, a, a @ hs)
    axis_sum.check_context_values(hs, a, c)
    onehot = np.eye(T)[T - 1]
    axis_sum.check_context_values(hs, onehot, hs[T - 1])


@pytest.mark.parametrize("make, text", [
    (lambda hs, a: (hs * a[:, None]).sum(axis=1), "은닉 차원 축(axis=1)으로 합했습니다"),
    (lambda hs, a: (hs * a[:, None]).sum(axis=0, keepdims=True), "keepdims"),
    (lambda hs, a: (hs * a[:, None]).sum(axis=1, keepdims=True), "keepdims=True도 남았습니다"),
    (lambda hs, a: hs * a[:, None], "더하지 않았습니다"),
    (lambda hs, a: (hs * a[:, None]).sum(), "숫자 하나"),
    (lambda hs, a: list(a @ hs), "파이썬 리스트가 아니라"),
])
def test_context_vector_shape_diagnoses(make, text):
    hs, a = seed_data()
    fails_with(text, axis_sum.check_context_shape, hs, a, make(hs, a))


def test_context_vector_value_diagnoses():
    hs, a = seed_data()
    fails_with("가중치를 곱하지 않고", axis_sum.check_context_values, hs, a, hs.sum(axis=0))
    fails_with("한 행만 골랐습니다", axis_sum.check_context_values, hs, a, hs[0].copy())
    square, w = RNG.normal(size=(4, 4)), RNG.dirichlet(np.ones(4))
    fails_with("축이 틀림", axis_sum.check_context_values, square, w, (square * w[:, None]).sum(axis=1))
    fails_with("reshape 빠짐", axis_sum.check_context_values, square, w, (square * w).sum(axis=0))
    fails_with("a @ hs", axis_sum.check_context_values, square, w, square @ w)
    fails_with("reshape 빠짐", axis_sum.call_context, lambda hs, a: np.sum(hs * a, axis=0), hs, a)
    fails_with("기준 예제", axis_sum.check_context_fresh, a @ hs, a @ hs)


def _weighted(x, w, axis):
    return np.tensordot(x, w, axes=([axis % np.ndim(x)], [0]))


@pytest.mark.parametrize("shape, axis", [((5, 4), 0), ((4, 5), -1), ((3, 5, 4), 1), ((3, 5, 4), -2), ((7,), 0),
                                         ((2, 3, 4, 5), 2)])
def test_weighted_sum_is_silent_on_the_right_answer(shape, axis):
    x = RNG.normal(size=shape)
    w = RNG.dirichlet(np.ones(shape[axis]))
    result = axis_sum.check_weighted_shape(x, w, axis, _weighted(x, w, axis))
    axis_sum.check_weighted_values(x, w, axis, result)


def test_weighted_sum_seed_accepts_the_right_answer_and_names_mistakes():
    results = axis_sum.check_weighted_seed(_weighted)
    assert [r.shape for r in results] == [(4,), (4,), (3, 4), (3, 4)]
    fails_with("마지막 축에 맞춥니다", axis_sum.check_weighted_seed, lambda x, w, axis: np.sum(x * w, axis=axis))
    fails_with("keepdims", axis_sum.check_weighted_seed,
               lambda x, w, axis: np.expand_dims(_weighted(x, w, axis), axis))
    fails_with("그냥 더했습니다", axis_sum.check_weighted_seed, lambda x, w, axis: np.sum(x, axis=axis))
    fails_with("기대 -1.347", axis_sum.check_weighted_seed, lambda x, w, axis: 2 * _weighted(x, w, axis))
    fails_with("None", axis_sum.check_weighted_seed, lambda x, w, axis: None)


@pytest.mark.parametrize("make, text", [
    (lambda x, w: np.sum(x * w.reshape(1, -1, 1), axis=2), "축 2를 따라 합했습니다"),
    (lambda x, w: x * w.reshape(1, -1, 1), "더하지 않았습니다"),
    (lambda x, w: np.sum(x * w.reshape(1, -1, 1)), "axis를 주지 않아"),
])
def test_weighted_sum_shape_diagnoses(make, text):
    x, w, axis = axis_sum.weighted_seed_cases()[2]
    fails_with(text, axis_sum.check_weighted_shape, x, w, axis, make(x, w))


def test_weighted_sum_error_check():
    x, w = np.ones((5, 4)), np.ones(5)

    def korean(x, w, axis):
        if len(w) != x.shape[axis]:
            raise ValueError("가중치의 길이가 다릅니다")
        return _weighted(x, w, axis)

    axis_sum.check_weighted_error(korean, x, w, 1)
    fails_with("한국어가 아닙니다", axis_sum.check_weighted_error, lambda x, w, axis: x * w, x, w, 1)
    fails_with("오류 없이", axis_sum.check_weighted_error, lambda x, w, axis: np.zeros(5), x, w, 1)
    fails_with("ValueError가 아니라 IndexError", axis_sum.check_weighted_error,
               lambda x, w, axis: [][1], x, w, 1)


def test_seed_checks_accept_solutions_and_reject_zeros():
    hs, a = seed_data()
    assert np.allclose(axis_sum.check_context_seed(lambda hs, a: a @ hs), axis_sum.SEED_CONTEXT, atol=1e-3)
    fails_with("처음 다른 곳은 c[0]", axis_sum.check_context_seed, lambda hs, a: np.zeros(hs.shape[1]))
    repeat.check_seed(_repeated)
    fails_with("값이 틀립니다", repeat.check_seed, lambda a, H: np.zeros((a.size, H)))
    broadcasting.check_weight_rows_seed(lambda hs, a: hs * a[:, None])
    fails_with("기준 예제의 기대값과 다릅니다", broadcasting.check_weight_rows_seed, lambda hs, a: np.zeros_like(hs))


def _weights_figure(a, labels=None, *, column=False, colorbar=True, title="어텐션 가중치", kind="imshow"):
    setup_korean_font()
    fig, ax = plt.subplots()
    data = np.reshape(a, (-1, 1) if column else (1, -1))
    image = getattr(ax, kind)(data, vmin=0, vmax=1)
    if colorbar:
        fig.colorbar(image, ax=ax)
    if labels is not None:
        ticks = ax.set_yticks if column else ax.set_xticks
        ticks(range(len(labels)), list(labels))
    ax.set_title(title)
    return fig


@pytest.mark.parametrize("column, kind", [(False, "imshow"), (True, "imshow"), (False, "pcolormesh")])
def test_plot_checks_are_silent_on_a_good_heatmap(column, kind):
    a = seed_data()[1]
    fig = _weights_figure(a, WORDS, column=column, kind=kind)
    facts = axis_sum.figure_of(fig)
    assert fig.number not in plt.get_fignums(), "figure_of가 진짜 Figure를 닫아야 합니다"
    axis_sum.check_heatmap(facts, a)
    axis_sum.check_colorbar(facts)
    axis_sum.check_korean_text(facts)
    axis_sum.check_tick_labels(facts, WORDS)
    # 채점 엔진이 기록해 둔 사실(dict)을 다시 검사해도 똑같습니다
    assert axis_sum.figure_of(facts) is facts
    axis_sum.check_heatmap(facts, a)


def test_plot_diagnoses():
    hs, a = seed_data()
    fails_with("색 막대(colorbar)가 없습니다", axis_sum.check_colorbar,
               axis_sum.figure_of(_weights_figure(a, colorbar=False)))
    fails_with("한국어 제목이나 축 이름", axis_sum.check_korean_text,
               axis_sum.figure_of(_weights_figure(a, title="weights")))
    fails_with("가중치 a(형상 (5,))와 다릅니다", axis_sum.check_heatmap, axis_sum.figure_of(_weights_figure(hs)), a)
    fig, ax = plt.subplots()
    ax.bar(range(5), a)
    fails_with("히트맵이 없습니다", axis_sum.check_heatmap, axis_sum.figure_of(fig), a)
    fails_with("눈금 이름이 labels", axis_sum.check_tick_labels, axis_sum.figure_of(_weights_figure(a)), WORDS)
    fails_with("None을 돌려주었습니다", axis_sum.figure_of, None)
    fig, ax = plt.subplots()
    fails_with("Axes(ax)를 돌려주었습니다", axis_sum.figure_of, ax)
    plt.close(fig)
    fig, ax = plt.subplots()
    fails_with("(fig, ax)가 아니라", axis_sum.figure_of, (fig, ax))
    assert fig.number not in plt.get_fignums()
    fails_with("matplotlib Figure를 돌려주세요", axis_sum.figure_of, "그림")


# ---------------------------------------------------------------- 진단 도구에는 답이 없습니다

DESIGN_VALUES = ("1.34717053", "0.39465326", "0.95567913", "0.32348518", "1.39981238", "0.27414432")


@pytest.mark.parametrize("module", [repeat, broadcasting, axis_sum])
def test_check_modules_hold_no_reference_values(module):
    text = inspect.getsource(module)
    assert not [value for value in DESIGN_VALUES if value in text]
    assert "def repeat_weights" not in text and "def context_vector" not in text
    assert "def weight_rows" not in text and "def broadcast_shape" not in text


# ---------------------------------------------------------------- 실수 모음의 형식

@pytest.mark.parametrize("name", ["01_repeat", "02_broadcasting", "03_axis_sum"])
def test_mistake_banks_match_their_notebooks(name):
    source = nbformat.read(notebook_path(REPO, "source", name), as_version=4)
    tests = set(graded_test_ids(source))
    solutions = {cell.metadata.nbgrader["grade_id"] for cell in grade_cells(source)
                 if cell.metadata.nbgrader.get("solution")}
    bank = mistakes_for(name)
    assert len(bank) >= 5
    assert len({m.key for m in bank}) == len(bank)
    for mistake in bank:
        assert mistake.lost and mistake.lost <= tests, mistake.key
        assert set(mistake.cells) <= solutions, mistake.key
        assert set(mistake.messages) <= mistake.lost, mistake.key
        assert mistake.messages, mistake.key
        for code in mistake.cells.values():
            compile(code, mistake.key, "exec")


def test_by_hand_check_catches_numpy_beyond_64_axes():
    """채점 엔진처럼 numpy를 바꿔 끼울 수 없어도, 70차원 형상에서 numpy 함수의 오류로 알아챕니다."""
    many = (1,) * 69 + (3,)
    got = broadcasting.outcome(lambda s1, s2: np.broadcast_shapes(s1, s2), many, (2, 1))
    fails_with("64차원까지", broadcasting.check_by_hand, many, (2, 1), got, (1,) * 68 + (2, 3))
    broadcasting.check_by_hand(many, (2, 1), (1,) * 68 + (2, 3), (1,) * 68 + (2, 3))


# ---------------------------------------------------------------- 실수 모음 전체 (노트북의 테스트 셀로)

@pytest.mark.parametrize("mistake", [(a, m) for a in ASSIGNMENTS for m in mistakes_for(a)],
                         ids=lambda pair: pair[1].key)
def test_each_mistake_loses_exactly_its_tests_with_its_message(mistake):
    """실수 하나를 넣은 source 노트북(숨은 테스트 포함)에서 적힌 테스트만 실패하고, 그 셀에 적힌 한국어 메시지가 나옵니다."""
    assignment, mistake = mistake
    failed = {grade_id: f"{type(error).__name__}: {error}"
              for grade_id, error in failing_tests(assignment, mistake.cells).items()}
    assert set(failed) == set(mistake.lost)
    for grade_id, text in mistake.messages.items():
        assert text in failed[grade_id], (grade_id, failed[grade_id])
