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

NAME = "repeat_weights"

ERROR_HINTS = {
    "out of bounds for array of dimension 1": (
        "a는 1차원 (T,) 배열이라 축 1(axis=1)이 없습니다. 먼저 a.reshape(T, 1)로 (T, 1) 2차원 배열을 "
        "만든 뒤 axis=1로 복제하세요 (reshape 빠짐)."),
    "cannot reshape": (
        "reshape에 넘긴 형상의 원소 수가 a와 같아야 합니다. T는 숫자를 적지 말고 a의 길이(a.shape[0])에서 구하세요."),
}

NO_AXIS = ("repeat에 axis를 주지 않으면 배열이 1차원으로 펼쳐집니다. "
           "열 방향으로 복제하도록 axis=1을 주세요.")
TILE = ("np.tile은 a 전체를 통째로 이어 붙입니다 (a0 a1 ... a0 a1 ...). 원소마다 H번씩 복제하려면 "
        "tile이 아니라 repeat을 쓰세요.")
ROWS_ARE_A = ("각 행이 a가 되었습니다. a를 (1, T)로 두고 axis=0으로 쌓거나 np.tile(a, (H, 1))을 쓰면 "
              "행과 열이 바뀝니다. a를 (T, 1)로 reshape 하고 axis=1로 복제해 각 열이 a가 되게 하세요.")
AXIS0 = ("axis=0으로 복제해서 행만 늘어났습니다 (축이 틀림). 가로(열) 방향으로 H번 복제하려면 axis=1을 쓰세요.")
NOT_REPEATED = "reshape만 하고 복제하지 않았습니다. repeat(H, axis=1)로 열 방향으로 H번 복제하세요."


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
        return "1차원 (T,) 그대로입니다. a.reshape(T, 1)로 2차원으로 바꾼 뒤 axis=1로 복제하세요."
    return None


def check_shape(a: np.ndarray, H: int, result) -> np.ndarray:
    """결과가 np.ndarray이고 형상이 (T, H)인지 확인합니다. 틀린 형상은 원인을 설명합니다."""
    result = fb.check_ndarray(result, NAME)
    fb.check_numeric(result, NAME)
    a = np.asarray(a)
    hint = diagnose_shape(a, H, result)
    if hint:
        fb.fail(f"{NAME}(a, {H})의 결과 형상이 {result.shape}입니다. 기대한 형상은 {(a.shape[0], H)}입니다. {hint}")
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
        return "각 행이 한 값으로 채워졌지만 그 값이 a와 다릅니다. t번째 행은 a[t]로 채워져야 합니다."
    return None


def check_values(a: np.ndarray, H: int, result: np.ndarray) -> None:
    """형상이 맞는 결과의 값에서 알아볼 수 있는 실수(tile, 행과 열 바뀜)를 찾아 알려 줍니다."""
    hint = diagnose_values(a, H, result)
    if hint:
        fb.fail(f"{NAME}(a, {H})의 형상은 맞지만 값이 틀립니다. {hint}")


def check_input(before: np.ndarray, after: np.ndarray) -> None:
    """입력 a가 그대로인지 확인합니다. ``a.shape = ...``처럼 형상을 바꾼 경우도 짚어 줍니다."""
    if before.shape != after.shape:
        fb.fail(f"{fb.called(NAME, '이')} 입력 a의 형상을 제자리에서 바꾸었습니다 ({before.shape} → {after.shape}). "
                f"a.shape = ... 이나 a.resize(...)는 받은 배열 자체를 바꿉니다. 새 배열을 돌려주는 "
                f"a.reshape(...)를 쓰세요.")
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
