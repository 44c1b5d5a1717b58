#!/usr/bin/python3
"""``make hub``: 이 강좌를 진짜 Unix 계정(강사 한 명, 학생 여럿)에게 JupyterHub로 엽니다 (시험용, 127.0.0.1).

root로 Debian의 ``/usr/bin/python3``에서 실행합니다 (표준 라이브러리만 씁니다)::

    /usr/bin/python3 hub/ctxhub.py start   [--state /srv/ctxcourse-hub] [--port 8000] [--instructor ctx-teacher]
                                           [--students ctx-student1,ctx-student2,ctx-student3]
    /usr/bin/python3 hub/ctxhub.py install   # 가상환경과 프록시만 설치
    /usr/bin/python3 hub/ctxhub.py setup     # + 계정, 비밀번호, 강사의 강좌 폴더, exchange, 설정
    /usr/bin/python3 hub/ctxhub.py remove    # 이 스크립트가 만든 계정(홈 폴더 포함)과 상태 폴더를 지웁니다

하는 일 (다시 실행해도 있는 것은 그대로 둡니다: 제출물, 성적부, 비밀번호가 남습니다):

1. 설치 (``--install``, 기본 ``/opt/ctxcourse-hub``, 모든 사용자가 읽을 수 있음):
   ``venv/`` = Debian의 python3로 만든 가상환경에 ``requirements.txt``(JupyterHub 포함)와 강좌 패키지 ``ctxcourse``
   (편집 모드가 아닌 사본), ``proxy/`` = ``hub/proxy/package-lock.json``에 고정된 configurable-http-proxy (``npm ci``).
   개발용 ``.venv``는 /root 아래의 파이썬을 쓰므로 다른 사용자가 실행할 수 없어 따로 만듭니다.
2. 계정: 강사와 학생마다 Unix 계정(홈 폴더 0700)과 임의의 비밀번호(``<state>/passwords.json``, root만 읽음).
   Unix 비밀번호는 잠긴 채로 둡니다: 이 비밀번호는 이 Hub에만 씁니다.
3. 강사의 강좌 폴더 ``~강사/course``: ``nbgrader_config.py``, ``source/``, ``release/``의 사본. exchange만
   Hub의 공용 폴더로 바꿉니다 (설정 끝에 덧붙임).
4. nbgrader exchange ``<state>/exchange`` (nbgrader 문서대로 모두 쓸 수 있게; 여기에 sticky 비트를 더해 남의 폴더를
   지우거나 이름을 바꿀 수 없게), 그 아래 강좌 폴더는 강사의 것으로 미리 만들어 학생이 가로챌 수 없게 합니다.
5. 설정: 학생용은 ``make lab``과 같은 ``.jupyter-student/``의 사본(한국어 화면, 과제 확인, 강사용 도구 끔),
   강사용은 한국어 화면 + Formgrader.
6. ``start``: 로그인 안내를 출력하고 JupyterHub(``hub/jupyterhub_config.py``)를 앞에서 실행합니다. Ctrl+C로
   끝내면 Hub가 프록시와 사용자 서버를 모두 끕니다.
"""

from __future__ import annotations

import argparse
import grp
import hashlib
import json
import os
import pwd
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
HUB = REPO / "hub"
DEFAULT_INSTALL = Path("/opt/ctxcourse-hub")
DEFAULT_STATE = Path("/srv/ctxcourse-hub")
DEBIAN_PYTHON = "/usr/bin/python3"
DEFAULT_INSTRUCTOR = "ctx-teacher"
DEFAULT_STUDENTS = "ctx-student1,ctx-student2,ctx-student3"
MARK = "ctxcourse-hub"  # 이 스크립트가 만든 계정의 GECOS 표시: remove는 이 표시가 있는 계정만 지웁니다
NAME = re.compile(r"^[a-z][a-z0-9-]{0,30}$")
PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # 헷갈리는 글자(l, 1, o, 0, i) 없음
COURSE_FILES = ("nbgrader_config.py", "source", "release")
IGNORE = shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__", "*.pyc", "lab", "migrated")


def say(message: str) -> None:
    print(f"[make hub] {message}", flush=True)


def run(*command: str, **kwargs) -> None:
    subprocess.run([str(c) for c in command], check=True, **kwargs)


