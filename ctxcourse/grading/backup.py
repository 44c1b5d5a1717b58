"""강좌의 학기 데이터 백업·복원·정리 (back up, restore and clean a course's semester data).

git이 보관하지 않는 것(성적부, 제출물, 채점 결과, 피드백, exchange, 채점 상태, 내보낸 성적)은 이것 말고는
되살릴 길이 없습니다. 그래서 ``course clean``은 지우기 전에 언제나 백업을 만들고, ``course restore``는
덮어쓰기 전에 지금 상태를 백업합니다. 백업은 ``backups/course-YYYYmmdd-HHMMSS.tar.gz`` 한 파일입니다.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import tarfile
import tempfile
from datetime import datetime
from pathlib import Path

from .course import Course, CourseError

DATA = ("gradebook.db", "submitted", "autograded", "feedback", "exchange", ".course_state", "grades.csv")
KEEP = {"autograded/.gitkeep"}
LOGS = (".course_state", "logs")      # 모든 course 명령이 여는 nbgrader 기록 (백업에는 들어감)
BACKUPS = "backups"


def _present(root: Path) -> list[str]:
    return [name for name in DATA if (root / name).exists() and not _empty(root / name)]


def _empty(path: Path) -> bool:
    """폴더에 학기 데이터가 없는지 (git이 가진 .gitkeep과 명령이 늘 새로 만드는 기록 폴더만 있으면 빈 것)."""
    if path.is_dir() and not path.is_symlink():
        return all(str(p.relative_to(path.parent)) in KEEP or p.relative_to(path.parent).parts[:2] == LOGS
                   for p in path.rglob("*") if p.is_file())
    return False


def has_data(course: Course) -> bool:
    return bool(_present(course.root))


def backup(course: Course, folder: Path | None = None) -> Path:
    """학기 데이터를 tar.gz 하나로 묶습니다. 성적부는 SQLite의 백업 API로 일관된 사본을 넣습니다."""
    root = course.root
    folder = Path(folder or root / BACKUPS)
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    target = folder / f"course-{stamp}.tar.gz"
    number = 1
    while target.exists():
        number += 1
        target = folder / f"course-{stamp}-{number}.tar.gz"
    partial = target.with_suffix(".partial")
    with tempfile.TemporaryDirectory() as scratch, tarfile.open(partial, "w:gz") as archive:
        for name in _present(root):
            path = root / name
            if name == "gradebook.db":
                copy = Path(scratch) / name
                with sqlite3.connect(path) as source, sqlite3.connect(copy) as dest:
                    source.backup(dest)
                archive.add(copy, arcname=name)
            else:
                archive.add(path, arcname=name, recursive=True)
    os.replace(partial, target)
    return target


def remove_data(course: Course) -> list[str]:
    """학기 데이터를 지웁니다 (먼저 :func:`backup`을 부르세요). 지운 이름들을 돌려줍니다."""
    removed = _present(course.root)
    for name in removed:
        path = course.root / name
        if path.is_dir() and not path.is_symlink():
            for child in path.iterdir():
                if str(child.relative_to(course.root)) in KEEP:
                    continue
                shutil.rmtree(child) if child.is_dir() and not child.is_symlink() else child.unlink()
            if not any(path.iterdir()):
                path.rmdir()
        else:
            path.unlink()
    return removed


def restore(course: Course, archive_path: Path) -> Path | None:
    """백업을 되살립니다. 지금 데이터가 있으면 먼저 그것을 백업하고(경로를 돌려줌) 지운 뒤 풉니다."""
    archive_path = Path(archive_path)
    if not archive_path.is_file():
        raise CourseError(f"백업 파일 {archive_path}가 없습니다. 'ls {course.root / BACKUPS}'로 백업을 찾으세요.")
    try:
        with tarfile.open(archive_path, "r:gz") as archive:
            names = archive.getnames()
            bad = [n for n in names if n.split("/")[0] not in DATA]
            if bad:
                raise CourseError(f"{archive_path}는 이 강좌의 백업이 아닙니다 (모르는 항목: {bad[:3]}).")
            saved = backup(course) if has_data(course) else None
            remove_data(course)
            archive.extractall(course.root, filter="data")
    except (tarfile.TarError, OSError) as error:
        raise CourseError(f"백업 {archive_path}를 풀 수 없습니다 ({error}).") from None
    return saved
