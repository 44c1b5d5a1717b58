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
        messages={C_VALUES: "가중치를 곱하지 않고", C_FRESH: "가중치를 곱하지 않고"},
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


# ---------------------------------------------------------------- 데모 반의 베낀 제출물 (course demo)
# 길고 틀린 풀이 하나와, 그것을 변수 이름을 바꾸고 함수 순서를 바꿔 베낀 두 제출물. 반 전체 보고서의
# "베낀 것으로 보이는 제출물"이 이 셋을 짝지어야 하고, 아래의 짧은 정답 둘(서로 똑같음)은 짝짓지 않아야 합니다.

_LONG_WRONG = '''def context_vector(hs, a):
    """맥락 벡터를 구합니다 (시각마다 더하기)."""
    steps, width = hs.shape
    weights = np.asarray(a, dtype=float)
    total = np.zeros(width)
    for t in range(steps):
        row = hs[t]
        for h in range(width):
            total[h] = total[h] + row[h] * weights[(t + 1) % steps]
    scale = weights.sum() * steps
    total = total / scale
    return _clip(total)


def _clip(values):
    """너무 큰 값을 자릅니다."""
    out = []
    for value in values:
        if value > 10:
            value = 10.0
        out.append(value)
    return np.array(out)
'''

_COPY_RENAMED = '''def _limit(xs):
    """큰 값 자르기."""
    res = []
    for x in xs:
        if x > 10:
            x = 10.0
        res.append(x)
    return np.array(res)


def context_vector(states, w):
    """맥락 벡터."""
    # 시각 t마다 더합니다
    n_time, n_hidden = states.shape
    ws = np.asarray(w, dtype=float)
    acc = np.zeros(n_hidden)
    for i in range(n_time):
        vec = states[i]
        for j in range(n_hidden):
            acc[j] = acc[j] + vec[j] * ws[(i + 1) % n_time]
    norm = ws.sum() * n_time
    acc = acc / norm
    return _limit(acc)
'''

_COPY_RENAMED_AGAIN = '''def _cut(items):
    """자르기"""
    kept = []
    for item in items:
        if item > 10:
            item = 10.0
        kept.append(item)
    return np.array(kept)

def context_vector(H_states, alpha):
    T_len, D = H_states.shape
    alpha_arr = np.asarray(alpha, dtype=float)
    c = np.zeros(D)
    for k in range(T_len):
        r = H_states[k]
        for d in range(D):
            c[d] = c[d] + r[d] * alpha_arr[(k + 1) % T_len]
    denom = alpha_arr.sum() * T_len
    c = c / denom
    return _cut(c)
'''

_SHORT_OWN = '''def context_vector(hs, a):
    """맥락 벡터 (H,)."""
    return np.asarray(a, dtype=float) @ hs
'''

_CONTEXT_TESTS = frozenset({C_SHAPE, C_VALUES, C_FRESH, C_INPUT})

PLANTED = [
    Mistake(key="copy_source", title="베낀 원본: 길고 틀린 풀이 (다음 시각의 가중치를 곱하고 T로 나눔)",
            ids="seed_values_wrong", cells={"context_vector": _LONG_WRONG}, lost=_CONTEXT_TESTS,
            messages={C_VALUES: "기준 예제의 기대값과 다릅니다"}),
    Mistake(key="copy_renamed", title="베낀 것: 변수 이름을 바꾸고 도우미 함수를 앞으로 옮김",
            ids="seed_values_wrong", cells={"context_vector": _COPY_RENAMED}, lost=_CONTEXT_TESTS,
            messages={C_VALUES: "기준 예제의 기대값과 다릅니다"}),
    Mistake(key="copy_renamed_again", title="베낀 것: 이름을 또 바꾸고 주석을 지움",
            ids="seed_values_wrong", cells={"context_vector": _COPY_RENAMED_AGAIN}, lost=_CONTEXT_TESTS,
            messages={C_VALUES: "기준 예제의 기대값과 다릅니다"}),
    Mistake(key="short_own", title="스스로 쓴 짧은 정답 (a @ hs)", cells={"context_vector": _SHORT_OWN},
            lost=frozenset()),
    Mistake(key="short_own_same", title="스스로 쓴 짧은 정답 (위와 똑같음: 누구나 이렇게 씁니다)",
            cells={"context_vector": _SHORT_OWN}, lost=frozenset()),
]