def account_command(*command: str, check: bool = True) -> int:
    """useradd/userdel: 다른 프로그램이 /etc/passwd를 잠가 두었으면 (같은 기계의 다른 설치나 테스트) 잠시 뒤 다시 합니다."""
    for attempt in range(60):
        result = subprocess.run(command, capture_output=True, text=True)
        if result.returncode == 0 or "lock" not in result.stderr:
            break
        time.sleep(1 + attempt % 3)
    if check and result.returncode != 0:
        raise SystemExit(f"[make hub] {' '.join(command)} 실패: {result.stderr.strip()}")
    return result.returncode


def need_root() -> None:
    if os.geteuid() != 0:
        raise SystemExit("[make hub] 계정을 만들고 다른 사용자로 서버를 띄우므로 root로 실행해야 합니다: "
                         "sudo make hub (needs root: creates Unix accounts)")


def digest(*paths: Path) -> str:
    """파일·폴더 내용의 해시 (캐시·바이트코드 제외): 설치가 최신인지 봅니다."""
    h = hashlib.sha256()
    for base in paths:
        files = [base] if base.is_file() else sorted(p for p in base.rglob("*") if p.is_file())
        for path in files:
            if "__pycache__" in path.parts or path.suffix == ".pyc" or "node_modules" in path.parts:
                continue
            h.update(str(path.relative_to(base.parent)).encode())
            h.update(path.read_bytes())
    return h.hexdigest()


# ---- 1. 설치 --------------------------------------------------------------------------------------
def apt_install(*packages: str) -> None:
    say(f"시스템 패키지 설치: {' '.join(packages)}")
    run("apt-get", "update", "-qq")
    run("apt-get", "install", "-y", "-qq", *packages, env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
        stdout=subprocess.DEVNULL)


def system_packages() -> None:
    missing = []
    if subprocess.run([DEBIAN_PYTHON, "-c", "import ensurepip, venv"], capture_output=True).returncode != 0:
        missing.append("python3-venv")
    if shutil.which("bwrap") is None:
        missing.append("bubblewrap")  # 강사의 course autograde가 쓰는 채점 샌드박스
    if missing:
        apt_install(*missing)
    node = shutil.which("node")
    version = subprocess.run([node, "--version"], capture_output=True, text=True).stdout if node else ""
    major = int(version.lstrip("v").split(".")[0]) if version[:1] == "v" else 0
    if major < 20 or shutil.which("npm") is None:
        raise SystemExit("[make hub] JupyterHub의 프록시(configurable-http-proxy)에는 Node.js 20 이상과 npm이 "
                         f"필요합니다 (지금: {version.strip() or '없음'}). (needs Node.js >= 20 and npm)")


def hub_pins() -> list[str]:
    """requirements.txt의 고정 버전 (편집 모드 ``-e .`` 빼고). 파이썬 판에 따라 다른 줄(환경 표시)은 pip이 고릅니다."""
    lines = [line.split("#", 1)[0].strip() for line in (REPO / "requirements.txt").read_text(encoding="utf-8").splitlines()]
    return [line for line in lines if line and not line.startswith("-")]


def install_venv(install: Path) -> Path:
    venv = install / "venv"
    python = venv / "bin" / "python"
    stamp = venv / ".requirements.sha256"
    wanted = digest(REPO / "requirements.txt")
    if not python.exists():
        say(f"가상환경 만들기: {venv} (Debian의 {DEBIAN_PYTHON})")
        run(DEBIAN_PYTHON, "-m", "venv", venv)
    if not stamp.exists() or stamp.read_text() != wanted:
        say("의존성 설치 (requirements.txt, 처음에는 몇 분 걸립니다)")
        pins = hub_pins()
        pinfile = install / "requirements-hub.txt"
        pinfile.write_text("\n".join(pins) + "\n")
        run(python, "-m", "pip", "install", "-q", "--upgrade", "pip")
        run(python, "-m", "pip", "install", "-q", "-r", pinfile)
        stamp.write_text(wanted)
    install_package(venv)
    install_fast_start(python)
    return venv


def install_fast_start(python: Path) -> None:
    """``make setup``과 같이 ``ctxcourse/fast_start.pth``를 가상환경의 site-packages에 둡니다 (파일 안 설명)."""
    purelib = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             check=True, capture_output=True, text=True).stdout.strip()
    shutil.copy2(REPO / "ctxcourse" / "fast_start.pth", Path(purelib) / "ctxcourse_fast_start.pth")


