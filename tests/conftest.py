"""공용 테스트 도구: 강좌 폴더의 임시 사본, nbgrader 명령 실행."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ctxcourse.mistakes import BANK_FOLDER, use_bank

REPO = Path(__file__).resolve().parents[1]
use_bank(REPO / BANK_FOLDER)   # 테스트가 어느 폴더에서 돌든 저장소의 실수 모음
BIN = Path(sys.executable).parent
COURSE_FILES = ("nbgrader_config.py", "source", "release", "instructor")


def copy_course(dest: Path) -> Path:
    """강좌의 강사용 파일(nbgrader_config.py, source/, release/)을 ``dest``에 복사합니다."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in COURSE_FILES:
        src = REPO / name
        if src.is_dir():
            shutil.copytree(src, dest / name, ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
        elif src.exists():
            shutil.copy2(src, dest / name)
    return dest


def nbgrader(course: Path, *args: str) -> subprocess.CompletedProcess:
    """강좌 사본에서 ``nbgrader`` 명령을 실행하고, 실패하면 출력과 함께 테스트를 멈춥니다."""
    # nbgrader은 성적부를 열 때 'alembic' 명령을 PATH에서 찾으므로 가상환경의 bin을 앞에 둡니다.
    env = {**os.environ, "PYTHONWARNINGS": "ignore::DeprecationWarning",
           "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    result = subprocess.run([str(BIN / "nbgrader"), *args], cwd=course, capture_output=True, text=True, env=env)
    if result.returncode != 0:
        pytest.fail(f"nbgrader {' '.join(args)} 실패 (exit {result.returncode}):\n{result.stdout}\n{result.stderr}")
    return result


@pytest.fixture
def course(tmp_path) -> Path:
    """테스트 하나가 쓰는 강좌 폴더의 임시 사본."""
    return copy_course(tmp_path / "course")


# 빠른 묶음(make check)에서 뺄 테스트 파일: 커널이나 노트북 실행, nbgrader 명령, 브라우저를 씁니다.
# 파일 안에 slow/browser 표시가 없어도 여기 있으면 slow로 봅니다 (make test는 언제나 전부 실행).
KERNEL_MODULES = {"test_lessons.py", "test_course_scores.py", "test_course_06.py",
                  "test_grading_sandbox.py", "test_pipeline.py", "test_browser.py", "test_course_site.py"}


# make test(pytest-xdist, 파일 단위, --no-loadscope-reorder)에서 먼저 시작할 파일: 가장 오래 걸리는 것부터
# (한 작업자가 끝에 홀로 긴 파일을 돌리는 동안 나머지가 노는 시간을 줄입니다). 순서만 바꾸고, 무엇을 실행하는지는
# 바꾸지 않습니다.
LONGEST_FIRST = ("test_hub.py", "test_cluster.py", "test_grading_engine.py", "test_semester.py",
                 "test_gradebook_postgres.py", "test_browser.py", "test_pipeline.py", "test_student_lab_user.py",
                 "test_semester_exchange.py", "test_grading_resume.py", "test_class_report.py",
                 "test_grading_untrusted.py", "test_course_06.py", "test_course_scores.py", "test_lessons.py")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.path.name in KERNEL_MODULES and not item.get_closest_marker("slow"):
            item.add_marker(pytest.mark.slow)
    rank = {name: index for index, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))   # sort는 안정적: 파일 안의 순서는 그대로
