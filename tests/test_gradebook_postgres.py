"""PostgreSQL 성적부: ``c.CourseDirectory.db_url = "postgresql://..."``로 ``course autograde``, ``course report``,
``course export``, ``course feedback``과 nbgrader의 ``nbgrader export``가 SQLite와 같은 점수를 냅니다.

이 테스트는 임시 폴더에 PostgreSQL 서버를 직접 만들고(initdb, root이면 ``postgres`` 사용자로) 127.0.0.1에서만 듣게
띄운 뒤, 끝나면 멈추고 지웁니다. Debian의 ``postgresql`` 패키지가 필요합니다 (``make system``이 설치).
"""

from __future__ import annotations

import csv
import glob
import json
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from hostile.bank import BY_KEY, write_class
from hostile.harness import course_cmd, nbgrader_cmd
from hostile.minicourse import ASSIGNMENT, build_minicourse

pytestmark = pytest.mark.slow

CLASS = ("correct", "blank", "cv_mean", "rw_no_axis", "pw_none", "h_allclose")


def _bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def postgres():
    """임시 PostgreSQL 서버 (127.0.0.1, 암호 없는 로컬 접속). 주소 틀 'postgresql://postgres@127.0.0.1:PORT/{db}'."""
    binaries = _bin()
    if binaries is None:
        pytest.skip("PostgreSQL이 설치되어 있지 않습니다 (Debian: apt-get install postgresql, 또는 root로 make system)")
    folder = Path(tempfile.mkdtemp(prefix="ctxpg-", dir="/tmp"))
    prefix: list[str] = []
    if os.geteuid() == 0:   # initdb는 root로 실행되지 않습니다
        user = "postgres" if _has_user("postgres") else "nobody"
        shutil.chown(folder, user)
        prefix = ["runuser", "-u", user, "--"]
    os.chmod(folder, 0o700)
    port = _free_port()
    data, log = folder / "data", folder / "server.log"
    subprocess.run([*prefix, str(binaries / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres", "--no-sync",
                    "-E", "UTF8"], check=True, capture_output=True, cwd=folder)
    subprocess.run([*prefix, str(binaries / "pg_ctl"), "-D", str(data), "-l", str(log), "-w", "-t", "120",
                    "-o", f"-h 127.0.0.1 -p {port} -k {folder} -c fsync=off", "start"],
                   check=True, capture_output=True, cwd=folder)
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}/{{db}}"
    finally:
        subprocess.run([*prefix, str(binaries / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"],
                       capture_output=True, cwd=folder)
        shutil.rmtree(folder, ignore_errors=True)


def _has_user(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


def create_database(url_template: str, name: str) -> str:
    import psycopg

    with psycopg.connect(url_template.format(db="postgres"), autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    return url_template.format(db=name)


def course_on(dest: Path, db_url: str | None) -> Path:
    course = build_minicourse(dest)
    if db_url:
        config = course / "nbgrader_config.py"
        config.write_text(config.read_text(encoding="utf-8") + f'\nc.CourseDirectory.db_url = "{db_url}"\n',
                          encoding="utf-8")
    course_cmd(course, "release", "--all")
    write_class(course, [BY_KEY[key] for key in CLASS])
    return course


def scores(db_url: str) -> dict:
    sys.modules.setdefault("rfc3987_syntax", None)
    from nbgrader.api import Gradebook

    result = {}
    with Gradebook(db_url) as gb:
        for submission in gb.find_assignment(ASSIGNMENT).submissions:
            for notebook in submission.notebooks:
                for grade in notebook.grades:
                    result[(submission.student.id, grade.name)] = float(grade.score)
    return result


def read_csv(path: Path) -> list[dict]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return sorted(csv.DictReader(handle), key=lambda row: (row["assignment"], row["student_id"]))


def test_postgres_gradebook_gives_the_same_grades_as_sqlite(postgres, tmp_path):
    db_url = create_database(postgres, "gradebook_same")
    on_postgres = course_on(tmp_path / "pg", db_url)
    on_sqlite = course_on(tmp_path / "sqlite", None)
    for course in (on_postgres, on_sqlite):
        course_cmd(course, "autograde", "--all")
        course_cmd(course, "export", "--to", "grades.csv")
        course_cmd(course, "report", "--json", "report.json")
    assert not (on_postgres / "gradebook.db").exists()
    assert scores(db_url) == scores(f"sqlite:///{on_sqlite / 'gradebook.db'}")
    assert len({student for student, _ in scores(db_url)}) == len(CLASS)
    assert read_csv(on_postgres / "grades.csv") == read_csv(on_sqlite / "grades.csv")
    totals = {row["student_id"]: float(row["score"]) for row in read_csv(on_postgres / "grades.csv")}
    assert totals == {key: BY_KEY[key].score for key in CLASS}
    report = json.loads((on_postgres / "report.json").read_text(encoding="utf-8"))
    assert json.dumps(report, sort_keys=True).count(ASSIGNMENT) >= 1
    # 다시 실행하면 건너뛰고 (성적부에 제출 기록이 있음), nbgrader의 명령도 같은 성적부를 읽습니다
    again = course_cmd(on_postgres, "autograde", "--all")
    assert f"제출물 {len(CLASS)}개는 건너뜁니다" in " ".join(again.stdout.split())
    nbgrader_cmd(on_postgres, "export", "--to", "nbgrader.csv")
    with open(on_postgres / "nbgrader.csv", encoding="utf-8", newline="") as handle:
        exported = {row["student_id"]: float(row["score"]) for row in csv.DictReader(handle)}
    assert exported == totals
    course_cmd(on_postgres, "feedback", "--all")
    assert len(list((on_postgres / "feedback").glob(f"*/{ASSIGNMENT}/{ASSIGNMENT}.html"))) == len(CLASS)