def install_package(venv: Path) -> None:
    """강좌 패키지를 편집 모드가 아닌 사본으로 설치합니다 (바뀌었을 때만). 저장소에 build/를 남기지 않도록 임시 사본에서."""
    stamp = venv / ".ctxcourse.sha256"
    wanted = digest(REPO / "pyproject.toml", REPO / "ctxcourse")
    if stamp.exists() and stamp.read_text() == wanted:
        return
    say("강좌 패키지 ctxcourse 설치 (학생의 커널과 강사의 course 명령이 씀)")
    with tempfile.TemporaryDirectory(prefix="ctxhub-pkg-") as tmp:
        shutil.copy2(REPO / "pyproject.toml", tmp)
        shutil.copytree(REPO / "ctxcourse", Path(tmp) / "ctxcourse", ignore=shutil.ignore_patterns(
            "__pycache__", "*.pyc", "node_modules", "js"))
        run(venv / "bin" / "python", "-m", "pip", "install", "-q", "--no-deps", "--force-reinstall", tmp)
    stamp.write_text(wanted)


def install_proxy(install: Path) -> Path:
    proxy = install / "proxy"
    binary = proxy / "node_modules" / ".bin" / "configurable-http-proxy"
    stamp = proxy / ".lock.sha256"
    wanted = digest(HUB / "proxy" / "package-lock.json")
    if binary.exists() and stamp.exists() and stamp.read_text() == wanted:
        return binary
    say("프록시 설치: configurable-http-proxy (hub/proxy/package-lock.json, npm ci)")
    proxy.mkdir(parents=True, exist_ok=True)
    for name in ("package.json", "package-lock.json"):
        shutil.copy2(HUB / "proxy" / name, proxy / name)
    run("npm", "ci", "--omit=dev", "--no-audit", "--no-fund", "--loglevel=error", cwd=proxy)
    stamp.write_text(wanted)
    return binary


def install(install_dir: Path) -> dict:
    need_root()
    system_packages()
    install_dir.mkdir(parents=True, exist_ok=True)
    os.chmod(install_dir, 0o755)
    venv = install_venv(install_dir)
    proxy = install_proxy(install_dir)
    run("chmod", "-R", "a+rX", install_dir)  # 학생 계정이 가상환경의 파이썬과 패키지를 읽고 실행할 수 있게
    return {"venv": str(venv), "proxy": str(proxy)}


# ---- 2~5. 계정, 강좌, exchange, 설정 --------------------------------------------------------------
def course_id() -> str:
    text = (REPO / "nbgrader_config.py").read_text(encoding="utf-8")
    match = re.search(r"course_id\s*=\s*['\"]([^'\"]+)['\"]", text)
    return match.group(1) if match else "attention-context-vector"


def ensure_user(name: str) -> pwd.struct_passwd:
    if not NAME.match(name):
        raise SystemExit(f"[make hub] 계정 이름 {name!r}은 쓸 수 없습니다 (영소문자로 시작, 영소문자·숫자·'-').")
    try:
        entry = pwd.getpwnam(name)
        if MARK not in entry.pw_gecos:
            say(f"계정 {name}은 이미 있던 계정입니다 (이 스크립트가 만든 것이 아님): 그대로 씁니다.")
    except KeyError:
        account_command("useradd", "--create-home", "--shell", "/bin/bash", "--comment", f"{MARK} demo", name)
        entry = pwd.getpwnam(name)
        say(f"계정 만들기: {name} ({entry.pw_dir})")
    os.chmod(entry.pw_dir, 0o700)  # 다른 학생이 홈 폴더(받은 과제, 피드백)를 읽지 못하게
    return entry


