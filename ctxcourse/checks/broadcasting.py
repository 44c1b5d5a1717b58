"""02_broadcasting 과제(브로드캐스팅)의 진단 도구.

- ``weight_rows(hs, a)``: :func:`call_weight_rows`로 부르고 :func:`check_weight_rows_shape`,
  :func:`check_weight_rows_values`로 검사합니다.
- ``broadcast_shape(shape1, shape2)``: :func:`outcome`으로 부르고 (결과 또는 낸 예외)
  :func:`check_outcome`으로 기대(형상 튜플 또는 ``ValueError``)와 비교합니다.
  :func:`forbid_numpy_broadcasting` 안에서 부르면 numpy의 브로드캐스팅 함수를 쓴 풀이가 드러납니다.

진단은 결과의 자료형·형상과 입력과의 관계(알려진 틀린 계산과 같은지)만 봅니다. 정답 구현이나
정답 값은 여기에 없습니다: 기대 형상은 테스트 셀이 넘겨 줍니다.
형상 기호: 시계열 길이 T, 은닉 상태 크기 H. ``hs`` (T, H), ``a`` (T,), 결과 (T, H).
"""

from __future__ import annotations

import contextlib
from typing import Any, Callable

import numpy as np

from ctxcourse import feedback as fb
from ctxcourse.checks.diagnoses import say

WEIGHT_ROWS = "weight_rows"
BROADCAST_SHAPE = "broadcast_shape"

WEIGHT_ROWS_HINTS = {
    "could not be broadcast": say("reshape_missing_column",
                                  what="(T, H) * (T,)는 뒤쪽 축끼리 H와 T를 맞추므로 브로드캐스팅할 수 없습니다."),
    "cannot reshape": say("reshape_size_mismatch", what="a와") + " T는 hs.shape에서 읽어 쓰세요.",
}

COLUMNS_WEIGHTED = say("weights_on_columns") + (
    " ((T, H) * (T,)는 a를 한 행으로 보고 각 열에 곱합니다). a를 a.reshape(T, 1)로 바꾸어 곱하세요 (reshape 빠짐).")

MARKER = "[과제 규칙] 이 테스트에서는 numpy의 브로드캐스팅 함수를 쓸 수 없습니다"
BY_HAND = say("used_numpy_broadcasting")
_FORBIDDEN = ("broadcast_shapes", "broadcast", "broadcast_arrays", "broadcast_to")


# ---------------------------------------------------------------- weight_rows

def call_weight_rows(func: Callable, hs: np.ndarray, a: np.ndarray):
    """``weight_rows(hs, a)``를 부릅니다. 오류가 나면 원인을 짐작해 한국어로 알려 줍니다."""
    return fb.call(func, hs, a, name=WEIGHT_ROWS, error_hints=WEIGHT_ROWS_HINTS)


def check_weight_rows_fresh(seed_result, result) -> None:
    """새 입력의 결과가 기준 예제의 결과와 똑같으면 답을 적어 넣은 것으로 보고 실패합니다."""
    fb.check_not_hardcoded(seed_result, result, WEIGHT_ROWS)


def _weight_rows_shape_hints(T: int, H: int) -> dict:
    return {
        (H,): say("summed_too_early"),
        (T,): say("rows_summed_over_hidden"),
        (H, T): say("rows_transposed"),
        (T, H, T): say("reshape_3d"),
    }


def check_weight_rows_shape(hs: np.ndarray, a: np.ndarray, result) -> np.ndarray:
    """결과가 np.ndarray이고 형상이 hs와 같은 (T, H)인지 확인합니다."""
    result = fb.check_ndarray(result, WEIGHT_ROWS)
    fb.check_numeric(result, WEIGHT_ROWS)
    T, H = hs.shape
    fb.check_shape(result, (T, H), WEIGHT_ROWS, _weight_rows_shape_hints(T, H))
    return result


