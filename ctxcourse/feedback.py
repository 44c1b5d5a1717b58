"""과제 테스트가 쓰는 한국어 피드백 도구.

테스트 셀은 학생 함수의 결과를 이 도구로 검사합니다. 검사에 실패하면 학생이 읽을
한국어 문장을 담은 ``AssertionError``를 냅니다. 정답 값이나 정답 구현은 여기에 두지 않습니다.
기준 예제의 값은 :func:`digest` (반올림한 값의 SHA-256)로만 비교하므로 학생에게 값이 드러나지 않습니다.
"""

from __future__ import annotations

import hashlib
from typing import Any, Callable, Mapping

import numpy as np

from ctxcourse.checks.diagnoses import identify, say

DIGEST_DECIMALS = 6


def _has_final_consonant(name: str) -> bool:
    """영어 함수 이름을 한국어로 읽을 때 받침이 있는지 (m, n, l, ng로 끝나면 받침: 섬, 션, 늘)."""
    word = name.rstrip("_").lower()
    return word.endswith(("m", "n", "l", "ng"))


def called(name: str, particle: str) -> str:
    """``name()`` 뒤에 받침에 맞는 조사를 붙입니다: ``called("softmax", "이")`` → ``"softmax()가"``.

    ``particle``은 받침 있는 꼴로 줍니다: "이"(이/가), "을"(을/를), "은"(은/는), "과"(과/와).
    """
    pairs = {"이": ("이", "가"), "을": ("을", "를"), "은": ("은", "는"), "과": ("과", "와")}
    with_final, without = pairs[particle]
    return f"{name}()" + (with_final if _has_final_consonant(name) else without)


class Feedback(AssertionError):
    """학생에게 보여 줄 한국어 메시지를 담은 테스트 실패.

    ``id``는 메시지의 진단 id입니다 (:mod:`ctxcourse.checks.diagnoses`; 알아볼 수 없으면 None).
    채점 엔진이 기록한 메시지에서도 :func:`~ctxcourse.checks.diagnoses.identify`로 같은 id가 나옵니다."""

    @property
    def id(self) -> str | None:
        return identify(str(self))


def _short_feedback(shell, etype, value, tb, tb_offset=None):
    """IPython에서 :class:`Feedback`을 내부 프레임 없이 한국어 한 줄로 보여 줍니다.

    출력은 여전히 오류 출력(error)이므로 nbgrader는 그 셀을 실패로 셉니다.
    """
    line = f"\x1b[31m테스트 실패\x1b[39m: {value}"
    show = getattr(shell, "_showtraceback", None)
    if show is None:  # pragma: no cover  (ipykernel이 아닌 IPython)
        shell.showtraceback((etype, value, tb), exception_only=True)
    else:
        show(etype, value, [line])


def short_tracebacks() -> bool:
    """IPython 커널 안이면, 테스트 실패(Feedback)를 traceback 없이 한 줄로 보이게 합니다.

    다른 예외(학생 코드의 오류가 :func:`call` 밖에서 난 경우 등)는 그대로 보입니다. 커널 밖(pytest,
    채점 엔진의 깨끗한 프로세스)에서는 아무것도 하지 않고 False를 돌려줍니다.
    """
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover
        return False
    shell = get_ipython()
    if shell is None or not hasattr(shell, "set_custom_exc"):
        return False
    shell.set_custom_exc((Feedback,), _short_feedback)
    return True


def passed(what: str) -> None:
    """테스트 셀의 마지막 줄: 무엇을 확인했는지 "통과: ..."로 알립니다."""
    print(f"통과: {what}")


def fail(message: str) -> None:
    """``message``를 담은 :class:`Feedback`을 냅니다."""
    raise Feedback(message)


def call(func: Callable, *args, name: str | None = None,
         error_hints: Mapping[str, str] | None = None) -> Any:
    """학생 함수를 부르고, 함수가 예외를 내면 원인을 짐작하는 한국어 메시지로 바꿉니다.

    ``error_hints``는 예외 메시지에 들어 있는 글귀 → 설명 입니다. 예:
    ``{"could not be broadcast": "a를 (T, 1)로 reshape 했나요?"}``
    """
    name = name or getattr(func, "__name__", "함수")
    try:
        return func(*args)
    except NotImplementedError:
        fail(say("not_implemented", called=called(name, "이")))
    except Feedback:
        raise
    except Exception as error:  # noqa: BLE001  (학생 코드의 어떤 예외든 설명해 줍니다)
        frame = say("call_error", called=called(name, "을"), error=f"{type(error).__name__}: {error}")
        for needle, hint in (error_hints or {}).items():
            if needle in str(error):
                fail(f"{frame} {hint}")
        fail(frame)


