"""02_broadcasting의 실수 모음: ``weight_rows(hs, a)``와 ``broadcast_shape(shape1, shape2)``를 흔하게 틀리는 방법들.

테스트 셀 (점수): test_weight_rows_shape (1), test_weight_rows_values (2), test_weight_rows_fresh (2),
test_weight_rows_input (1), test_broadcast_shape_examples (2), test_broadcast_shape_error (1),
test_broadcast_shape_by_hand (1), test_broadcast_shape_many (2).
"""

from __future__ import annotations

from ctxcourse.mistakes import Mistake

W_SHAPE = "test_weight_rows_shape"
W_VALUES = "test_weight_rows_values"
W_FRESH = "test_weight_rows_fresh"
W_INPUT = "test_weight_rows_input"
B_EXAMPLES = "test_broadcast_shape_examples"
B_ERROR = "test_broadcast_shape_error"
B_BY_HAND = "test_broadcast_shape_by_hand"
B_MANY = "test_broadcast_shape_many"


def _weight_rows(what: str, body: str) -> dict[str, str]:
    return {"weight_rows": ("def weight_rows(hs, a):\n"
                            f'    """각 행에 가중치를 곱합니다 (일부러 틀린 풀이: {what})."""\n' + body)}


def _broadcast_shape(what: str, body: str) -> dict[str, str]:
    return {"broadcast_shape": ("def broadcast_shape(shape1, shape2):\n"
                                f'    """브로드캐스팅한 형상을 구합니다 (일부러 틀린 풀이: {what})."""\n' + body)}


# 뒤쪽 축부터 맞추는 부분까지는 맞고, 크기를 고르는 줄만 다른 풀이들이 함께 쓰는 앞부분
_PAD = ("    n = max(len(shape1), len(shape2))\n"
        "    s1 = (1,) * (n - len(shape1)) + tuple(shape1)\n"
        "    s2 = (1,) * (n - len(shape2)) + tuple(shape2)\n")

MISTAKES = [
    Mistake(
        key="missing_reshape",
        ids="reshape_missing_column",
        title="weight_rows: a를 (T, 1)로 바꾸지 않고 hs * a",
        cells=_weight_rows("reshape 빠짐", "    return hs * a\n"),
        lost=frozenset({W_SHAPE, W_VALUES, W_FRESH, W_INPUT}),
        messages={W_SHAPE: "reshape 빠짐", W_VALUES: "a.reshape(T, 1)", W_FRESH: "reshape 빠짐"},
    ),
    Mistake(
        key="input_mutated",
        ids="input_mutated",
        title="weight_rows: hs *= ...로 입력 hs를 제자리에서 바꿈",
        cells=_weight_rows("입력을 바꿈", "    hs *= a.reshape(-1, 1)\n    return hs\n"),
        lost=frozenset({W_INPUT}),
        messages={W_INPUT: "입력 hs를 제자리에서 바꾸었습니다"},
    ),
    Mistake(
        key="list_instead_of_ndarray",
        ids="returned_list",
        title="weight_rows: numpy 배열 대신 .tolist()로 파이썬 리스트를 돌려줌",
        cells=_weight_rows("리스트", "    return (hs * a.reshape(-1, 1)).tolist()\n"),
        lost=frozenset({W_FRESH, W_INPUT, W_SHAPE, W_VALUES}),
        messages={W_SHAPE: "파이썬 리스트가 아니라 numpy 배열", W_FRESH: "파이썬 리스트가 아니라 numpy 배열"},
    ),
    Mistake(
        key="hardcoded_seed",
        ids={"test_weight_rows_fresh": "hardcoded_answer", "test_weight_rows_shape": "shape_wrong"},
        title="weight_rows: 입력을 무시하고 기준 예제의 답을 돌려줌",
        cells=_weight_rows("입력을 무시함",
                           "    from ctxcourse.seed import seed_data\n"
                           "    seed_hs, seed_a = seed_data()   # 받은 hs, a 대신 기준 예제를 씀\n"
                           "    return seed_hs * seed_a.reshape(5, 1)\n"),
        lost=frozenset({W_FRESH, W_SHAPE}),
        messages={W_FRESH: "기준 예제의 테스트는 통과해도 새 입력"},
    ),
    Mistake(
        key="uses_numpy_broadcast_shapes",
        ids="used_numpy_broadcasting",
        title="broadcast_shape: 규칙을 구현하지 않고 np.broadcast_shapes를 부름",
        cells=_broadcast_shape("numpy 함수", "    return np.broadcast_shapes(shape1, shape2)\n"),
        lost=frozenset({B_BY_HAND}),
        messages={B_BY_HAND: "np.broadcast_shapes"},
    ),
    Mistake(
        key="leading_axes",
        ids={"test_broadcast_shape_by_hand": "broadcast_shape_wrong", "test_broadcast_shape_error": "broadcast_from_left", "test_broadcast_shape_examples": "broadcast_no_padding", "test_broadcast_shape_many": "broadcast_no_padding"},
        title="broadcast_shape: 뒤쪽이 아니라 앞쪽 축부터 맞춤",
        cells=_broadcast_shape(
            "앞쪽부터 맞춤",
            "    n = max(len(shape1), len(shape2))\n"
            "    s1 = tuple(shape1) + (1,) * (n - len(shape1))\n"
            "    s2 = tuple(shape2) + (1,) * (n - len(shape2))\n"
            "    if any(d1 != d2 and 1 not in (d1, d2) for d1, d2 in zip(s1, s2)):\n"
            "        raise ValueError(f\"{shape1}와 {shape2}는 브로드캐스팅할 수 없습니다\")\n"
            "    return tuple(d2 if d1 == 1 else d1 for d1, d2 in zip(s1, s2))\n"),
        lost=frozenset({B_BY_HAND, B_ERROR, B_EXAMPLES, B_MANY}),
        messages={B_EXAMPLES: "뒤쪽(오른쪽) 축부터", B_ERROR: "앞쪽부터 맞춘 것 같습니다"},
    ),
    Mistake(
        key="max_with_zero",
        ids="broadcast_zero_axis",
        title="broadcast_shape: 크기를 max로 골라 0과 1을 1로 만듦",
        cells=_broadcast_shape(
            "max",
            _PAD +
            "    if any(d1 != d2 and 1 not in (d1, d2) for d1, d2 in zip(s1, s2)):\n"
            "        raise ValueError(f\"{shape1}와 {shape2}는 브로드캐스팅할 수 없습니다\")\n"
            "    return tuple(max(d1, d2) for d1, d2 in zip(s1, s2))\n"),
        lost=frozenset({B_MANY}),
        messages={B_MANY: "크기 0인 축과 크기 1인 축"},
    ),
    Mistake(
        key="assert_instead_of_valueerror",
        ids="broadcast_wrong_exception",
        title="broadcast_shape: ValueError 대신 assert (AssertionError)",
        cells=_broadcast_shape(
            "assert",
            _PAD +
            "    for d1, d2 in zip(s1, s2):\n"
            "        assert d1 == d2 or d1 == 1 or d2 == 1, \"브로드캐스팅할 수 없습니다\"\n"
            "    return tuple(d2 if d1 == 1 else d1 for d1, d2 in zip(s1, s2))\n"),
        lost=frozenset({B_ERROR, B_MANY}),
        messages={B_ERROR: "raise ValueError", B_MANY: "AssertionError"},
    ),
]
