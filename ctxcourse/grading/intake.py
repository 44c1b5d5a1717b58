"""제출물의 입구 (the door): nbgrader가 제출물을 만지기 전에, 값싸고 안전하게 보는 것들.

- 학생 ID(폴더 이름)가 쓸 수 있는 것인지 (:func:`student_id_problem`)
- 제출 폴더에 링크·특수 파일이 없고 크기가 한도 안인지 (:func:`folder_problems`, :mod:`.safecopy`)
- 노트북마다: 있는지, 비었는지, 너무 큰지, 셀이 너무 많거나 같은 셀이 두 번 있는지 (:func:`notebook_problems`)
- 제출된 그대로의 노트북에서 바뀐·지워진 테스트 셀과 수상한 코드 (:func:`inspect_submission`; 점수와 무관한 표시)

여기의 모든 검사는 학생 내용의 크기에 비례하는 시간만 씁니다.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat

from . import releases, safecopy, scan
from .releases import normal
from .models import MAX_NOTEBOOK_BYTES, NotebookInfo, SubmissionReport

STUDENT_ID = re.compile(r"[^\W_][\w.@-]{0,63}")


def student_id_problem(student: str) -> str | None:
    """학생 ID(= submitted/ 아래 폴더 이름)가 쓸 수 없는 것이면 그 이유 (한국어), 아니면 None.

    ID는 성적부, 표, CSV, 피드백 경로에 그대로 쓰이므로 글자나 숫자로 시작하고 글자·숫자·``. _ - @``로 된
    64자 이하여야 합니다 (쉼표, 줄바꿈, 대괄호, 공백, 제어 문자는 안 됩니다)."""
    if STUDENT_ID.fullmatch(student):
        return None
    return ("학생 ID(폴더 이름)를 쓸 수 없어 채점하지 않았습니다: 글자나 숫자로 시작하고 글자·숫자·. _ - @만 쓴 "
            "64자 이하여야 합니다. 폴더 이름을 학생의 계정 이름으로 바꾸고 다시 채점하세요.")


MAX_NOTEBOOK_CELLS = 3000
MAX_NOTEBOOK_OUTPUTS = 20_000



def notebook_problem(path: Path) -> str | None:
    """nbgrader에 넘기기 전에 값싸게 보는 노트북의 문제 (셀이 너무 많음, 같은 grade_id가 두 번). 없으면 None.
    JSON이 깨졌으면 None (정화 단계가 '읽을 수 없음'으로 보고합니다)."""
    try:
        nb = json.loads(safecopy.read_bytes(path, MAX_NOTEBOOK_BYTES))
    except (ValueError, safecopy.UnsafeSubmission):
        return None
    except RecursionError:
        return "노트북 파일의 구조가 너무 깊게 중첩되어 읽을 수 없습니다. 학생에게 저장한 노트북을 다시 내게 하세요."
    cells = nb.get("cells") if isinstance(nb, dict) else None
    if not isinstance(cells, list):
        return None
    if len(cells) > MAX_NOTEBOOK_CELLS:
        return f"셀이 너무 많습니다 ({len(cells):,}개, 한도 {MAX_NOTEBOOK_CELLS:,}개). 빈 셀을 지우고 다시 내게 하세요."
    outputs = sum(len(cell.get("outputs") or []) for cell in cells if isinstance(cell, dict)
                  and isinstance(cell.get("outputs") or [], list))
    if outputs > MAX_NOTEBOOK_OUTPUTS:   # 채점은 출력을 지우고 다시 실행하지만, 지우는 nbgrader 단계도 시간이 듭니다
        return (f"저장된 출력이 너무 많습니다 ({outputs:,}개, 한도 {MAX_NOTEBOOK_OUTPUTS:,}개). 출력을 모두 지우고 "
                f"(메뉴 편집 → 모든 출력 지우기) 다시 내게 하세요.")
    seen, twice = set(), []
    for cell in cells:
        meta = cell.get("metadata") if isinstance(cell, dict) else None
        grading = meta.get("nbgrader") if isinstance(meta, dict) else None
        grade_id = grading.get("grade_id") if isinstance(grading, dict) else None
        if isinstance(grade_id, str):
            if grade_id in seen and grade_id not in twice:
                twice.append(grade_id)
            seen.add(grade_id)
    if twice:
        names = ", ".join(twice[:5])
        return (f"같은 셀이 두 번 있습니다 ({names}): 테스트 셀이나 답 셀을 복사해 붙여 넣은 것 같습니다. 복사한 셀을 지우고 "
                f"(원래 자리의 셀은 남기고) 다시 내게 하세요. 이대로는 어느 셀을 채점할지 정할 수 없어 0점입니다.")
    return None


def folder_problems(root: Path, submitted: str, student: str, assignment: str) -> list[str]:
    """제출 폴더의 링크·특수 파일·크기 문제들 (학생 폴더 자체가 링크여도). 없으면 빈 목록."""
    folder = root / submitted / student / assignment
    inspection = safecopy.inspect_tree(folder)
    if (root / submitted / student).is_symlink():
        inspection.problems.insert(0, "학생 폴더가 심볼릭 링크입니다. 링크는 낼 수 없습니다.")
    return inspection.problems


def notebook_problems(folder: Path, names) -> tuple[list[str], list[str]]:
    """과제의 노트북들 중 (채점할 수 있는 것, 한국어 문제들)."""
    present, problems = [], []
    for name in names:
        path = folder / f"{name}.ipynb"
        if not path.is_file():
            others = sorted(p.name for p in folder.glob("*.ipynb"))
            hint = (f" 제출된 노트북: {', '.join(others)}. 파일 이름을 {name}.ipynb로 바꿔 다시 내게 하세요."
                    if others else " 학생에게 노트북을 다시 내게 하세요.")
            problems.append(f"{name}.ipynb가 제출 폴더에 없습니다.{hint}")
            continue
        size = path.stat().st_size
        if size == 0:
            problems.append(f"{name}.ipynb가 빈 파일입니다 (0바이트). 학생에게 저장한 노트북을 다시 내게 하세요.")
        elif size > MAX_NOTEBOOK_BYTES:
            problems.append(f"{name}.ipynb가 너무 큽니다 ({size // 1024 // 1024}MB). 출력을 지우고 다시 내게 하세요.")
        elif problem := notebook_problem(path):
            problems.append(f"{name}.ipynb: {problem}")
        else:
            present.append(name)
    return present, problems


def strip_hidden(source: str) -> str:
    lines, hidden = [], False
    for line in source.split("\n"):
        if "### BEGIN HIDDEN TESTS" in line:
            hidden = True
        elif "### END HIDDEN TESTS" in line:
            hidden = False
        elif not hidden:
            lines.append(line)
    return "\n".join(lines)


def inspect_submission(report: SubmissionReport, info: NotebookInfo, path: str) -> None:
    """제출된 그대로의 노트북에서 바뀐·지워진 테스트 셀과 수상한 코드를 찾습니다 (점수에는 영향 없음)."""
    try:
        nb = nbformat.reads(safecopy.read_bytes(path, MAX_NOTEBOOK_BYTES).decode("utf-8"), as_version=4)
    except Exception:  # noqa: BLE001  (읽을 수 없는 파일은 정화 단계에서 보고합니다)
        return
    seen = set()
    student_cells: list[tuple[int, str]] = []
    for index, cell in enumerate(nb.cells):
        meta = cell.get("metadata", {}).get("nbgrader", {}) if isinstance(cell.get("metadata"), dict) else {}
        grade_id = meta.get("grade_id") if isinstance(meta, dict) else None
        if grade_id in info.release_sources:
            seen.add(grade_id)
            submitted = str(cell.get("source", ""))
            if normal(submitted) != normal(info.release_sources[grade_id]):
                if releases.digest(submitted) in info.earlier_sources.get(grade_id, ()):
                    report.reasons.append(f"강사가 바꾼 테스트: {grade_id} (학생은 예전 배포본을 받았습니다; 지금 버전으로 채점)")
                else:
                    report.flag("test_cell_changed", f"{grade_id}: 테스트 셀의 코드가 바뀌었습니다 (원본으로 되돌려 채점)")
            try:
                points = float(meta.get("points")) if meta.get("points") is not None else None
            except (TypeError, ValueError):
                points = -1.0
            if points is not None and points != info.points.get(grade_id):
                if points in info.earlier_points.get(grade_id, ()):
                    report.reasons.append(f"강사가 바꾼 배점: {grade_id} (예전 배포본의 배점 {points:g}; 지금 배점으로 채점)")
                else:
                    report.flag("test_cell_changed", f"{grade_id}: 배점이 바뀌었습니다 (원래 배점으로 채점)")
            continue
        if cell.get("cell_type") == "code":
            student_cells.append((index, str(cell.get("source", ""))))
    hits = scan.scan_cells([source for _, source in student_cells])
    for position, hit in hits:
        report.flag("suspicious_code", f"셀 {student_cells[position][0]}: {hit}")
    for grade_id in info.release_sources:
        if grade_id not in seen:
            report.flag("test_cell_changed", f"{grade_id}: 테스트 셀이 지워졌거나 메타데이터가 없습니다 (원본을 다시 넣어 채점)")
