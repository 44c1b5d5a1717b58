"""강좌의 임시 사본: ``make lab``이 읽는 파일만 담습니다 (``source/``는 담지 않습니다).

``make lab``은 ``python -m ctxcourse.studentlab.lab --course . --student student``를 실행합니다. 브라우저 테스트는
저장소에 아무것도 쓰지 않도록 강좌 폴더의 사본에서 **같은 명령**을 실행합니다::

    <tmp>/course/                  강좌 폴더의 사본 (새로 clone한 것처럼)
        nbgrader_config.py         저장소의 강좌 설정 그대로 (exchange는 <tmp>/course/exchange)
        notebooks/ release/        강의와 배포본
        .jupyter-student/          학생용 Jupyter 설정 (저장소의 것 그대로; lab/ 작업 공간은 빼고)
        student/                   make lab이 만드는 학생 폴더 (JupyterLab이 여는 곳)
        exchange/                  make lab이 배포하는 nbgrader exchange
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
COURSE_FILES = ("nbgrader_config.py", "notebooks", "release", ".jupyter-student")
IGNORE = shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__", "*.pyc", "lab", "migrated")


@dataclass(frozen=True)
class StudentCourse:
    """강좌 사본과 make lab이 만드는 학생 폴더의 경로들."""

    root: Path       # 강좌 폴더의 사본
    student: Path    # JupyterLab이 여는 학생 폴더
    exchange: Path   # nbgrader exchange (강좌 설정의 c.Exchange.root)
    course_id: str

    def path(self, relative: str) -> Path:
        return self.student / relative


def course_settings(root: Path) -> tuple[Path, str]:
    """강좌 설정(``nbgrader_config.py``)의 exchange 폴더와 강좌 ID: make lab과 같은 함수로 읽습니다."""
    from ctxcourse.studentlab.lab import course_settings as read

    exchange, course_id = read(root)
    return Path(exchange), course_id


def copy_course(dest: Path) -> StudentCourse:
    """``dest``에 강좌 폴더의 사본을 만듭니다 (source/ 없이). 학생 폴더는 make lab이 만듭니다."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in COURSE_FILES:
        src = REPO / name
        if src.is_dir():
            shutil.copytree(src, dest / name, ignore=IGNORE)
        else:
            shutil.copy2(src, dest / name)
    exchange, course_id = course_settings(dest)
    return StudentCourse(root=dest, student=dest / "student", exchange=exchange, course_id=course_id)


def released_assignments() -> list[str]:
    release = REPO / "release"
    return sorted(p.name for p in release.iterdir() if p.is_dir() and any(p.glob("*.ipynb")))
