"""06_attention_layer 과제(책의 계층 API로 만드는 WeightSum, AttentionWeight, Attention)의 진단 도구.

테스트 셀은 학생의 클래스로 계층을 만들고(``new_layer``), 순전파·역전파를 이 도구로 부르고 검사합니다.
진단은 결과의 자료형·형상, 가중치의 성질(음수가 없고 시각 축을 따라 합이 1), 그리고 학생 자신의 결과로
만든 "알려진 틀린 계산"과의 비교만 봅니다. 정답 구현이나 정답 값은 여기에 없습니다: 기준 예제의 값은 테스트
셀의 요약값(digest)으로만, 새 입력의 값은 숨은 테스트에서만 비교합니다. 역전파는 학생의 순전파로 구한
수치 미분(중앙 차분)과 비교합니다.

형상 기호: 미니배치 크기 N, 시계열 길이 T, 은닉 상태 크기 H.
``hs`` (N, T, H), 쿼리 ``h`` (N, H), 어텐션 가중치 ``a`` (N, T), 맥락 벡터 ``c`` (N, H).
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from ctxcourse.feedback import Feedback, call, check_ndarray, check_pair, check_shape, fail, numerical_gradient
from ctxcourse.checks.diagnoses import say
from ctxcourse.seed import seed_data

WEIGHT_SUM = "WeightSum"
ATTENTION_WEIGHT = "AttentionWeight"
ATTENTION = "Attention"

CALL_HINTS = {
    "could not be broadcast": say("layer_reshape_inputs"),
    "cannot reshape": say("reshape_size_mismatch", what="배열과") + (
        " 크기는 N, T, H = hs.shape로 입력에서 읽어 쓰세요 (숫자를 적어 넣지 마세요)."),
    "values to unpack": say("hs_is_3d", what="hs"),
    "NoneType": say("layer_no_cache"),
}
OVERFLOW = say("softmax_no_max") + (" 지수를 취하기 전에 시각 축(축 1)마다 최댓값을 빼세요: s - np.max(s, axis=1, keepdims=True).")
GRADIENT_NOTE = "(수치 미분은 여러분의 forward로 계산합니다. 순전파 테스트가 통과하는지도 확인하세요.)"


def seed_batch() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """과제 노트북의 준비 셀과 같은 미니배치 ``(hs, h, a, dc)``를 새로 만들어 돌려줍니다.

    hs (2, 5, 4): 두 문장 모두 기준 예제의 은닉 상태, h (2, 4): 쿼리 — 문장 0은 hs[0, 0], 문장 1은 hs[1, 4],
    a (2, 5): 문장 0은 기준 예제의 가중치, 문장 1은 균등 가중치, dc (2, 4): 역전파에 흘려보낼 기울기.
    """
    hs0, a0 = seed_data()
    T = hs0.shape[0]
    hs = np.stack([hs0, hs0])
    h = hs0[[0, 4]].copy()
    a = np.stack([np.asarray(a0, dtype=float), np.full(T, 1.0 / T)])
    dc = np.array([[1.0, -1.0, 0.5, 2.0], [-0.5, 1.5, 1.0, -2.0]])
    return hs, h, a, dc


def _copies(args) -> tuple:
    return tuple(np.array(x, copy=True) if isinstance(x, np.ndarray) else x for x in args)


def new_layer(cls: Callable, name: str):
    """학생의 클래스 ``cls``로 계층 하나를 만듭니다 (오류가 나면 한국어로 알려 줍니다)."""
    return call(cls, name=name, error_hints=CALL_HINTS)


def method(layer: Any, name: str, which: str) -> Callable:
    """계층의 메서드 ``which``(forward, backward)를 꺼냅니다. 없으면 무엇을 만들어야 하는지 알려 줍니다."""
    try:
        return getattr(layer, which)
    except AttributeError:
        fail(say("layer_missing_method", name=name, which=which))


def forward(layer: Any, name: str, *args):
    """``layer.forward``를 입력의 복사본으로 부릅니다."""
    return call(method(layer, name, "forward"), *_copies(args), name=f"{name}.forward", error_hints=CALL_HINTS)


def backward(layer: Any, name: str, upstream: np.ndarray):
    """``layer.backward``를 기울기의 복사본으로 부릅니다 (forward를 먼저 불러 두어야 합니다)."""
    return call(method(layer, name, "backward"), *_copies((upstream,)), name=f"{name}.backward",
                error_hints=CALL_HINTS)


def check_empty_lists(layer: Any, name: str) -> None:
    """책의 계층 API: 학습할 매개변수가 없는 계층의 ``params``와 ``grads``는 빈 리스트입니다."""
    for attr in ("params", "grads"):
        try:
            value = getattr(layer, attr)
        except AttributeError:
            fail(say("layer_missing_list", name=name, attr=attr))
        if type(value) is not list or value:
            fail(f"{say('layer_lists_not_empty', name=name, attr=attr)} 지금은 "
                 f"{type(value).__name__}{'' if type(value) is not list else f' (원소 {len(value)}개)'}입니다. "
                 f"forward나 backward에서 self.{attr}를 바꾸지 마세요.")


# --- WeightSum -----------------------------------------------------------------------------------

def check_context(c, hs: np.ndarray, name: str) -> np.ndarray:
    """맥락 벡터 ``c``가 np.ndarray이고 형상이 (N, H)인지 확인합니다. 틀린 형상은 원인을 설명합니다."""
    c = check_ndarray(c, name)
    N, T, H = hs.shape
    check_shape(c, (N, H), name, {
        (N, T): say("axis_swapped", hidden="(축 2)") + ". 맥락 벡터는 시각 축(축 1)으로 합합니다: np.sum(..., axis=1).",
        (T, H): say("summed_over_batch") + " 문장마다 맥락 벡터가 하나씩 나오도록 시각 축(축 1)으로 합하세요.",
        (N, 1, H): say("keepdims_left_on", axis="합한 축이") + " keepdims를 빼세요.",
        (N, T, H): say("not_summed_over_time"),
    })
    if not np.all(np.isfinite(c)):
        fail(say("not_finite", subject=f"{name}()의 결과"))
    return c


def diagnose_context(c: np.ndarray, hs: np.ndarray, name: str) -> None:
    """형상이 맞는 ``c``가 알려진 틀린 계산(가중치 없이 합·평균, 첫 시각만)과 같은지 봅니다."""
    if np.allclose(c, hs.sum(axis=1)) or np.allclose(c, hs.mean(axis=1)):
        fail(f"{name}()이 {say('forgot_weights', what='은닉 상태를 시각 축으로 합(또는 평균)했습니다.')} "
             f"hs에 a.reshape(N, T, 1)을 곱한 뒤 시각 축(축 1)으로 합하세요.")
    if np.allclose(c, hs[:, 0, :]):
        fail(say("first_step_only", called=f"{name}()이"))


def check_grads(result, name: str, labels: tuple[str, str], shapes: tuple[tuple, tuple],
                hints: tuple[dict, dict] = ({}, {})) -> tuple[np.ndarray, np.ndarray]:
    """역전파 결과가 배열 두 개짜리 튜플이고 형상이 ``shapes``인지 확인하고 두 배열을 돌려줍니다."""
    first, second = check_pair(result, name, labels)
    if first.shape == shapes[1] and second.shape == shapes[0] and shapes[0] != shapes[1]:
        fail(f"{say('pair_swapped', called=f'{name}()이')}. {labels[0]} {shapes[0]}를 먼저, "
             f"{labels[1]} {shapes[1]}를 나중에 돌려주세요: return {labels[0]}, {labels[1]}")
    for label, value, expected, hint in zip(labels, (first, second), shapes, hints):
        if value.shape != expected:
            fail(f"{say('returned_shape_wrong', called=f'{name}()이', label=label, got=value.shape, expected=expected)} "
                 f"{hint.get(value.shape, '')}".rstrip())
        if not np.all(np.isfinite(value)):
            fail(say("not_finite", subject=f"{name}()이 돌려준 {label}"))
    return first, second


def weight_sum_grad_hints(N: int, T: int, H: int) -> tuple[dict, dict]:
    return ({(N, 1, H): say("repeat_missing_in_backward", how="복제") + " 합(sum)의 역전파는 복제(repeat)입니다.",
             (N, H): say("backward_returned_dc") + " dc를 시각 축으로 T번 복제해 (N, T, H)로 만든 뒤 가중치를 곱하세요."},
            {(N, H): say("da_summed_over_time") + " 가중치는 은닉 차원 축으로 H번 복제되었으니 그 역전파로 "
                     "은닉 차원 축(축 2)을 따라 합하세요.",
             (N, T, H): say("da_not_summed") + " 복제(브로드캐스팅)의 역전파는 합입니다: np.sum(..., axis=2).",
             (N, T, 1): say("keepdims_left_on", axis="축이") + " da는 a와 같은 형상 (N, T)여야 합니다."})


def diagnose_weight_sum_grads(dhs: np.ndarray, da: np.ndarray, hs: np.ndarray, a: np.ndarray,
                              dc: np.ndarray) -> None:
    """형상이 맞는 (dhs, da)가 알려진 틀린 계산과 같은지 봅니다."""
    N, T, H = hs.shape
    if np.allclose(dhs, np.broadcast_to(dc.reshape(N, 1, H), (N, T, H))):
        fail(say("backward_forgot_weights", name="WeightSum.backward", what="를")
             + " 순전파에서 hs에 a를 곱했으니, 역전파에서는 복제한 dc에 a.reshape(N, T, 1)을 곱합니다.")
    if np.allclose(da, hs.sum(axis=2)):
        fail(say("da_forgot_upstream", name="WeightSum.backward"))


# --- AttentionWeight -----------------------------------------------------------------------------

def check_weights(a, hs: np.ndarray, name: str) -> np.ndarray:
    """어텐션 가중치 ``a``가 (N, T) np.ndarray이고 문장마다 시각 축을 따라 확률 분포인지 확인합니다."""
    a = check_ndarray(a, name)
    N, T, H = hs.shape
    check_shape(a, (N, T), name, {
        (N, H): say("scores_summed_over_time") + " 내적은 곱한 뒤 은닉 차원 축(축 2)을 따라 더합니다.",
        (N, T, H): say("dot_not_summed"),
        (N, T, 1): say("keepdims_left_on", axis="축이") + " 가중치는 (N, T)여야 합니다.",
    })
    if not np.all(np.isfinite(a)):
        fail(f"{say('not_finite', subject=f'{name}()의 결과')} {OVERFLOW}")
    if np.any(a < 0):
        fail(say("softmax_negative", subject=f"{name}()의 결과"))
    if not np.allclose(a.sum(axis=1), 1.0):
        if N > 1 and np.allclose(a.sum(axis=0), 1.0):
            fail(f"{say('softmax_over_batch', name=name)} "
                 f"문장마다 시각 축(축 1)을 따라 최댓값을 빼고, 지수를 취하고, 합으로 나누세요 (keepdims=True).")
        fail(f"{say('weights_not_normalised', name=name)} 점수에 소프트맥스를 적용했는지 "
             f"확인하세요.")
    return a


def diagnose_attention_weight_grads(dhs: np.ndarray, dh: np.ndarray, hs: np.ndarray, h: np.ndarray,
                                    a: np.ndarray, da: np.ndarray) -> None:
    """형상이 맞는 (dhs, dh)가 소프트맥스의 역전파를 빠뜨리거나 반만 한 계산과 같은지 봅니다.

    ``a``는 학생의 순전파가 돌려준 가중치입니다 (정답 값이 아님).
    """
    N, T, H = hs.shape
    for ds, what in ((da, say("softmax_backward_missing")),
                     (a * da, say("softmax_backward_half") + ", 문장마다의 합 np.sum(a * da, axis=1, "
                              "keepdims=True)에 a를 곱한 값을 빼지 않았습니다"),
                     (a * (1 - a) * da, say("softmax_backward_diagonal") + ", 다른 시각의 가중치가 주는 몫 "
                                        "(-a_t * Σ_s a_s * da_s 중 s ≠ t)을 빠뜨렸습니다")):
        wrong_dh = np.sum(ds.reshape(N, T, 1) * hs, axis=1)
        if np.allclose(dh, wrong_dh):
            fail(f"AttentionWeight.backward()의 dh가 틀렸습니다: {what}. 소프트맥스의 역전파는 "
                 f"ds = a * (da - Σ_t a * da)입니다.")


# --- Attention -----------------------------------------------------------------------------------

def diagnose_attention_grads(dhs: np.ndarray, a, dc: np.ndarray, numeric_dhs: np.ndarray) -> None:
    """Attention.backward()의 dhs가 두 갈래(dhs0 + dhs1) 가운데 하나만 돌려준 것인지 봅니다.

    ``a``는 학생 계층의 ``attention_weight``입니다 (없으면 진단하지 않습니다).
    """
    if type(a) is not np.ndarray or a.shape != dhs.shape[:2]:
        return
    N, T, H = dhs.shape
    dhs0 = a.reshape(N, T, 1) * dc.reshape(N, 1, H)
    if np.allclose(dhs, dhs0):
        fail(say("attention_dhs_one_branch", which="WeightSum", part="dhs0")
             + " hs는 AttentionWeight에도 들어갔으니 그쪽 기울기 dhs1도 더해야 합니다: dhs = dhs0 + dhs1.")
    if np.allclose(dhs, numeric_dhs - dhs0, atol=1e-6):
        fail(say("attention_dhs_one_branch", which="AttentionWeight", part="dhs1")
             + " hs는 WeightSum에도 들어갔으니 그쪽 기울기 dhs0도 더해야 합니다: dhs = dhs0 + dhs1.")


# --- 수치 미분으로 역전파 확인 ----------------------------------------------------------------------

def numeric_grads(cls: Callable, name: str, inputs: tuple, upstream: np.ndarray) -> list[np.ndarray]:
    """손실 L = sum(forward(*inputs) * upstream)의 입력별 수치 기울기 (새 계층 하나로 계산합니다)."""
    probe = new_layer(cls, name)
    run = method(probe, name, "forward")
    grads = []
    for index in range(len(inputs)):
        def loss(x, index=index):
            args = list(_copies(inputs))
            args[index] = x
            out = call(run, *args, name=f"{name}.forward", error_hints=CALL_HINTS)
            if type(out) is not np.ndarray or out.shape != upstream.shape:
                fail(say("numeric_needs_forward", name=name))
            return np.sum(out * upstream)
        grads.append(numerical_gradient(loss, inputs[index]))
    if not any(np.any(g) for g in grads):
        fail(say("forward_constant", name=f"{name}.forward", what="을"))
    return grads


def check_against_numeric(name: str, labels: tuple, analytic: tuple, numeric: list, hints: dict | None = None,
                          diagnose: Callable[[], None] | None = None) -> None:
    """역전파의 기울기들이 수치 미분과 같은지 확인합니다. ``hints``: 이름 → 틀렸을 때 덧붙일 설명,
    ``diagnose``: 다를 때 먼저 불러 알려진 실수를 찾는 함수."""
    for label, value, expected in zip(labels, analytic, numeric):
        if not np.allclose(value, expected, atol=1e-6, rtol=1e-5):
            if diagnose is not None:
                diagnose()
            fail(f"{say('gradient_differs', name=name, label=label)} {(hints or {}).get(label, '')} "
                 f"{GRADIENT_NOTE}".replace("  ", " "))


def keeps_inputs(run: Callable, args: tuple, labels: tuple, name: str) -> Any:
    """``run(*args)``를 부른 뒤 배열 인자들이 그대로인지 확인합니다 (입력 보존). 결과를 돌려줍니다."""
    before = _copies(args)
    result = call(run, *args, name=name, error_hints=CALL_HINTS)
    for old, new, label in zip(before, args, labels):
        if isinstance(old, np.ndarray) and (old.shape != new.shape or not np.array_equal(old, new)):
            fail(f"{say('input_mutated', called=f'{name}()이', what=label)} 계층의 입력은 다른 계층도 쓰므로 그대로 두고 "
                 f"새 배열을 만드세요 (예: *=, += 대신 *, +).")
    return result


__all__ = ["Feedback", "seed_batch", "new_layer", "forward", "backward", "check_empty_lists", "check_context",
           "diagnose_context", "check_grads", "weight_sum_grad_hints", "diagnose_weight_sum_grads", "check_weights",
           "diagnose_attention_weight_grads", "diagnose_attention_grads", "numeric_grads", "check_against_numeric",
           "keeps_inputs"]


# --- 역전파 검사 한 벌 (테스트 셀이 부름) ----------------------------------------------------------

def check_weight_sum_backward(cls: Callable, layer: Any, hs: np.ndarray, a: np.ndarray, dc: np.ndarray):
    """``layer``(forward(hs, a)를 이미 부른 WeightSum)의 backward(dc)를 형상과 수치 미분으로 확인합니다."""
    N, T, H = hs.shape
    dhs, da = check_grads(backward(layer, WEIGHT_SUM, dc), "WeightSum.backward", ("dhs", "da"),
                          ((N, T, H), (N, T)), weight_sum_grad_hints(N, T, H))
    numeric = numeric_grads(cls, WEIGHT_SUM, (hs, a), dc)
    check_against_numeric("WeightSum.backward", ("dhs", "da"), (dhs, da), numeric, {
        "dhs": "합(sum)의 역전파는 복제(repeat)이고, 곱셈의 역전파는 상대편 입력을 곱하는 것입니다.",
        "da": "복제(브로드캐스팅)의 역전파는 합입니다: 복제한 dc와 hs를 곱해 은닉 차원 축(축 2)으로 합하세요."},
        diagnose=lambda: diagnose_weight_sum_grads(dhs, da, hs, a, dc))
    return dhs, da


def check_attention_weight_backward(cls: Callable, layer: Any, hs: np.ndarray, h: np.ndarray, a: np.ndarray,
                                    da: np.ndarray):
    """``layer``(forward(hs, h)가 ``a``를 돌려준 AttentionWeight)의 backward(da)를 확인합니다."""
    N, T, H = hs.shape
    dhs, dh = check_grads(backward(layer, ATTENTION_WEIGHT, da), "AttentionWeight.backward", ("dhs", "dh"),
                          ((N, T, H), (N, H)),
                          ({}, {(N, T): say("dh_summed_over_hidden") + " 쿼리 h는 시각 축으로 T번 복제되었으니 "
                                                                     "시각 축(축 1)으로 합하세요.",
                                (N, T, H): say("dh_not_summed")}))
    numeric = numeric_grads(cls, ATTENTION_WEIGHT, (hs, h), da)
    check_against_numeric("AttentionWeight.backward", ("dhs", "dh"), (dhs, dh), numeric, {
        "dhs": "점수의 기울기 ds (N, T)를 은닉 차원 축으로 복제해 쿼리 h.reshape(N, 1, H)와 곱하세요.",
        "dh": "점수의 기울기 ds (N, T)를 복제해 hs와 곱한 뒤 시각 축(축 1)으로 합하세요."},
        diagnose=lambda: diagnose_attention_weight_grads(dhs, dh, hs, h, a, da))
    return dhs, dh


LAYERS_FIRST = ("Attention은 여러분의 WeightSum과 AttentionWeight를 씁니다: 그 두 계층의 테스트가 먼저 통과하는지 "
                "확인하세요 (오류가 그 계층 안에서 났을 수 있습니다).")


def check_attention_backward(cls: Callable, layer: Any, hs: np.ndarray, h: np.ndarray, dc: np.ndarray):
    """``layer``(forward(hs, h)를 이미 부른 Attention)의 backward(dc)를 확인합니다."""
    N, T, H = hs.shape
    try:
        result = backward(layer, ATTENTION, dc)
    except Feedback as error:   # 오류가 Attention이 쓰는 계층 안에서 났을 수 있습니다: 어디를 먼저 볼지 알려 줍니다
        fail(f"{error} {LAYERS_FIRST}")
    dhs, dh = check_grads(result, "Attention.backward", ("dhs", "dh"), ((N, T, H), (N, H)))
    numeric = numeric_grads(cls, ATTENTION, (hs, h), dc)

    def diagnose():
        try:
            weights = layer.attention_weight
        except AttributeError:
            return
        diagnose_attention_grads(dhs, weights, dc, numeric[0])

    check_against_numeric("Attention.backward", ("dhs", "dh"), (dhs, dh), numeric, {
        "dhs": "hs는 WeightSum과 AttentionWeight 두 곳에 들어가므로 두 기울기를 더합니다: dhs = dhs0 + dhs1.",
        "dh": "WeightSum.backward가 돌려준 da를 AttentionWeight.backward에 넘기세요."}, diagnose=diagnose)
    return dhs, dh


def check_kept_weights(layer: Any, a_expected_shape: tuple) -> np.ndarray:
    """Attention 계층이 forward에서 어텐션 가중치를 ``self.attention_weight``에 남겼는지 확인합니다."""
    try:
        weights = layer.attention_weight
    except AttributeError:
        fail(say("attention_weight_missing") + " __init__에서 self.attention_weight = None으로 만들고, "
             "forward에서 AttentionWeight가 돌려준 가중치를 저장하세요.")
    if weights is None:
        fail(say("attention_weight_not_kept") + " 번역 예제처럼 "
             "가중치를 히트맵으로 그리려면 forward에서 self.attention_weight = a로 남겨 두어야 합니다.")
    if type(weights) is not np.ndarray or weights.shape != a_expected_shape:
        fail(f"{say('attention_weight_wrong', shape=a_expected_shape)} "
             f"(지금은 {type(weights).__name__}{'' if type(weights) is not np.ndarray else f' {weights.shape}'}).")
    return weights