def check_ndarray(result: Any, name: str) -> np.ndarray:
    """결과가 numpy 배열인지 확인하고 그대로 돌려줍니다."""
    if isinstance(result, (list, tuple)):
        fail(say("returned_list", name=name, type=type(result).__name__))
    if result is None:
        fail(say("returned_none", called=called(name, "이")))
    if type(result) is not np.ndarray:
        fail(say("not_ndarray", called=called(name, "이"), type=type(result).__name__))
    return result


def check_shape(result: np.ndarray, expected: tuple, name: str,
                hints: Mapping[tuple, str] | None = None) -> None:
    """형상(shape)을 확인합니다. 틀린 형상이 ``hints``에 있으면 그 실수를 설명합니다."""
    shape = tuple(result.shape)
    if shape == tuple(expected):
        return
    hint = (hints or {}).get(shape, "")
    fail(f"{say('shape_wrong', call=name + '()', got=shape, expected=tuple(expected))} {hint}".rstrip())


def check_close(result: np.ndarray, expected, name: str, message: str = "", atol: float = 1e-8) -> None:
    """값이 기대와 가까운지 확인합니다 (형상은 먼저 :func:`check_shape`로 확인하세요)."""
    expected = np.asarray(expected, dtype=float)
    if result.shape != expected.shape or not np.allclose(result, expected, atol=atol, rtol=1e-6):
        fail(f"{say('values_wrong', name=name)} {message}".rstrip())


def check_unchanged(before: np.ndarray, after: np.ndarray, what: str, name: str) -> None:
    """함수가 입력 배열을 제자리에서 바꾸지 않았는지 확인합니다."""
    if before.shape != after.shape or not np.array_equal(before, after):
        fail(say("input_mutated", called=called(name, "이"), what=what) + " 입력은 그대로 두고 새 배열을 만들어 "
             "돌려주세요 (예: *=, += 대신 * , + 를 쓰거나 .copy()를 쓰세요).")


def digest(values, decimals: int = DIGEST_DECIMALS) -> str:
    """배열을 소수점 ``decimals``자리로 반올림한 값과 형상의 SHA-256 요약(앞 16자리)."""
    array = np.round(np.asarray(values, dtype=np.float64), decimals) + 0.0  # -0.0 → 0.0
    payload = repr(array.shape).encode() + np.ascontiguousarray(array).tobytes()
    return hashlib.sha256(payload).hexdigest()[:16]


def check_digest(result: np.ndarray, expected_digest: str, name: str, message: str = "") -> None:
    """기준 예제의 값을 드러내지 않고 비교합니다: 반올림한 값의 요약이 같아야 합니다."""
    if digest(result) != expected_digest:
        fail(f"{say('digest_differs', name=name)} {message}".rstrip())


_mpl_get_array = _mpl_get_text = _mpl_xticklabels = _mpl_yticklabels = None


def bind_matplotlib() -> None:
    """그림 사실을 뽑을 때 쓸 matplotlib 함수들을 클래스에서 한 번 가져다 둡니다.

    :func:`figure_facts`는 학생 객체의 메서드(``im.get_array()``)를 부르지 않고 이 함수들에 객체를 넘기므로, 학생이
    객체 하나의 메서드를 바꿔치기해도(``im.get_array = lambda: a``) 사실은 그림이 실제로 가진 값입니다. 채점 중에는
    학생 셀보다 먼저 불리고, 클래스 쪽을 바꾼 것은 채점 기록기가 알아챕니다 (``grading/jail/recorder.py``)."""
    global _mpl_get_array, _mpl_get_text, _mpl_xticklabels, _mpl_yticklabels
    if _mpl_get_array is not None:
        return
    from matplotlib.axes import Axes
    from matplotlib.image import AxesImage
    from matplotlib.text import Text

    _mpl_get_array, _mpl_get_text = AxesImage.get_array, Text.get_text
    _mpl_xticklabels, _mpl_yticklabels = Axes.get_xticklabels, Axes.get_yticklabels


