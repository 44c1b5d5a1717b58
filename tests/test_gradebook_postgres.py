"""PostgreSQL 성적부: ``c.CourseDirectory.db_url = "postgresql://..."``로 ``course autograde``, ``course report``,
``course export``, ``course feedback``과 nbgrader의 ``nbgrader export``가 SQLite와 같은 점수를 내고, 여러 기계가 한
성적부에 함께 쓰거나 서버가 도중에 멈추어도 점수를 잃지 않으며, ``course backup``/``restore``/``clean``이 성적부
데이터베이스를 함께 지킵니다.

이 테스트는 임시 폴더에 PostgreSQL 서버를 직접 만들고(initdb, root이면 ``postgres`` 사용자로) 127.0.0.1에서만 듣게
띄운 뒤, 끝나면 멈추고 지웁니다. Debian의 ``postgresql`` 패키지가 필요합니다 (``make system``이 설치).

시간을 아끼려고 반은 모듈에서 한 번씩만 채점합니다: 과제 둘(``00_mini``와 그 사본 ``01_mini``)을 SQLite에서 차례로
채점한 기준(:func:`reference`), 같은 반을 두 강좌 폴더(두 기계)에서 동시에 한 PostgreSQL 성적부로 채점한 것
(:func:`graded_together`). 배포한 성적부는 PostgreSQL의 템플릿 데이터베이스로 두고 테스트마다 복사합니다.
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
import tarfile
import tempfile
import time
from collections import Counter
from pathlib import Path

import nbformat
import pytest

from hostile.bank import BY_KEY, build_notebook
from hostile.harness import BIN, course_cmd, env, nbgrader_cmd
from hostile.minicourse import ASSIGNMENT, build_minicourse

pytestmark = pytest.mark.slow

CLASS = ("correct", "blank", "cv_mean", "rw_no_axis", "pw_none", "h_allclose")
SECOND = "01_mini"
ASSIGNMENTS = (ASSIGNMENT, SECOND)
PASSWORD = "pw-Sekret-4821"     # 시험 서버는 trust 인증이라 받지 않지만, 출력에 새어 나오면 안 되는 글귀
TEMPLATE_DB = "released_template"
LATE_CELL = "test_context_vector_values"     # 노트북의 다섯째 테스트 칸 (마무리는 칸을 노트북 순서로 씁니다)


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


def _has_user(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


class Server:
    """임시 PostgreSQL 서버 하나: 주소 만들기, 멈추기, 다시 띄우기."""

    def __init__(self, binaries: Path, folder: Path, prefix: list[str]):
        self.binaries, self.folder, self.prefix = binaries, folder, prefix
        self.port = _free_port()
        self.data, self.log = folder / "data", folder / "server.log"

    def url(self, db: str, password: str | None = None) -> str:
        user = f"postgres:{password}" if password else "postgres"
        return f"postgresql://{user}@127.0.0.1:{self.port}/{db}"

    def _ctl(self, *args: str) -> None:
        subprocess.run([*self.prefix, str(self.binaries / "pg_ctl"), "-D", str(self.data), *args],
                       check=True, capture_output=True, cwd=self.folder)

    def start(self) -> None:
        self._ctl("-l", str(self.log), "-w", "-t", "120",
                  "-o", f"-h 127.0.0.1 -p {self.port} -k {self.folder} -c fsync=off", "start")

    def stop(self, mode: str = "fast") -> None:
        self._ctl("-m", mode, "-w", "stop")

    def sql(self, statement: str, db: str = "postgres", params=None) -> list:
        import psycopg

        with psycopg.connect(self.url(db), autocommit=True) as connection:
            cursor = connection.execute(statement, params)
            return cursor.fetchall() if cursor.description else []

    def copy_database(self, template: str, name: str) -> str:
        self.sql(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        return name


@pytest.fixture(scope="module")
def postgres():
    """임시 PostgreSQL 서버 (127.0.0.1, 암호 없는 로컬 접속)."""
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
    server = Server(binaries, folder, prefix)
    subprocess.run([*prefix, str(binaries / "initdb"), "-D", str(server.data), "-A", "trust", "-U", "postgres",
                    "--no-sync", "-E", "UTF8"], check=True, capture_output=True, cwd=folder)
    server.start()
    try:
        yield server
    finally:
        subprocess.run([*prefix, str(binaries / "pg_ctl"), "-D", str(server.data), "-m", "immediate", "-w", "stop"],
                       capture_output=True, cwd=folder)
        shutil.rmtree(folder, ignore_errors=True)


# ---------------------------------------------------------------------------------------------------------------
# 강좌 폴더와 반
# ---------------------------------------------------------------------------------------------------------------

def use_gradebook(course: Path, db_url: str) -> Path:
    """강좌의 nbgrader_config.py에 성적부 주소를 적습니다 (뒤에 적은 것이 앞의 것을 이깁니다)."""
    config = course / "nbgrader_config.py"
    config.write_text(config.read_text(encoding="utf-8") + f'\nc.CourseDirectory.db_url = "{db_url}"\n',
                      encoding="utf-8")
    return course


def released_course(dest: Path, db_url: str | None) -> Path:
    """과제 둘(00_mini와 그 사본 01_mini)을 배포한 작은 강좌."""
    course = build_minicourse(dest)
    (course / "source" / SECOND).mkdir()
    shutil.copy(course / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", course / "source" / SECOND / f"{SECOND}.ipynb")
    if db_url:
        use_gradebook(course, db_url)
    course_cmd(course, "release", "--all")
    return course


def copy_of(template: Path, dest: Path, db_url: str | None = None) -> Path:
    shutil.copytree(template, dest, ignore=shutil.ignore_patterns("logs"))
    return use_gradebook(dest, db_url) if db_url else dest


def write_submissions(course: Path, assignment: str, keys=CLASS) -> None:
    release = nbformat.read(course / "release" / assignment / f"{assignment}.ipynb", as_version=4)
    for key in keys:
        folder = course / "submitted" / key / assignment
        folder.mkdir(parents=True, exist_ok=True)
        nbformat.write(build_notebook(release, BY_KEY[key]), folder / f"{assignment}.ipynb")


def gradebook_grades(db_url: str) -> dict:
    """성적부의 (과제, 학생) → {grade_id: 자동 점수 또는 None}. 같은 (과제, 학생)의 제출 기록이 둘이면 실패합니다."""
    sys.modules.setdefault("rfc3987_syntax", None)
    from nbgrader.api import Gradebook

    result = {}
    with Gradebook(db_url) as gb:
        for assignment in gb.assignments:
            seen = Counter(submission.student.id for submission in assignment.submissions)
            assert all(count == 1 for count in seen.values()), f"{assignment.name}: 제출 기록이 두 번 {seen}"
            for submission in assignment.submissions:
                grades = {}
                for notebook in submission.notebooks:
                    assert len(notebook.grades) == len(notebook.notebook.grade_cells), (assignment.name, submission)
                    grades.update({grade.name: grade.auto_score for grade in notebook.grades})
                result[(assignment.name, submission.student.id)] = grades
    return result


def complete(grades: dict) -> dict:
    """점수가 모두 있는 제출물만 (점수는 float)."""
    return {key: {name: float(score) for name, score in cells.items()}
            for key, cells in grades.items() if all(score is not None for score in cells.values())}


def half_written(grades: dict) -> list:
    """어떤 칸은 점수가 있고 어떤 칸은 없는 제출물 (반쯤 쓴 것)."""
    return [key for key, cells in grades.items()
            if any(s is None for s in cells.values()) and any(s is not None for s in cells.values())]


def statuses(course: Path) -> dict:
    found = {}
    for path in (course / ".course_state" / "grading").glob("*/*.json"):
        found[(path.parent.name, path.stem)] = json.loads(path.read_text(encoding="utf-8"))["status"]
    return found


def csv_totals(path: Path) -> dict:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return {(row["assignment"], row["student_id"]): float(row["score"]) for row in csv.DictReader(handle)}


@pytest.fixture(scope="module")
def templates(postgres, tmp_path_factory):
    """배포만 한 강좌 둘: SQLite 강좌 폴더, 그리고 PostgreSQL 템플릿 데이터베이스를 쓰는 강좌 폴더."""
    base = tmp_path_factory.mktemp("released")
    postgres.sql(f'CREATE DATABASE "{TEMPLATE_DB}"')
    return {"sqlite": released_course(base / "sqlite", None),
            "postgres": released_course(base / "postgres", postgres.url(TEMPLATE_DB))}


@pytest.fixture(scope="module")
def reference(templates, tmp_path_factory):
    """기준: 과제 둘의 반을 SQLite 성적부에서 한 번의 ``course autograde --all``로 (차례로) 채점하고 내보낸 것."""
    course = copy_of(templates["sqlite"], tmp_path_factory.mktemp("reference") / "course")
    for assignment in ASSIGNMENTS:
        write_submissions(course, assignment)
    course_cmd(course, "autograde", "--all")
    course_cmd(course, "export", "--to", "grades.csv")
    return course


@pytest.fixture(scope="module")
def reference_grades(reference) -> dict:
    grades = gradebook_grades(f"sqlite:///{reference / 'gradebook.db'}")
    assert set(grades) == {(a, s) for a in ASSIGNMENTS for s in CLASS} and not half_written(grades)
    return complete(grades)


@pytest.fixture(scope="module")
def graded_together(postgres, templates, tmp_path_factory):
    """두 강좌 폴더(두 기계)가 한 PostgreSQL 성적부에 서로 다른 과제를 동시에 채점합니다. 두 기계가 같은 학생을
    처음 보는 순간(학생 기록 만들기)이 겹치도록, 이 테스트가 student 표의 쓰기를 잠가 둔 채 둘을 함께 시작하고
    둘 다 학생 기록을 쓰려고 기다리는 것을 확인한 뒤에 풉니다."""
    import psycopg

    db = postgres.copy_database(TEMPLATE_DB, "graded_together")
    base = tmp_path_factory.mktemp("together")
    courses = {}
    for assignment in ASSIGNMENTS:
        courses[assignment] = copy_of(templates["postgres"], base / assignment, postgres.url(db))
        write_submissions(courses[assignment], assignment)
    with psycopg.connect(postgres.url(db)) as holder:
        holder.execute("LOCK TABLE student IN SHARE MODE")      # 읽기는 되고 쓰기는 기다립니다
        runs = {assignment: subprocess.Popen([str(BIN / "course"), "autograde", "--all"], cwd=course, env=env(),
                                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
                for assignment, course in courses.items()}
        deadline, waiting = time.monotonic() + 600, 0
        while time.monotonic() < deadline and all(run.poll() is None for run in runs.values()):
            waiting = postgres.sql("SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND wait_event_type = "
                                   "'Lock'", params=(db,))[0][0]
            if waiting >= 2:
                break
            time.sleep(0.05)
        both_waited = waiting >= 2
        holder.commit()
    outputs = {assignment: run.communicate(timeout=900)[0] for assignment, run in runs.items()}
    return {"db_url": postgres.url(db), "courses": courses, "runs": runs, "outputs": outputs,
            "both_waited": both_waited}


# ---------------------------------------------------------------------------------------------------------------
# 테스트
# ---------------------------------------------------------------------------------------------------------------

def test_two_machines_grading_different_assignments_into_one_gradebook_at_once_lose_nothing(graded_together,
                                                                                          reference_grades):
    """두 ``course autograde``가 한 성적부에 동시에 쓰고, 같은 학생의 기록을 같은 순간에 만들려고 해도: 둘 다 성공하고,
    두 과제의 모든 제출물에 완전한 점수가 한 벌씩 있으며, 차례로 채점한 기준과 칸마다 같습니다."""
    together = graded_together
    assert together["both_waited"], "두 채점이 student 표의 잠금에서 함께 기다린 적이 없습니다"
    for assignment, run in together["runs"].items():
        assert run.returncode == 0, f"{assignment}:\n{together['outputs'][assignment]}"
        assert statuses(together["courses"][assignment]) == {(assignment, s): "graded" for s in CLASS}, \
            together["outputs"][assignment]
    grades = gradebook_grades(together["db_url"])       # 같은 (과제, 학생)의 기록이 둘이면 여기서 실패
    assert not half_written(grades)
    assert complete(grades) == reference_grades


def test_postgres_gradebook_gives_the_same_grades_as_sqlite(graded_together, reference, reference_grades):
    """PostgreSQL 성적부의 점수, ``course export``의 grades.csv(바이트까지), ``nbgrader export``, 다시 채점할 때
    건너뛰기, 보고서와 피드백이 SQLite 성적부(기준)와 같습니다."""
    course, db_url = graded_together["courses"][ASSIGNMENT], graded_together["db_url"]
    assert not (course / "gradebook.db").exists()
    assert complete(gradebook_grades(db_url)) == reference_grades
    course_cmd(course, "export", "--to", "grades.csv")
    assert (course / "grades.csv").read_bytes() == (reference / "grades.csv").read_bytes()
    totals = csv_totals(course / "grades.csv")
    assert totals == {(a, key): BY_KEY[key].score for a in ASSIGNMENTS for key in CLASS}
    course_cmd(course, "report", "--json", "report.json")
    report = json.loads((course / "report.json").read_text(encoding="utf-8"))
    assert json.dumps(report, sort_keys=True).count(ASSIGNMENT) >= 1
    # 다시 실행하면 건너뛰고 (성적부에 제출 기록이 있음), nbgrader의 명령도 같은 성적부를 읽습니다
    again = course_cmd(course, "autograde", "--all")
    assert f"제출물 {len(CLASS)}개는 건너뜁니다" in " ".join(again.stdout.split())
    nbgrader_cmd(course, "export", "--to", "nbgrader.csv")
    assert csv_totals(course / "nbgrader.csv") == totals
    course_cmd(course, "feedback", "--all")
    assert len(list((course / "feedback").glob(f"*/{ASSIGNMENT}/{ASSIGNMENT}.html"))) == len(CLASS)


def _start_grading(course: Path) -> subprocess.Popen:
    return subprocess.Popen([str(BIN / "course"), "autograde", "--all", "--jobs", "2"], cwd=course, env=env(),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_for(condition, run: subprocess.Popen) -> None:
    """``condition()``이 참이 되거나 채점이 끝날 때까지 기다립니다 (시간을 재는 것이 아니라 상태를 봅니다)."""
    deadline = time.monotonic() + 600
    while run.poll() is None and not condition() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert run.poll() is None, "끊기 전에 채점이 끝났습니다 (제출물을 늘리세요)"


def _check_stopped(run: subprocess.Popen, out: str, err: str, db_url: str, course: Path, reference_grades: dict):
    """멈춘 채점: 종료 코드 2와 한국어 설명, traceback과 비밀번호 없음, 반쯤 쓴 제출물 없음. 채점한 것의 수."""
    said = " ".join((out + err).split())
    assert run.returncode == 2, said
    assert "성적부" in said and "다시 실행" in said and "Traceback" not in said and PASSWORD not in said, said
    grades = gradebook_grades(db_url)
    assert not half_written(grades), half_written(grades)
    graded = {key for key, status in statuses(course).items() if status == "graded"}
    done = complete(grades)
    assert graded <= set(done) and all(done[key] == reference_grades[key] for key in done), (graded, done)
    assert (course / "autograded").is_dir() and {p.parents[1].name for p in (course / "autograded").glob(
        f"*/{ASSIGNMENT}/{ASSIGNMENT}.ipynb")} == {student for _, student in graded}
    return len(graded)


def test_a_broken_connection_or_a_stopped_server_mid_run_stops_cleanly_and_a_rerun_gives_the_same_grades(
        postgres, templates, reference_grades, tmp_path):
    """채점 도중 (1) 성적부에 쓰고 있는 연결이 끊기거나 (pg_terminate_backend, 서버는 그대로), (2) 데이터베이스
    서버가 멈추면: 명령은 종료 코드 2와 한국어 설명으로 멈추고 (traceback도 비밀번호도 없이), 성적부에는 반쯤 쓴
    제출물이 없으며 (점수가 모두 있거나 하나도 없음), 점수가 있는 제출물은 끊기지 않은 채점과 같고, 채점했다고
    기록한 제출물은 성적부에도 있습니다. 서버가 멈춘 채로 다시 실행해도 같은 한국어 설명으로 멈추고, 서버가 돌아온 뒤
    다시 실행하면 남은 것만 채점해 같은 점수를 냅니다.

    (1)은 제출물 하나를 끝낸 뒤, 이미 준비한 제출물들의 다섯째 테스트 칸(``LATE_CELL``) 행을 잠가 마무리가 앞의 네 칸을
    쓴 뒤 그 칸을 쓰려고 기다리게 하고, 바로 그 연결을 끊습니다 (앞의 네 칸만 남으면 반쯤 쓴 제출물)."""
    import psycopg

    db = postgres.copy_database(TEMPLATE_DB, "cut_mid_run")
    db_url = postgres.url(db, PASSWORD)
    course = copy_of(templates["postgres"], tmp_path / "course", db_url)
    write_submissions(course, ASSIGNMENT)
    states = course / ".course_state" / "grading" / ASSIGNMENT

    run = _start_grading(course)                                         # (1) 점수를 쓰는 도중에 연결이 끊김
    with psycopg.connect(postgres.url(db)) as holder:
        _wait_for(lambda: list(states.glob("*.json")), run)
        holder.execute(f"SELECT g.id FROM grade g JOIN base_cell c ON c.id = g.cell_id WHERE c.name = '{LATE_CELL}' "
                       f"FOR UPDATE OF g")
        waiting = f"SELECT pid FROM pg_stat_activity WHERE datname = %s AND wait_event_type = 'Lock' AND pid <> {holder.info.backend_pid}"
        _wait_for(lambda: postgres.sql(waiting, params=(db,)), run)
        killed = postgres.sql(f"SELECT pg_terminate_backend(pid) FROM ({waiting}) AS blocked", params=(db,))
        holder.commit()
    out, err = run.communicate(timeout=900)
    assert killed and all(row[0] for row in killed)
    first = _check_stopped(run, out, err, db_url, course, reference_grades)
    assert 1 <= first < len(CLASS)

    run = _start_grading(course)                                         # (2) 서버가 멈춤
    try:
        _wait_for(lambda: len(list(states.glob("*.json"))) > first, run)
        postgres.stop()
        out, err = run.communicate(timeout=900)
        down = course_cmd(course, "autograde", "--all", check=False)     # 서버가 멈춘 채로 다시 실행
    finally:
        if run.poll() is None:
            run.kill()
        postgres.start()
    said = " ".join((down.stdout + down.stderr).split())
    assert down.returncode == 2 and "성적부" in said and "예상하지 못한" not in said and "Traceback" not in said, said
    assert PASSWORD not in said
    assert f"제출물 {first}개는 건너뜁니다" in " ".join(out.split())
    second = _check_stopped(run, out, err, db_url, course, reference_grades)
    assert first < second < len(CLASS)

    rerun = course_cmd(course, "autograde", "--all")                     # 서버가 돌아온 뒤
    assert f"제출물 {second}개는 건너뜁니다" in " ".join(rerun.stdout.split())
    assert statuses(course) == {(ASSIGNMENT, s): "graded" for s in CLASS}
    assert complete(gradebook_grades(db_url)) == {k: v for k, v in reference_grades.items() if k[0] == ASSIGNMENT}


def _archive_names(path: Path) -> set:
    with tarfile.open(path, "r:gz") as archive:
        return {name.split("/")[0] for name in archive.getnames()}


def test_backup_restore_and_clean_keep_a_postgres_gradebook(postgres, graded_together, reference, tmp_path):
    """PostgreSQL 성적부의 강좌에서 ``course backup``은 데이터베이스의 pg_dump를 함께 묶고, 성적부를 통째로 잃은 뒤
    ``course restore``가 같은 점수를 되살립니다 (되살리기 전의 상태도 백업). ``course clean``은 데이터베이스를 먼저
    백업하되 여러 기계가 함께 쓰는 성적부는 지우지 않습니다. 데이터베이스를 백업할 수 없으면 아무것도 지우지 않고,
    PostgreSQL 성적부의 백업을 SQLite 강좌에 되살리려 하면 아무것도 바꾸지 않고 거절합니다."""
    db = postgres.copy_database("graded_together", "backup_restore")
    db_url = postgres.url(db, PASSWORD)
    course = copy_of(graded_together["courses"][ASSIGNMENT], tmp_path / "course", db_url)
    before = gradebook_grades(db_url)
    assert len(complete(before)) == len(ASSIGNMENTS) * len(CLASS)

    done = course_cmd(course, "backup")
    archives = sorted((course / "backups").glob("course-*.tar.gz"))
    assert len(archives) == 1 and PASSWORD not in done.stdout + done.stderr
    assert {"gradebook.pgdump", "submitted", "autograded", ".course_state"} <= _archive_names(archives[0])
    assert "gradebook.db" not in _archive_names(archives[0])

    postgres.sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public", db=db)     # 성적부를 통째로 잃음
    shutil.rmtree(course / "autograded")
    restored = course_cmd(course, "restore", str(archives[0]))
    assert PASSWORD not in restored.stdout + restored.stderr
    assert gradebook_grades(db_url) == before
    assert (course / "autograded" / "correct" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").is_file()
    archives = sorted((course / "backups").glob("course-*.tar.gz"))
    assert len(archives) == 2 and all("gradebook.pgdump" in _archive_names(a) for a in archives)   # 되살리기 전 상태
    again = course_cmd(course, "autograde", "--all")
    assert f"제출물 {len(CLASS)}개는 건너뜁니다" in " ".join(again.stdout.split())

    cleaned = course_cmd(course, "clean")
    assert not (course / "submitted").exists() and len(list((course / "backups").glob("course-*.tar.gz"))) == 3
    assert "지우지 않았습니다" in " ".join(cleaned.stdout.split())
    assert gradebook_grades(db_url) == before

    broken = copy_of(graded_together["courses"][ASSIGNMENT], tmp_path / "broken", postgres.url("no_such_db", PASSWORD))
    failed = course_cmd(broken, "clean", check=False)
    said = " ".join((failed.stdout + failed.stderr).split())
    assert failed.returncode == 2 and "pg_dump" in said and "Traceback" not in said and PASSWORD not in said, said
    assert (broken / "submitted" / "correct").is_dir() and (broken / "autograded" / "correct").is_dir()
    assert not (broken / "backups").exists() or not any((broken / "backups").iterdir())

    on_sqlite = copy_of(reference, tmp_path / "sqlite")
    unchanged = (on_sqlite / "gradebook.db").read_bytes()
    refused = course_cmd(on_sqlite, "restore", str(archives[0]), check=False)
    assert refused.returncode == 2 and "PostgreSQL" in refused.stdout, refused.stdout
    assert (on_sqlite / "gradebook.db").read_bytes() == unchanged and not (on_sqlite / "backups").exists()
