"""05_attention_weights 과제의 일부러 틀린 풀이 모음 (형식은 :mod:`ctxcourse.mistakes` 참고).

해답 셀 ``softmax``, ``masked_softmax``, ``attention_weights``, ``attention`` 가운데 하나를 학생이 흔히 하는 실수로 바꿉니다.
바꾸지 않은 해답 셀은 강사용 해답 그대로 둡니다. 뒤 문제의 해답은 앞 문제의 함수를 불러 쓰므로,
앞 함수의 실수는 뒤 함수의 테스트에서도 점수를 잃습니다 (``lost``에 함께 적었습니다).
"""

from __future__ import annotations

from textwrap import dedent, indent

from ctxcourse.mistakes import Mistake

SOFTMAX_VALUES = "test_softmax_values"
SOFTMAX_STABLE = "test_softmax_stable"
WEIGHTS_SHAPE = "test_attention_weights_shape"
WEIGHTS_VALUES = "test_attention_weights_values"
ATTENTION_VALUES = "test_attention_values"
INPUTS = "test_attention_inputs_unchanged"
MASKED_VALUES = "test_masked_softmax_values"
MASKED_EMPTY = "test_masked_softmax_empty_rows"
MASKED_TESTS = frozenset({MASKED_VALUES, MASKED_EMPTY, INPUTS})


def _code(text: str) -> str:
    return dedent(text).strip() + "\n"


def _masked(what: str, body: str) -> dict[str, str]:
    return {"masked_softmax": "def masked_softmax(x, mask):\n"
                              f'    """마스크한 소프트맥스 (일부러 틀린 풀이: {what})."""\n'
                              + indent(dedent(body).strip("\n"), "    ") + "\n"}


