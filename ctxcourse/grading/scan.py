"""제출된 코드에서 채점을 속이려는 흔적을 찾습니다 (점수에는 영향이 없고, 강사에게 보여 줄 표시만 만듭니다).

점수는 깨끗한 프로세스의 재현 판정으로만 정해지므로 이 검사는 방어가 아니라 보고입니다.
정상적인 풀이에서는 거의 나오지 않는 패턴만 찾습니다. 두 가지를 봅니다:

- 글자 패턴 (입력 변환기, showtraceback, builtins, 하위 프로세스, 네트워크, 강좌 폴더 경로 ...)
- 파이썬 구문: import 한 모듈의 속성에 값을 넣는 코드 (``np.allclose = ...``, ``fb.check_close = ...``,
  ``setattr(np, ...)``) = 원숭이 패치.
"""

from __future__ import annotations

import ast
import re

PATTERNS: list[tuple[str, str]] = [
    (r"input_transformers|ast_transformers|\bprefilter", "IPython 입력 변환기를 건드림 (뒤 셀을 바꾸거나 지우는 수법)"),
    (r"showtraceback|showsyntaxerror|set_custom_exc|\bInteractiveShell\b|\.events\.register",
     "IPython의 오류 표시나 실행 훅을 바꿈"),
    (r"\bbuiltins\b|__builtins__", "파이썬 내장 함수를 건드림"),
    (r"\bsys\.modules\b|\bimportlib\b|__import__", "모듈을 바꿔치기하거나 import를 가로챔"),
    (r"ctxcourse\.grading|\brecorder\b|ctxgrade", "채점 기록기를 건드림"),
    (r"def\s+__(eq|ne|array|array_ufunc|array_function|bool|float|len)__", "비교·배열 변환을 속이는 클래스를 정의"),
    (r"\bos\._exit\b|\bos\.kill\b|\bos\.fork\b|\bctypes\b|\bsignal\.signal\b|\bfaulthandler\b",
     "프로세스를 끝내거나 신호를 다룸"),
    (r"\bsubprocess\b|\bos\.system\b|\bos\.popen\b|^[ \t]*!", "셸 명령·하위 프로세스를 실행"),
    (r"\bsocket\b|\burllib\b|\brequests\b|\bhttp\.client\b", "네트워크에 접속하려 함"),
    (r"gradebook|\.\./|/source/|autograded|\bnbgrader\b", "강좌 폴더(성적부, source/, 다른 제출물)에 접근하려 함"),
    (r"\bsys\.(settrace|setprofile|stdout\s*=|stderr\s*=)", "추적기나 출력 스트림을 바꿈"),
    (r"\b_getframe\b|\bf_globals\b|\bf_locals\b|\bf_back\b|\bgc\.get_(objects|referrers)\b|\binspect\.(stack|currentframe)\b",
     "부른 쪽의 프레임이나 메모리의 객체를 뒤짐 (채점 도구의 내부에 손을 댐)"),
    (r"\b(exec|eval|compile)\s*\(|\bb64decode\b", "문자열로 만든 코드를 실행함 (exec/eval/compile, 감춘 코드)"),
    (r"\.\s*(get_\w+|_A|_text)\s*=(?!=)", "그림 객체의 값 읽는 메서드·속성을 바꿔치기함"),
]

_COMPILED = [(re.compile(pattern, re.MULTILINE), title) for pattern, title in PATTERNS]
MONKEYPATCH = "import 한 모듈의 함수·속성을 바꿈 (원숭이 패치)"


def _line(source: str, start: int, end: int) -> str:
    begin = source.rfind("\n", 0, start) + 1
    stop = source.find("\n", end)
    return source[begin:stop if stop >= 0 else None].strip()[:120]


def _modules(trees: list) -> set[str]:
    """노트북 전체에서 import 한 모듈의 이름(별칭 포함)."""
    names = {"np", "numpy", "plt", "matplotlib", "ctxcourse", "feedback", "fb", "chk", "IPython"}
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    names.add(alias.asname or alias.name.split(".")[0])
            elif isinstance(node, ast.ImportFrom):
                for alias in node.names:
                    names.add(alias.asname or alias.name)
    return names


def _root(node) -> str | None:
    while isinstance(node, ast.Attribute):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def _patches(tree, modules: set[str], source: str) -> list[str]:
    hits = []
    lines = source.splitlines()
    for node in ast.walk(tree):
        if len(hits) >= MAX_HITS:
            break
        targets = []
        if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("setattr", "delattr")
              and node.args):
            targets = [ast.Attribute(value=node.args[0], attr="?", ctx=ast.Store())]
        for target in targets:
            if isinstance(target, ast.Attribute) and _root(target) in modules:
                line = lines[node.lineno - 1].strip()[:120] if 0 < getattr(node, "lineno", 0) <= len(lines) else ""
                hits.append(f"{MONKEYPATCH}: {line}")
    return hits


MAX_SCAN_CHARS = 2_000_000    # 한 노트북에서 검사하는 코드의 양 (모든 패턴은 선형 시간; 그래도 한도를 둡니다)
MAX_HITS = 50


def scan_cells(sources: list[str]) -> list[tuple[int, str]]:
    """코드 셀들(노트북 순서)에서 수상한 것을 찾아 (셀 번호, "설명: 그 줄")을 돌려줍니다.

    검사 시간은 코드 길이에 비례합니다 (되돌아가기가 폭발하는 패턴 없음). 코드가 ``MAX_SCAN_CHARS``를 넘으면
    앞부분만 검사하고 그 사실을 표시로 남깁니다."""
    budget, kept = MAX_SCAN_CHARS, []
    for source in sources:
        kept.append(source[:max(0, budget)])
        budget -= len(source)
    truncated = budget < 0
    sources = kept
    trees = {}
    for index, source in enumerate(sources):
        try:
            trees[index] = ast.parse(source)
        except (SyntaxError, ValueError):
            continue
    modules = _modules(list(trees.values()))
    hits = []
    for index, source in enumerate(sources):
        for pattern, title in _COMPILED:
            match = pattern.search(source)
            if match:
                hits.append((index, f"{title}: {_line(source, match.start(), match.end())}"))
        if index in trees:
            hits.extend((index, hit) for hit in _patches(trees[index], modules, source))
        if len(hits) >= MAX_HITS:
            break
    if truncated:
        hits.append((len(sources) - 1, f"코드가 너무 길어({MAX_SCAN_CHARS:,}자 넘음) 앞부분만 검사했습니다"))
    return hits[:MAX_HITS + 1]


def scan(source: str) -> list[str]:
    """코드 한 셀만 검사합니다."""
    return [hit for _, hit in scan_cells([source])]
