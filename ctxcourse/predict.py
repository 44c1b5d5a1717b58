"""강의의 "확인해 보기": 먼저 예측을 적고, 그다음 실행해서 확인합니다.

확인해 보기 셀의 예측 변수(``my_shape`` 등)는 처음에 ``None``입니다. :func:`check`는 예측이 하나라도
``None``이면 "예측을 적어 보세요"라고만 말하고 아무것도 확인하지 않습니다. 예측을 모두 적으면 셀의 확인을
하나씩 실행해, 틀린 첫 확인의 설명을 보여 주거나 "맞았습니다!"라고 말합니다. 틀려도 예외를 내지 않으므로
강의는 처음부터 끝까지 오류 없이 실행됩니다.

예::

    my_shape = None      # ← t.sum(axis=0)의 형상은?
    check({"my_shape": my_shape},
          [(lambda: t.sum(axis=0).shape == my_shape, "더한 축이 형상에서 빠집니다.")])
"""

from __future__ import annotations

from typing import Any, Callable, Mapping, Sequence

ASK = "예측을 적어 보세요"


class Verdict:
    """:func:`check`의 결과. 셀의 마지막 줄이어도 Jupyter에 ``True``/``False``가 따로 찍히지 않습니다 (말은 이미
    출력했으므로). ``ok``: 모두 맞으면 True, 틀린 확인이 있으면 False, 예측이 비었으면 None."""

    def __init__(self, ok: bool | None):
        self.ok = ok

    def __bool__(self) -> bool:
        return bool(self.ok)

    def __repr__(self) -> str:
        return f"Verdict({self.ok})"

    def _ipython_display_(self) -> None:
        return None


def _format_hint(predictions: Mapping[str, Any]) -> str:
    """예측의 꼴이 흔히 헷갈리는 모양이면 (따옴표 안의 숫자, 리스트로 적은 형상) 그 안내."""
    for name, value in predictions.items():
        if isinstance(value, str) and value.strip().lstrip("-").replace(".", "", 1).isdigit():
            return f" ({name}에 따옴표 없이 숫자로 적어 보세요: {value.strip()})"
        if isinstance(value, list):
            return f" ({name}이 리스트입니다. 형상은 튜플로 적습니다: {tuple(value)})"
    return ""


def check(predictions: Mapping[str, Any], checks: Sequence[tuple[Callable[[], Any], str]],
          success: str = "맞았습니다!") -> Verdict:
    """예측을 확인합니다.

    predictions: 예측 변수의 이름 → 값. 값이 하나라도 ``None``이면 예측을 적으라고 안내하고 ``None``을 돌려줍니다.
    checks: (확인 함수, 틀렸을 때의 설명) 목록. 확인 함수는 인자 없이 참/거짓을 돌려줍니다. 예측을 적은 뒤에만
        부르므로, 예측 변수를 써도 됩니다.
    success: 모두 맞았을 때 보여 줄 글.
    돌려주는 값: :class:`Verdict` (``ok``가 모두 맞으면 True, 틀린 확인이 있으면 False, 예측이 비었으면 None).
    """
    missing = [name for name, value in predictions.items() if value is None]
    if missing:
        print(f"{ASK}: {', '.join(missing)}에 예측을 적고 이 셀을 다시 실행하세요 (지금은 None입니다).")
        return Verdict(None)
    for test, hint in checks:
        try:
            ok = bool(test())
        except Exception as error:  # noqa: BLE001  (예측의 자료형이 틀려도 설명만 합니다)
            ok, hint = False, f"{hint} (예측으로 확인하다가 오류가 났습니다: {type(error).__name__}: {error})"
        if not ok:
            print(f"아직 아닙니다. {hint}".rstrip() + _format_hint(predictions))
            return Verdict(False)
    print(success)
    return Verdict(True)
