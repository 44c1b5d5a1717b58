"""제출된 코드에서 채점을 속이려는 흔적을 찾습니다 (점수에는 영향이 없고, 강사에게 보여 줄 표시만 만듭니다).

점수는 깨끗한 프로세스의 재현 판정으로만 정해지므로 이 검사는 방어가 아니라 보고입니다.
정상적인 풀이에서는 거의 나오지 않는 패턴만 찾습니다.
"""

from __future__ import annotations

import re

PATTERNS: list[tuple[str, str]] = [
    (r"input_transformers|ast_transformers|\bprefilter", "IPython 입력 변환기를 건드림 (뒤 셀을 바꾸거나 지우는 수법)"),
    (r"showtraceback|set_custom_exc|\bInteractiveShell\b|\.events\.register", "IPython의 오류 표시나 실행 훅을 바꿈"),
    (r"\b(np|numpy)(\.\w+)+\s*=(?!=)|setattr\(\s*(np|numpy)\b", "numpy 함수·속성을 바꿈 (원숭이 패치)"),
    (r"\bbuiltins\b|__builtins__", "파이썬 내장 함수를 바꿈"),
    (r"\bsys\.modules\b|\bimportlib\b|__import__", "모듈을 바꿔치기하거나 import를 가로챔"),
    (r"\b(feedback|ctxcourse)(\.\w+)+\s*=(?!=)|ctxcourse\.grading|\brecorder\b|ctxgrade",
     "채점 도구(ctxcourse.feedback, 채점 기록기)를 건드림"),
    (r"def\s+__(eq|ne|array|array_ufunc|array_function|bool|float|len)__", "비교·배열 변환을 속이는 클래스를 정의"),
    (r"\bos\._exit\b|\bos\.kill\b|\bos\.fork\b|\bctypes\b|\bsignal\.signal\b|\bfaulthandler\b",
     "프로세스를 끝내거나 신호를 다룸"),
    (r"\bsubprocess\b|\bos\.system\b|\bos\.popen\b|^\s*!", "셸 명령·하위 프로세스를 실행"),
    (r"\bsocket\b|\burllib\b|\brequests\b|\bhttp\.client\b", "네트워크에 접속하려 함"),
    (r"gradebook|\.\./|/source/|autograded|nbgrader", "강좌 폴더(성적부, source/, 다른 제출물)에 접근하려 함"),
    (r"\bsys\.(settrace|setprofile|stdout\s*=|stderr\s*=)", "추적기나 출력 스트림을 바꿈"),
]

_COMPILED = [(re.compile(pattern, re.MULTILINE), title) for pattern, title in PATTERNS]


def scan(source: str) -> list[str]:
    """코드 한 셀에서 찾은 수상한 패턴마다 "설명: 그 줄"을 돌려줍니다."""
    hits = []
    for pattern, title in _COMPILED:
        match = pattern.search(source)
        if match:
            start = source.rfind("\n", 0, match.start()) + 1
            end = source.find("\n", match.end())
            line = source[start:end if end >= 0 else None].strip()
            hits.append(f"{title}: {line[:120]}")
    return hits
