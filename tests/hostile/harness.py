"""채점 엔진 테스트의 공용 도구: 작은 강좌 만들기, ``course``·``nbgrader`` 명령 실행, 성적부와 상태 읽기."""

from __future__ import annotations

import hashlib
import json
import atexit
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from .minicourse import ASSIGNMENT, build_minicourse

BIN = Path(sys.prefix) / "bin"


def env() -> dict:
    return {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
            "PYTHONWARNINGS": "ignore::DeprecationWarning", "COLUMNS": "200"}


def course_cmd(course: Path, *args: str, check: bool = True, timeout: int = 900) -> subprocess.CompletedProcess:
    """강좌 폴더에서 ``course`` 명령을 실행합니다. ``check``면 실패할 때 출력과 함께 멈춥니다."""
    done = subprocess.run([str(BIN / "course"), *args], cwd=course, capture_output=True, text=True, env=env(),
                          timeout=timeout)
    if check and done.returncode != 0:
        raise AssertionError(f"course {' '.join(args)} 실패 (exit {done.returncode}):\n{done.stdout}\n{done.stderr}")
    return done


def nbgrader_cmd(course: Path, *args: str) -> subprocess.CompletedProcess:
    done = subprocess.run([str(BIN / "nbgrader"), *args], cwd=course, capture_output=True, text=True, env=env(),
                          timeout=1800)
    if done.returncode != 0:
        raise AssertionError(f"nbgrader {' '.join(args)} 실패:\n{done.stdout}\n{done.stderr}")
    return done


_TEMPLATE: list[Path] = []   # 테스트 프로세스(pytest-xdist 작업자)마다 한 번 배포한 작은 강좌


def _template() -> Path:
    if not _TEMPLATE:
        base = Path(tempfile.mkdtemp(prefix="ctxmini-"))
        atexit.register(shutil.rmtree, base, True)
        course = build_minicourse(base / "course")
        course_cmd(course, "release", "--all")
        _TEMPLATE.append(course)
    return _TEMPLATE[0]


def released_minicourse(dest: Path) -> Path:
    """작은 강좌를 만들고 ``course release --all``까지 한 폴더. 배포는 프로세스마다 한 번만 하고 그 사본을 줍니다
    (성적부, release/, 배포 기록이 그대로 복사되며 경로를 담지 않습니다)."""
    shutil.copytree(_template(), dest, ignore=shutil.ignore_patterns("logs"))
    return Path(dest)


def state(course: Path, student: str, assignment: str = ASSIGNMENT) -> dict:
    path = Path(course) / ".course_state" / "grading" / assignment / f"{student}.json"
    return json.loads(path.read_text(encoding="utf-8"))


def grade_scores(course: Path) -> dict:
    """성적부의 (학생, grade_id) → 점수."""
    sys.modules.setdefault("rfc3987_syntax", None)
    from nbgrader.api import Gradebook

    result = {}
    with Gradebook(f"sqlite:///{Path(course) / 'gradebook.db'}") as gb:
        for assignment in gb.assignments:
            for submission in assignment.submissions:
                for notebook in submission.notebooks:
                    for grade in notebook.grades:
                        result[(submission.student.id, grade.name)] = float(grade.score)
    return result


def totals(course: Path) -> dict:
    """성적부의 학생 → 총점."""
    result: dict = {}
    for (student, _), score in grade_scores(course).items():
        result[student] = result.get(student, 0.0) + score
    return result


def tree_digest(root: Path, skip: tuple = ()) -> dict:
    """폴더 아래 모든 파일의 상대 경로 → SHA-256 (``skip``으로 시작하는 경로는 뺌)."""
    root = Path(root)
    digests = {}
    for path in sorted(root.rglob("*")):
        relative = str(path.relative_to(root))
        if any(relative == s or relative.startswith(s + "/") for s in skip):
            continue
        if path.is_file():
            digests[relative] = hashlib.sha256(path.read_bytes()).hexdigest()
    return digests


def cell_text(course: Path, student: str, grade_id: str | None = None, index: int | None = None) -> str:
    """채점된 노트북에서 셀 하나(grade_id 또는 번호)의 출력 글."""
    import nbformat

    nb = nbformat.read(Path(course) / "autograded" / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    cells = nb.cells if index is None else [nb.cells[index]]
    parts = []
    for cell in cells:
        if grade_id is not None and cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") != grade_id:
            continue
        for output in cell.get("outputs", []):
            parts.append(str(output.get("text", "")) + str(output.get("evalue", "")) + "".join(output.get("traceback", [])))
    return "\n".join(parts)


def all_output_text(course: Path, student: str) -> str:
    import nbformat

    nb = nbformat.read(Path(course) / "autograded" / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    return "\n".join(str(o.get("text", "")) + str(o.get("evalue", "")) + json.dumps(o.get("data", {}), ensure_ascii=False)
                     for cell in nb.cells for o in cell.get("outputs", []))
