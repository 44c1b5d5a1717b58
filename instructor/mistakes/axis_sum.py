"""03_axis_sum의 실수 모음: ``context_vector``, ``weighted_sum``, ``plot_weights``를 흔하게 틀리는 방법들.

테스트 셀 (점수): test_context_vector_shape (1), test_context_vector_values (2),
test_context_vector_fresh (2), test_context_vector_input (1), test_weighted_sum_shape (1),
test_weighted_sum_values (1), test_weighted_sum_axes (2), test_weighted_sum_error (1),
test_weighted_sum_input (1), test_plot_weights_heatmap (1), test_plot_weights_colorbar_labels (1),
test_plot_weights_ticks (1).

형상·입력 보존 테스트도 기준 예제의 값부터 확인하므로, 값이 틀린 실수는 그 함수의 모든 테스트를 잃습니다.
"""

from __future__ import annotations

from ctxcourse.mistakes import Mistake

C_SHAPE = "test_context_vector_shape"
C_VALUES = "test_context_vector_values"
C_FRESH = "test_context_vector_fresh"
C_INPUT = "test_context_vector_input"
W_SHAPE = "test_weighted_sum_shape"
W_VALUES = "test_weighted_sum_values"
W_AXES = "test_weighted_sum_axes"
W_ERROR = "test_weighted_sum_error"
W_INPUT = "test_weighted_sum_input"
P_HEATMAP = "test_plot_weights_heatmap"
P_DECOR = "test_plot_weights_colorbar_labels"
P_TICKS = "test_plot_weights_ticks"

CONTEXT_TESTS = frozenset({C_SHAPE, C_VALUES, C_FRESH, C_INPUT})
WEIGHTED_TESTS = frozenset({W_SHAPE, W_VALUES, W_AXES, W_ERROR, W_INPUT})


def _context(what: str, body: str) -> str:
    return ("def context_vector(hs, a):\n"
            f'    """맥락 벡터를 구합니다 (일부러 틀린 풀이: {what})."""\n' + body)


def _weighted(what: str, body: str) -> dict[str, str]:
    return {"weighted_sum": ("def weighted_sum(x, w, axis):\n"
                             f'    """x의 축 axis를 따라 w를 곱해 더합니다 (일부러 틀린 풀이: {what})."""\n' + body)}


_CHECK = ("    if len(w) != x.shape[axis]:\n"
          "        raise ValueError(f\"가중치 w의 길이 {len(w)}가 x의 축 {axis}의 크기와 다릅니다.\")\n")
_STANDING = "    standing = [1] * x.ndim\n    standing[axis] = len(w)\n"


def _plot(what: str, body: str) -> dict[str, str]:
    return {"plot_weights": ("def plot_weights(a, labels=None):\n"
                             f'    """가중치 히트맵을 그립니다 (일부러 틀린 풀이: {what})."""\n' + body)}


# 히트맵 풀이의 공통 앞부분 (그림과 히트맵까지)
_HEATMAP = ("    steps = len(a)\n"
            "    fig, ax = plt.subplots(figsize=(1.2 * steps + 1.5, 2.2), layout=\"constrained\")\n"
            "    image = ax.imshow(np.reshape(a, (1, steps)), cmap=\"viridis\", vmin=0, vmax=1, aspect=\"auto\")\n")
_DECOR = ("    ax.set_xticks(range(steps), [str(t) for t in range(steps)] if labels is None else list(labels))\n"
          "    ax.set_yticks([])\n"
          "    ax.set_xlabel(\"시각 t\")\n"
          "    ax.set_title(\"어텐션 가중치 a\")\n")