def passwords(state: Path, users: list[str]) -> dict[str, str]:
    path = state / "passwords.json"
    known = json.loads(path.read_text()) if path.exists() else {}
    for user in users:
        known.setdefault(user, "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(10)))
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(known, handle, indent=1)
    os.chmod(path, 0o600)
    return {user: known[user] for user in users}


def chown_tree(path: Path, entry: pwd.struct_passwd) -> None:
    run("chown", "-R", f"{entry.pw_uid}:{entry.pw_gid}", path)


HUB_BLOCK = """
# ---- JupyterHub (hub/ctxhub.py가 덧붙임) ----
# 여러 Unix 계정이 함께 쓰는 nbgrader exchange: 학생은 이곳에서 받고(Fetch) 이곳으로 냅니다(Submit).
c.Exchange.root = {exchange!r}
"""


def instructor_course(entry: pwd.struct_passwd, exchange: Path) -> Path:
    """강사의 강좌 폴더 (없을 때만 만듭니다: 있던 성적부와 제출물은 그대로)."""
    course = Path(entry.pw_dir) / "course"
    if not course.exists():
        course.mkdir()
        for name in COURSE_FILES:
            src = REPO / name
            if src.is_dir():
                shutil.copytree(src, course / name, ignore=IGNORE)
            else:
                shutil.copy2(src, course / name)
        with open(course / "nbgrader_config.py", "a", encoding="utf-8") as handle:
            handle.write(HUB_BLOCK.format(exchange=str(exchange)))
        chown_tree(course, entry)
        os.chmod(course, 0o700)
        say(f"강사의 강좌 폴더: {course} (source/, release/, nbgrader_config.py의 사본)")
    return course


def exchange_root(state: Path, cid: str, instructor: pwd.struct_passwd) -> Path:
    exchange = state / "exchange"
    exchange.mkdir(exist_ok=True)
    os.chown(exchange, 0, 0)
    os.chmod(exchange, 0o1777)  # nbgrader: 모든 사용자가 씀 (+ sticky: 남의 것을 지우거나 바꾸지 못함)
    course_dir = exchange / cid
    if not course_dir.exists():
        course_dir.mkdir()
    os.chown(course_dir, instructor.pw_uid, instructor.pw_gid)  # 강좌 폴더는 강사의 것: 학생이 먼저 만들어 가로채지 못함
    os.chmod(course_dir, 0o755)
    return exchange


TERMINAL = """# 터미널의 bash를 로그인 셸(-l)로 열지 않습니다: /etc/profile이 PATH를 바꾸면 Hub 가상환경의 course,
# nbgrader 명령을 찾지 못합니다.
c.ServerApp.terminado_settings = {"shell_command": ["/bin/bash"]}
"""


def write_configs(state: Path, cid: str, exchange: Path, course: Path) -> dict:
    config = state / "config"
    student = config / "student"
    if student.exists():
        shutil.rmtree(student)
    shutil.copytree(REPO / ".jupyter-student", student, ignore=IGNORE)  # make lab과 같은 학생용 설정
    teacher = config / "instructor"
    (teacher / "labconfig").mkdir(parents=True, exist_ok=True)
    shutil.copy2(REPO / ".jupyter-student" / "labconfig" / "default_setting_overrides.json", teacher / "labconfig")
    (teacher / "nbgrader_config.py").write_text(
        '"""강사용 nbgrader 설정 (hub/ctxhub.py가 씀): Formgrader가 강사의 강좌 폴더를 봅니다."""\n'
        "c = get_config()  # noqa: F821\n"
        f"c.CourseDirectory.root = {str(course)!r}\n"
        f"c.CourseDirectory.course_id = {cid!r}\n"
        f"c.Exchange.root = {str(exchange)!r}\n", encoding="utf-8")
    (teacher / "jupyter_server_config.py").write_text(
        '"""강사용 Jupyter 서버 설정 (hub/ctxhub.py가 씀)."""\nc = get_config()  # noqa: F821\n' + TERMINAL,
        encoding="utf-8")
    with open(student / "jupyter_server_config.py", "a", encoding="utf-8") as handle:
        handle.write("\n# ---- JupyterHub (hub/ctxhub.py가 덧붙임) ----\n" + TERMINAL)
    for folder in (student, teacher):
        # jupyter_core는 설정 폴더에 'migrated'가 없으면 옛 IPython 설정을 옮기며 그 파일을 쓰려 합니다: 공용 설정
        # 폴더는 사용자가 쓸 수 없으므로 미리 둡니다.
        (folder / "migrated").write_text("", encoding="utf-8")
    run("chmod", "-R", "a+rX,go-w", config)
    os.chmod(state, 0o755)
    return {"student": str(student), "instructor": str(teacher)}


def setup(args, paths: dict) -> dict:
    need_root()
    state = args.state.resolve()
    state.mkdir(parents=True, exist_ok=True)
    os.chmod(state, 0o755)
    students = [s for s in args.students.split(",") if s]
    users = [args.instructor, *students]
    instructor = ensure_user(args.instructor)
    for student in students:
        ensure_user(student)
    cid = course_id()
    exchange = exchange_root(state, cid, instructor)
    course = instructor_course(instructor, exchange)
    settings = {
        **paths, "state": str(state), "instructor": args.instructor, "students": students, "course_id": cid,
        "course": str(course), "exchange": str(exchange), "config": write_configs(state, cid, exchange, course),
        "port": args.port, "hub_port": args.hub_port, "api_port": args.api_port,
    }
    (state / "hub.json").write_text(json.dumps(settings, indent=1, ensure_ascii=False), encoding="utf-8")
    settings["passwords"] = passwords(state, users)
    return settings


def login_notes(settings: dict) -> None:
    url = f"http://127.0.0.1:{settings['port']}/"
    pw = settings["passwords"]
    lines = [
        "",
        "=" * 72,
        f" 강좌 JupyterHub (시험용): 브라우저에서 {url} 을 여세요.",
        f"   다른 컴퓨터에서는 ssh -L {settings['port']}:127.0.0.1:{settings['port']} <이 기계> 로 연결한 뒤 여세요.",
        "",
        f" 강사   {settings['instructor']:<16} 비밀번호 {pw[settings['instructor']]}",
        *[f" 학생   {s:<16} 비밀번호 {pw[s]}" for s in settings["students"]],
        "",
        " 강사: 터미널을 열고 (파일 → 새로 만들기 → 터미널)",
        "       cd ~/course && course release --exchange 01_repeat        # 배포",
        "       nbgrader collect 01_repeat && course autograde 01_repeat     # 모으기, 채점",
        "       course feedback 01_repeat && nbgrader release_feedback 01_repeat   # 피드백 나눠 주기",
        " 학생: 과제 목록(Alt+Shift+A)에서 Fetch, 풀고 '과제 확인', Submit,",
        "       피드백이 나오면 Fetch Feedback.",
        "",
        f" 비밀번호는 {settings['state']}/passwords.json (root만 읽음)에 있습니다. 끝내려면 Ctrl+C.",
        " 다시 시작해도 제출물, 성적부, 비밀번호는 그대로입니다. 계정까지 지우려면: sudo make hub HUB_CMD=remove",
        "=" * 72,
        "",
    ]
    print("\n".join(lines), flush=True)


def start(args) -> None:
    paths = install(args.install)
    settings = setup(args, paths)
    login_notes(settings)
    venv = Path(settings["venv"])
    env = {**os.environ, "CTXHUB_STATE": settings["state"],
           "PATH": f"{venv / 'bin'}{os.pathsep}{os.environ.get('PATH', '/usr/bin:/bin')}"}
    command = [str(venv / "bin" / "jupyterhub"), "-f", str(HUB / "jupyterhub_config.py")]
    os.chdir(settings["state"])
    os.execve(command[0], command, env)


def remove(args) -> None:
    """이 스크립트가 만든 계정(GECOS 표시가 있는 것만, 홈 폴더 포함)과 상태 폴더를 지웁니다."""
    need_root()
    state = args.state.resolve()
    names = [args.instructor, *[s for s in args.students.split(",") if s]]
    settings_path = state / "hub.json"
    if settings_path.exists():
        settings = json.loads(settings_path.read_text(encoding="utf-8"))
        names = [settings["instructor"], *settings["students"]]
    for name in names:
        try:
            entry = pwd.getpwnam(name)
        except KeyError:
            continue
        if MARK not in entry.pw_gecos:
            say(f"{name}은 이 스크립트가 만든 계정이 아니므로 지우지 않습니다.")
            continue
        account_command("userdel", "--remove", name, check=False)
        try:
            grp.getgrnam(name)
            account_command("groupdel", name, check=False)
        except KeyError:
            pass
        say(f"계정 지움: {name}")
    if state.exists() and (state / "hub.json").exists():
        shutil.rmtree(state)
        say(f"상태 폴더 지움: {state}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="강좌 JupyterHub (시험용): 설치, 계정, 실행 (root).")
    parser.add_argument("command", choices=["start", "install", "setup", "remove"], nargs="?", default="start")
    parser.add_argument("--install", type=Path, default=DEFAULT_INSTALL, help="가상환경과 프록시를 둘 곳")
    parser.add_argument("--state", type=Path, default=DEFAULT_STATE, help="Hub의 상태 폴더 (exchange, 설정, 비밀번호)")
    parser.add_argument("--instructor", default=DEFAULT_INSTRUCTOR, help="강사 계정")
    parser.add_argument("--students", default=DEFAULT_STUDENTS, help="학생 계정들 (쉼표로)")
    parser.add_argument("--port", type=int, default=8000, help="브라우저가 여는 포트 (127.0.0.1)")
    parser.add_argument("--hub-port", type=int, default=8081, help="Hub 내부 API 포트 (127.0.0.1)")
    parser.add_argument("--api-port", type=int, default=8001, help="프록시 API 포트 (127.0.0.1)")
    args = parser.parse_args(argv)
    if args.command == "install":
        print(json.dumps(install(args.install)))
    elif args.command == "setup":
        settings = setup(args, install(args.install))
        login_notes(settings)
    elif args.command == "remove":
        remove(args)
    else:
        start(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
