"""강좌의 학기 데이터 백업·복원·정리 (back up, restore and clean a course's semester data).

git이 보관하지 않는 것(성적부, 제출물, 채점 결과, 피드백, exchange, 채점 상태, 내보낸 성적)은 이것 말고는
되살릴 길이 없습니다. 그래서 ``course clean``은 지우기 전에 언제나 백업을 만들고, ``course restore``는
덮어쓰기 전에 지금 상태를 백업합니다. 백업은 ``backups/course-YYYYmmdd-HHMMSS.tar.gz`` 한 파일입니다.

성적부가 PostgreSQL(``c.CourseDirectory.db_url = "postgresql://..."``)이면 백업에 ``pg_dump``의 사본
(``gradebook.pgdump``, custom 형식)이 함께 들어갑니다. ``pg_dump``가 실패하면 백업도 실패하고 ``course clean``은
아무것도 지우지 않습니다. ``course restore``는 먼저 지금 데이터베이스를 백업한 뒤 ``pg_restore``를 한 트랜잭션으로
실행하므로, 실패하면 데이터베이스도 강좌 폴더도 그대로입니다. 여러 기계가 함께 쓸 수 있는 PostgreSQL 성적부는
``course clean``이 지우지 않습니다 (백업에는 들어 있습니다).
"""

from __future__ import annotations

import glob
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from datetime import datetime
from pathlib import Path

from .course import Course, CourseError

DATA = ("gradebook.db", "submitted", "autograded", "feedback", "exchange", ".course_state", "grades.csv")
PG_DUMP = "gradebook.pgdump"          # PostgreSQL 성적부의 pg_dump (백업 안에만 있고 강좌 폴더에는 풀지 않음)
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


def _database(course: Course) -> str:
    """성적부의 종류: 'sqlite', 'postgresql' 또는 다른 SQLAlchemy 방언 이름."""
    return course.db_url.split(":", 1)[0].split("+", 1)[0].lower()


def has_data(course: Course) -> bool:
    """백업할 것이 있는지. PostgreSQL 성적부는 강좌 폴더 밖에 있으므로 언제나 있다고 봅니다."""
    return bool(_present(course.root)) or _database(course) == "postgresql"


def backup(course: Course, folder: Path | None = None) -> Path:
    """학기 데이터를 tar.gz 하나로 묶습니다. SQLite 성적부는 백업 API로, PostgreSQL 성적부는 pg_dump로 일관된 사본을
    넣습니다. 무엇이든 실패하면 반쯤 만든 백업 파일을 남기지 않고 CourseError를 냅니다."""
    root = course.root
    kind = _database(course)
    if kind not in ("sqlite", "postgresql"):
        raise CourseError(f"course backup은 SQLite와 PostgreSQL 성적부만 백업합니다 (이 강좌: {kind}). 그 데이터베이스의 "
                          f"도구로 먼저 백업하세요. 아무것도 지우거나 바꾸지 않았습니다.")
    folder = Path(folder or root / BACKUPS)
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    target = folder / f"course-{stamp}.tar.gz"
    number = 1
    while target.exists():
        number += 1
        target = folder / f"course-{stamp}-{number}.tar.gz"
    partial = target.with_suffix(".partial")
    try:
        with tempfile.TemporaryDirectory() as scratch:
            if kind == "postgresql":        # 먼저: 실패하면 아무것도 만들지 않습니다
                _dump_database(course, Path(scratch) / PG_DUMP)
            with tarfile.open(partial, "w:gz") as archive:
                if kind == "postgresql":
                    archive.add(Path(scratch) / PG_DUMP, arcname=PG_DUMP)
                for name in _present(root):
                    _add(archive, root / name, name, Path(scratch))
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    os.replace(partial, target)
    return target


def _add(archive: tarfile.TarFile, path: Path, name: str, scratch: Path) -> None:
    if name == "gradebook.db":
        copy = scratch / name
        with sqlite3.connect(path) as source, sqlite3.connect(copy) as dest:
            source.backup(dest)
        archive.add(copy, arcname=name)
    else:
        archive.add(path, arcname=name, recursive=True)


def remove_data(course: Course) -> list[str]:
    """학기 데이터를 지웁니다 (먼저 :func:`backup`을 부르세요). 지운 이름들을 돌려줍니다.
    PostgreSQL 성적부는 지우지 않습니다 (:func:`kept_database`)."""
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


def kept_database(course: Course) -> str | None:
    """``course clean``이 지우지 않은 성적부의 설명 (PostgreSQL일 때), 아니면 None."""
    if _database(course) != "postgresql":
        return None
    return (f"PostgreSQL 성적부({_shown(course)})는 여러 기계가 함께 쓸 수 있어 지우지 않았습니다 (백업에는 들어 있습니다). "
            f"새 학기에는 새 데이터베이스를 만들어 nbgrader_config.py의 c.CourseDirectory.db_url을 바꾸세요.")


