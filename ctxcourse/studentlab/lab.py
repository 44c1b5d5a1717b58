"""``make lab``: 학생 폴더를 준비하고 그곳에서 학생용 JupyterLab을 엽니다.

    python -m ctxcourse.studentlab.lab [--course .] [--student student] [--prepare-only] [-- jupyter lab 옵션...]

1. 강의: ``notebooks/``를 ``<student>/notebooks/``로 복사합니다 (이미 있는 파일은 그대로 둡니다).
2. 강사 쪽 배포: ``release/<과제>/``마다 nbgrader의 exchange(강좌 설정의 ``c.Exchange.root``)로
   ``release_assignment``를 합니다. 이미 같은 내용이 배포되어 있으면 건너뜁니다.
3. 학생 쪽 받기: nbgrader의 Fetch와 같은 ``fetch_assignment``로 ``<student>/<과제>/<과제>.ipynb``를 만듭니다.
   이미 받은 과제는 덮어쓰지 않고, 없는 파일만 채웁니다. 학생은 이 파일에서 풀고, Submit은 이 파일을 냅니다.
   새로 복사하거나 받은 노트북의 ``language_info``는 학생 커널의 것(파이썬 버전)과 맞추어, 손대지 않은 노트북이
   '저장하지 않음'(●)으로 열리지 않게 합니다.
4. ``<student>/``에서 JupyterLab을 엽니다: 설정 폴더는 ``.jupyter-student/``, root이면 ``--allow-root``.
   학생의 제출 기록(nbgrader의 cache)은 ``<student>/.nbgrader_cache``에 둡니다.

예전 방식의 ``<student>/release/`` 사본은 지우지 않고 안내만 합니다. ``source/``(해답)는 학생 폴더에 절대
들어가지 않습니다. 채점이나 해답 코드는 없습니다.
"""

from __future__ import annotations

import argparse
import filecmp
import json
import os
import shutil
import sys
from pathlib import Path

IGNORE = shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__", "*.pyc")
STUDENT_CONFIG = ".jupyter-student"
# 학생용 nbgrader 설정(.jupyter-student/nbgrader_config.py)이 읽는 환경 변수: 강좌 설정과 같은 exchange와 강좌 ID
ENV_EXCHANGE, ENV_COURSE_ID = "CTXCOURSE_EXCHANGE", "CTXCOURSE_COURSE_ID"
# 학생 폴더: 학생용 nbgrader 설정이 제출 기록(c.Exchange.cache)을 <학생 폴더>/.nbgrader_cache에 둡니다.
ENV_STUDENT = "CTXCOURSE_STUDENT"
CACHE_DIR = ".nbgrader_cache"


def say(message: str) -> None:
    print(f"[make lab] {message}", flush=True)


def course_settings(course: Path) -> tuple[str, str]:
    """강좌의 ``nbgrader_config.py``에 적힌 (exchange 폴더, 강좌 ID)."""
    from traitlets.config.loader import PyFileConfigLoader

    config = PyFileConfigLoader("nbgrader_config.py", path=str(course)).load_config()
    exchange = str(config.Exchange.root) if "root" in config.Exchange else "/srv/nbgrader/exchange"
    return exchange, str(config.CourseDirectory.course_id)


def released_assignments(course: Path) -> list[str]:
    release = course / "release"
    if not release.is_dir():
        return []
    return sorted(p.name for p in release.iterdir() if p.is_dir() and any(p.glob("*.ipynb")))


def same_tree(left: Path, right: Path) -> bool:
    """두 폴더가 (체크포인트·캐시를 빼고) 같은 파일을 같은 내용으로 담는지."""
    skip = [".ipynb_checkpoints", "__pycache__"]
    cmp = filecmp.dircmp(left, right, ignore=skip)
    if cmp.left_only or cmp.right_only or cmp.funny_files:
        return False
    _, mismatch, errors = filecmp.cmpfiles(left, right, cmp.common_files, shallow=False)
    if mismatch or errors:
        return False
    return all(same_tree(left / d, right / d) for d in cmp.common_dirs)