MISTAKES = [
    Mistake(
        key="masked_ignored",
        ids="mask_zero_score",
        title="masked_softmax: 마스크를 쓰지 않고 보통의 소프트맥스를 돌려줌",
        cells=_masked("마스크 무시", """
            e = np.exp(x - np.max(x, axis=-1, keepdims=True))
            return e / np.sum(e, axis=-1, keepdims=True)
        """),
        lost=MASKED_TESTS,
        messages={INPUTS: 'masked_softmax()의 결과가 틀립니다. 가려진 자리(mask가', MASKED_EMPTY: 'masked_softmax()의 결과가 틀립니다. 가려진 자리(mask가', MASKED_VALUES: "가려진 자리(mask가 False)의 가중치가 0이 아닙니다"},
    ),
    Mistake(
        key="masked_zero_scores",
        ids="mask_zero_score",
        title="masked_softmax: 가려진 점수를 0으로 바꾸고 소프트맥스 (exp(0) = 1의 무게가 남음)",
        cells=_masked("점수를 0으로", """
            s = np.where(mask, x, 0.0)
            e = np.exp(s - np.max(s, axis=-1, keepdims=True))
            return e / np.sum(e, axis=-1, keepdims=True)
        """),
        lost=MASKED_TESTS,
        messages={INPUTS: 'masked_softmax()의 결과가 틀립니다. 가려진 자리(mask가', MASKED_EMPTY: 'masked_softmax()의 결과가 틀립니다. 가려진 자리(mask가', MASKED_VALUES: "가려진 점수를 0으로 바꾸는 것으로는 부족합니다"},
    ),
    Mistake(
        key="masked_not_renormalised",
        ids="mask_not_renormalised",
        title="masked_softmax: 소프트맥스 뒤에 마스크만 곱하고 다시 나누지 않음",
        cells=_masked("다시 나누지 않음", """
            e = np.exp(x - np.max(x, axis=-1, keepdims=True))
            return e / np.sum(e, axis=-1, keepdims=True) * mask
        """),
        lost=MASKED_TESTS,
        messages={INPUTS: 'masked_softmax()의 결과가 틀립니다. 가려진 자리는 0이지만', MASKED_EMPTY: 'masked_softmax()의 결과가 틀립니다. 가려진 자리는 0이지만', MASKED_VALUES: "다시 나누지 않았습니다"},
    ),
    Mistake(
        key="masked_inverted",
        ids="mask_inverted",
        title="masked_softmax: True를 가릴 자리로 거꾸로 읽음",
        cells=_masked("마스크가 거꾸로", """
            keep = ~mask
            kept = np.where(keep, x, -np.inf)
            top = np.max(kept, axis=-1, keepdims=True)
            top = np.where(np.isfinite(top), top, 0.0)
            e = np.where(keep, np.exp(kept - top), 0.0)
            total = np.sum(e, axis=-1, keepdims=True)
            return np.divide(e, total, out=np.zeros_like(e), where=total > 0)
        """),
        lost=MASKED_TESTS,
        messages={INPUTS: 'masked_softmax()의 결과가 틀립니다. 가중치가 가려진 자리(', MASKED_EMPTY: 'masked_softmax()의 결과가 틀립니다. 가중치가 가려진 자리(', MASKED_VALUES: "마스크의 뜻이 거꾸로입니다"},
    ),
    Mistake(
        key="masked_empty_row_nan",
        ids="mask_empty_nan",
        title="masked_softmax: 가린 점수를 -inf로 두고 그대로 소프트맥스 (전부 가려진 행이 nan)",
        cells=_masked("전부 가려진 행의 nan", """
            s = np.where(mask, x, -np.inf)
            e = np.exp(s - np.max(s, axis=-1, keepdims=True))
            return e / np.sum(e, axis=-1, keepdims=True)
        """),
        lost=MASKED_TESTS,
        messages={INPUTS: 'masked_softmax()의 결과가 틀립니다. 전부 가려진 행(마스크', MASKED_VALUES: "전부 가려진 행(마스크가 모두 False)에서 nan", MASKED_EMPTY: "nan 대신 0을"},
    ),
    Mistake(
        key="masked_big_negative",
        ids="mask_empty_uniform",
        title="masked_softmax: 가린 점수를 -1e9로 두어 전부 가려진 행이 균등 가중치 1/T가 됨",
        cells=_masked("-1e9로 가림", """
            s = np.where(mask, x, -1e9)
            e = np.exp(s - np.max(s, axis=-1, keepdims=True))
            return e / np.sum(e, axis=-1, keepdims=True)
        """),
        lost=MASKED_TESTS,
        messages={INPUTS: 'masked_softmax()의 결과가 틀립니다. 전부 가려진 행(마스크', MASKED_VALUES: "균등 가중치 1/T", MASKED_EMPTY: "남길 자리가 없는 행은 0이어야"},
    ),
    Mistake(
        key="softmax_wrong_axis",
        ids="softmax_wrong_axis",
        title="소프트맥스를 마지막 축 대신 축 0을 따라 계산함",
        cells={"softmax": _code('''
            def softmax(x):
                """마지막 축을 따라 소프트맥스를 구해야 합니다."""
                e = np.exp(x - np.max(x, axis=0, keepdims=True))
                return e / np.sum(e, axis=0, keepdims=True)
        ''')},
        lost=frozenset({INPUTS, ATTENTION_VALUES, WEIGHTS_SHAPE, WEIGHTS_VALUES, SOFTMAX_STABLE, SOFTMAX_VALUES}),
        messages={INPUTS: 'softmax()의 결과는 축 0을 따라 합이 1입니다: 소프트맥스를 축', WEIGHTS_SHAPE: 'attention_weights()의 결과는 축 0(미니배치 축)을 따라', SOFTMAX_VALUES: "소프트맥스를 축 0", SOFTMAX_STABLE: "소프트맥스를 축 0",
                  WEIGHTS_VALUES: "소프트맥스를 축 0(미니배치 축)", ATTENTION_VALUES: "소프트맥스를 축 0(미니배치 축)"},
    ),
    Mistake(
        key="softmax_no_max",
        ids="softmax_no_max",
        title="소프트맥스에서 최댓값을 빼지 않아 큰 점수에서 오버플로 → nan",
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
        ids="softmax_no_max",
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
        ids="softmax_global_sum",
        title="소프트맥스에서 마지막 축이 아니라 배열 전체의 합으로 나눔",
        cells={"softmax": _code('''
            def softmax(x):
                """마지막 축을 따라 소프트맥스를 구해야 합니다."""
                e = np.exp(x - np.max(x, axis=-1, keepdims=True))
                return e / np.sum(e)
        ''')},
        lost=frozenset({INPUTS, ATTENTION_VALUES, WEIGHTS_SHAPE, WEIGHTS_VALUES, SOFTMAX_STABLE, SOFTMAX_VALUES}),
        messages={INPUTS: 'softmax()의 결과는 모든 원소의 합이 1입니다: 배열 전체의 합으', WEIGHTS_SHAPE: 'attention_weights()의 결과는 모든 원소의 합이 1입니다:', SOFTMAX_VALUES: "배열 전체의 합으로 나누었습니다", SOFTMAX_STABLE: "배열 전체의 합으로 나누었습니다",
                  WEIGHTS_VALUES: "배열 전체의 합으로 나누었습니다", ATTENTION_VALUES: "배열 전체의 합으로 나누었습니다"},
    ),
    Mistake(
        key="softmax_mutates_input",
        ids="input_mutated",
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
        ids={"test_attention_inputs_unchanged": "reshape_size_mismatch", "test_attention_values": "reshape_size_mismatch", "test_attention_weights_shape": "scores_summed_over_time", "test_attention_weights_values": "scores_summed_over_time"},
        title="내적 점수를 은닉 차원 축(축 2) 대신 시각 축(축 1)으로 합함",
        cells={"attention_weights": _code('''
            def attention_weights(hs, h):
                """어텐션 가중치: hs (N, T, H), h (N, H) → a (N, T)."""
                N, T, H = hs.shape
                s = np.sum(hs * h.reshape(N, 1, H), axis=1)
                return softmax(s)
        ''')},
        lost=frozenset({WEIGHTS_SHAPE, WEIGHTS_VALUES, ATTENTION_VALUES, INPUTS}),
        messages={WEIGHTS_SHAPE: "시각 축(축 1)으로 합했습니다", WEIGHTS_VALUES: "시각 축(축 1)으로 합했습니다",
                  ATTENTION_VALUES: "앞 문제의 함수", INPUTS: "앞 문제의 함수"},
    ),
    Mistake(
        key="weights_no_softmax",
        ids="softmax_negative",
        title="내적 점수에 소프트맥스를 적용하지 않고 그대로 돌려줌",
        cells={"attention_weights": _code('''
            def attention_weights(hs, h):
                """어텐션 가중치: hs (N, T, H), h (N, H) → a (N, T)."""
                N, T, H = hs.shape
                return np.sum(hs * h.reshape(N, 1, H), axis=2)
        ''')},
        lost=frozenset({INPUTS, ATTENTION_VALUES, WEIGHTS_SHAPE, WEIGHTS_VALUES}),
        messages={INPUTS: 'attention()이 돌려준 가중치 a에 음수가 있습니다: 소프트맥스를', WEIGHTS_SHAPE: 'attention_weights()의 결과에 음수가 있습니다: 소프트맥스', WEIGHTS_VALUES: "소프트맥스를 거치지 않은 점수", ATTENTION_VALUES: "소프트맥스를 거치지 않은 점수"},
    ),
    Mistake(
        key="weights_hard_coded",
        ids={"test_attention_inputs_unchanged": "reshape_size_mismatch", "test_attention_values": "reshape_size_mismatch", "test_attention_weights_shape": "hardcoded_answer", "test_attention_weights_values": "hardcoded_answer"},
        title="어텐션 가중치를 처음 구한 답(기준 예제)으로 적어 두고 입력과 상관없이 늘 돌려줌",
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
        ids="pair_swapped",
        title="Attention 계층이 (c, a) 대신 (a, c) 순서로 돌려줌",
        cells={"attention": _code('''
            def attention(hs, h):
                """Attention 계층: (c, a)를 돌려줘야 합니다."""
                N, T, H = hs.shape
                a = attention_weights(hs, h)
                c = np.sum(hs * a.reshape(N, T, 1), axis=1)
                return a, c
        ''')},
        lost=frozenset({INPUTS, ATTENTION_VALUES}),
        messages={INPUTS: 'attention()이 돌려준 두 값의 순서가 바뀌었습니다: 첫째가 (N', ATTENTION_VALUES: "순서가 바뀌었습니다"},
    ),
    Mistake(
        key="attention_no_reshape",
        ids="reshape_query_and_weights",
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
        ids="axis_swapped",
        title="맥락 벡터를 시각 축(축 1) 대신 은닉 차원 축(축 2)으로 합함",
        cells={"attention": _code('''
            def attention(hs, h):
                """Attention 계층: (c, a)를 돌려줍니다."""
                N, T, H = hs.shape
                a = attention_weights(hs, h)
                c = np.sum(hs * a.reshape(N, T, 1), axis=2)
                return c, a
        ''')},
        lost=frozenset({INPUTS, ATTENTION_VALUES}),
        messages={INPUTS: 'attention()이 돌려준 맥락 벡터 c의 형상이 (2, 5)입니다.', ATTENTION_VALUES: "은닉 차원 축(축 2)으로 합했습니다"},
    ),
]
