"""학생의 과제 확인(Validate): nbgrader의 Validator로 노트북을 새 커널에서 실행하고, 한국어 요약을 만듭니다.

nbgrader의 Validate 창은 실패한 셀의 코드와 traceback을 영어 제목 아래 그대로 보여 줍니다. 여기서는 같은
Validator(같은 설정, 같은 실행: 출력 지우기 → 새 커널에서 처음부터 실행)를 쓰되, 결과를 문제별로 묶어

- 문제마다 보이는 테스트의 점수와 통과한 테스트 수,
- 실패한 테스트마다 한국어 메시지 한 줄 (traceback 없이; 같은 메시지는 한 번만),
- 숨은 테스트는 채점할 때만 돈다는 안내

를 JSON으로 돌려줍니다. 채점·해답 코드는 없습니다: 학생이 받은 노트북에 든 테스트만 실행합니다.

명령줄: ``python -m ctxcourse.studentlab.validate 노트북.ipynb`` → 요약 JSON을 출력합니다
(서버 확장이 이 명령을 따로 된 프로세스로 부릅니다).
"""

from __future__ import annotations

import json
import os
import re
import sys
from typing import Any

MINIMAL_TRACEBACK = "--InteractiveShell.xmode=Minimal"
HIDDEN_NOTE = ("숨은 테스트는 채점할 때만 돌아갑니다. 여기서 모두 통과해도 새 입력이나 다른 경우에서 틀리면 "
               "점수가 깎일 수 있습니다.")
MAX_MESSAGE = 400  # 글자: 메시지 하나의 길이 상한
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_HEADING = re.compile(r"^(#{1,6})\s+(.*\S)\s*$", re.M)
_PROBLEM = re.compile(r"^문제\b")
_DOCSTRING = re.compile(r'^\s*(?:[rRuU]?)("""|\'\'\')(.*?)\1', re.S)
_FEEDBACK_PREFIX = re.compile(r"^\s*(?:Feedback|피드백)\s*:\s*")
_DEFINES = re.compile(r"^[ \t]*(?:async[ \t]+)?(?:def|class)[ \t]+([A-Za-z_]\w*)", re.M)


def load_config():
    """nbgrader가 Validate 버튼에서 읽는 것과 같은 설정 (Jupyter 설정 폴더들 + 현재 폴더의 nbgrader_config.py)."""
    from jupyter_core.paths import jupyter_config_path
    from nbgrader.apps import NbGrader

    paths = jupyter_config_path()
    paths.insert(0, os.getcwd())
    app = NbGrader()
    app.config_file_paths.append(paths)
    app.load_config_file()
    config = app.config
    # 학생 노트북의 오류는 마지막 줄만: 과정의 도우미 코드를 지나는 traceback을 보이지 않습니다.
    config.Validator.Execute.extra_arguments = [MINIMAL_TRACEBACK]
    return config


def _one_line(text: str) -> str:
    text = _ANSI.sub("", text).strip()
    text = _FEEDBACK_PREFIX.sub("", text)
    text = " ".join(text.split())
    return text if len(text) <= MAX_MESSAGE else text[: MAX_MESSAGE - 1] + "…"


def test_title(source: str, grade_id: str) -> str:
    """테스트 셀이 무엇을 확인하는지: 셀 첫머리의 한 줄 docstring (없으면 grade_id)."""
    match = _DOCSTRING.match(source)
    if match:
        first = match.group(2).strip().splitlines()
        if first:
            return _one_line(first[0])
    return grade_id