def kernel_language_info() -> dict:
    """학생의 커널(이 가상환경의 ipykernel)이 노트북을 열 때 알려 주는 ``language_info`` 그대로."""
    from ipykernel.ipkernel import IPythonKernel

    return json.loads(json.dumps(IPythonKernel.language_info))


def match_kernel(notebook: Path, language_info: dict) -> bool:
    """학생에게 새로 준 노트북의 ``metadata.language_info``를 커널의 것과 같게 합니다. 바꾸었으면 True.

    JupyterLab은 노트북을 열면 커널이 알려 준 ``language_info``(파이썬 버전 포함)를 노트북에 적습니다. 저장된 값과
    다르면 손대지 않은 노트북이 처음부터 '저장하지 않음'(●)으로 열리므로, 복사하거나 받을 때 맞추어 둡니다.
    셀과 다른 메타데이터는 건드리지 않고, Jupyter가 저장하는 형식(들여쓰기 1, 키 정렬)으로 씁니다.
    """
    try:
        nb = json.loads(notebook.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    metadata = nb.get("metadata") if isinstance(nb, dict) else None
    if not isinstance(metadata, dict) or metadata.get("language_info") == language_info:
        return False
    metadata["language_info"] = language_info
    notebook.write_text(json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
    return True


def copy_lessons(course: Path, student: Path) -> None:
    """강의 노트북을 복사합니다. 학생이 이미 가진 파일(고쳐 쓴 강의)은 건드리지 않습니다."""
    src = course / "notebooks"
    if not src.is_dir():
        return
    added = 0
    for path in sorted(src.rglob("*")):
        rel = path.relative_to(src)
        if any(part in (".ipynb_checkpoints", "__pycache__") for part in rel.parts) or not path.is_file():
            continue
        dest = student / "notebooks" / rel
        if dest.exists():
            continue
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, dest)
        if dest.suffix == ".ipynb":
            match_kernel(dest, kernel_language_info())
        added += 1
    say(f"강의: {student.name}/notebooks/ ({added}개 파일을 새로 복사)")


def _exchange(kind: str, config, assignment: str):
    from nbgrader.auth import Authenticator
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.exchange import ExchangeFactory

    config.CourseDirectory.assignment_id = assignment
    coursedir = CourseDirectory(config=config)
    factory = ExchangeFactory(config=config)
    cls = getattr(factory, kind)
    return cls(coursedir=coursedir, authenticator=Authenticator(config=config), config=config)


def release_to_exchange(course: Path, exchange: str, course_id: str, assignments: list[str]) -> None:
    """강사가 하는 배포: ``release/<과제>``를 exchange의 outbound로 (내용이 바뀐 것만)."""
    from traitlets.config import Config

    for assignment in assignments:
        outbound = Path(exchange) / course_id / "outbound" / assignment
        if outbound.is_dir() and same_tree(course / "release" / assignment, outbound):
            continue
        config = Config()
        config.CourseDirectory.root = str(course)
        config.CourseDirectory.course_id = course_id
        config.Exchange.root = exchange
        releaser = _exchange("ReleaseAssignment", config, assignment)
        releaser.force = True
        releaser.start()
        say(f"배포: {assignment} → {outbound}")


def fetch_for_student(student: Path, exchange: str, course_id: str, assignments: list[str]) -> None:
    """학생이 Assignment List에서 누르는 Fetch와 같은 일: ``<student>/<과제>/``에 받습니다 (덮어쓰지 않음)."""
    from traitlets.config import Config

    for assignment in assignments:
        dest = student / assignment
        config = Config()
        config.CourseDirectory.course_id = course_id
        config.Exchange.root = exchange
        config.Exchange.assignment_dir = str(student)
        fetcher = _exchange("FetchAssignment", config, assignment)
        if dest.exists():
            fetcher.replace_missing_files = True  # 없는 파일만 채웁니다: 학생이 푼 답은 그대로
            before = {p.relative_to(dest) for p in dest.rglob("*")}
            fetcher.start()
            added = {p.relative_to(dest) for p in dest.rglob("*")} - before
            for rel in added:
                if rel.suffix == ".ipynb":
                    match_kernel(dest / rel, kernel_language_info())
            if added:
                say(f"과제: {student.name}/{assignment}/에 빠진 파일 {len(added)}개를 채웠습니다 (푼 답은 그대로).")
        else:
            fetcher.start()
            for notebook in dest.rglob("*.ipynb"):
                match_kernel(notebook, kernel_language_info())
            say(f"과제: {student.name}/{assignment}/{assignment}.ipynb 를 받았습니다 (Fetch).")


def old_release_note(student: Path, assignments: list[str]) -> None:
    old = student / "release"
    if not old.is_dir():
        return
    say(f"알림: {old}는 예전 방식의 과제 사본입니다. 이제 과제는 {student.name}/<과제>/<과제>.ipynb에서 풀고, "
        "Submit은 그 파일을 냅니다.")
    say("      예전 사본에서 푼 답이 있다면 새 파일로 옮겨 적으세요. 예전 사본은 지우지 않았습니다.")
    for assignment in assignments:
        if (old / assignment).is_dir():
            say(f"      {old.name}/{assignment}/ → {assignment}/{assignment}.ipynb")


def prepare(course: Path, student: Path) -> dict:
    """학생 폴더를 준비하고 (exchange, 강좌 ID, 과제 목록)을 돌려줍니다."""
    course, student = course.resolve(), student.resolve()
    if student == course or course.is_relative_to(student):
        raise SystemExit(f"학생 폴더 {student}가 강좌 폴더를 품고 있습니다: 해답(source/)이 보이게 됩니다.")
    exchange, course_id = course_settings(course)
    assignments = released_assignments(course)
    student.mkdir(parents=True, exist_ok=True)
    copy_lessons(course, student)
    release_to_exchange(course, exchange, course_id, assignments)
    fetch_for_student(student, exchange, course_id, assignments)
    old_release_note(student, assignments)
    if (student / "source").exists():
        say(f"경고: {student / 'source'}가 있습니다. 해답이 든 폴더는 학생 폴더에 두지 마세요.")
    return {"exchange": exchange, "course_id": course_id, "assignments": assignments, "student": str(student)}


def lab_command(extra: list[str]) -> list[str]:
    command = [str(Path(sys.executable).parent / "jupyter-lab")]
    if hasattr(os, "geteuid") and os.geteuid() == 0 and "--allow-root" not in extra:
        command.append("--allow-root")  # root로 실행할 때 JupyterLab이 요구하는 표시
    return command + extra


def lab_env(course: Path, settings: dict, base: dict | None = None) -> dict:
    env = dict(os.environ if base is None else base)
    env["JUPYTER_CONFIG_DIR"] = str(course.resolve() / STUDENT_CONFIG)
    env[ENV_EXCHANGE] = settings["exchange"]
    env[ENV_COURSE_ID] = settings["course_id"]
    env[ENV_STUDENT] = settings["student"]
    bindir = str(Path(sys.executable).parent)
    env["PATH"] = bindir + os.pathsep + env.get("PATH", "")
    return env


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="학생 폴더를 준비하고 학생용 JupyterLab을 엽니다 (make lab).")
    parser.add_argument("--course", default=".", type=Path, help="강좌 폴더 (nbgrader_config.py가 있는 곳)")
    parser.add_argument("--student", default=None, type=Path, help="학생 폴더 (기본: <강좌>/student)")
    parser.add_argument("--prepare-only", action="store_true", help="준비만 하고 JupyterLab은 열지 않습니다")
    parser.add_argument("lab_args", nargs=argparse.REMAINDER, help="'--' 뒤의 jupyter lab 옵션")
    args = parser.parse_args(argv)
    course = args.course.resolve()
    student = (args.student or course / "student").resolve()
    settings = prepare(course, student)
    if args.prepare_only:
        return 0
    extra = [a for a in args.lab_args if a != "--"] if args.lab_args[:1] == ["--"] else args.lab_args
    command = lab_command(extra)
    say(f"JupyterLab을 엽니다: {student} (끝내려면 Ctrl+C 두 번)")
    os.chdir(student)
    os.execvpe(command[0], command, lab_env(course, settings))
    return 0


if __name__ == "__main__":
    sys.exit(main())
