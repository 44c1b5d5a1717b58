"""과제 테스트가 쓰는 한국어 피드백 도구.

테스트 셀은 학생 함수의 결과를 이 도구로 검사합니다. 검사에 실패하면 학생이 읽을
한국어 문장을 담은 ``AssertionError``를 냅니다. 정답 값이나 정답 구현은 여기에 두지 않습니다.
씨앗 예제의 값은 :func:`digest` (반올림한 값의 SHA-256)로만 비교하므로 학생에게 값이 드러나지 않습니다.
"""

from __future__ import annotations

import hashlib
from typing import Any, Callable, Mapping

import numpy as np

DIGEST_DECIMALS = 6


class Feedback(AssertionError):
    """학생에게 보여 줄 한국어 메시지를 담은 테스트 실패."""


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
        fail(f"{name}()이 아직 NotImplementedError를 냅니다. '# 여기에 코드를 작성하세요' 부분을 채우세요.")
    except Feedback:
        raise
    except Exception as error:  # noqa: BLE001  (학생 코드의 어떤 예외든 설명해 줍니다)
        text = f"{type(error).__name__}: {error}"
        for needle, hint in (error_hints or {}).items():
            if needle in str(error):
                fail(f"{name}()을 부르자 오류가 났습니다 ({text}). {hint}")
        fail(f"{name}()을 부르자 오류가 났습니다 ({text}).")


def check_ndarray(result: Any, name: str) -> np.ndarray:
    """결과가 numpy 배열인지 확인하고 그대로 돌려줍니다."""
    if isinstance(result, (list, tuple)):
        fail(f"{name}()이 {type(result).__name__}를 돌려주었습니다. 파이썬 리스트가 아니라 numpy 배열"
             f"(np.ndarray)을 돌려주세요. 예: np.array(...) 대신 numpy 연산의 결과를 그대로 돌려줍니다.")
    if result is None:
        fail(f"{name}()이 None을 돌려주었습니다. 함수 끝에 return 문이 있는지 확인하세요.")
    if type(result) is not np.ndarray:
        fail(f"{name}()이 {type(result).__name__} 객체를 돌려주었습니다. np.ndarray를 돌려주세요.")
    return result


def check_shape(result: np.ndarray, expected: tuple, name: str,
                hints: Mapping[tuple, str] | None = None) -> None:
    """형상(shape)을 확인합니다. 틀린 형상이 ``hints``에 있으면 그 실수를 설명합니다."""
    shape = tuple(result.shape)
    if shape == tuple(expected):
        return
    hint = (hints or {}).get(shape, "")
    fail(f"{name}()의 결과 형상이 {shape}입니다. 기대한 형상은 {tuple(expected)}입니다. {hint}".rstrip())


def check_close(result: np.ndarray, expected, name: str, message: str = "", atol: float = 1e-8) -> None:
    """값이 기대와 가까운지 확인합니다 (형상은 먼저 :func:`check_shape`로 확인하세요)."""
    expected = np.asarray(expected, dtype=float)
    if result.shape != expected.shape or not np.allclose(result, expected, atol=atol, rtol=1e-6):
        fail(f"{name}()의 값이 기대와 다릅니다. {message}".rstrip())


def check_unchanged(before: np.ndarray, after: np.ndarray, what: str, name: str) -> None:
    """함수가 입력 배열을 제자리에서(in place) 바꾸지 않았는지 확인합니다."""
    if before.shape != after.shape or not np.array_equal(before, after):
        fail(f"{name}()이 입력 {what}를 제자리에서 바꾸었습니다. 입력은 그대로 두고 새 배열을 만들어 "
             f"돌려주세요 (예: *=, += 대신 * , + 를 쓰거나 .copy()를 쓰세요).")


def digest(values, decimals: int = DIGEST_DECIMALS) -> str:
    """배열을 소수점 ``decimals``자리로 반올림한 값과 형상의 SHA-256 요약(앞 16자리)."""
    array = np.round(np.asarray(values, dtype=np.float64), decimals) + 0.0  # -0.0 → 0.0
    payload = repr(array.shape).encode() + np.ascontiguousarray(array).tobytes()
    return hashlib.sha256(payload).hexdigest()[:16]


def check_digest(result: np.ndarray, expected_digest: str, name: str, message: str = "") -> None:
    """씨앗 예제의 값을 드러내지 않고 비교합니다: 반올림한 값의 요약이 같아야 합니다."""
    if digest(result) != expected_digest:
        fail(f"{name}()의 형상은 맞지만 씨앗 예제의 값이 기대와 다릅니다. {message}".rstrip())


def _text(label) -> str:
    return label.get_text() if hasattr(label, "get_text") else str(label)


def figure_facts(fig) -> dict:
    """matplotlib Figure에서 채점에 필요한 사실만 평범한 데이터(dict, list, float)로 뽑습니다.

    이미 뽑아 둔 dict를 받으면 그대로 돌려줍니다 (채점 엔진이 기록해 둔 결과를 다시 검사할 때).
    Figure가 아니면 ``None``을 돌려줍니다.
    """
    if isinstance(fig, dict) and fig.get("kind") == "figure":
        return fig
    try:
        from matplotlib.figure import Figure
    except ImportError:  # pragma: no cover
        return None
    if not isinstance(fig, Figure):
        return None
    axes = []
    colorbars = 0
    for ax in fig.axes:
        if getattr(ax, "_colorbar", None) is not None:
            colorbars += 1
            continue
        layers = [np.asarray(im.get_array(), dtype=float).tolist() for im in ax.images]
        for coll in ax.collections:
            values = coll.get_array() if hasattr(coll, "get_array") else None
            if values is not None:
                layers.append(np.asarray(values, dtype=float).tolist())
        axes.append({
            "title": ax.get_title(),
            "xlabel": ax.get_xlabel(),
            "ylabel": ax.get_ylabel(),
            "xticklabels": [_text(t) for t in ax.get_xticklabels()],
            "yticklabels": [_text(t) for t in ax.get_yticklabels()],
            "texts": [_text(t) for t in ax.texts],
            "layers": layers,
        })
    return {"kind": "figure", "suptitle": fig._suptitle.get_text() if fig._suptitle else "",
            "axes": axes, "colorbars": colorbars}


def has_hangul(text: str) -> bool:
    """문자열에 한글 음절이 하나라도 있으면 True."""
    return any("\uac00" <= ch <= "\ud7a3" for ch in text)