MISTAKES = [
    Mistake(
        key="ws_no_reshape",
        ids="weighted_broadcast_last",
        title="weighted_sum: w를 세우지 않고 x * w (브로드캐스팅이 w를 마지막 축에 맞춤)",
        cells=_weighted("reshape 빠짐", "    return np.sum(x * w, axis=axis)\n"),
        lost=WEIGHTED_TESTS,
        messages={W_VALUES: "마지막 축에 맞춥니다", W_INPUT: "w를 axis 자리에만 길이가 있고"},
    ),
    Mistake(
        key="ws_no_length_check",
        ids="error_not_korean",
        title="weighted_sum: 길이를 비교하지 않아 numpy의 영어 오류나 조용히 틀린 값이 나옴",
        cells=_weighted("길이 확인 없음", _STANDING + "    return np.sum(x * np.reshape(w, standing), axis=axis)\n"),
        lost=frozenset({W_ERROR}),
        messages={W_ERROR: "메시지가 한국어가 아닙니다"},
    ),
    Mistake(
        key="ws_keepdims",
        ids="keepdims_left_on",
        title="weighted_sum: keepdims=True가 남아 합한 축이 길이 1로 남음",
        cells=_weighted("keepdims", _CHECK + _STANDING +
                        "    return np.sum(x * np.reshape(w, standing), axis=axis, keepdims=True)\n"),
        lost=WEIGHTED_TESTS,
        messages={W_SHAPE: "keepdims=True", W_VALUES: "keepdims=True"},
    ),
    Mistake(
        key="ws_negative_axis",
        ids="shape_wrong",
        title="weighted_sum: 음수 축을 앞에서부터 센 형상으로 w를 세움 ((1,) * axis가 빈 튜플이 됨)",
        cells=_weighted("음수 축", _CHECK + "    standing = (1,) * axis + (len(w),) + (1,) * (x.ndim - axis - 1)\n"
                                          "    return np.sum(x * np.reshape(w, standing), axis=axis)\n"),
        lost=WEIGHTED_TESTS,
        messages={W_VALUES: "weighted_sum"},
    ),
    Mistake(
        key="ws_forgot_weights",
        ids="forgot_weights",
        title="weighted_sum: 가중치를 곱하지 않고 축을 따라 그냥 더함",
        cells=_weighted("가중치 빠짐", _CHECK + "    return np.sum(x, axis=axis)\n"),
        lost=WEIGHTED_TESTS,
        messages={W_VALUES: "가중치를 곱하지 않고"},
    ),
    Mistake(
        key="ws_input_mutated",
        ids="input_mutated",
        title="weighted_sum: x *= ...로 입력 x를 제자리에서 바꿈",
        cells=_weighted("입력을 바꿈", _CHECK + _STANDING + "    x *= np.reshape(w, standing)\n    return x.sum(axis=axis)\n"),
        lost=frozenset({W_INPUT}),
        messages={W_INPUT: "입력 x를 제자리에서 바꾸었습니다"},
    ),
    Mistake(
        key="ws_english_error",
        ids="error_not_korean",
        title="weighted_sum: 길이가 다를 때 영어 메시지의 ValueError를 냄",
        cells=_weighted("영어 메시지", "    if len(w) != x.shape[axis]:\n        raise ValueError(\"length mismatch\")\n" + _STANDING +
                        "    return np.sum(x * np.reshape(w, standing), axis=axis)\n"),
        lost=frozenset({W_ERROR}),
        messages={W_ERROR: "메시지가 한국어가 아닙니다"},
    ),
    Mistake(
        key="wrong_axis",
        ids="axis_swapped",
        title="context_vector: 시각 축이 아니라 은닉 차원 축(axis=1)으로 합함",
        cells={"context_vector": _context("축이 틀림", "    return (hs * a.reshape(-1, 1)).sum(axis=1)\n")},
        lost=CONTEXT_TESTS,
        messages={C_SHAPE: "은닉 차원 축(axis=1)으로 합했습니다", C_FRESH: "축이 틀림"},
    ),
    Mistake(
        key="keepdims_left_on",
        ids="keepdims_left_on",
        title="context_vector: keepdims=True가 남아 (1, H)를 돌려줌",
        cells={"context_vector": _context("keepdims", "    return (hs * a.reshape(-1, 1)).sum(axis=0, keepdims=True)\n")},
        lost=CONTEXT_TESTS,
        messages={C_SHAPE: "keepdims", C_VALUES: "keepdims"},
    ),
    Mistake(
        key="missing_reshape",
        ids="reshape_missing_column",
        title="context_vector: a를 (T, 1)로 바꾸지 않고 hs * a",
        cells={"context_vector": _context("reshape 빠짐", "    return np.sum(hs * a, axis=0)\n")},
        lost=CONTEXT_TESTS,
        messages={C_SHAPE: "reshape 빠짐", C_INPUT: "reshape 빠짐"},
    ),
    Mistake(
        key="forgot_weights",
        ids="forgot_weights",
        title="context_vector: 가중치를 곱하지 않고 은닉 상태를 그냥 더함",
        cells={"context_vector": _context("가중치 빠짐", "    return hs.sum(axis=0)\n")},
        lost=frozenset({C_FRESH, C_INPUT, C_SHAPE, C_VALUES}),
        messages={C_VALUES: "가중치를 곱하지 않았습니다", C_FRESH: "가중치를 곱하지 않았습니다"},
    ),
    Mistake(
        key="input_mutated",
        ids="input_mutated",
        title="context_vector: hs *= ...로 입력 hs를 제자리에서 바꿈",
        cells={"context_vector": _context("입력을 바꿈",
                                          "    hs *= a.reshape(-1, 1)\n    return hs.sum(axis=0)\n")},
        lost=frozenset({C_INPUT}),
        messages={C_INPUT: "입력 hs를 제자리에서 바꾸었습니다"},
    ),
    Mistake(
        key="hardcoded_seed",
        ids={"test_context_vector_fresh": "hardcoded_answer", "test_context_vector_shape": "shape_wrong"},
        title="context_vector: 입력을 무시하고 기준 예제의 답을 돌려줌",
        cells={"context_vector": _context("입력을 무시함",
                                          "    from ctxcourse.seed import seed_data\n"
                                          "    seed_hs, seed_a = seed_data()   # 받은 hs, a 대신 기준 예제를 씀\n"
                                          "    return (seed_hs * seed_a.reshape(5, 1)).sum(axis=0)\n")},
        lost=frozenset({C_FRESH, C_SHAPE}),
        messages={C_FRESH: "기준 예제의 테스트는 통과해도 새 입력"},
    ),
    Mistake(
        key="plot_no_colorbar",
        ids="plot_no_colorbar",
        title="plot_weights: 색 막대(colorbar)가 없음",
        cells=_plot("색 막대 없음", _HEATMAP + _DECOR + "    return fig\n"),
        lost=frozenset({P_DECOR}),
        messages={P_DECOR: "색 막대(colorbar)가 없습니다"},
    ),
    Mistake(
        key="plot_something_else",
        ids="plot_wrong_values",
        title="plot_weights: 가중치 a가 아니라 전역 변수 hs(은닉 상태)를 그림",
        cells=_plot("다른 배열을 그림",
                    "    fig, ax = plt.subplots(layout=\"constrained\")\n"
                    "    image = ax.imshow(hs, cmap=\"viridis\")   # 받은 a가 아니라 은닉 상태 hs를 그림\n"
                    "    fig.colorbar(image, ax=ax, label=\"값\")\n"
                    "    if labels is not None:\n"
                    "        ax.set_yticks(range(len(labels)), list(labels))\n"
                    "    ax.set_title(\"어텐션 가중치\")\n"
                    "    return fig\n"),
        lost=frozenset({P_DECOR, P_HEATMAP, P_TICKS}),
        messages={P_HEATMAP: "가중치 a(형상 (5,))와 다릅니다"},
    ),
    Mistake(
        key="plot_returns_none",
        ids="plot_returned_none",
        title="plot_weights: plt.show()로 끝내고 Figure를 돌려주지 않음",
        cells=_plot("return 없음",
                    _HEATMAP + "    fig.colorbar(image, ax=ax, label=\"가중치\")\n" + _DECOR + "    plt.show()\n"),
        lost=frozenset({P_HEATMAP, P_DECOR, P_TICKS}),
        messages={P_HEATMAP: "None을 돌려주었습니다", P_TICKS: "return fig"},
    ),
]
