"""05_attention_weights 과제(어텐션 가중치와 Attention 계층)의 진단 도구.

테스트 셀은 학생의 ``softmax(x)``, ``attention_weights(hs, h)``, ``attention(hs, h)``를 이 도구로
부르고 검사합니다. 진단은 결과의 자료형·형상, 가중치의 성질(음수가 없고 마지막 축을 따라 합이 1),
맥락 벡터의 성질(은닉 상태들 사이의 값)만 봅니다. 정답 구현이나 정답 값은 여기에 없습니다.

형상 기호: 미니배치 크기 N, 시계열 길이 T, 은닉 상태 크기 H.
``hs`` (N, T, H), ``h`` (N, H), 어텐션 가중치 ``a`` (N, T), 맥락 벡터 ``c`` (N, H).
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from ctxcourse import feedback as fb
from ctxcourse.feedback import call, check_ndarray, check_pair, check_shape, fail
from ctxcourse.checks.diagnoses import say
from ctxcourse.seed import seed_data

SOFTMAX = "softmax"
WEIGHTS = "attention_weights"
ATTENTION = "attention"

SOFTMAX_HINTS = {
    "could not be broadcast": say("softmax_needs_keepdims"),
    "out of bounds": say("softmax_axis_from_front"),
}
CALL_HINTS = {
    "could not be broadcast": say("reshape_query_and_weights") + " 소프트맥스에서 합으로 나눌 때는 keepdims=True를 쓰세요.",
    "mismatch in its core dimension": say("matmul_core_mismatch"),
    "cannot reshape": say("reshape_size_mismatch", what="배열과") + (
        " 크기는 N, T, H = hs.shape로 입력에서 읽어 쓰세요 (숫자를 적어 넣지 마세요). 앞 문제의 함수를 불러 썼다면, "
        "그 함수가 올바른 형상을 돌려주는지도 확인하세요."),
    "values to unpack": say("hs_is_3d", what="hs"),
}
STABILITY = say("softmax_no_max") + (
    " 지수를 취하기 전에 마지막 축마다 최댓값을 빼세요: x - np.max(x, axis=-1, keepdims=True).")


def seed_batch() -> tuple[np.ndarray, np.ndarray]:
    """과제 노트북의 준비 셀과 같은 미니배치 ``(hs, h)``를 새로 만들어 돌려줍니다.

    hs (2, 5, 4): 두 문장 모두 기준 예제의 은닉 상태, h (2, 4): 쿼리 — 문장 0은 hs[0, 0], 문장 1은 hs[1, 4].
    """
    hs0, _ = seed_data()
    return np.stack([hs0, hs0]), hs0[[0, 4]].copy()


def _copies(args) -> tuple:
    return tuple(x.copy() if isinstance(x, np.ndarray) else x for x in args)


def call_softmax(func: Callable, x: np.ndarray):
    """``softmax``를 입력의 복사본으로 부릅니다 (오류가 나면 원인을 짐작해 알려 줍니다)."""
    return call(func, *_copies((x,)), name=SOFTMAX, error_hints=SOFTMAX_HINTS)


def call_weights(func: Callable, hs: np.ndarray, h: np.ndarray):
    """``attention_weights``를 입력의 복사본으로 부릅니다."""
    return call(func, *_copies((hs, h)), name=WEIGHTS, error_hints=CALL_HINTS)


def call_attention(func: Callable, hs: np.ndarray, h: np.ndarray):
    """``attention``을 입력의 복사본으로 부릅니다."""
    return call(func, *_copies((hs, h)), name=ATTENTION, error_hints=CALL_HINTS)


def check_distribution(y: np.ndarray, subject: str, axis_names: tuple[str, ...] = ()) -> None:
    """``y``가 마지막 축을 따라 확률 분포인지 (유한, 음수 없음, 합이 1) 확인하고, 아니면 원인을 짐작합니다.

    ``subject``는 메시지의 주어입니다 (예: ``"softmax()의 결과"``). ``axis_names``는 축마다 붙일 이름입니다
    (예: ``("미니배치 축", "시각 축")``).
    """
    if not np.all(np.isfinite(y)):
        fail(f"{say('not_finite', subject=subject)} {STABILITY}")
    if np.any(y < 0):
        fail(f"{say('softmax_negative', subject=subject)} 소프트맥스는 np.exp로 모든 값을 양수로 만든 뒤 마지막 축의 합으로 "
             f"나눕니다.")
    if np.allclose(np.sum(y, axis=-1), 1.0):
        return
    for axis in range(y.ndim - 1):
        if np.allclose(np.sum(y, axis=axis), 1.0):
            label = axis_names[axis] if axis < len(axis_names) else ""
            where = f"축 {axis}({label})" if label else f"축 {axis}"
            fail(f"{say('softmax_wrong_axis', subject=subject + '는', where=where)} 마지막 "
                 f"축(axis=-1)을 따라 최댓값을 빼고, 지수를 취하고, 합으로 나누세요 (keepdims=True).")
    if y.ndim >= 2 and np.isclose(np.sum(y), 1.0):
        fail(f"{say('softmax_global_sum', subject=subject + '는')} 마지막 축을 따라 합하세요: "
             f"np.sum(..., axis=-1, keepdims=True).")
    fail(f"{say('softmax_not_normalised', subject=subject + '를')} 소프트맥스를 적용했는지, 지수(np.exp)의 합으로 "
         f"나누었는지 확인하세요.")


def check_softmax(y, x: np.ndarray) -> np.ndarray:
    """``softmax(x)``의 결과가 x와 같은 형상의 np.ndarray이고 마지막 축을 따라 확률 분포인지 확인합니다."""
    y = check_ndarray(y, SOFTMAX)
    hints = {
        x.shape[:-1]: say("softmax_returned_sum") + " 소프트맥스는 입력과 같은 형상입니다: 지수를 그 합으로 나눈 배열 "
                                                  "전체를 돌려주세요.",
        x.shape[:-1] + (1,): say("softmax_returned_keepdims_sum"),
        (x.size,): say("result_flattened"),
    }
    check_shape(y, x.shape, SOFTMAX, hints)
    check_distribution(y, "softmax()의 결과")
    return y


def _weights_shape_hints(N: int, T: int, H: int) -> dict:
    return {
        (N, H): say("scores_summed_over_time") + (
            " 내적은 곱한 뒤 은닉 차원 축(축 2)을 따라 더한 값이라, 점수는 시각마다 하나씩 (N, T)입니다."),
        (N, T, H): say("dot_not_summed"),
        (N, T, 1): say("keepdims_left_on", axis="축이") + " 가중치는 (N, T)여야 합니다.",
        (N, 1, T): say("weights_extra_axis"),
        (T,): say("summed_batch_too") + " 문장마다 가중치가 한 줄씩 (N, T)여야 합니다.",
        (N,): say("summed_two_axes", what="두 축을") + " 내적은 은닉 차원 축(축 2)으로만 더합니다.",
    }


def check_weights_shape(a, hs: np.ndarray, h: np.ndarray) -> np.ndarray:
    """``attention_weights(hs, h)``의 결과가 np.ndarray이고 형상이 (N, T)인지 확인합니다."""
    a = check_ndarray(a, WEIGHTS)
    N, T, H = hs.shape
    check_shape(a, (N, T), WEIGHTS, _weights_shape_hints(N, T, H))
    return a


def check_weights(a, hs: np.ndarray, h: np.ndarray) -> np.ndarray:
    """:func:`check_weights_shape`에 더해, 가중치가 행마다(시각 축을 따라) 합이 1인 분포인지 확인합니다."""
    a = check_weights_shape(a, hs, h)
    check_distribution(a, "attention_weights()의 결과", ("미니배치 축", "시각 축"))
    return a


def check_attention(result, hs: np.ndarray, h: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``attention(hs, h)``가 (c, a) 튜플을 돌려주는지, 형상 (N, H), (N, T)와 가중치·가중합의 성질을 확인합니다."""
    c, a = check_pair(result, ATTENTION, ("c", "a"))
    N, T, H = hs.shape
    if c.shape == (N, T) and a.shape == (N, H):
        fail(f"{say('pair_swapped', called=fb.called(ATTENTION, '이'))}: 첫째가 (N, T), 둘째가 (N, H)입니다. 맥락 벡터 "
             f"c (N, H)를 먼저, 어텐션 가중치 a (N, T)를 나중에 돌려주세요: return c, a")
    c_hints = {
        (N, T): f"맥락 벡터를 {say('axis_swapped', hidden='(축 2)')}. 가중합은 시각 축(축 1)으로 합합니다.",
        (T, H): f"맥락 벡터를 {say('summed_over_batch')} 시각 축(축 1)으로 합하세요.",
        (N, 1, H): say("keepdims_left_on", axis="축이") + " keepdims를 빼세요.",
        (N, T, H): say("not_summed_over_time"),
    }
    called = fb.called(ATTENTION, "이")
    if c.shape != (N, H):
        fail(f"{say('returned_shape_wrong', called=called, label='맥락 벡터 c', got=c.shape, expected=(N, H))} "
             f"{c_hints.get(c.shape, '')}".rstrip())
    if a.shape != (N, T):
        fail(f"{say('returned_shape_wrong', called=called, label='가중치 a', got=a.shape, expected=(N, T))} "
             f"{_weights_shape_hints(N, T, H).get(a.shape, '')}".rstrip())
    check_distribution(a, "attention()이 돌려준 가중치 a", ("미니배치 축", "시각 축"))
    check_context(c, a, hs)
    return c, a