def _text(label) -> str:
    from matplotlib.text import Text

    return _mpl_get_text(label) if isinstance(label, Text) else str(label)


class FigureFacts(dict):
    """채점 엔진이 학생 커널의 진짜 Figure에서 뽑아 기록해 둔 사실 (재현기 안에서만 만들어집니다).

    학생 함수가 이런 모양의 dict를 돌려주어도 그것은 평범한 dict이므로 그림으로 인정되지 않습니다."""


def _layers(ax) -> list:
    from matplotlib.cm import ScalarMappable

    layers = [np.asarray(_mpl_get_array(im), dtype=float).tolist() for im in ax.images]
    for coll in ax.collections:
        values = _mpl_get_array(coll) if isinstance(coll, ScalarMappable) else None
        if values is not None:
            layers.append(np.asarray(values, dtype=float).tolist())
    return layers


def _axes_facts(ax) -> dict:
    return {
        "title": _text(ax.title),
        "xlabel": _text(ax.xaxis.label),
        "ylabel": _text(ax.yaxis.label),
        "xticklabels": [_text(t) for t in _mpl_xticklabels(ax)],
        "yticklabels": [_text(t) for t in _mpl_yticklabels(ax)],
        "texts": [_text(t) for t in ax.texts],
        "layers": _layers(ax),
    }


def figure_facts(fig) -> dict:
    """matplotlib Figure에서 채점에 필요한 사실만 평범한 데이터(dict, list, float)로 뽑습니다.

    채점 엔진이 기록해 둔 사실(:class:`FigureFacts`)을 받으면 그대로 돌려줍니다.
    Figure가 아니면 (그림처럼 보이는 dict도) ``None``을 돌려줍니다.
    """
    if type(fig) is FigureFacts:
        return fig
    try:
        from matplotlib.figure import Figure
    except ImportError:  # pragma: no cover
        return None
    if not isinstance(fig, Figure):
        return None
    bind_matplotlib()
    axes, colorbars = [], 0
    for ax in fig.axes:
        if getattr(ax, "_colorbar", None) is not None:
            colorbars += 1
        else:
            axes.append(_axes_facts(ax))
    return FigureFacts(kind="figure", suptitle=_text(fig._suptitle) if fig._suptitle else "",
                       axes=axes, colorbars=colorbars)


def has_hangul(text: str) -> bool:
    """문자열에 한글 음절이 하나라도 있으면 True."""
    return any("\uac00" <= ch <= "\ud7a3" for ch in text)


# --- 여러 과제가 함께 쓰는 도구 (04_weight_sum, 05_attention_weights에서 덧붙임) ---

def check_pair(result: Any, name: str, parts: tuple[str, str]) -> tuple[np.ndarray, np.ndarray]:
    """결과가 numpy 배열 두 개짜리 튜플인지 확인하고 두 배열을 돌려줍니다.

    ``parts``는 두 값의 이름입니다. 예: ``("dhs", "da")`` → 안내문 ``return dhs, da``.
    """
    first, second = parts
    if result is None:
        fail(say("pair_returned_none", called=called(name, "이"), first=first, second=second))
    if not isinstance(result, (tuple, list)):
        fail(say("pair_not_tuple", called=called(name, "이"), type=type(result).__name__, first=first, second=second))
    if len(result) != 2:
        fail(say("pair_count", called=called(name, "이"), count=len(result), first=first, second=second))
    for label, value in zip(parts, result):
        if isinstance(value, (list, tuple)):
            fail(say("pair_item_list", called=called(name, "이"), label=label, type=type(value).__name__))
        if type(value) is not np.ndarray:
            fail(say("pair_item_type", called=called(name, "이"), label=label, type=type(value).__name__))
    return result[0], result[1]


def check_varies(first: Any, second: Any, name: str) -> None:
    """입력이 다른 두 호출의 결과가 똑같으면, 답을 코드에 적어 넣은 것으로 보고 실패합니다."""
    try:
        same = np.array_equal(np.asarray(first, dtype=float), np.asarray(second, dtype=float))
    except (TypeError, ValueError):
        return
    if same:
        fail(say("hardcoded_answer", called=called(name, "이")))


