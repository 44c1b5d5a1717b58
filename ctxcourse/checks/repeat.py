"""01_repeat 과제(가중치 복제)의 진단 도구.

테스트 셀은 학생의 ``repeat_weights(a, H)``를 :func:`call`로 부르고 :func:`check_shape`,
:func:`check_values`, :func:`check_input`으로 검사합니다. 진단은 결과의 자료형·형상·구조와
입력과의 관계(예: "각 행이 a다", "a 전체가 통째로 이어 붙었다")만 봅니다. 정답 구현이나 정답 값은
여기에 없습니다: 기준 예제의 값은 테스트 셀의 요약값(digest)으로만, 새 입력의 값은 숨은 테스트에서만
비교합니다.

형상 기호: 시계열 길이 T, 은닉 상태 크기 H. ``a`` (T,), 결과 (T, H).
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from ctxcourse import feedback as fb
from ctxcourse.checks.diagnoses import say

NAME = "repeat_weights"

ERROR_HINTS = {
    "out of bounds for array of dimension 1": say("repeat_no_axis1"),
    "cannot reshape": say("reshape_size_mismatch", what="a와") + " T는 숫자를 적지 말고 a의 길이(a.shape[0])에서 구하세요.",
}

NO_AXIS = say("repeat_no_axis")
TILE = say("tile_instead_of_repeat")
ROWS_ARE_A = say("rows_are_weights")
AXIS0 = say("repeat_wrong_axis")
NOT_REPEATED = say("reshape_not_repeated")


def call(func: Callable, a: np.ndarray, H: int):
    """``repeat_weights(a, H)``를 부릅니다. 오류가 나면 원인을 짐작해 한국어로 알려 줍니다."""
    return fb.call(func, a, H, name=NAME, error_hints=ERROR_HINTS)


def check_fresh(seed_result, result) -> None:
    """새 입력의 결과가 기준 예제(a, H=4)의 결과와 똑같으면 답을 적어 넣은 것으로 보고 실패합니다."""
    fb.check_not_hardcoded(seed_result, result, NAME)


def _tiled(flat: np.ndarray, a: np.ndarray) -> bool:
    """1차원으로 펼친 값이 a 전체를 통째로 이어 붙인 것(a0 a1 ... a0 a1 ...)인지."""
    T = a.shape[0]
    if flat.size % T or flat.size == T:
        return False
    return bool(np.allclose(flat.reshape(-1, T), a))


def diagnose_shape(a: np.ndarray, H: int, result: np.ndarray) -> str | None:
    """틀린 형상을 보고 실수의 이름을 붙입니다. 알아보지 못하면 None."""
    T = a.shape[0]
    shape = result.shape
    if shape == (T, H):
        return None
    flat = np.asarray(result, dtype=float).ravel()
    if shape == (T * H,):
        return TILE if _tiled(flat, a) else NO_AXIS
    if shape == (T * H, 1):
        return AXIS0
    if shape == (H, T):
        return ROWS_ARE_A
    if shape == (T, 1):
        return NOT_REPEATED
    if shape == (T,):
        return say("still_1d")
    return None


def check_shape(a: np.ndarray, H: int, result) -> np.ndarray:
    """결과가 np.ndarray이고 형상이 (T, H)인지 확인합니다. 틀린 형상은 원인을 설명합니다."""
    result = fb.check_ndarray(result, NAME)
    fb.check_numeric(result, NAME)
    a = np.asarray(a)
    hint = diagnose_shape(a, H, result)
    if hint:
        fb.fail(f"{say('shape_wrong', call=f'{NAME}(a, {H})', got=result.shape, expected=(a.shape[0], H))} {hint}")
    fb.check_shape(result, (a.shape[0], H), NAME)
    return result


def diagnose_values(a: np.ndarray, H: int, result: np.ndarray) -> str | None:
    """형상 (T, H)는 맞지만 값이 틀린 흔한 경우에 이름을 붙입니다. 알아보지 못하면 None."""
    a = np.asarray(a, dtype=float)
    values = np.asarray(result, dtype=float)
    if values.shape != (a.shape[0], H) or H < 2:
        return None
    if np.allclose(values, a[:, np.newaxis]):   # 각 열이 a: 진단할 실수가 없습니다
        return None
    if a.shape[0] == H and np.allclose(values, a[np.newaxis, :]):   # T == H: tile(a, (H, 1))이나 axis=0 복제
        return ROWS_ARE_A
    if _tiled(values.ravel(), a):
        return TILE + " (np.tile 뒤에 reshape 하면 형상은 맞아도 값의 배치가 틀립니다.)"
    if np.allclose(values, values[:, :1]):
        return say("rows_constant_wrong")
    return None


def check_values(a: np.ndarray, H: int, result: np.ndarray) -> None:
    """형상이 맞는 결과의 값에서 알아볼 수 있는 실수(tile, 행과 열 바뀜)를 찾아 알려 줍니다."""
    hint = diagnose_values(a, H, result)
    if hint:
        fb.fail(f"{say('shape_ok_values_wrong', call=f'{NAME}(a, {H})')} {hint}")


def check_input(before: np.ndarray, after: np.ndarray) -> None:
    """입력 a가 그대로인지 확인합니다. ``a.shape = ...``처럼 형상을 바꾼 경우도 짚어 줍니다."""
    if before.shape != after.shape:
        fb.fail(say("input_shape_changed", called=fb.called(NAME, "이"), before=before.shape, after=after.shape))
    fb.check_unchanged(before, after, "a", NAME)


# ---------------------------------------------------------------- 기준 예제 (값이 맞아야 다른 점수도 받습니다)

SEED_H = 4
#: 기준 예제 repeat_weights(a, 4)의 값 (소수 셋째 자리, 강의에도 나오는 공개 값)
SEED_RESULT = tuple((w,) * SEED_H for w in (0.8, 0.1, 0.03, 0.05, 0.02))


def check_seed(func: Callable) -> np.ndarray:
    """기준 예제 ``repeat_weights(a, 4)``의 형상과 값을 확인하고 결과를 돌려줍니다.

    형상·입력 보존·새 입력 테스트도 이 확인으로 시작하므로, 값이 틀린 풀이(빈 함수, 0으로 채운 배열)는
    어느 테스트에서도 점수를 받지 못합니다.
    """
    from ctxcourse.seed import seed_data

    a = seed_data()[1]
    result = check_shape(a, SEED_H, call(func, a.copy(), SEED_H))
    check_values(a, SEED_H, result)
    fb.check_seed_values(result, SEED_RESULT, NAME, label="결과", hint="모든 열이 가중치 a와 같아야 합니다.")
    return result
