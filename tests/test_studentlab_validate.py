"""과제 확인(Validate)의 한국어 요약: 커널 없이, 실행된 노트북의 출력만으로 (빠른 묶음).

새 학생 검토(Chromium)에서 나온 것: 해답 셀의 괄호 하나를 빠뜨리면 "함수를 찾을 수 없습니다"만 보이고 문법 오류는
말하지 않았고, AttributeError 같은 파이썬 오류는 영어로만 보였습니다."""

from __future__ import annotations

from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from ctxcourse.studentlab.validate import ERROR_HINTS, summarize


def _error(ename: str, evalue: str):
    return new_output("error", ename=ename, evalue=evalue, traceback=[f"{ename}: {evalue}"])


def _solution(source: str, grade_id: str, error=None):
    cell = new_code_cell(source, metadata={"nbgrader": {"grade_id": grade_id, "solution": True, "grade": False,
                                                        "locked": False, "schema_version": 3}})
    cell.outputs = [error] if error else []
    return cell


def _test(grade_id: str, error, points: int = 2):
    cell = new_code_cell('"""값을 확인합니다."""\nassert True',
                         metadata={"nbgrader": {"grade_id": grade_id, "grade": True, "solution": False,
                                                "locked": True, "points": points, "schema_version": 3}})
    cell.outputs = [error]
    return cell


def _messages(nb) -> dict[str, str]:
    return {t["id"]: t["message"] for p in summarize(nb)["problems"] for t in p["tests"] if not t["passed"]}


def test_a_syntax_error_in_the_solution_is_named_not_only_the_missing_function():
    nb = new_notebook(cells=[
        new_markdown_cell("## 문제 1"),
        _solution("def context_vector(hs, a):\n    return np.sum(hs * a.reshape(-1, 1), axis=0", "cv",
                  _error("SyntaxError", "'(' was never closed (123.py, line 2)")),
        _test("test_cv", _error("NameError", "name 'context_vector' is not defined")),
        _solution("def weighted_sum(x, w, axis):\n    return x", "ws"),
        _test("test_ws", _error("NameError", "name 'other' is not defined")),
    ])
    messages = _messages(nb)
    assert "'context_vector'을(를) 찾을 수 없습니다" in messages["test_cv"]
    assert ERROR_HINTS["SyntaxError"] in messages["test_cv"] and "was never closed" in messages["test_cv"]
    # 오류 없이 정의된 셀과 관계없는 이름은 예전처럼 "지우거나 이름을 바꾸지 않았는지"를 묻습니다.
    assert "이름을 바꾸지 않았는지" in messages["test_ws"] and "문법" not in messages["test_ws"]


def test_a_fixed_cell_no_longer_blames_its_earlier_error():
    nb = new_notebook(cells=[
        _solution("def f(x):\n  return (", "a", _error("SyntaxError", "bad")),
        _solution("def f(x):\n    return x", "b"),
        _test("test_f", _error("NameError", "name 'f' is not defined")),
    ])
    assert "문법" not in _messages(nb)["test_f"]


def test_python_errors_get_a_korean_hint():
    nb = new_notebook(cells=[
        _solution("class Attention:\n    pass", "att"),
        _test("test_att", _error("AttributeError", "'Attention' object has no attribute 'weight_sum'")),
        _test("test_feedback", _error("Feedback", "축 0으로 더했나요?")),
    ])
    messages = _messages(nb)
    assert messages["test_att"].startswith(ERROR_HINTS["AttributeError"]) and "weight_sum" in messages["test_att"]
    assert messages["test_feedback"] == "축 0으로 더했나요?"