def check_context(c: np.ndarray, a: np.ndarray, hs: np.ndarray) -> None:
    """맥락 벡터 ``c``가 가중치 ``a``(합이 1, 음수 없음)로 구한 은닉 상태의 가중합답게 보이는지 확인합니다.

    그런 가중합의 각 원소는 같은 은닉 차원의 hs 값들 (시각 축) 사이에 있습니다.
    """
    N, T, H = hs.shape
    if not np.all(np.isfinite(c)):
        fail(f"{say('not_finite', subject=f'{ATTENTION}()의 맥락 벡터 c')} {STABILITY}")
    uniform = np.allclose(a, 1.0 / T)
    if not uniform and (np.allclose(c, hs.mean(axis=1)) or np.allclose(c, hs.sum(axis=1))):
        fail(f"{ATTENTION}()의 맥락 벡터 c가 {say('forgot_weights', what='은닉 상태를 시각 축으로 평균(또는 합)한 값입니다.')} "
             f"hs에 a.reshape(N, T, 1)을 곱한 뒤 시각 축(축 1)으로 합하세요.")
    tol = 1e-9 + 1e-9 * np.abs(hs).max()
    if np.any(c < hs.min(axis=1) - tol) or np.any(c > hs.max(axis=1) + tol):
        fail(f"{say('context_not_weighted_sum', name=ATTENTION)} a를 a.reshape(N, T, 1)로 바꾸어 hs와 곱한 뒤 "
             f"시각 축(축 1)으로 합하세요.")