# 파이썬 오류마다 한국어 안내 (영어 오류 글만 보이지 않도록)
ERROR_HINTS = {
    "SyntaxError": "문법 오류입니다: 괄호·따옴표가 짝이 맞는지, 콜론(:)을 빠뜨리지 않았는지 보세요",
    "IndentationError": "들여쓰기 오류입니다: 함수 몸체의 줄들이 같은 칸만큼 들여쓰였는지 보세요",
    "TabError": "들여쓰기에 탭과 공백이 섞였습니다: 공백 4칸으로 맞추세요",
    "AttributeError": "객체에 없는 속성이나 메서드를 썼습니다: 이름의 철자와 self.… 속성을 만든 곳을 보세요",
    "TypeError": "값의 종류나 인자의 수가 맞지 않습니다: 함수를 부를 때 넘긴 인자와 반환값의 종류를 보세요",
    "ValueError": "값이나 형상이 맞지 않습니다: 배열의 형상(shape)을 출력해 보세요",
    "IndexError": "범위를 벗어난 위치를 읽었습니다: 배열의 길이와 축을 보세요",
    "KeyError": "사전(dict)에 없는 열쇠를 읽었습니다",
    "ZeroDivisionError": "0으로 나누었습니다",
    "UnboundLocalError": "값을 넣기 전에 변수를 읽었습니다",
    "RecursionError": "함수가 자기 자신을 끝없이 부릅니다",
}


def _explained(ename: str, evalue: str) -> str:
    hint = ERROR_HINTS.get(ename)
    detail = f"{ename}: {evalue}" if evalue else ename
    return f"{hint} ({detail})." if hint else (detail if evalue else f"{ename} 오류가 났습니다.")


def cell_error(cell) -> tuple[str, str] | None:
    """코드 셀의 마지막 오류 (ename, 한 줄 evalue). 오류가 없으면 None."""
    errors = [out for out in cell.get("outputs", []) if out.get("output_type") == "error"]
    if not errors:
        return None
    return errors[-1].get("ename", ""), _one_line(str(errors[-1].get("evalue", "")))


def failure_message(cell, broken: dict | None = None) -> str:
    """실패한 테스트 셀의 한국어 메시지 한 줄: 오류의 값(ename과 evalue)만, traceback 없이. ``broken``: 앞의 코드 셀
    중 오류로 끝난 셀이 정의하려던 이름 → 그 오류 (함수를 찾지 못한 까닭이 그것일 때 알려 줍니다)."""
    error = cell_error(cell)
    if error:
        ename, evalue = error
        if ename == "NotImplementedError":
            return "아직 작성하지 않은 함수가 있습니다: '# 여기에 코드를 작성하세요' 부분을 채우세요."
        if ename == "NameError":
            name = re.search(r"name '([^']+)'", evalue)
            what = f"'{name.group(1)}'" if name else "이름"
            earlier = (broken or {}).get(name.group(1)) if name else None
            if earlier is not None:
                return (f"{what}을(를) 찾을 수 없습니다: 그 함수를 정의하는 앞의 셀이 오류로 끝났습니다. "
                        + _explained(*earlier))
            return (f"{what}을(를) 찾을 수 없습니다. 함수를 정의하는 셀을 지우거나 이름을 바꾸지 않았는지 보세요 "
                    f"({ename}: {evalue}).")
        if ename in ("Feedback", "AssertionError") and evalue:
            return evalue
        return _explained(ename, evalue)
    stderr = [out.get("text", "") for out in cell.get("outputs", [])
              if out.get("output_type") == "stream" and out.get("name") == "stderr"]
    if stderr:
        lines = [line for line in _ANSI.sub("", "".join(stderr)).splitlines() if line.strip()]
        return _one_line(lines[-1]) if lines else "경고가 출력되었습니다."
    return "일부 검사만 통과했습니다 (부분 점수)."


