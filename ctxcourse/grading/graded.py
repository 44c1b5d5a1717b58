"""채점 대상 찾기: 해답 셀이 채점 함수나 채점 클래스를 정의하는지, 테스트 셀이 어느 대상을 검사하는지.

해답 셀의 grade_id는 채점 대상의 이름입니다 (함수 ``weight_sum_forward`` 또는 클래스 ``WeightSum``).
테스트 셀의 grade_id는 ``test_<이름>_<측면>``입니다 (``test_WeightSum_backward``).
"""

from __future__ import annotations

import ast
import re

FUNCTION = "function"
CLASS = "class"


def graded_kind(source: str, name: str) -> str | None:
    """해답 셀 코드가 최상위에서 ``name``이라는 함수(``"function"``)나 클래스(``"class"``)를 정의하면
    그 종류를, 아니면 ``None``을 돌려줍니다. 문법 오류가 있는 코드는 글자로 찾아봅니다."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        if re.search(rf"^\s*(async\s+)?def\s+{re.escape(name)}\s*\(", source, re.M):
            return FUNCTION
        if re.search(rf"^\s*class\s+{re.escape(name)}\s*[(:]", source, re.M):
            return CLASS
        return None
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == name:
            return FUNCTION
        if isinstance(node, ast.ClassDef) and node.name == name:
            return CLASS
    return None


def defines_function(source: str, name: str) -> bool:
    """해답 셀 코드가 최상위에서 채점 대상 ``name``(함수 또는 클래스)을 정의하는지."""
    return graded_kind(source, name) is not None


def test_function(grade_id: str, graded: list[str]) -> str | None:
    """``test_<이름>_<측면>`` grade_id에서 채점 대상의 이름을 찾습니다 (가장 긴 이름이 이깁니다)."""
    best = None
    for name in graded:
        if grade_id == f"test_{name}" or grade_id.startswith(f"test_{name}_"):
            if best is None or len(name) > len(best):
                best = name
    return best