# ---------------------------------------------------------------- 기준 예제 (값이 맞아야 다른 점수도 받습니다)

#: 기준 예제의 값들 (소수 셋째 자리, 강의에도 나오는 공개 값)
SEED_SOFTMAX = ((0.031, 0.255, 0.573, 0.141), (0.45, 0.282, 0.21, 0.058), (0.193, 0.3, 0.147, 0.36),
                (0.098, 0.398, 0.345, 0.159), (0.135, 0.642, 0.148, 0.075))
SEED_WEIGHTS = ((0.888, 0.003, 0.007, 0.075, 0.026), (0.112, 0.117, 0.042, 0.102, 0.627))
SEED_CONTEXT = ((-1.609, 0.396, 1.06, -0.262), (-0.481, 0.838, -0.07, -0.847))


def check_softmax_seed(func: Callable) -> np.ndarray:
    """기준 예제의 은닉 상태 (5, 4)를 점수로 보고 ``softmax``의 형상과 값을 확인합니다."""
    hs0, _ = seed_data()
    y = check_softmax(call_softmax(func, hs0), hs0)
    fb.check_seed_values(y, SEED_SOFTMAX, SOFTMAX, label="y",
                         hint="지수(np.exp)를 마지막 축의 합으로 나누었는지 확인하세요.")
    return y


def check_weights_seed(func: Callable) -> np.ndarray:
    """기준 예제의 미니배치에서 ``attention_weights``의 형상과 값을 확인합니다."""
    hs, h = seed_batch()
    a = check_weights(call_weights(func, hs, h), hs, h)
    fb.check_seed_values(a, SEED_WEIGHTS, WEIGHTS, label="a",
                         hint="점수는 hs와 h의 내적(곱한 뒤 축 2로 합)이고, 가중치는 그 점수의 소프트맥스입니다.")
    return a


def check_attention_seed(func: Callable) -> tuple[np.ndarray, np.ndarray]:
    """기준 예제의 미니배치에서 ``attention``의 (c, a) 형상과 값을 확인합니다."""
    hs, h = seed_batch()
    c, a = check_attention(call_attention(func, hs, h), hs, h)
    fb.check_seed_values(a, SEED_WEIGHTS, ATTENTION, label="a",
                         hint="둘째 값 a는 문제 C의 어텐션 가중치와 같아야 합니다.")
    fb.check_seed_values(c, SEED_CONTEXT, ATTENTION, label="c",
                         hint="첫째 값 c는 a로 hs를 가중합(시각 축으로 합)한 맥락 벡터입니다.")
    return c, a


# ---------------------------------------------------------------- masked_softmax

MASKED = "masked_softmax"
MASKED_HINTS = {
    "could not be broadcast": say("mask_shape_broadcast"),
    "boolean index did not match": say("mask_boolean_index"),
}
MASKED_ZERO_SCORE = say("mask_zero_score") + (" 가려진 자리는 지수를 취한 뒤 0으로 만들고, 남은 자리의 합으로 "
                     "나누세요 (또는 점수를 -inf로 두세요).")
