"""04_weight_sum 과제(WeightSum 계층)의 진단 도구.

테스트 셀은 학생의 ``weight_sum_forward(hs, a)``와 ``weight_sum_backward(hs, a, dc)``를 이 도구로
부르고 검사합니다. 진단은 결과의 자료형·형상과, 입력과의 관계(알려진 틀린 계산과 같은지)만 봅니다.
정답 구현이나 정답 값은 여기에 없습니다: 기준 예제의 값은 테스트 셀의 요약값(digest)으로만,
새 입력의 값은 숨은 테스트에서만 비교합니다.

형상 기호: 미니배치 크기 N, 시계열 길이 T, 은닉 상태 크기 H.
``hs`` (N, T, H), ``a`` (N, T), ``c`` (N, H), ``dc`` (N, H), ``dhs`` (N, T, H), ``da`` (N, T).
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from ctxcourse import feedback as fb
from ctxcourse.feedback import call, check_ndarray, check_pair, check_shape, fail, numerical_gradient
from ctxcourse.checks.diagnoses import say
from ctxcourse.seed import seed_data

FORWARD = "weight_sum_forward"
BACKWARD = "weight_sum_backward"

CALL_HINTS = {
    "could not be broadcast": say("reshape_for_batch") + " dc (N, H)는 dc.reshape(N, 1, H)로 바꿉니다.",
    "cannot reshape": say("reshape_size_mismatch", what="배열과") + (
        " 크기는 N, T, H = hs.shape로 입력에서 읽어 쓰세요 (숫자를 적어 넣지 마세요)."),
    "not enough values to unpack": say("hs_is_3d", what="hs"),
    "too many values to unpack": say("hs_is_3d", what="hs"),
}

NOTE_FORWARD = "(수치 미분은 여러분의 weight_sum_forward로 계산합니다. 순전파 테스트가 통과하는지도 확인하세요.)"


def seed_batch() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """과제 노트북의 준비 셀과 같은 미니배치 ``(hs, a, dc)``를 새로 만들어 돌려줍니다.

    hs (2, 5, 4): 두 문장 모두 기준 예제의 은닉 상태, a (2, 5): 기준 예제의 가중치와 균등 가중치,
    dc (2, 4): 역전파에 흘려보낼 기울기.
    """
    hs0, a0 = seed_data()
    T = hs0.shape[0]
    hs = np.stack([hs0, hs0])
    a = np.stack([a0, np.full(T, 1.0 / T)])
    dc = np.array([[1.0, -1.0, 0.5, 2.0], [-0.5, 1.5, 1.0, -2.0]])
    return hs, a, dc


def _copies(args) -> tuple:
    return tuple(x.copy() if isinstance(x, np.ndarray) else x for x in args)


def call_forward(func: Callable, hs: np.ndarray, a: np.ndarray):
    """``weight_sum_forward``를 입력의 복사본으로 부릅니다 (오류가 나면 원인을 짐작해 알려 줍니다)."""
    return call(func, *_copies((hs, a)), name=FORWARD, error_hints=CALL_HINTS)


def call_backward(func: Callable, hs: np.ndarray, a: np.ndarray, dc: np.ndarray):
    """``weight_sum_backward``를 입력의 복사본으로 부릅니다."""
    return call(func, *_copies((hs, a, dc)), name=BACKWARD, error_hints=CALL_HINTS)


def _forward_shape_hints(N: int, T: int, H: int) -> dict:
    return {
        (N, T): say("axis_swapped", hidden="(축 2)") + ". 맥락 벡터는 시각 축(축 1)으로 합합니다: np.sum(..., axis=1).",
        (T, H): say("summed_over_batch") + " 문장마다 맥락 벡터가 하나씩 나오도록 시각 축(축 1)으로 합하세요.",
        (N, 1, H): say("keepdims_left_on", axis="합한 축이") + " keepdims를 빼세요.",
        (N, N, H): say("batch_matmul") + " 문장마다 곱하려면 a.reshape(N, T, 1)을 hs와 원소별로 곱한 뒤 시각 축(축 1)으로 합하세요 "
                   "(a.reshape(N, 1, T) @ hs는 (N, 1, H)가 되므로 축 1을 더 없애야 합니다).",
        (N, T, H): say("not_summed_over_time"),
        (H,): say("summed_two_axes", what="미니배치 축과 시각 축을") + " 시각 축(축 1)으로만 합하세요.",
        (N,): say("summed_two_axes", what="두 축을") + " 시각 축(축 1)으로만 합하세요.",
    }


def check_forward(c, hs: np.ndarray, a: np.ndarray) -> np.ndarray:
    """순전파 결과 ``c``가 np.ndarray이고 형상이 (N, H)인지 확인합니다. 틀린 형상은 원인을 설명합니다."""
    c = check_ndarray(c, FORWARD)
    N, T, H = hs.shape
    check_shape(c, (N, H), FORWARD, _forward_shape_hints(N, T, H))
    return c


def check_forward_values(c: np.ndarray, hs: np.ndarray, a: np.ndarray) -> None:
    """형상이 맞는 ``c``가 알려진 틀린 계산과 같은지 봅니다 (값이 맞는지는 테스트 셀이 확인합니다)."""
    if not np.all(np.isfinite(c)):
        fail(say("not_finite", subject=f"{FORWARD}()의 결과") + " 가중치 a와 은닉 상태 hs만 곱하고 더하면 됩니다.")
    if np.allclose(c, hs.sum(axis=1)) or np.allclose(c, hs.mean(axis=1)):
        fail(f"{fb.called(FORWARD, '이')} {say('forgot_weights', what='은닉 상태를 시각 축으로 합(또는 평균)했습니다.')} "
             f"hs에 a.reshape(N, T, 1)을 곱한 뒤 시각 축(축 1)으로 합하세요.")
    if np.allclose(c, hs[:, 0, :]):
        fail(say("first_step_only", called=fb.called(FORWARD, "이")))


def _backward_shape_hints(N: int, T: int, H: int) -> tuple[dict, dict]:
    dhs_hints = {
        (N, 1, H): say("repeat_missing_in_backward", how="T번 복제(repeat)") + (
            " 순전파의 합(sum)의 역전파는 복제입니다: 복제한 dc (N, T, H)에 가중치를 곱하세요."),
        (N, H): say("backward_returned_dc") + (
            " 순전파의 합(sum)의 역전파는 복제(repeat)입니다: dc를 시각 축으로 T번 복제해 (N, T, H)로 만든 뒤 "
            "가중치를 곱하세요."),
        (N, T): say("dhs_wrong_part"),
    }
    da_hints = {
        (N, H): say("da_summed_over_time") + (
            " 브로드캐스팅(복제)의 역전파는 합이고, 가중치는 H개로 복제되었으니 은닉 차원 축(축 2)으로 합해야 합니다."),
        (N, T, H): say("da_not_summed") + (
            " 가중치는 H개로 복제(브로드캐스팅)되었으니 그 역전파로 축 2를 따라 합하세요: np.sum(..., axis=2)."),
        (N, T, 1): say("keepdims_left_on", axis="축이") + " da는 a와 같은 형상 (N, T)여야 합니다.",
        (T,): say("summed_batch_too") + " da는 a와 같은 형상 (N, T)여야 합니다.",
    }
    return dhs_hints, da_hints


def check_backward(result, hs: np.ndarray, a: np.ndarray, dc: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """역전파 결과가 (dhs, da) 튜플이고 형상이 (N, T, H), (N, T)인지 확인하고 두 배열을 돌려줍니다."""
    dhs, da = check_pair(result, BACKWARD, ("dhs", "da"))
    N, T, H = hs.shape
    if dhs.shape == (N, T) and da.shape == (N, T, H):
        fail(f"{say('pair_swapped', called=fb.called(BACKWARD, '이'))}: 첫째가 (N, T), 둘째가 (N, T, H)입니다. "
             f"hs의 기울기 dhs (N, T, H)를 먼저, a의 기울기 da (N, T)를 나중에 돌려주세요: return dhs, da")
    dhs_hints, da_hints = _backward_shape_hints(N, T, H)
    for label, value, expected, hints in (("dhs", dhs, (N, T, H), dhs_hints), ("da", da, (N, T), da_hints)):
        if value.shape != expected:
            fail(f"{say('returned_shape_wrong', called=fb.called(BACKWARD, '이'), label=label, got=value.shape, expected=expected)} "
                 f"{hints.get(value.shape, '')}".rstrip())
    return dhs, da


def check_backward_values(dhs: np.ndarray, da: np.ndarray, hs: np.ndarray, a: np.ndarray,
                          dc: np.ndarray) -> None:
    """형상이 맞는 (dhs, da)가 알려진 틀린 계산과 같은지 봅니다."""
    N, T, H = hs.shape
    if not (np.all(np.isfinite(dhs)) and np.all(np.isfinite(da))):
        fail(say("not_finite", subject=f"{BACKWARD}()의 결과") + " 곱셈과 합만으로 계산됩니다.")
    dc_repeated = np.broadcast_to(dc.reshape(N, 1, H), (N, T, H))
    if np.allclose(dhs, dc_repeated):
        fail(f"{say('backward_forgot_weights', name=BACKWARD, what=' a를')} "
             f"순전파에서 hs에 a를 곱했으니, 역전파에서는 복제한 dc에 a.reshape(N, T, 1)을 곱해야 합니다.")
    if np.allclose(dhs, np.broadcast_to(a.reshape(N, T, 1), (N, T, H))):
        fail(say("dhs_is_weights", name=BACKWARD))
    if np.allclose(da, hs.sum(axis=2)):
        fail(f"{say('da_forgot_upstream', name=BACKWARD)} "
             f"dc를 시각 축으로 복제해 hs와 곱한 뒤 축 2로 합하세요.")


def check_gradient(forward: Callable, hs: np.ndarray, a: np.ndarray, dc: np.ndarray,
                   dhs: np.ndarray, da: np.ndarray, eps: float = 1e-4) -> None:
    """(dhs, da)가 손실 L = sum(forward(hs, a) * dc)의 수치 미분(중앙 차분)과 같은지 확인합니다.

    L을 학생의 ``forward``로 계산하므로, 순전파가 먼저 (N, H) 배열을 돌려줘야 합니다.
    """
    try:
        check_forward(call_forward(forward, hs, a), hs, a)
    except AssertionError as error:
        fail(f"{say('gradient_needs_forward', name=FORWARD)} {error}")

    def loss_of_hs(x):
        return np.sum(call_forward(forward, x, a) * dc)

    def loss_of_a(x):
        return np.sum(call_forward(forward, hs, x) * dc)

    numeric_dhs = numerical_gradient(loss_of_hs, hs, eps)
    numeric_da = numerical_gradient(loss_of_a, a, eps)
    if not (np.any(numeric_dhs) or np.any(numeric_da)):
        fail(say("forward_constant", name=FORWARD, what=" hs, a를"))
    if not np.allclose(dhs, numeric_dhs, atol=1e-6, rtol=1e-5):
        fail(f"{say('gradient_differs', name=BACKWARD, label='dhs')} 합(sum)의 역전파는 복제(repeat)이고, "
             f"곱셈의 역전파는 상대편 입력을 곱하는 것입니다: dc를 시각 축으로 복제해 a를 곱하세요. {NOTE_FORWARD}")
    if not np.allclose(da, numeric_da, atol=1e-6, rtol=1e-5):
        fail(f"{say('gradient_differs', name=BACKWARD, label='da')} 복제(브로드캐스팅)의 역전파는 합입니다: "
             f"복제한 dc와 hs를 곱해 은닉 차원 축(축 2)으로 합하세요. {NOTE_FORWARD}")


# ---------------------------------------------------------------- 기준 예제 (값이 맞아야 다른 점수도 받습니다)

#: :func:`seed_batch`에서의 기대값 (소수 셋째 자리, 공개 값): 문장 0은 기준 예제의 맥락 벡터, 문장 1은 시각 평균
SEED_FORWARD = ((-1.347, 0.395, 0.956, -0.323), (-0.415, 0.592, 0.23, -0.422))
SEED_DHS = (((0.8, -0.8, 0.4, 1.6), (0.1, -0.1, 0.05, 0.2), (0.03, -0.03, 0.015, 0.06), (0.05, -0.05, 0.025, 0.1),
             (0.02, -0.02, 0.01, 0.04)), ((-0.1, 0.3, 0.2, -0.4),) * 5)
SEED_DA = ((-2.021, -1.562, 0.197, -1.273, -4.017), (3.047, 2.642, -0.851, 2.399, 3.609))


def check_forward_seed(func: Callable) -> np.ndarray:
    """기준 예제의 미니배치에서 ``weight_sum_forward``의 형상과 값을 확인하고 c를 돌려줍니다."""
    hs, a, _ = seed_batch()
    c = check_forward(call_forward(func, hs, a), hs, a)
    check_forward_values(c, hs, a)
    fb.check_seed_values(c, SEED_FORWARD, FORWARD, label="c",
                         hint="문장 0은 기준 예제의 맥락 벡터, 문장 1은 은닉 상태의 시각 평균이어야 합니다.")
    return c


def check_backward_seed(func: Callable) -> tuple[np.ndarray, np.ndarray]:
    """기준 예제의 미니배치에서 ``weight_sum_backward``의 형상과 값을 확인하고 (dhs, da)를 돌려줍니다."""
    hs, a, dc = seed_batch()
    dhs, da = check_backward(call_backward(func, hs, a, dc), hs, a, dc)
    check_backward_values(dhs, da, hs, a, dc)
    fb.check_seed_values(dhs, SEED_DHS, BACKWARD, label="dhs")
    fb.check_seed_values(da, SEED_DA, BACKWARD, label="da")
    return dhs, da
