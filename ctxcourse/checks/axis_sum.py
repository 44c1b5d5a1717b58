"""03_axis_sum 과제(축 방향 합과 맥락 벡터)의 진단 도구.

- ``context_vector(hs, a)`` (T, H), (T,) → (H,): :func:`call_context`, :func:`check_context_shape`,
  :func:`check_context_values`
- ``weighted_sum(x, w, axis)`` 어떤 차원의 x, (x.shape[axis],) → x에서 축 axis를 뺀 형상:
  :func:`call_weighted`, :func:`check_weighted_shape`, :func:`check_weighted_values`,
  :func:`check_weighted_seed`, :func:`check_weighted_error`
- ``plot_weights(a, labels)`` → matplotlib Figure: :func:`call_plot`, :func:`figure_of`,
  :func:`check_heatmap`, :func:`check_colorbar`, :func:`check_korean_text`, :func:`check_tick_labels`.
  그림은 :func:`ctxcourse.feedback.figure_facts`가 뽑은 평범한 데이터(dict)로 검사하므로, 채점 엔진이
  기록해 둔 결과(dict)를 다시 검사할 때도 똑같이 동작합니다.

진단은 결과의 자료형·형상과 입력과의 관계(알려진 틀린 계산과 같은지)만 봅니다. 정답 구현이나 정답 값은
여기에 없습니다: 기준 예제의 값은 테스트 셀의 요약값(digest)으로만, 새 입력의 값은 숨은 테스트에서만
비교합니다.
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

from ctxcourse import feedback as fb
from ctxcourse.checks.diagnoses import say

CONTEXT = "context_vector"
WEIGHTED = "weighted_sum"
PLOT = "plot_weights"

CONTEXT_HINTS = {
    "could not be broadcast": say("reshape_missing_column",
                                  what="hs (T, H)와 a (T,)는 그대로 곱할 수 없습니다 (뒤쪽 축 H와 T를 맞춥니다)."),
    "cannot reshape": say("reshape_size_mismatch", what="a와") + " T, H는 hs.shape에서 읽어 쓰세요.",
}

FORGOT_WEIGHTS = say("forgot_weights", what="은닉 상태를 그냥 더했습니다.") + " 각 행에 a[t]를 곱한 뒤 더하세요 (가중합)."
MAX_ROW = say("max_row_only")


# ---------------------------------------------------------------- context_vector

def _check_not_scalar(result, name: str, axis: str) -> None:
    """숫자 하나(np.float64 등)를 돌려준 경우: axis 없이 모든 원소를 더한 것입니다."""
    if isinstance(result, (np.generic, float, int)) and not isinstance(result, bool):
        fb.fail(f"{say('returned_scalar', called=fb.called(name, '이'), type=type(result).__name__)} "
                f"{say('summed_all_axes')} {axis}으로만 합하세요.")


def call_context(func: Callable, hs: np.ndarray, a: np.ndarray):
    """``context_vector(hs, a)``를 부릅니다. 오류가 나면 원인을 짐작해 한국어로 알려 줍니다."""
    return fb.call(func, hs, a, name=CONTEXT, error_hints=CONTEXT_HINTS)


def check_context_fresh(seed_result, result) -> None:
    """새 입력의 결과가 기준 예제의 결과와 똑같으면 답을 적어 넣은 것으로 보고 실패합니다."""
    fb.check_not_hardcoded(seed_result, result, CONTEXT)


AXIS_SWAPPED = f"시각 축(axis=0)이 아니라 {say('axis_swapped', hidden='(axis=1)')} (축이 틀림)."


def _context_shape_hints(T: int, H: int) -> dict:
    return {
        (T,): f"{AXIS_SWAPPED} 맥락 벡터는 시각 축으로 더합니다: np.sum(..., axis=0).",
        (1, H): say("keepdims_left_on", axis="합한 축이") + " keepdims를 빼서 (H,)를 돌려주세요.",
        (T, 1): say("both_axes_wrong"),
        (T, H): say("weights_not_summed") + " 시각 축(axis=0)으로 합해 가중합을 구하세요.",
        (): say("summed_all_axes") + " 시각 축(axis=0)으로만 합하세요.",
    }


def check_context_shape(hs: np.ndarray, a: np.ndarray, result) -> np.ndarray:
    """결과가 np.ndarray이고 형상이 (H,)인지 확인합니다. 틀린 형상은 원인을 설명합니다."""
    _check_not_scalar(result, CONTEXT, "시각 축(axis=0)")
    result = fb.check_ndarray(result, CONTEXT)
    fb.check_numeric(result, CONTEXT)
    T, H = np.shape(hs)
    fb.check_shape(result, (H,), CONTEXT, _context_shape_hints(T, H))
    return result


def diagnose_context(hs: np.ndarray, a: np.ndarray, result: np.ndarray) -> str | None:
    """형상 (H,)는 맞지만 값이 틀린 흔한 경우에 이름을 붙입니다. 알아보지 못하면 None."""
    hs = np.asarray(hs, dtype=float)
    a = np.asarray(a, dtype=float)
    c = np.asarray(result, dtype=float)
    T, H = hs.shape
    if c.shape != (H,):
        return None
    if not np.allclose(a, 1.0) and np.allclose(c, hs.sum(axis=0)):
        return FORGOT_WEIGHTS
    if T == H and np.allclose(c, a * hs.sum(axis=1)):
        return f"{AXIS_SWAPPED} T == H라서 형상은 맞아 보여도 값이 다릅니다."
    if T == H and np.allclose(c, a * hs.sum(axis=0)):
        return say("weights_on_columns") + ": a를 a.reshape(T, 1)로 바꾸어 곱하세요 (reshape 빠짐)."
    if T == H and np.allclose(c, hs @ a):
        return say("matmul_wrong_side")
    top = int(np.argmax(a))
    if a[top] < 1.0 and np.allclose(c, hs[top]):
        return MAX_ROW
    return None


def check_context_values(hs: np.ndarray, a: np.ndarray, result: np.ndarray) -> None:
    """형상이 맞는 결과의 값에서 알아볼 수 있는 실수를 찾아 알려 줍니다."""
    hint = diagnose_context(hs, a, result)
    if hint:
        fb.fail(f"{say('shape_ok_values_wrong', call=CONTEXT + '()')} {hint}")


#: 기준 예제의 맥락 벡터 c (소수 셋째 자리, 강의에도 나오는 공개 값)
SEED_CONTEXT = (-1.347, 0.395, 0.956, -0.323)


def check_context_seed(func: Callable) -> np.ndarray:
    """기준 예제 ``context_vector(hs, a)``의 형상과 값을 확인하고 결과를 돌려줍니다.

    형상·입력 보존·새 입력 테스트도 이 확인으로 시작하므로, 값이 틀린 풀이(빈 함수, 0으로 채운 배열)는
    어느 테스트에서도 점수를 받지 못합니다.
    """
    from ctxcourse.seed import seed_data

    hs, a = seed_data()
    result = check_context_shape(hs, a, call_context(func, hs.copy(), a.copy()))
    check_context_values(hs, a, result)
    fb.check_seed_values(result, SEED_CONTEXT, CONTEXT, label="c",
                         hint="각 행에 a[t]를 곱해 시각 축으로 더했는지 확인하세요.")
    return result


# ---------------------------------------------------------------- weighted_sum

WEIGHTED_HINTS = {
    "could not be broadcast": say("weighted_broadcast_last") + (
        " w를 axis 자리에만 길이가 있고 나머지 축은 길이 1인 형상으로 바꾸어 곱하세요. 예: x가 (N, T, H)이고 axis=1이면 "
        "w.reshape(1, T, 1)."),
    "cannot reshape": say("reshape_size_mismatch", what="w의 길이와") + " 크기는 x.shape에서 읽어 쓰세요.",
    "out of bounds": say("negative_axis"),
    "index out of range": say("negative_axis"),
}
WEIGHTED_LAST_AXIS = say("weighted_last_axis")


def call_weighted(func: Callable, x: np.ndarray, w: np.ndarray, axis: int):
    """``weighted_sum(x, w, axis)``를 부릅니다. 오류가 나면 원인을 짐작해 한국어로 알려 줍니다."""
    return fb.call(func, x, w, axis, name=WEIGHTED, error_hints=WEIGHTED_HINTS)


def weighted_seed_cases() -> list[tuple[np.ndarray, np.ndarray, int]]:
    """기준 예제로 만든 ``(x, w, axis)`` 네 가지: (T, H)의 축 0, 전치한 (H, T)의 축 1,
    기준 예제의 미니배치 (3, T, H)의 축 1과 축 -2 (같은 축)."""
    from ctxcourse.seed import seed_data

    hs, a = seed_data()
    batch = np.stack([hs, hs[::-1], 2 * hs])
    return [(hs, a, 0), (hs.T.copy(), a.copy(), 1), (batch, a.copy(), 1), (batch.copy(), a.copy(), -2)]


_SEED_BATCH = ((-1.347, 0.395, 0.956, -0.323), (-0.475, 0.946, -0.263, -0.951), (-2.694, 0.789, 1.911, -0.647))
#: :func:`weighted_seed_cases`의 기대값 (소수 셋째 자리, 공개 값)
SEED_WEIGHTED = (SEED_CONTEXT, SEED_CONTEXT, _SEED_BATCH, _SEED_BATCH)


def _reduced(shape: tuple, axis: int, keepdims: bool = False) -> tuple:
    axis = axis % len(shape)
    return tuple(1 if (i == axis and keepdims) else n for i, n in enumerate(shape) if i != axis or keepdims)


def check_weighted_shape(x: np.ndarray, w: np.ndarray, axis: int, result) -> np.ndarray:
    """결과가 숫자 배열이고 형상이 x에서 축 ``axis``를 뺀 것인지 확인합니다 (x가 1차원이면 숫자 하나)."""
    x = np.asarray(x)
    if x.ndim == 1 and isinstance(result, (np.generic, float, int)) and not isinstance(result, bool):
        result = np.asarray(result, dtype=float)
    _check_not_scalar(result, WEIGHTED, f"축 {axis}")
    result = fb.check_ndarray(result, WEIGHTED)
    fb.check_numeric(result, WEIGHTED)
    expected = _reduced(x.shape, axis)
    hints = {x.shape: say("weights_not_summed") + " 축 axis를 따라 합하세요.",
             _reduced(x.shape, axis, keepdims=True): say("keepdims_left_on", axis="합한 축이") + " keepdims를 빼세요.",
             (): say("summed_all_axes") + " 축 axis를 따라서만 합하세요."}
    for other in range(x.ndim):
        shape = _reduced(x.shape, other)
        if shape != expected:
            hints.setdefault(shape, say("weighted_wrong_axis", axis=axis, other=other)
                             + " 음수 축은 뒤에서부터 셉니다 (axis=-1은 마지막 축).")
    fb.check_shape(result, expected, WEIGHTED, {k: v for k, v in hints.items() if k != expected})
    return result


def diagnose_weighted(x: np.ndarray, w: np.ndarray, axis: int, result: np.ndarray) -> str | None:
    """형상은 맞지만 값이 틀린 흔한 경우에 이름을 붙입니다. 알아보지 못하면 None."""
    x = np.asarray(x, dtype=float)
    w = np.asarray(w, dtype=float)
    got = np.asarray(result, dtype=float)
    axis = axis % x.ndim
    if got.shape != _reduced(x.shape, axis):
        return None
    if not np.allclose(w, 1.0) and np.allclose(got, x.sum(axis=axis)):
        return say("forgot_weights", what="축 axis를 따라 그냥 더했습니다.") + " w를 곱한 뒤 더하세요 (가중합)."
    if axis != x.ndim - 1 and x.shape[-1] == w.size:
        try:
            if np.allclose(got, np.sum(x * w, axis=axis)):
                return WEIGHTED_LAST_AXIS
        except ValueError:
            pass
    return None


def check_weighted_values(x, w, axis: int, result) -> None:
    """형상이 맞는 결과의 값에서 알아볼 수 있는 실수를 찾아 알려 줍니다."""
    hint = diagnose_weighted(x, w, axis, result)
    if hint:
        fb.fail(f"{say('shape_ok_values_wrong', call=WEIGHTED + '()')} {hint}")


def check_weighted_seed(func: Callable) -> list[np.ndarray]:
    """기준 예제의 네 경우(:func:`weighted_seed_cases`)에서 형상과 값을 확인하고 결과들을 돌려줍니다."""
    results = []
    for (x, w, axis), expected in zip(weighted_seed_cases(), SEED_WEIGHTED):
        result = check_weighted_shape(x, w, axis, call_weighted(func, x.copy(), w.copy(), axis))
        check_weighted_values(x, w, axis, result)
        fb.check_seed_values(result, expected, WEIGHTED, label=f"weighted_sum(x {x.shape}, w, axis={axis})",
                             hint="x의 축 axis를 따라 w를 곱해 더했는지 확인하세요.")
        results.append(result)
    return results


def check_weighted_error(func: Callable, x: np.ndarray, w: np.ndarray, axis: int) -> None:
    """``len(w) != x.shape[axis]``일 때 한국어 메시지를 담은 ValueError를 내는지 확인합니다."""
    try:
        func(x, w, axis)
    except ValueError as error:
        if not fb.has_hangul(str(error)):
            fb.fail(f"{say('error_not_korean', called=fb.called(WEIGHTED, '이'))} "
                    f"(\"{str(error)[:80]}\"). numpy의 오류를 그대로 두지 말고, 직접 길이를 비교해 "
                    f"raise ValueError(\"가중치 w의 길이 ...가 x의 축 ... 크기와 다릅니다\")처럼 알려 주세요.")
        return
    except NotImplementedError:
        fb.fail(say("not_implemented", called=fb.called(WEIGHTED, "이")))
    except Exception as error:  # noqa: BLE001
        fb.fail(say("error_wrong_type", called=fb.called(WEIGHTED, "이"), ename=type(error).__name__)
                + " len(w) != x.shape[axis]이면 raise ValueError(\"...\")로 알려 주세요.")
    fb.fail(say("length_not_checked", call=f"{WEIGHTED}(x {np.shape(x)}, w {np.shape(w)}, axis={axis})", length=len(w),
                axis=axis, size=np.shape(x)[axis]))


# ---------------------------------------------------------------- plot_weights

def call_plot(func: Callable, a: np.ndarray, labels: Sequence[str] | None):
    """``plot_weights(a, labels)``를 부릅니다. 오류가 나면 원인을 짐작해 한국어로 알려 줍니다."""
    return fb.call(func, a, labels, name=PLOT, error_hints={
        "takes 1 positional argument": say("plot_needs_labels"),
        "Invalid shape": say("plot_imshow_1d"),
    })


def figure_of(result: Any) -> dict:
    """결과가 matplotlib Figure(또는 채점 엔진이 기록한 그 사실 dict)이면 사실 dict를 돌려줍니다.

    진짜 Figure를 받으면 사실을 뽑은 뒤 ``plt.close``로 닫습니다 (그림이 쌓이지 않도록).
    """
    facts = fb.figure_facts(result)
    figures = [result] if facts is not None and not isinstance(result, dict) else []
    if isinstance(result, tuple):
        figures = [item for item in result if fb.figure_facts(item) is not None and not isinstance(item, dict)]
    if figures:
        import matplotlib.pyplot as plt
        for figure in figures:
            plt.close(figure)
    if facts is not None:
        return facts
    if result is None:
        fb.fail(say("plot_returned_none", called=fb.called(PLOT, "이")))
    if isinstance(result, tuple):
        fb.fail(say("plot_returned_tuple", called=fb.called(PLOT, "이")))
    if hasattr(result, "get_figure") or type(result).__name__.endswith("Axes"):
        fb.fail(say("plot_returned_axes", called=fb.called(PLOT, "이")))
    fb.fail(say("plot_not_figure", called=fb.called(PLOT, "이"), type=type(result).__name__))
    return {}  # pragma: no cover  (fail은 늘 예외를 냅니다)


def _layers(facts: dict) -> list[np.ndarray]:
    layers = []
    for ax in facts.get("axes", []):
        for layer in ax.get("layers", []):
            try:
                layers.append(np.asarray(layer, dtype=float))
            except (TypeError, ValueError):
                continue
    return layers


def check_heatmap(facts: dict, a: np.ndarray) -> None:
    """그림의 히트맵 하나가 가중치 a를 (1, T), (T,) 또는 (T, 1) 형상으로 담고 있는지 확인합니다."""
    a = np.asarray(a, dtype=float)
    layers = _layers(facts)
    if not layers:
        fb.fail(say("plot_no_heatmap", name=PLOT))
    for layer in layers:
        if layer.shape in ((1, a.size), (a.size,), (a.size, 1)) and np.allclose(layer.ravel(), a):
            return
    shapes = ", ".join(str(layer.shape) for layer in layers)
    fb.fail(say("plot_wrong_values", name=PLOT, shapes=shapes, shape=a.shape))


def check_colorbar(facts: dict) -> None:
    """그림에 색 막대(colorbar)가 있는지 확인합니다."""
    if not facts.get("colorbars"):
        fb.fail(say("plot_no_colorbar", name=PLOT))


def check_korean_text(facts: dict) -> None:
    """제목이나 축 이름 중 하나에 한국어(한글)가 있는지 확인합니다."""
    texts = [facts.get("suptitle", "")]
    for ax in facts.get("axes", []):
        texts += [ax.get("title", ""), ax.get("xlabel", ""), ax.get("ylabel", "")]
    if not any(fb.has_hangul(str(text)) for text in texts):
        fb.fail(say("plot_no_korean", name=PLOT))


def check_tick_labels(facts: dict, labels: Sequence[str]) -> None:
    """히트맵의 가로 또는 세로 눈금 이름이 ``labels``와 같은지 확인합니다."""
    wanted = [str(label) for label in labels]
    seen = []
    for ax in facts.get("axes", []):
        for key in ("xticklabels", "yticklabels"):
            ticks = [str(tick) for tick in ax.get(key, [])]
            if ticks == wanted:
                return
            seen.append(ticks)
    fb.fail(say("plot_wrong_ticks", name=PLOT, wanted=wanted, seen=seen))