def diagnose_weight_rows(hs: np.ndarray, a: np.ndarray, result: np.ndarray) -> str | None:
    """형상은 맞지만 값이 틀린 흔한 경우에 이름을 붙입니다. 알아보지 못하면 None."""
    hs = np.asarray(hs, dtype=float)
    a = np.asarray(a, dtype=float)
    values = np.asarray(result, dtype=float)
    if values.shape != hs.shape:
        return None
    if not np.allclose(a, 1.0) and np.allclose(values, hs):
        return say("rows_unweighted")
    T, H = hs.shape
    if T == H and np.allclose(values, hs * a[np.newaxis, :]):
        return COLUMNS_WEIGHTED
    return None


def check_weight_rows_values(hs: np.ndarray, a: np.ndarray, result: np.ndarray) -> None:
    """형상이 맞는 결과의 값에서 알아볼 수 있는 실수를 찾아 알려 줍니다."""
    hint = diagnose_weight_rows(hs, a, result)
    if hint:
        fb.fail(f"{say('shape_ok_values_wrong', call=WEIGHT_ROWS + '()')} {hint}")


#: 기준 예제 weight_rows(hs, a)의 값 (소수 셋째 자리, 강의에도 나오는 공개 값)
SEED_WEIGHT_ROWS = ((-1.4, 0.274, 0.922, -0.202), (0.098, 0.051, 0.022, -0.107), (-0.006, 0.008, -0.014, 0.013),
                    (-0.029, 0.041, 0.034, -0.005), (-0.011, 0.021, -0.009, -0.022))


def check_weight_rows_seed(func: Callable) -> np.ndarray:
    """기준 예제 ``weight_rows(hs, a)``의 형상과 값을 확인하고 결과를 돌려줍니다 (값이 맞아야 다른 점수도 받습니다)."""
    from ctxcourse.seed import seed_data

    hs, a = seed_data()
    result = check_weight_rows_shape(hs, a, call_weight_rows(func, hs.copy(), a.copy()))
    check_weight_rows_values(hs, a, result)
    fb.check_seed_values(result, SEED_WEIGHT_ROWS, WEIGHT_ROWS, label="결과",
                         hint="t번째 행이 a[t] * hs[t]여야 합니다.")
    return result


# ---------------------------------------------------------------- broadcast_shape

def outcome(func: Callable, shape1: tuple, shape2: tuple) -> Any:
    """``broadcast_shape(shape1, shape2)``의 결과를, 예외를 내면 그 예외 객체를 돌려줍니다.

    아직 풀지 않은 함수(NotImplementedError)는 바로 실패로 알려 줍니다.
    """
    try:
        return func(shape1, shape2)
    except NotImplementedError:
        fb.fail(say("not_implemented", called=fb.called(BROADCAST_SHAPE, "이")))
    except fb.Feedback:
        raise
    except Exception as error:  # noqa: BLE001  (어떤 예외든 기대와 비교해 설명합니다)
        return error


def _describe(value: Any) -> str:
    if isinstance(value, BaseException):
        return f"{type(value).__name__}({str(value)!r})"
    return repr(value)


def _as_shape(value: Any) -> tuple | None:
    """정수 튜플이면 파이썬 int 튜플로, 아니면 None."""
    if type(value) is not tuple:
        return None
    if not all(isinstance(d, (int, np.integer)) and not isinstance(d, (bool, np.bool_)) for d in value):
        return None
    return tuple(int(d) for d in value)


def _expected_error_message(shape1: tuple, shape2: tuple, got: Any) -> str:
    pair = f"{BROADCAST_SHAPE}({shape1}, {shape2})"
    if isinstance(got, BaseException):
        return (say("broadcast_must_refuse", pair=pair, what=f"{type(got).__name__}를 냈습니다 ({got}).") + " "
                + say("broadcast_wrong_exception"))
    if got is None:
        return say("broadcast_none_instead_of_error", pair=pair)
    if len(shape1) != len(shape2):
        return (f"{pair}은 브로드캐스팅할 수 없어 ValueError를 내야 하는데 {_describe(got)}을 돌려주었습니다. "
                + say("broadcast_from_left"))
    return (say("broadcast_must_refuse", pair=pair, what=f"{_describe(got)}을 돌려주었습니다.") + " "
            + say("broadcast_accepts_mismatch"))


