"""03_axis_sum의 실수 모음: ``context_vector``, ``context_vectors``, ``plot_weights``를 흔하게 틀리는 방법들.

테스트 셀 (점수): test_context_vector_shape (1), test_context_vector_values (2),
test_context_vector_fresh (2), test_context_vector_input (1), test_context_vectors_shape (1),
test_context_vectors_values (1), test_context_vectors_fresh (1), test_plot_weights_heatmap (1),
test_plot_weights_colorbar_labels (1), test_plot_weights_ticks (1).

축을 헷갈리는 학생은 보통 두 함수에서 똑같이 헷갈리므로, 축 실수는 두 함수의 해답 셀을 함께 바꿉니다.
"""

from __future__ import annotations

from ctxcourse.mistakes import Mistake

C_SHAPE = "test_context_vector_shape"
C_VALUES = "test_context_vector_values"
C_FRESH = "test_context_vector_fresh"
C_INPUT = "test_context_vector_input"
B_SHAPE = "test_context_vectors_shape"
B_VALUES = "test_context_vectors_values"
B_FRESH = "test_context_vectors_fresh"
P_HEATMAP = "test_plot_weights_heatmap"
P_DECOR = "test_plot_weights_colorbar_labels"
P_TICKS = "test_plot_weights_ticks"

CONTEXT_TESTS = frozenset({C_SHAPE, C_VALUES, C_FRESH})
BATCH_TESTS = frozenset({B_SHAPE, B_VALUES, B_FRESH})


def _context(what: str, body: str) -> str:
    return ("def context_vector(hs, a):\n"
            f'    """맥락 벡터를 구합니다 (일부러 틀린 풀이: {what})."""\n' + body)


def _contexts(what: str, body: str) -> str:
    return ("def context_vectors(hs, a):\n"
            f'    """표본마다 맥락 벡터를 구합니다 (일부러 틀린 풀이: {what})."""\n' + body)


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
        key="wrong_axis",
        title="시각 축이 아니라 은닉 차원 축으로 합함 (context_vector는 axis=1, context_vectors는 axis=2)",
        cells={
            "context_vector": _context("축이 틀림", "    return (hs * a.reshape(-1, 1)).sum(axis=1)\n"),
            "context_vectors": _contexts("축이 틀림", "    return (hs * a[:, :, np.newaxis]).sum(axis=2)\n"),
        },
        lost=CONTEXT_TESTS | BATCH_TESTS,
        messages={C_SHAPE: "은닉 차원 축(axis=1)으로 합했습니다", C_FRESH: "축이 틀림",
                  B_SHAPE: "은닉 차원 축(axis=2)으로 합했습니다"},
    ),
    Mistake(
        key="keepdims_left_on",
        title="keepdims=True가 남아 (1, H), (N, 1, H)를 돌려줌",
        cells={
            "context_vector": _context("keepdims", "    return (hs * a.reshape(-1, 1)).sum(axis=0, keepdims=True)\n"),
            "context_vectors": _contexts("keepdims",
                                         "    return (hs * a[:, :, np.newaxis]).sum(axis=1, keepdims=True)\n"),
        },
        lost=CONTEXT_TESTS | BATCH_TESTS,
        messages={C_SHAPE: "keepdims", C_VALUES: "keepdims", B_SHAPE: "keepdims"},
    ),
    Mistake(
        key="missing_reshape",
        title="a를 (T, 1), (N, T, 1)로 바꾸지 않고 hs * a",
        cells={
            "context_vector": _context("reshape 빠짐", "    return np.sum(hs * a, axis=0)\n"),
            "context_vectors": _contexts("reshape 빠짐", "    return np.sum(hs * a, axis=1)\n"),
        },
        lost=CONTEXT_TESTS | BATCH_TESTS | {C_INPUT},
        messages={C_SHAPE: "reshape 빠짐", C_INPUT: "reshape 빠짐", B_SHAPE: "a.reshape(N, T, 1)"},
    ),
    Mistake(
        key="forgot_weights",
        title="context_vector: 가중치를 곱하지 않고 은닉 상태를 그냥 더함",
        cells={"context_vector": _context("가중치 빠짐", "    return hs.sum(axis=0)\n")},
        lost=frozenset({C_VALUES, C_FRESH}),
        messages={C_VALUES: "가중치를 곱하지 않았습니다", C_FRESH: "가중치를 곱하지 않았습니다"},
    ),
    Mistake(
        key="input_mutated",
        title="context_vector: hs *= ...로 입력 hs를 제자리에서 바꿈",
        cells={"context_vector": _context("입력을 바꿈",
                                          "    hs *= a.reshape(-1, 1)\n    return hs.sum(axis=0)\n")},
        lost=frozenset({C_INPUT}),
        messages={C_INPUT: "입력 hs를 제자리에서 바꾸었습니다"},
    ),
    Mistake(
        key="hardcoded_seed",
        title="context_vector: 입력을 무시하고 씨앗 예제의 답을 돌려줌",
        cells={"context_vector": _context("입력을 무시함",
                                          "    from ctxcourse.seed import seed_data\n"
                                          "    seed_hs, seed_a = seed_data()   # 받은 hs, a 대신 씨앗 예제를 씀\n"
                                          "    return (seed_hs * seed_a.reshape(5, 1)).sum(axis=0)\n")},
        lost=frozenset({C_FRESH}),
        messages={C_FRESH: "씨앗 예제의 테스트는 통과해도 새 입력"},
    ),
    Mistake(
        key="plot_no_colorbar",
        title="plot_weights: 색 막대(colorbar)가 없음",
        cells=_plot("색 막대 없음", _HEATMAP + _DECOR + "    return fig\n"),
        lost=frozenset({P_DECOR}),
        messages={P_DECOR: "색 막대(colorbar)가 없습니다"},
    ),
    Mistake(
        key="plot_something_else",
        title="plot_weights: 가중치 a가 아니라 전역 변수 hs(은닉 상태)를 그림",
        cells=_plot("다른 배열을 그림",
                    "    fig, ax = plt.subplots(layout=\"constrained\")\n"
                    "    image = ax.imshow(hs, cmap=\"viridis\")   # 받은 a가 아니라 은닉 상태 hs를 그림\n"
                    "    fig.colorbar(image, ax=ax, label=\"값\")\n"
                    "    if labels is not None:\n"
                    "        ax.set_yticks(range(len(labels)), list(labels))\n"
                    "    ax.set_title(\"어텐션 가중치\")\n"
                    "    return fig\n"),
        lost=frozenset({P_HEATMAP}),
        messages={P_HEATMAP: "가중치 a(형상 (5,))와 다릅니다"},
    ),
    Mistake(
        key="plot_returns_none",
        title="plot_weights: plt.show()로 끝내고 Figure를 돌려주지 않음",
        cells=_plot("return 없음",
                    _HEATMAP + "    fig.colorbar(image, ax=ax, label=\"가중치\")\n" + _DECOR + "    plt.show()\n"),
        lost=frozenset({P_HEATMAP, P_DECOR, P_TICKS}),
        messages={P_HEATMAP: "None을 돌려주었습니다", P_TICKS: "return fig"},
    ),
]