MASKED_INVERTED = say("mask_inverted") + " True가 남길 자리, False가 가릴 자리입니다."
MASKED_NOT_RENORMALISED = say("mask_not_renormalised") + " 가린 뒤 남은 자리의 합으로 나누세요."
MASKED_EMPTY_NAN = say("mask_empty_nan") + (" 그런 행은 nan 대신 0을 돌려주세요 (예: 합이 0인 행은 나누지 않고 0으로 둡니다).")
MASKED_EMPTY_UNIFORM = say("mask_empty_uniform") + (" -1e9 같은 아주 작은 점수로 가리면 "
                        "그런 행은 모든 자리가 같은 점수라 균등 가중치 1/T가 됩니다. 남길 자리가 없는 행은 0이어야 합니다.")

#: 기준 예제의 어텐션 점수 (소수 셋째 자리)와 패딩 마스크: 문장 0은 5단어, 문장 1은 3단어(뒤 2칸이 패딩),
#: 셋째 행은 전부 가려진 행입니다.
SEED_MASKED_X = ((4.572, -1.016, -0.219, 2.103, 1.06), (1.06, 1.108, 0.077, 0.973, 2.785),
                 (1.06, 1.108, 0.077, 0.973, 2.785))
SEED_MASKED_MASK = ((True,) * 5, (True, True, True, False, False), (False,) * 5)
SEED_MASKED = ((0.888, 0.003, 0.007, 0.075, 0.026), (0.413, 0.433, 0.154, 0.0, 0.0), (0.0,) * 5)


def seed_masked() -> tuple[np.ndarray, np.ndarray]:
    """기준 예제의 점수 ``x`` (3, 5)와 마스크 ``mask`` (3, 5, bool)를 새로 만들어 돌려줍니다."""
    return np.array(SEED_MASKED_X), np.array(SEED_MASKED_MASK, dtype=bool)


def call_masked(func: Callable, x: np.ndarray, mask: np.ndarray):
    """``masked_softmax(x, mask)``를 입력의 복사본으로 부릅니다."""
    return call(func, *_copies((x, mask)), name=MASKED, error_hints=MASKED_HINTS)


def diagnose_masked(y: np.ndarray, x: np.ndarray, mask: np.ndarray) -> str | None:
    """형상이 맞는 ``masked_softmax``의 결과에서 알아볼 수 있는 실수에 이름을 붙입니다 (없으면 None)."""
    mask = np.asarray(mask, dtype=bool)
    empty = ~mask.any(axis=-1)                      # 전부 가려진 행
    finite = np.isfinite(y)
    if not finite.all():
        if (finite | empty[..., None]).all():
            return MASKED_EMPTY_NAN
        return f"{say('not_finite', subject='결과')} {STABILITY}"
    if np.any(y < 0):
        return say("softmax_negative", subject="결과")
    kept_rows = ~empty
    if np.any(y[empty] != 0):
        if np.allclose(y[empty], 1.0 / mask.shape[-1]) and np.allclose(y[~mask & kept_rows[..., None]], 0):
            return MASKED_EMPTY_UNIFORM
    hidden = ~mask & kept_rows[..., None]
    if np.any(np.abs(y[hidden]) > 1e-12):
        if np.allclose(y[mask], 0):
            return MASKED_INVERTED
        return MASKED_ZERO_SCORE
    sums = np.sum(y, axis=-1)[kept_rows]
    if not np.allclose(sums, 1.0):
        return MASKED_NOT_RENORMALISED
    if np.any(y[empty] != 0):
        return MASKED_EMPTY_UNIFORM
    return None


def check_masked(y, x: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """``masked_softmax(x, mask)``의 결과가 x와 같은 형상의 np.ndarray이고 마스크의 성질을 지키는지 확인합니다."""
    y = check_ndarray(y, MASKED)
    check_shape(y, np.shape(x), MASKED, {np.shape(x)[:-1]: say("softmax_returned_sum")
                                         + " 입력과 같은 형상의 가중치 배열 전체를 돌려주세요."})
    hint = diagnose_masked(y, x, mask)
    if hint:
        fail(f"{say('masked_wrong')} {hint}")
    return y


def check_masked_seed(func: Callable) -> np.ndarray:
    """기준 예제의 점수와 패딩 마스크(:func:`seed_masked`)에서 형상과 값을 확인합니다."""
    x, mask = seed_masked()
    y = check_masked(call_masked(func, x, mask), x, mask)
    fb.check_seed_values(y, SEED_MASKED, MASKED, label="y",
                         hint="남길 자리(True)만으로 소프트맥스를 구하고, 가린 자리와 전부 가려진 행은 0입니다.")
    return y