def summarize(nb, *, changed: list | None = None, type_changed: list | None = None) -> dict[str, Any]:
    """실행된 노트북 ``nb``의 테스트 셀들을 문제별로 묶은 요약."""
    from nbgrader import utils

    problems: list[dict[str, Any]] = []
    current: dict[str, Any] | None = None
    heading = "문제"
    broken: dict[str, tuple[str, str]] = {}   # 오류로 끝난 (테스트가 아닌) 코드 셀이 정의하려던 이름 → 그 오류
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for level, title in _HEADING.findall(cell.source):
                title = title.strip()
                if len(level) <= 2 and (_PROBLEM.match(title) or len(level) == 2):
                    heading, current = title, None
            continue
        if cell.cell_type != "code":
            continue
        if not utils.is_grade(cell) or utils.is_solution(cell):
            error = cell_error(cell)
            for name in _DEFINES.findall(cell.source):
                if error:
                    broken[name] = error
                else:
                    broken.pop(name, None)
            if not utils.is_grade(cell):
                continue
        if current is None:
            current = {"title": heading, "tests": [], "points": 0.0, "max_points": 0.0}
            problems.append(current)
        score, max_score = utils.determine_grade(cell, None)
        score, max_score = float(score or 0), float(max_score or 0)
        failed = score < max_score or (max_score == 0 and utils.has_failed(cell))
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id", "")
        test = {"id": grade_id, "title": test_title(cell.source, grade_id), "passed": not failed,
                "points": score, "max_points": max_score}
        if failed:
            test["message"] = failure_message(cell, broken)
        current["tests"].append(test)
        current["points"] += score
        current["max_points"] += max_score

    for problem in problems:
        seen: dict[str, dict] = {}
        for test in problem["tests"]:
            if test["passed"]:
                continue
            first = seen.setdefault(test["message"], test)
            if first is not test:  # 같은 메시지를 여러 번 보이지 않습니다: 처음 것에 개수만 더합니다
                test["repeat_of"] = first["id"]
                first["same_count"] = first.get("same_count", 1) + 1
        problem["passed"] = all(test["passed"] for test in problem["tests"])

    tests = [test for problem in problems for test in problem["tests"]]
    result = {
        "graded": bool(tests),
        "problems": problems,
        "points": sum(p["points"] for p in problems),
        "max_points": sum(p["max_points"] for p in problems),
        "passed": sum(test["passed"] for test in tests),
        "total": len(tests),
        "hidden_note": HIDDEN_NOTE,
        "changed": changed or [],
        "type_changed": type_changed or [],
    }
    if not tests:
        result["headline"] = ("이 노트북에는 채점하는 테스트가 없습니다 (강의 노트북입니다). 과제는 "
                              "'<과제>/<과제>.ipynb' (예: 01_repeat/01_repeat.ipynb)에서 확인하세요.")
    elif result["changed"] or result["type_changed"]:
        result["headline"] = "잠긴 셀(테스트나 문제 설명)이 바뀌었습니다. 채점할 때 이 노트북은 0점이 될 수 있습니다."
    elif result["passed"] == result["total"]:
        result["headline"] = (f"보이는 테스트 {result['total']}개를 모두 통과했습니다 "
                              f"({_points(result['points'])}/{_points(result['max_points'])}점).")
    else:
        result["headline"] = (f"보이는 테스트 {result['total']}개 중 {result['passed']}개를 통과했습니다 "
                              f"({_points(result['points'])}/{_points(result['max_points'])}점).")
    return result


def _points(value: float) -> str:
    return f"{value:g}"


def validate(path: str) -> dict[str, Any]:
    """노트북 ``path``를 nbgrader의 Validator로 새 커널에서 실행하고 :func:`summarize`의 요약을 돌려줍니다."""
    import nbformat
    from nbgrader import utils
    from nbgrader.validator import Validator

    config = load_config()
    validator = Validator(config=config)
    path = os.path.abspath(path)
    folder, name = os.path.split(path)
    with utils.chdir(folder):
        nb = nbformat.read(name, as_version=nbformat.NO_CONVERT)
        if not any(utils.is_grade(cell) for cell in nb.cells):  # 강의 노트북: 실행할 까닭이 없습니다
            return summarize(nb)
        type_changed = [cell.source.strip()[:200] for cell in validator._get_type_changed_cells(nb)]
        if type_changed:
            return summarize(nb, type_changed=type_changed)
        nb = validator._preprocess(nb)
    changed = [] if validator.ignore_checksums else [
        cell.source.strip()[:200] for cell in validator._get_changed_cells(nb)]
    return summarize(nb, changed=changed)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        print("사용법: python -m ctxcourse.studentlab.validate 노트북.ipynb", file=sys.stderr)
        return 2
    import contextlib

    try:
        with contextlib.redirect_stdout(sys.stderr):  # 표준 출력에는 요약 JSON만
            result = validate(argv[0])
    except Exception as error:  # noqa: BLE001  (학생에게는 한 줄로 알립니다)
        result = {"error": f"과제를 확인하지 못했습니다: {type(error).__name__}: {_one_line(str(error))}"}
    sys.stdout.write(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