def restore(course: Course, archive_path: Path) -> Path | None:
    """백업을 되살립니다. 지금 데이터가 있으면 먼저 그것을 백업하고(경로를 돌려줌), PostgreSQL 성적부는 pg_restore로
    (한 트랜잭션) 되살린 뒤, 강좌 폴더의 데이터를 지우고 풉니다."""
    archive_path = Path(archive_path)
    if not archive_path.is_file():
        raise CourseError(f"백업 파일 {archive_path}가 없습니다. 'ls {course.root / BACKUPS}'로 백업을 찾으세요.")
    try:
        with tarfile.open(archive_path, "r:gz") as archive, tempfile.TemporaryDirectory() as scratch:
            members = archive.getmembers()
            names = [member.name for member in members]
            bad = [n for n in names if n.split("/")[0] not in (*DATA, PG_DUMP)]
            if bad:
                raise CourseError(f"{archive_path}는 이 강좌의 백업이 아닙니다 (모르는 항목: {bad[:3]}).")
            _check_gradebook_kind(course, names, archive_path)
            saved = backup(course) if has_data(course) else None
            dump = [member for member in members if member.name == PG_DUMP]
            if dump:
                archive.extract(dump[0], scratch, filter="data")
                _restore_database(course, Path(scratch) / PG_DUMP, saved)
            remove_data(course)
            archive.extractall(course.root, members=[m for m in members if m.name != PG_DUMP], filter="data")
    except (tarfile.TarError, OSError) as error:
        raise CourseError(f"백업 {archive_path}를 풀 수 없습니다 ({error}).") from None
    return saved


def _check_gradebook_kind(course: Course, names: list[str], archive_path: Path) -> None:
    """백업의 성적부와 이 강좌의 성적부가 같은 종류인지 (아니면 아무것도 바꾸기 전에 멈춥니다)."""
    kind = _database(course)
    if PG_DUMP in names and kind != "postgresql":
        raise CourseError(f"{archive_path}의 성적부는 PostgreSQL 데이터베이스({PG_DUMP})인데 이 강좌는 {kind} 성적부를 "
                          f"씁니다. nbgrader_config.py의 c.CourseDirectory.db_url을 되살릴 PostgreSQL 데이터베이스의 주소로 "
                          f"바꾼 뒤 다시 실행하세요. 아무것도 바꾸지 않았습니다.")
    if "gradebook.db" in names and PG_DUMP not in names and kind == "postgresql":
        raise CourseError(f"{archive_path}의 성적부는 SQLite 파일(gradebook.db)인데 이 강좌는 PostgreSQL 성적부"
                          f"({_shown(course)})를 씁니다. 이 백업을 되살리려면 nbgrader_config.py의 "
                          f"c.CourseDirectory.db_url을 지운 뒤(기본: SQLite) 다시 실행하세요. 아무것도 바꾸지 않았습니다.")


# ---------------------------------------------------------------------------
# PostgreSQL: pg_dump / pg_restore (같은 Debian postgresql 패키지의 도구)
# ---------------------------------------------------------------------------

def _pg_tool(name: str) -> str:
    """PATH의 ``name``, 없으면 Debian의 /usr/lib/postgresql/<판>/bin에서 가장 새 판 (새 판은 옛 서버도 다룹니다)."""
    found = shutil.which(name)
    if found:
        return found

    def version(path: str) -> tuple:
        part = Path(path).parts[-3]
        return (int(part), "") if part.isdigit() else (0, part)

    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=version)
    if candidates:
        return candidates[-1]
    raise CourseError(f"PostgreSQL 성적부를 백업하거나 되살리려면 {name}이 필요합니다 (Debian: apt-get install "
                      f"postgresql-client). 설치한 뒤 다시 실행하세요. 아무것도 지우거나 바꾸지 않았습니다.")


def _libpq(course: Course) -> tuple[str, dict]:
    """libpq 주소(비밀번호 없이)와 환경. 비밀번호는 PGPASSWORD로 넘깁니다 (명령줄은 다른 사용자도 ps로 봅니다)."""
    from sqlalchemy.engine import make_url

    url = make_url(course.db_url)
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    return url.set(drivername="postgresql", password=None).render_as_string(hide_password=False), env


def _shown(course: Course) -> str:
    """메시지에 보일 데이터베이스 (비밀번호와 사용자 없이)."""
    return course.db_url.split("@")[-1] if "@" in course.db_url else course.db_url


def _run_pg(course: Course, tool: str, args: list[str]) -> subprocess.CompletedProcess:
    address, env = _libpq(course)
    return subprocess.run([_pg_tool(tool), "--dbname", address, *args], env=env, capture_output=True, text=True,
                          stdin=subprocess.DEVNULL)


def _said(done: subprocess.CompletedProcess) -> str:
    lines = [line.strip() for line in (done.stderr or "").splitlines() if line.strip()]
    return " / ".join(lines[-3:])[:500] or f"종료 코드 {done.returncode}"


def _dump_database(course: Course, dest: Path) -> None:
    done = _run_pg(course, "pg_dump", ["--format=custom", "--file", str(dest)])
    if done.returncode != 0:
        raise CourseError(f"PostgreSQL 성적부({_shown(course)})를 pg_dump로 백업할 수 없습니다: {_said(done)}. "
                          f"백업을 만들지 않았고 아무것도 지우거나 바꾸지 않았습니다. 서버와 nbgrader_config.py의 "
                          f"db_url을 확인한 뒤 다시 실행하세요.")


def _restore_database(course: Course, dump: Path, saved: Path | None) -> None:
    """pg_restore를 한 트랜잭션으로: 백업에 든 표를 지우고 다시 만듭니다. 실패하면 데이터베이스는 그대로입니다."""
    done = _run_pg(course, "pg_restore", ["--clean", "--if-exists", "--no-owner", "--no-privileges",
                                          "--single-transaction", "--exit-on-error", str(dump)])
    if done.returncode != 0:
        before = f" 되살리기 전의 데이터는 {saved}에 백업해 두었습니다." if saved else ""
        raise CourseError(f"PostgreSQL 성적부({_shown(course)})를 pg_restore로 되살릴 수 없습니다: {_said(done)}. "
                          f"한 트랜잭션이었으므로 데이터베이스는 바뀌지 않았고, 강좌 폴더도 그대로입니다.{before} "
                          f"서버를 확인한 뒤 다시 실행하세요.")
