"""04_weight_sum 과제의 일부러 틀린 풀이 모음 (형식은 :mod:`ctxcourse.mistakes` 참고).

해답 셀 ``weight_sum_forward``, ``weight_sum_backward`` 가운데 하나를 학생이 흔히 하는 실수로 바꿉니다.
바꾸지 않은 해답 셀은 강사용 해답 그대로 둡니다.
"""

from __future__ import annotations

from textwrap import dedent

from ctxcourse.mistakes import Mistake

FORWARD_SHAPE = "test_weight_sum_forward_shape"
FORWARD_VALUES = "test_weight_sum_forward_values"
BACKWARD_SHAPE = "test_weight_sum_backward_shape"
BACKWARD_VALUES = "test_weight_sum_backward_values"
BACKWARD_GRADIENT = "test_weight_sum_backward_gradient"
INPUTS = "test_weight_sum_inputs_unchanged"


def _code(text: str) -> str:
    return dedent(text).strip() + "\n"


MISTAKES = [
    Mistake(
        key="forward_wrong_axis",
        ids="axis_swapped",
        title="순전파에서 시각 축(축 1) 대신 은닉 차원 축(축 2)으로 합함",
        cells={"weight_sum_forward": _code('''
            def weight_sum_forward(hs, a):
                """미니배치의 맥락 벡터: hs (N, T, H), a (N, T) → c (N, H)."""
                N, T, H = hs.shape
                t = hs * a.reshape(N, T, 1)
                return np.sum(t, axis=2)
        ''')},
        lost=frozenset({BACKWARD_GRADIENT, FORWARD_SHAPE, FORWARD_VALUES, INPUTS}),
        messages={INPUTS: 'weight_sum_forward()의 결과 형상이 (2, 5)입니다. ', FORWARD_SHAPE: "축(축 2)으로 합했습니다", FORWARD_VALUES: "축(축 2)으로 합했습니다",
                  BACKWARD_GRADIENT: "축(축 2)으로 합했습니다"},
    ),
    Mistake(
        key="forward_list",
        ids="returned_list",
        title="순전파가 numpy 배열 대신 파이썬 리스트를 돌려줌",
        cells={"weight_sum_forward": _code('''
            def weight_sum_forward(hs, a):
                """미니배치의 맥락 벡터: hs (N, T, H), a (N, T) → c (N, H)."""
                N, T, H = hs.shape
                c = np.sum(hs * a.reshape(N, T, 1), axis=1)
                return c.tolist()
        ''')},
        lost=frozenset({BACKWARD_GRADIENT, FORWARD_SHAPE, FORWARD_VALUES, INPUTS}),
        messages={INPUTS: 'weight_sum_forward()의 반환값이 파이썬 list입니다. ', FORWARD_SHAPE: "리스트가 아니라 numpy 배열", FORWARD_VALUES: "리스트가 아니라 numpy 배열",
                  BACKWARD_GRADIENT: "리스트가 아니라 numpy 배열"},
    ),
    Mistake(
        key="forward_no_weights",
        ids="forgot_weights",
        title="순전파에서 가중치를 곱하지 않고 은닉 상태를 시각 축으로 합함",
        cells={"weight_sum_forward": _code('''
            def weight_sum_forward(hs, a):
                """미니배치의 맥락 벡터: hs (N, T, H), a (N, T) → c (N, H)."""
                return np.sum(hs, axis=1)
        ''')},
        lost=frozenset({BACKWARD_GRADIENT, FORWARD_SHAPE, FORWARD_VALUES, INPUTS}),
        messages={FORWARD_SHAPE: 'weight_sum_forward()가 가중치를 곱하지 않고 은닉 상', INPUTS: 'weight_sum_forward()가 가중치를 곱하지 않고 은닉 상', FORWARD_VALUES: "가중치를 곱하지 않고", BACKWARD_GRADIENT: "가중치를 곱하지 않고"},
    ),
    Mistake(
        key="forward_mutates_input",
        ids="input_mutated",
        title="순전파가 입력 hs를 제자리에서(*=) 바꿈",
        cells={"weight_sum_forward": _code('''
            def weight_sum_forward(hs, a):
                """미니배치의 맥락 벡터: hs (N, T, H), a (N, T) → c (N, H)."""
                N, T, H = hs.shape
                hs *= a.reshape(N, T, 1)
                return np.sum(hs, axis=1)
        ''')},
        lost=frozenset({INPUTS}),
        messages={INPUTS: "입력 hs를 제자리에서 바꾸었습니다"},
    ),
    Mistake(
        key="forward_hard_coded",
        ids={"test_weight_sum_backward_gradient": "forward_constant", "test_weight_sum_forward_shape": "hardcoded_answer", "test_weight_sum_forward_values": "hardcoded_answer"},
        title="순전파가 처음 구한 답(기준 예제)을 적어 두고 입력과 상관없이 늘 돌려줌",
        cells={"weight_sum_forward": _code('''
            _answer = []

            def weight_sum_forward(hs, a):
                """미니배치의 맥락 벡터: 처음 계산한 답을 코드에 적어 넣은 것처럼 늘 같은 값을 돌려줍니다."""
                if not _answer:
                    N, T, H = hs.shape
                    _answer.append(np.sum(hs * a.reshape(N, T, 1), axis=1))
                return _answer[0].copy()
        ''')},
        lost=frozenset({FORWARD_SHAPE, FORWARD_VALUES, BACKWARD_GRADIENT}),
        messages={FORWARD_SHAPE: "코드에 적어 넣지", FORWARD_VALUES: "코드에 적어 넣지",
                  BACKWARD_GRADIENT: "코드에 적어 넣지"},
    ),
    Mistake(
        key="backward_swapped",
        ids="pair_swapped",
        title="역전파가 (dhs, da) 대신 (da, dhs) 순서로 돌려줌",
        cells={"weight_sum_backward": _code('''
            def weight_sum_backward(hs, a, dc):
                """WeightSum 계층의 역전파: (dhs, da)를 돌려줘야 합니다."""
                N, T, H = hs.shape
                dt = np.repeat(dc.reshape(N, 1, H), T, axis=1)
                dhs = dt * a.reshape(N, T, 1)
                da = np.sum(dt * hs, axis=2)
                return da, dhs
        ''')},
        lost=frozenset({BACKWARD_GRADIENT, BACKWARD_SHAPE, BACKWARD_VALUES, INPUTS}),
        messages={INPUTS: 'weight_sum_backward()가 돌려준 두 값의 순서가 바뀌었습', BACKWARD_SHAPE: "순서가 바뀌었습니다", BACKWARD_VALUES: "순서가 바뀌었습니다",
                  BACKWARD_GRADIENT: "순서가 바뀌었습니다"},
    ),
    Mistake(
        key="backward_dhs_without_weights",
        ids="backward_forgot_weights",
        title="역전파에서 dhs를 dc의 복제만으로 구하고 가중치를 곱하지 않음",
        cells={"weight_sum_backward": _code('''
            def weight_sum_backward(hs, a, dc):
                """WeightSum 계층의 역전파: (dhs, da)를 돌려줍니다."""
                N, T, H = hs.shape
                dt = np.repeat(dc.reshape(N, 1, H), T, axis=1)
                dhs = dt
                da = np.sum(dt * hs, axis=2)
                return dhs, da
        ''')},
        lost=frozenset({BACKWARD_GRADIENT, BACKWARD_SHAPE, BACKWARD_VALUES, INPUTS}),
        messages={BACKWARD_SHAPE: 'weight_sum_backward()의 dhs가 dc를 시각 축으로 복', INPUTS: 'weight_sum_backward()의 dhs가 dc를 시각 축으로 복', BACKWARD_VALUES: "가중치 a를 곱하지 않았습니다", BACKWARD_GRADIENT: "가중치 a를 곱하지 않았습니다"},
    ),
    Mistake(
        key="backward_da_wrong_axis",
        ids="da_summed_over_time",
        title="역전파에서 da를 축 2 대신 시각 축(축 1)으로 합해 형상이 (N, H)가 됨",
        cells={"weight_sum_backward": _code('''
            def weight_sum_backward(hs, a, dc):
                """WeightSum 계층의 역전파: (dhs, da)를 돌려줍니다."""
                N, T, H = hs.shape
                dt = np.repeat(dc.reshape(N, 1, H), T, axis=1)
                dhs = dt * a.reshape(N, T, 1)
                da = np.sum(dt * hs, axis=1)
                return dhs, da
        ''')},
        lost=frozenset({BACKWARD_GRADIENT, BACKWARD_SHAPE, BACKWARD_VALUES, INPUTS}),
        messages={INPUTS: 'weight_sum_backward()가 돌려준 da의 형상이 (2, 4', BACKWARD_SHAPE: "da를 시각 축(축 1)으로 합했습니다", BACKWARD_VALUES: "da를 시각 축(축 1)으로 합했습니다",
                  BACKWARD_GRADIENT: "da를 시각 축(축 1)으로 합했습니다"},
    ),
    Mistake(
        key="backward_mutates_input",
        ids="input_mutated",
        title="역전파가 입력 hs를 제자리에서(*=) 바꿈",
        cells={"weight_sum_backward": _code('''
            def weight_sum_backward(hs, a, dc):
                """WeightSum 계층의 역전파: (dhs, da)를 돌려줍니다."""
                N, T, H = hs.shape
                dt = np.repeat(dc.reshape(N, 1, H), T, axis=1)
                dhs = dt * a.reshape(N, T, 1)
                hs *= dt
                da = np.sum(hs, axis=2)
                return dhs, da
        ''')},
        lost=frozenset({INPUTS}),
        messages={INPUTS: "입력 hs를 제자리에서 바꾸었습니다"},
    ),
]