def numerical_gradient(f: Callable[[np.ndarray], float], x, eps: float = 1e-4) -> np.ndarray:
    """스칼라 함수 ``f``의 ``x``에 대한 기울기를 중앙 차분 (f(x+h) - f(x-h)) / 2h 으로 구합니다.

    ``f``에는 늘 ``x``의 새 복사본을 넘기므로 ``x``는 바뀌지 않습니다. 결과의 형상은 ``x``와 같습니다.
    """
    x = np.array(x, dtype=float)
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        plus = x.copy()
        plus[index] += eps
        minus = x.copy()
        minus[index] -= eps
        grad[index] = (float(f(plus)) - float(f(minus))) / (2 * eps)
    return grad


def check_keeps_inputs(func: Callable, args: tuple, labels: tuple[str, ...], name: str,
                       error_hints: Mapping[str, str] | None = None) -> None:
    """``func``를 배열 ``args``의 복사본으로 부른 뒤, 함수가 그 복사본을 제자리에서 바꾸지 않았는지 확인합니다.

    ``labels``는 인자의 이름입니다 (예: ``("hs", "a")``). 실패 메시지는 :func:`check_unchanged`가 만듭니다.
    """
    copies = tuple(np.array(x, copy=True) for x in args)
    call(func, *copies, name=name, error_hints=error_hints)
    for before, after, label in zip(args, copies, labels):
        check_unchanged(np.asarray(before), after, label, name)


# --- 01_repeat, 02_broadcasting, 03_axis_sum에서 덧붙임 ---

def check_not_hardcoded(seed_result: Any, result: Any, name: str) -> None:
    """새 입력에 대한 ``result``가 기준 예제의 결과 ``seed_result``와 똑같으면 실패합니다.

    답을 코드에 적어 넣었거나 입력 대신 고정된 값(전역 변수 hs, a나 숫자 5, 4)을 쓴 풀이입니다.
    :func:`check_varies`의 안내에, 그런 풀이가 왜 기준 예제의 테스트만 통과하는지 덧붙입니다.
    """
    try:
        check_varies(seed_result, result, name)
    except Feedback as error:
        raise Feedback(f"{error} {say('hardcoded_note')}") from None


def check_numeric(result: np.ndarray, name: str) -> None:
    """배열의 자료형이 숫자(정수·실수)인지 확인합니다. 문자열이나 object 배열이면 실패합니다."""
    if not (np.issubdtype(result.dtype, np.integer) or np.issubdtype(result.dtype, np.floating)):
        fail(say("not_numeric", called=called(name, "이"), dtype=result.dtype))


def check_seed_values(result, expected, name: str, *, label: str = "결과", decimals: int = 3,
                      hint: str = "") -> None:
    """결과가 기준 예제의 공개된 값(소수 ``decimals``자리로 반올림한 ``expected``)과 맞는지 확인합니다.

    틀리면 처음으로 다른 위치와 그 자리의 결과·기대값을, 원소가 8개 이하면 기대값 전체를 보여 줍니다.
    형상은 먼저 확인하세요 (형상이 다르면 형상만 말합니다).
    """
    expected = np.asarray(expected, dtype=float)
    got = np.asarray(result, dtype=float)
    if got.shape != expected.shape:
        fail(say("part_shape_wrong", call=f"{name}()", label=label, got=got.shape, expected=expected.shape))
    tolerance = 0.6 * 10.0 ** -decimals
    wrong = ~(np.abs(got - expected) <= tolerance)
    if not wrong.any():
        return
    index = tuple(int(i) for i in np.argwhere(wrong)[0])
    where = label + (f"[{', '.join(map(str, index))}]" if index else "")
    message = say("seed_values_wrong", name=name, where=where, got=f"{got[index]:.{decimals}f}",
                  expected=f"{expected[index]:.{decimals}f}")
    if expected.size <= 8:
        values = ", ".join(f"{v:.{decimals}f}" for v in expected.ravel())
        message += f" 기대값 전체(소수 {decimals}자리): [{values}]."
    fail(f"{message} {hint}".rstrip())


short_tracebacks()
