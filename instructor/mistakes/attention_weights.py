"""05_attention_weights 과제의 일부러 틀린 풀이 모음 (형식은 :mod:`ctxcourse.mistakes` 참고).

해답 셀 ``softmax``, ``attention_weights``, ``attention`` 가운데 하나를 학생이 흔히 하는 실수로 바꿉니다.
바꾸지 않은 해답 셀은 강사용 해답 그대로 둡니다. 뒤 문제의 해답은 앞 문제의 함수를 불러 쓰므로,
앞 함수의 실수는 뒤 함수의 테스트에서도 점수를 잃습니다 (``lost``에 함께 적었습니다).
"""

from __future__ import annotations

from textwrap import dedent

from ctxcourse.mistakes import Mistake

SOFTMAX_VALUES = "test_softmax_values"
SOFTMAX_STABLE = "test_softmax_stable"
WEIGHTS_SHAPE = "test_attention_weights_shape"
WEIGHTS_VALUES = "test_attention_weights_values"
ATTENTION_VALUES = "test_attention_values"
INPUTS = "test_attention_inputs_unchanged"


def _code(text: str) -> str:
    return dedent(text).strip() + "\n"


MISTAKES = [
    Mistake(
        key="softmax_wrong_axis",
        title="소프트맥스를 마지막 축 대신 축 0을 따라 계산함",
        cells={"softmax": _code('''
            def softmax(x):
                """마지막 축을 따라 소프트맥스를 구해야 합니다."""
                e = np.exp(x - np.max(x, axis=0, keepdims=True))
                return e / np.sum(e, axis=0, keepdims=True)
        ''')},
        lost=frozenset({SOFTMAX_VALUES, SOFTMAX_STABLE, WEIGHTS_VALUES, ATTENTION_VALUES}),
        messages={SOFTMAX_VALUES: "소프트맥스를 축 0", SOFTMAX_STABLE: "소프트맥스를 축 0",
                  WEIGHTS_VALUES: "소프트맥스를 축 0(미니배치 축)", ATTENTION_VALUES: "소프트맥스를 축 0(미니배치 축)"},
    ),
    Mistake(
        key="softmax_no_max",
        title="소프트맥스에서 최댓값을 빼지 않아 큰 점수에서 넘침(overflow) → nan",
        cells={"softmax": _code('''
            def softmax(x):
                """마지막 축을 따라 소프트맥스를 구해야 합니다."""
                e = np.exp(x)
                return e / np.sum(e, axis=-1, keepdims=True)
        ''')},
        lost=frozenset({SOFTMAX_STABLE}),
        messages={SOFTMAX_STABLE: "최댓값을 빼세요"},
    ),
    Mistake(
        key="softmax_global_max",
        title="소프트맥스에서 행마다가 아니라 배열 전체의 최댓값을 뺌 (행마다 크기가 다르면 nan)",
        cells={"softmax": _code('''
            def softmax(x):
                """마지막 축을 따라 소프트맥스를 구해야 합니다."""
                e = np.exp(x - np.max(x))
                return e / np.sum(e, axis=-1, keepdims=True)
        ''')},
        lost=frozenset({SOFTMAX_STABLE}),
        messages={SOFTMAX_STABLE: "마지막 축마다 최댓값을 빼세요"},
    ),
    Mistake(
        key="softmax_whole_sum",
        title="소프트맥스에서 마지막 축이 아니라 배열 전체의 합으로 나눔",
        cells={"softmax": _code('''
            def softmax(x):
                """마지막 축을 따라 소프트맥스를 구해야 합니다."""
                e = np.exp(x - np.max(x, axis=-1, keepdims=True))
                return e / np.sum(e)
        ''')},
        lost=frozenset({SOFTMAX_VALUES, SOFTMAX_STABLE, WEIGHTS_VALUES, ATTENTION_VALUES}),
        messages={SOFTMAX_VALUES: "배열 전체의 합으로 나누었습니다", SOFTMAX_STABLE: "배열 전체의 합으로 나누었습니다",
                  WEIGHTS_VALUES: "배열 전체의 합으로 나누었습니다", ATTENTION_VALUES: "배열 전체의 합으로 나누었습니다"},
    ),
    Mistake(
        key="softmax_mutates_input",
        title="소프트맥스가 입력 x를 제자리에서(-=, /=) 바꿈",
        cells={"softmax": _code('''
            def softmax(x):
                """마지막 축을 따라 소프트맥스를 구해야 합니다."""
                x -= np.max(x, axis=-1, keepdims=True)
                np.exp(x, out=x)
                x /= np.sum(x, axis=-1, keepdims=True)
                return x
        ''')},
        lost=frozenset({INPUTS}),
        messages={INPUTS: "입력 x를 제자리에서 바꾸었습니다"},
    ),
    Mistake(
        key="weights_wrong_axis",
        title="내적 점수를 은닉 상태 크기 축(축 2) 대신 시간 축(축 1)으로 합함",
        cells={"attention_weights": _code('''
            def attention_weights(hs, h):
                """어텐션 가중치: hs (N, T, H), h (N, H) → a (N, T)."""
                N, T, H = hs.shape
                s = np.sum(hs * h.reshape(N, 1, H), axis=1)
                return softmax(s)
        ''')},
        lost=frozenset({WEIGHTS_SHAPE, WEIGHTS_VALUES, ATTENTION_VALUES, INPUTS}),
        messages={WEIGHTS_SHAPE: "시간 축(축 1)으로 합했습니다", WEIGHTS_VALUES: "시간 축(축 1)으로 합했습니다",
                  ATTENTION_VALUES: "앞 문제의 함수", INPUTS: "앞 문제의 함수"},
    ),
    Mistake(
        key="weights_no_softmax",
        title="내적 점수에 소프트맥스를 적용하지 않고 그대로 돌려줌",
        cells={"attention_weights": _code('''
            def attention_weights(hs, h):
                """어텐션 가중치: hs (N, T, H), h (N, H) → a (N, T)."""
                N, T, H = hs.shape
                return np.sum(hs * h.reshape(N, 1, H), axis=2)
        ''')},
        lost=frozenset({WEIGHTS_VALUES, ATTENTION_VALUES}),
        messages={WEIGHTS_VALUES: "소프트맥스를 거치지 않은 점수", ATTENTION_VALUES: "소프트맥스를 거치지 않은 점수"},
    ),
    Mistake(
        key="weights_hard_coded",
        title="어텐션 가중치를 처음 구한 답(씨앗 예제)으로 적어 두고 입력과 상관없이 늘 돌려줌",
        cells={"attention_weights": _code('''
            _answer = []

            def attention_weights(hs, h):
                """어텐션 가중치: 처음 계산한 답을 코드에 적어 넣은 것처럼 늘 같은 값을 돌려줍니다."""
                if not _answer:
                    N, T, H = hs.shape
                    _answer.append(softmax(np.sum(hs * h.reshape(N, 1, H), axis=2)))
                return _answer[0].copy()
        ''')},
        lost=frozenset({WEIGHTS_SHAPE, WEIGHTS_VALUES, ATTENTION_VALUES, INPUTS}),
        messages={WEIGHTS_SHAPE: "코드에 적어 넣지", WEIGHTS_VALUES: "코드에 적어 넣지",
                  ATTENTION_VALUES: "앞 문제의 함수", INPUTS: "앞 문제의 함수"},
    ),
    Mistake(
        key="attention_swapped",
        title="Attention 계층이 (c, a) 대신 (a, c) 순서로 돌려줌",
        cells={"attention": _code('''
            def attention(hs, h):
                """Attention 계층: (c, a)를 돌려줘야 합니다."""
                N, T, H = hs.shape
                a = attention_weights(hs, h)
                c = np.sum(hs * a.reshape(N, T, 1), axis=1)
                return a, c
        ''')},
        lost=frozenset({ATTENTION_VALUES}),
        messages={ATTENTION_VALUES: "순서가 바뀌었습니다"},
    ),
    Mistake(
        key="attention_no_reshape",
        title="가중합에서 a (N, T)를 (N, T, 1)로 reshape 하지 않아 브로드캐스팅 오류",
        cells={"attention": _code('''
            def attention(hs, h):
                """Attention 계층: (c, a)를 돌려줍니다."""
                a = attention_weights(hs, h)
                c = np.sum(hs * a, axis=1)
                return c, a
        ''')},
        lost=frozenset({ATTENTION_VALUES, INPUTS}),
        messages={ATTENTION_VALUES: "a.reshape(N, T, 1)", INPUTS: "a.reshape(N, T, 1)"},
    ),
    Mistake(
        key="attention_c_wrong_axis",
        title="맥락 벡터를 시간 축(축 1) 대신 은닉 상태 크기 축(축 2)으로 합함",
        cells={"attention": _code('''
            def attention(hs, h):
                """Attention 계층: (c, a)를 돌려줍니다."""
                N, T, H = hs.shape
                a = attention_weights(hs, h)
                c = np.sum(hs * a.reshape(N, T, 1), axis=2)
                return c, a
        ''')},
        lost=frozenset({ATTENTION_VALUES}),
        messages={ATTENTION_VALUES: "은닉 상태 크기 축(축 2)으로 합했습니다"},
    ),
]