def _expected_shape_message(shape1: tuple, shape2: tuple, got: Any, expected: tuple) -> str:
    pair = f"{BROADCAST_SHAPE}({shape1}, {shape2})"
    if isinstance(got, BaseException):
        if isinstance(got, ValueError):
            frame = say("broadcast_refused_valid", pair=pair, expected=expected, error=got)
            if len(shape1) != len(shape2):
                return f"{frame} {say('broadcast_no_padding')}"
            return f"{frame} {say('broadcast_size_one')}"
        return say("broadcast_call_error", pair=pair, error=_describe(got), expected=expected)
    if isinstance(got, list):
        return say("shape_as_list", pair=pair, got=got)
    shape = _as_shape(got)
    if shape is None:
        return say("shape_not_int_tuple", pair=pair, got=_describe(got), expected=expected)
    frame = say("broadcast_shape_wrong", pair=pair, got=shape, expected=expected)
    if len(shape) != len(expected):
        return f"{frame} {say('broadcast_rank_wrong')}"
    if any(e == 0 and s != 0 for s, e in zip(shape, expected)):
        return f"{frame} {say('broadcast_zero_axis')}"
    return frame


def check_outcome(shape1: tuple, shape2: tuple, got: Any, expected: Any) -> None:
    """:func:`outcome`의 결과 ``got``을 기대와 비교합니다.

    ``expected``는 결과 형상(튜플) 또는 ``ValueError`` (그 형상들은 브로드캐스팅할 수 없음)입니다.
    """
    if expected is ValueError:
        if not isinstance(got, ValueError):
            fb.fail(_expected_error_message(shape1, shape2, got))
        return
    expected = tuple(int(d) for d in expected)
    if _as_shape(got) != expected:
        fb.fail(_expected_shape_message(shape1, shape2, got, expected))


@contextlib.contextmanager
def forbid_numpy_broadcasting():
    """이 ``with`` 블록 안에서는 np.broadcast_shapes, np.broadcast, np.broadcast_arrays, np.broadcast_to를
    부르면 :data:`MARKER`가 든 RuntimeError가 납니다. 블록을 나가면 원래대로 돌려놓습니다."""
    saved = {name: getattr(np, name) for name in _FORBIDDEN}

    def refuse(*args, **kwargs):
        raise RuntimeError(f"{MARKER}: 뒤쪽 축부터 비교하는 규칙을 직접 구현하세요.")

    try:
        for name in _FORBIDDEN:
            setattr(np, name, refuse)
        yield
    finally:
        for name, value in saved.items():
            setattr(np, name, value)


def check_by_hand(shape1: tuple, shape2: tuple, got: Any, expected: tuple) -> None:
    """:func:`forbid_numpy_broadcasting` 안에서 얻은 ``got``, 또는 64차원이 넘는 형상의 ``got``을 확인합니다.

    numpy 배열은 64차원까지라 numpy의 브로드캐스팅 함수는 70차원 형상에서 오류를 냅니다. 규칙을 직접 구현한
    함수는 몇 차원이든 답을 돌려주므로, 채점 엔진처럼 numpy를 바꿔 끼울 수 없는 곳에서도 이 검사가 통합니다.

    numpy의 브로드캐스팅 함수를 불렀으면 그렇다고 알려 주고, 아니면 결과가 기대한 형상과 같은지 봅니다
    (튜플인지는 다른 테스트가 확인하므로 여기서는 값만 봅니다).
    """
    if isinstance(got, BaseException) and ("maximum supported dimension" in str(got) or "dimensions" in str(got)
                                           and "64" in str(got)):
        fb.fail(f"{fb.called(BROADCAST_SHAPE, '이')} {len(shape1)}차원 형상에서 numpy의 오류(\"{str(got)[:70]}\")를 냈습니다. "
                f"numpy 배열은 64차원까지라 np.broadcast_shapes (또는 np.broadcast 같은 numpy의 브로드캐스팅 함수)를 "
                f"부르면 이렇게 됩니다. {BY_HAND}")
    if isinstance(got, BaseException) and MARKER in str(got):
        fb.fail(f"{fb.called(BROADCAST_SHAPE, '이')} np.broadcast_shapes (또는 np.broadcast 같은 numpy의 브로드캐스팅 함수)를 "
                f"불렀습니다. {BY_HAND}")
    if isinstance(got, list):
        got = tuple(got)
    check_outcome(shape1, shape2, got, expected)
