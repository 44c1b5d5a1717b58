"""01_repeat의 실수 모음: ``repeat_weights(a, H)``를 흔하게 틀리는 방법들.

테스트 셀 (점수): test_repeat_weights_shape (2), test_repeat_weights_values (3),
test_repeat_weights_fresh (3), test_repeat_weights_input (2).
"""

from __future__ import annotations

from ctxcourse.mistakes import Mistake

SHAPE = "test_repeat_weights_shape"
VALUES = "test_repeat_weights_values"
FRESH = "test_repeat_weights_fresh"
INPUT = "test_repeat_weights_input"
ALL = frozenset({SHAPE, VALUES, FRESH, INPUT})

_DOC = '''    """가중치 a를 열 방향으로 H번 복제합니다 (일부러 틀린 풀이: {what})."""
'''


def _cell(what: str, body: str) -> dict[str, str]:
    return {"repeat_weights": "def repeat_weights(a, H):\n" + _DOC.format(what=what) + body}


MISTAKES = [
    Mistake(
        key="repeat_no_axis",
        ids="repeat_no_axis",
        title="repeat에 axis를 주지 않음: 1차원 (T*H,)로 펼쳐짐",
        cells=_cell("axis 없음", "    T = a.shape[0]\n    return a.reshape(T, 1).repeat(H)\n"),
        lost=frozenset({FRESH, INPUT, SHAPE, VALUES}),
        messages={SHAPE: "axis=1을 주세요", VALUES: "1차원으로 펼쳐집니다", FRESH: "1차원으로 펼쳐집니다"},
    ),
    Mistake(
        key="missing_reshape",
        ids="repeat_no_axis1",
        title="reshape 없이 1차원 a에 axis=1로 repeat",
        cells=_cell("reshape 빠짐", "    return a.repeat(H, axis=1)\n"),
        lost=ALL,
        messages={SHAPE: "reshape 빠짐", VALUES: "a.reshape(T, 1)", FRESH: "reshape 빠짐", INPUT: "reshape 빠짐"},
    ),
    Mistake(
        key="wrong_axis",
        ids="repeat_wrong_axis",
        title="axis=0으로 복제: 형상 (T*H, 1)",
        cells=_cell("축이 틀림", "    T = a.shape[0]\n    return a.reshape(T, 1).repeat(H, axis=0)\n"),
        lost=frozenset({FRESH, INPUT, SHAPE, VALUES}),
        messages={SHAPE: "axis=0으로 복제해서", FRESH: "축이 틀림"},
    ),
    Mistake(
        key="tile_instead_of_repeat",
        ids="tile_instead_of_repeat",
        title="np.tile로 a 전체를 이어 붙인 뒤 reshape: 형상은 맞고 값의 배치가 틀림",
        cells=_cell("tile", "    T = a.shape[0]\n    return np.tile(a, H).reshape(T, H)\n"),
        lost=frozenset({FRESH, INPUT, SHAPE, VALUES}),
        messages={VALUES: "통째로 이어 붙입니다", FRESH: "tile이 아니라 repeat"},
    ),
    Mistake(
        key="list_instead_of_ndarray",
        ids="returned_list",
        title="numpy 배열 대신 파이썬 리스트를 돌려줌",
        cells=_cell("리스트", "    return [[w] * H for w in a]\n"),
        lost=frozenset({FRESH, INPUT, SHAPE, VALUES}),
        messages={SHAPE: "파이썬 리스트가 아니라 numpy 배열", FRESH: "파이썬 리스트가 아니라 numpy 배열"},
    ),
    Mistake(
        key="input_mutated",
        ids="input_shape_changed",
        title="a.shape = (T, 1)로 입력 a의 형상을 제자리에서 바꿈",
        cells=_cell("입력을 바꿈", "    a.shape = (a.size, 1)\n    return a.repeat(H, axis=1)\n"),
        lost=frozenset({INPUT}),
        messages={INPUT: "형상을 제자리에서 바꾸었습니다"},
    ),
    Mistake(
        key="hardcoded_seed",
        ids={"test_repeat_weights_fresh": "hardcoded_answer", "test_repeat_weights_shape": "shape_wrong"},
        title="기준 예제의 답을 그대로 적어 넣음",
        cells=_cell("답을 적어 넣음",
                    "    return np.array([[0.8, 0.8, 0.8, 0.8],\n"
                    "                     [0.1, 0.1, 0.1, 0.1],\n"
                    "                     [0.03, 0.03, 0.03, 0.03],\n"
                    "                     [0.05, 0.05, 0.05, 0.05],\n"
                    "                     [0.02, 0.02, 0.02, 0.02]])\n"),
        lost=frozenset({FRESH, SHAPE}),
        messages={FRESH: "기준 예제의 테스트는 통과해도 새 입력"},
    ),
]
