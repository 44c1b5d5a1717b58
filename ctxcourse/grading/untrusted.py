"""학생이 쓴 글을 강사의 화면에 안전하게 보이기 (student-controlled text made inert for terminals and HTML).

학생의 코드, 출력, 예외 메시지, 학생 ID(폴더 이름)는 모두 학생이 고른 글입니다. 이것이 강사의 터미널에
그대로 가면 제어 문자(터미널 초기화, OSC 8 하이퍼링크, 숨김 글자)가 화면을 바꾸고, rich의 표시 문법
(``[/magenta]``)이 출력 자체를 깨뜨립니다. 여기의 함수는 한 번의 선형 스캔으로 그런 것을 없앱니다.
HTML은 Jinja2의 자동 이스케이프(:mod:`.feedback_page`)가 맡고, 이 모듈은 그 앞에서 제어 문자를 지웁니다.
"""

from __future__ import annotations

import re

from rich.markup import escape as _rich_escape

# ESC로 시작하는 터미널 시퀀스 (CSI, OSC, DCS 등)와 나머지 제어 문자 (탭과 줄바꿈은 남김).
_ESCAPES = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[PX^_][^\x1b]*(?:\x1b\\)?|.?)")
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def strip_controls(text: object, *, keep_newlines: bool = True) -> str:
    """터미널 시퀀스와 제어 문자(양방향 글자 제어 포함)를 지운 글. 줄바꿈과 탭은 ``keep_newlines``면 남깁니다."""
    text = _CONTROLS.sub("", _ESCAPES.sub("", str(text)))
    if not keep_newlines:
        text = " ".join(text.split())
    return text


def for_terminal(text: object, limit: int | None = None) -> str:
    """rich로 찍을 학생 글: 제어 문자를 지우고 한 줄로 만들고 rich 표시 문법을 이스케이프합니다."""
    text = strip_controls(text, keep_newlines=False)
    if limit is not None and len(text) > limit:
        text = text[: max(0, limit - 1)] + "…"
    return _rich_escape(text)
