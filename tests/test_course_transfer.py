"""전이, 베끼기가 아님 (transfer, not copy): 과제의 해답 코드가 강의에 그대로 나오지 않습니다.

강의는 한 문장 (T, H)이나 다른 예로 생각을 가르치고, 과제는 미니배치나 일반적인 경우를 묻습니다. 그래서
source/의 해답 블록(### BEGIN SOLUTION … ### END SOLUTION)에 있는 코드 줄은 어느 강의의 코드 셀에도
없어야 합니다. 비교할 때는 주석과 공백을 지우고, 어느 풀이에나 나오는 하찮은 줄(``return c``,
``N, T, H = hs.shape`` 같은 것)은 뺍니다.
"""

from __future__ import annotations

import re

import nbformat

from conftest import REPO

LESSONS = sorted((REPO / "notebooks").glob("[0-9][0-9]_*.ipynb"))
SOURCES = sorted((REPO / "source").glob("0[1-5]_*/0[1-5]_*.ipynb"))
SOLUTION = re.compile(r"### BEGIN SOLUTION(.*?)### END SOLUTION", re.S)
TRIVIAL = [
    re.compile(r"^return\(?[A-Za-z_]\w*(,[A-Za-z_]\w*)*\)?$"),        # return c / return dhs, da
    re.compile(r"^([A-Za-z_]\w*,)*[A-Za-z_]\w*=\w+\.shape$"),         # N, T, H = hs.shape
    re.compile(r"^([A-Za-z_]\w*,)*[A-Za-z_]\w*=\w+\.shape\[-?\d\]$"),  # T = a.shape[0]
]
MIN_LENGTH = 8


def normalise(line: str) -> str:
    """주석과 모든 공백을 지운 코드 줄 (문자열 안의 #은 드물어서 고려하지 않습니다)."""
    return re.sub(r"\s+", "", line.split("#", 1)[0])


def is_trivial(code: str) -> bool:
    return len(code) < MIN_LENGTH or any(p.match(code) for p in TRIVIAL)


def solution_lines() -> dict[str, str]:
    """정규화한 해답 줄 → 그 줄이 나온 과제 (하찮은 줄은 뺍니다)."""
    found = {}
    for path in SOURCES:
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            for block in SOLUTION.findall(cell.source):
                for line in block.splitlines():
                    code = normalise(line)
                    if code and not is_trivial(code):
                        found.setdefault(code, path.parent.name)
    return found


def copied_lines(lesson_sources: list[str], secrets: dict[str, str]) -> list[str]:
    """강의 코드 셀들에서 해답 줄과 똑같은 줄을 찾습니다."""
    hits = []
    for source in lesson_sources:
        for line in source.splitlines():
            code = normalise(line)
            if code in secrets:
                hits.append(f"{secrets[code]}: {line.strip()}")
    return hits


def test_the_check_finds_a_copied_line():
    secrets = solution_lines()
    assert len(secrets) >= 15, "해답 줄을 거의 찾지 못했습니다 (검사가 헛돕니다)"
    example = next(iter(secrets))
    assert copied_lines([f"x = 1\n{example}   # 주석\n"], secrets), "베낀 줄을 찾지 못했습니다"
    assert not copied_lines(["return c\nN, T, H = hs.shape\n"], {"returnc": "x"} if False else secrets)


def test_no_solution_line_appears_in_a_lesson():
    secrets = solution_lines()
    problems = []
    for path in LESSONS:
        nb = nbformat.read(path, as_version=4)
        code = [cell.source for cell in nb.cells if cell.cell_type == "code"]
        problems += [f"{path.name} ← {hit}" for hit in copied_lines(code, secrets)]
    assert not problems, "강의에 과제의 해답 줄이 그대로 있습니다:\n" + "\n".join(problems)
