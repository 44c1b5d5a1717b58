"""학생에게 보이는 강좌의 임시 사본: ``notebooks/``와 ``release/``만 담고 ``source/``는 절대 담지 않습니다.

학생용 JupyterLab의 폴더(서버의 root_dir이자 작업 폴더)는 다음과 같습니다::

    <tmp>/course/                 JupyterLab이 여는 폴더
        nbgrader_config.py        저장소의 설정 + 이 테스트의 exchange 위치
        notebooks/                강의 (저장소에서 복사)
        release/<과제>/           과제 (저장소에서 복사; 아직 커밋되지 않았으면 source/에서 생성)
    <tmp>/exchange/               nbgrader exchange (Assignments 패널이 읽는 곳)
    <tmp>/instructor/             release/를 만들고 exchange로 배포하는 강사 쪽 사본 (학생 폴더 밖)
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
IGNORE = shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__", "*.pyc")


@dataclass(frozen=True)
class StudentCourse:
    """학생용 강좌 사본의 경로들."""

    root: Path       # JupyterLab이 여는 폴더
    exchange: Path   # nbgrader exchange
    course_id: str

    def path(self, relative: str) -> Path:
        return self.root / relative


def course_id() -> str:
    """저장소의 ``nbgrader_config.py``에 적힌 강좌 ID."""
    from traitlets.config.loader import PyFileConfigLoader

    config = PyFileConfigLoader("nbgrader_config.py", path=str(REPO)).load_config()
    return str(config.CourseDirectory.course_id)


def nbgrader(cwd: Path, *args: str) -> str:
    """``cwd``에서 가상환경의 nbgrader 명령을 실행하고 출력을 돌려줍니다. 실패하면 출력과 함께 알립니다."""
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
           "PYTHONWARNINGS": "ignore::DeprecationWarning"}
    result = subprocess.run([str(BIN / "nbgrader"), *args], cwd=cwd, env=env,
                            capture_output=True, text=True, timeout=600)
    if result.returncode != 0:
        raise RuntimeError(f"nbgrader {' '.join(args)} 실패 (exit {result.returncode}), 폴더 {cwd}:\n"
                           f"{result.stdout}\n{result.stderr}")
    return result.stdout + result.stderr


def _release_from_source(assignment: str, instructor: Path) -> Path:
    """저장소에 release/<과제>가 아직 없을 때: 강사 쪽 임시 사본에서 ``nbgrader generate_assignment``로 만듭니다."""
    source = REPO / "source" / assignment
    if not source.is_dir():
        raise FileNotFoundError(
            f"과제 {assignment}이(가) release/에도 source/에도 없습니다 ({REPO}). "
            f"source/{assignment}/{assignment}.ipynb를 만든 뒤 'course release {assignment}'로 release/를 만드세요.")
    shutil.copytree(source, instructor / "source" / assignment, ignore=IGNORE, dirs_exist_ok=True)
    nbgrader(instructor, "generate_assignment", assignment, "--force")
    return instructor / "release" / assignment


def build_student_course(tmp: Path, assignments: tuple[str, ...]) -> StudentCourse:
    """``tmp`` 아래에 학생용 강좌 사본과 exchange를 만들고, ``assignments``를 exchange로 배포합니다."""
    root, exchange, instructor = tmp / "course", tmp / "exchange", tmp / "instructor"
    for folder in (root, exchange, instructor):
        folder.mkdir(parents=True, exist_ok=True)
    cid = course_id()
    extra = (
        "\n# --- 브라우저 테스트가 덧붙인 설정: 임시 exchange (Assignments 패널이 읽는 곳) ---\n"
        f"c.Exchange.root = {str(exchange)!r}\n"
        f"c.CourseDirectory.course_id = {cid!r}\n"
    )
    config = (REPO / "nbgrader_config.py").read_text(encoding="utf-8") + extra
    for folder in (root, instructor):
        (folder / "nbgrader_config.py").write_text(config, encoding="utf-8")

    shutil.copytree(REPO / "notebooks", root / "notebooks", ignore=IGNORE)
    (root / "release").mkdir()
    for assignment in assignments:
        committed = REPO / "release" / assignment
        released = committed if committed.is_dir() else _release_from_source(assignment, instructor)
        shutil.copytree(released, root / "release" / assignment, ignore=IGNORE)
        # 강사가 하는 배포: 학생의 Assignments 패널에 과제가 보이도록 exchange에 올립니다.
        if released != instructor / "release" / assignment:
            shutil.copytree(released, instructor / "release" / assignment, ignore=IGNORE)
        nbgrader(instructor, "release_assignment", assignment, "--force")
    assert not (root / "source").exists()
    return StudentCourse(root=root, exchange=exchange, course_id=cid)
