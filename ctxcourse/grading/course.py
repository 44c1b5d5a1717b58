"""강좌 폴더와 nbgrader 설정 (the course folder and its nbgrader configuration).

강좌 폴더 = ``nbgrader_config.py``가 있는 폴더. 여기서 nbgrader의 설정을 읽고, ``CourseDirectory``와
성적부(gradebook) 주소를 강좌 폴더 기준의 절대 경로로 맞춥니다 (nbgrader 명령은 현재 폴더를 기준으로
상대 경로를 풀기 때문에, 다른 폴더에서 ``course``를 부르면 엉뚱한 gradebook.db가 생길 수 있습니다).
"""

from __future__ import annotations

import sys


import logging
import os
from dataclasses import dataclass
from pathlib import Path

CONFIG_FILE = "nbgrader_config.py"
STATE_DIR = ".course_state"


class CourseError(RuntimeError):
    """강사가 고칠 수 있는 문제 (메시지가 무엇을 해야 하는지 말합니다)."""


def ensure_tools_on_path() -> None:
    """nbgrader는 새 gradebook을 만들 때 ``alembic`` 명령을 PATH에서 찾습니다. 가상환경의 bin을 앞에 둡니다."""
    bin_dir = os.path.join(sys.prefix, "bin")
    parts = os.environ.get("PATH", "").split(os.pathsep)
    if bin_dir not in parts:
        os.environ["PATH"] = os.pathsep.join([bin_dir, *[p for p in parts if p]])


def find_course_dir(start: str | os.PathLike | None = None) -> Path:
    """강좌 폴더를 찾습니다: ``start``(없으면 현재 폴더)나 그 위의 폴더 중 ``nbgrader_config.py``가 있는 가장 가까운 곳.
    ``start``를 직접 주면(--course-dir) 그 폴더만 봅니다."""
    path = Path(start or os.getcwd()).resolve()
    if start is None:
        for candidate in (path, *path.parents):
            if (candidate / CONFIG_FILE).is_file() and (candidate / "source").is_dir():
                return candidate
    if not (path / CONFIG_FILE).is_file():
        raise CourseError(
            f"{path}는 강좌 폴더가 아닙니다 ({CONFIG_FILE}가 없습니다). 강좌 폴더(nbgrader_config.py가 있는 폴더)에서 "
            f"실행하거나 --course-dir로 알려 주세요. (run from the course folder, or pass --course-dir)")
    return path


@dataclass
class Course:
    """강좌 하나: 폴더, nbgrader 설정, CourseDirectory, 성적부 주소."""

    root: Path
    config: object
    coursedir: object
    db_url: str
    log: logging.Logger

    @property
    def state_dir(self) -> Path:
        return self.root / STATE_DIR

    def path(self, *parts: str) -> Path:
        return self.root.joinpath(*parts)

    def source_assignments(self) -> list[str]:
        """``source/``에 있는 과제 이름들 (정렬)."""
        source = self.root / self.coursedir.source_directory
        if not source.is_dir():
            return []
        return sorted(p.name for p in source.iterdir()
                      if p.is_dir() and not p.name.startswith(".") and any(p.glob("*.ipynb")))

    def gradebook(self):
        from nbgrader.api import Gradebook

        return Gradebook(self.db_url, self.coursedir.course_id)

    def cell_timeout(self) -> int:
        execute = self.config.get("Execute", {})
        try:
            return int(execute.get("timeout", 30))
        except (TypeError, ValueError):
            return 30


def _logger(root: Path) -> logging.Logger:
    """nbgrader의 자세한 기록은 화면 대신 .course_state/logs/nbgrader.log에 씁니다."""
    log = logging.getLogger(f"ctxcourse.nbgrader.{root}")
    if not log.handlers:
        logs = root / STATE_DIR / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        handler = logging.FileHandler(logs / "nbgrader.log", encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        log.addHandler(handler)
        log.setLevel(logging.INFO)
        log.propagate = False
    return log


def load_course(course_dir: str | os.PathLike | None = None) -> Course:
    """강좌 폴더의 nbgrader 설정을 읽어 :class:`Course`를 만듭니다."""
    ensure_tools_on_path()
    from .nbgrader_glue import cache_metadata_validation, read_alembic_head_in_process, share_gradebook_engines

    share_gradebook_engines()
    cache_metadata_validation()
    read_alembic_head_in_process()
    root = find_course_dir(course_dir)
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config import Config
    from traitlets.config.loader import PyFileConfigLoader

    try:
        config = PyFileConfigLoader(CONFIG_FILE, path=str(root)).load_config()
    except Exception as error:  # noqa: BLE001
        raise CourseError(f"{root / CONFIG_FILE}를 읽을 수 없습니다: {type(error).__name__}: {error}. "
                          f"파일의 파이썬 문법을 고치세요.") from None
    config = Config(config)
    config.CourseDirectory.root = str(root)
    db_url = str(config.CourseDirectory.get("db_url", "") or f"sqlite:///{root / 'gradebook.db'}")
    if db_url.startswith("sqlite:///") and not db_url.startswith("sqlite:////"):
        relative = db_url[len("sqlite:///"):]
        db_url = f"sqlite:///{(root / relative).resolve()}"
    config.CourseDirectory.db_url = db_url
    log = _logger(root)
    coursedir = CourseDirectory(config=config, log=log)
    return Course(root=root, config=config, coursedir=coursedir, db_url=db_url, log=log)
