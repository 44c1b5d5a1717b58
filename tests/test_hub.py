"""강의실 한 바퀴를 진짜 JupyterHub에서: 강사 한 명과 학생 두 명(진짜 Unix 계정)을 headless Chromium으로.

``make hub``와 같은 ``hub/ctxhub.py start``로 Hub를 띄웁니다 (가상환경, 프록시, 계정, 강사의 강좌 폴더, exchange를
모두 프로젝트의 파일로 설치; 포트와 계정 이름만 테스트용). 그다음 브라우저로:

1. 강사가 로그인해 터미널에서 ``course release --exchange 01_repeat``
2. 학생 A가 로그인해 과제 목록에서 Fetch, 맞는 답을 쓰고, '과제 확인', Submit
3. 강사가 마감을 지금으로 정합니다 (``nbgrader db assignment add --duedate``): 뒤에 내는 B는 늦은 제출
4. 학생 B가 Fetch, 실수 모음(instructor/mistakes/)의 틀린 답을 쓰고, '과제 확인'(한국어 진단), Submit
5. 강사: ``nbgrader collect`` → ``course autograde`` → ``course feedback`` → ``nbgrader release_feedback``
   → ``course report``와 ``course export``에 B의 늦은 제출
6. A와 B가 Fetch Feedback으로 받은 자기 피드백 페이지를 엽니다: 맞는 점수와 한국어 진단
7. B가 A의 것을 열려고 합니다: Hub 화면(A의 서버, 파일, API)과 B의 커널(파일 시스템) 모두 막혀야 합니다
8. 강사가 늦은 제출의 감점 방식을 "zero"로 바꾸고 B만 다시 채점: 내보낸 성적에서 B는 0점 (원점수와 감점은 따로)
9. Hub를 끄고(Ctrl+C와 같은 SIGINT) 다시 켭니다: 사용자 서버가 모두 꺼지고, 제출물·피드백·성적부는 남아 다시
   로그인한 강사가 내보낸 성적이 끄기 전과 같습니다

단계마다 스크린샷을 ``artifacts/hub/``에 남깁니다. root가 아니면 (계정을 만들 수 없으므로) 건너뜁니다. 끝나면 Hub를
끄고, 테스트 계정의 프로세스를 끝내고, 계정(홈 폴더 포함)과 Hub 상태 폴더를 지웁니다. 모든 서버는 127.0.0.1에서만 듣습니다.
"""

from __future__ import annotations

import csv
import json
import os
import pwd
import re
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote

import nbformat
import psutil
import pytest

from browser.course import REPO
from browser.lab import free_port
from browser.student import ACTIVE, DIALOG, HANGUL, Shots, Student, launch_chromium

pytestmark = pytest.mark.browser
playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright가 없습니다: 'make setup'")

CTXHUB = REPO / "hub" / "ctxhub.py"
DEBIAN_PYTHON = "/usr/bin/python3"
INSTRUCTOR, ALICE, BOB = "ctxt-teacher", "ctxt-alice", "ctxt-bob"
STUDENTS = (ALICE, BOB)
ASSIGNMENT = "01_repeat"
NOTEBOOK = f"{ASSIGNMENT}/{ASSIGNMENT}.ipynb"
SOLUTION_ID = "repeat_weights"
MISTAKE = "input_mutated"           # 입력 a의 형상을 제자리에서 바꿈: 입력 보존 테스트만 틀림
ALICE_MARK = "# ctxt-alice의 풀이 (표시 Q7ZK)"   # B가 어디서도 보면 안 되는 A의 글귀
ARTIFACTS = REPO / "artifacts" / "hub"
DOCS_IMG = REPO / "docs" / "img"
INSTALL_TIMEOUT = 1800  # 초: 처음 설치(가상환경, 프록시)까지 기다리는 상한
SPAWN_TIMEOUT = 300_000  # ms: 로그인 후 사용자 서버가 뜰 때까지
COMMAND_TIMEOUT = 900   # 초: 강사의 명령 하나 (채점 포함)

if os.name != "posix" or os.geteuid() != 0:
    pytest.skip("JupyterHub 테스트는 Unix 계정을 만들므로 root로 실행해야 합니다.", allow_module_level=True)


# ---- Hub 띄우기와 치우기 -------------------------------------------------------------------------------
def clean_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("JUPYTER", "IPYTHON", "MPL", "CTXCOURSE", "VIRTUAL_ENV", "PYTHON"))}
    env["PATH"] = "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin"
    return env


class Hub:
    """``hub/ctxhub.py start``로 띄운 Hub (``make hub``와 같은 명령, 포트·계정·상태 폴더만 테스트용)."""

    def __init__(self, state: Path, log_path: Path):
        self.state, self.log_path = state, log_path
        self.port, self.hub_port, self.api_port = free_port(), free_port(), free_port()
        self.process: subprocess.Popen | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def user_url(self, user: str, path: str = "") -> str:
        return f"{self.base}/user/{user}/{path.lstrip('/')}"

    def args(self) -> list[str]:
        return ["--state", str(self.state), "--instructor", INSTRUCTOR, "--students", ",".join(STUDENTS)]

    def start(self) -> None:
        command = [DEBIAN_PYTHON, str(CTXHUB), "start", *self.args(), "--port", str(self.port),
                   "--hub-port", str(self.hub_port), "--api-port", str(self.api_port)]
        log = open(self.log_path, "a", encoding="utf-8")
        self.process = subprocess.Popen(command, cwd=REPO, env=clean_env(), stdout=log, stderr=subprocess.STDOUT,
                                        start_new_session=True)
        log.close()
        deadline = time.monotonic() + INSTALL_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"Hub가 끝나 버렸습니다 (exit {self.process.returncode}):\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(f"{self.base}/hub/health", timeout=5) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(1)
        raise AssertionError(f"Hub가 {INSTALL_TIMEOUT}초 안에 뜨지 않았습니다:\n{self.log_tail()}")

    def stop(self) -> None:
        """Ctrl+C와 같은 SIGINT: Hub가 프록시와 사용자 서버를 끄고 끝납니다."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=120)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)

    def log_tail(self, size: int = 4000) -> str:
        text = self.log_path.read_text(encoding="utf-8", errors="replace") if self.log_path.exists() else ""
        return "\n".join(line for line in text.splitlines() if not line.startswith("WARNING: Location"))[-size:]

    def passwords(self) -> dict[str, str]:
        return json.loads((self.state / "passwords.json").read_text())

    def settings(self) -> dict:
        return json.loads((self.state / "hub.json").read_text(encoding="utf-8"))


def user_processes(names=(INSTRUCTOR, *STUDENTS)) -> list[psutil.Process]:
    uids = set()
    for name in names:
        try:
            uids.add(pwd.getpwnam(name).pw_uid)
        except KeyError:
            pass
    found = []
    for process in psutil.process_iter(["uids"]):
        uids_info = process.info.get("uids")
        if uids_info is not None and uids_info.real in uids:
            found.append(process)
    return found


def living_user_processes(wait: float = 60) -> list[dict]:
    """테스트 계정의 살아 있는 프로세스 (끝나는 중인 것은 끝날 때까지 기다립니다; 좀비는 셈하지 않음)."""
    deadline = time.monotonic() + wait
    while True:
        left = []
        for process in user_processes():
            try:
                if process.status() != psutil.STATUS_ZOMBIE:
                    left.append({"pid": process.pid, "cmdline": process.cmdline()})
            except psutil.Error:
                pass
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(0.5)


def end_user_processes() -> None:
    """테스트 계정으로 남은 프로세스를 pid로 하나씩 끝냅니다 (이 테스트가 만든 계정의 것만)."""
    for process in user_processes():
        try:
            process.kill()
        except psutil.Error:
            pass


def remove_accounts(state: Path) -> None:
    subprocess.run([DEBIAN_PYTHON, str(CTXHUB), "remove", "--state", str(state), "--instructor", INSTRUCTOR,
                    "--students", ",".join(STUDENTS)], cwd=REPO, env=clean_env(), capture_output=True, timeout=300)


@pytest.fixture(scope="module")
def hub():
    for tool in (DEBIAN_PYTHON, "/usr/bin/chromium"):
        if not Path(tool).exists():
            pytest.fail(f"{tool}이 없습니다 ('make setup'이 설치합니다).")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    state = Path(tempfile.mkdtemp(prefix="ctxhub-test-", dir="/tmp"))
    os.chmod(state, 0o755)  # 학생 계정이 exchange와 설정을 읽을 수 있게 (pytest의 tmp_path는 root만 들어감)
    remove_accounts(state / "none")  # 지난 실행이 남긴 테스트 계정이 있으면 지웁니다 (이 스크립트의 표시가 있는 것만)
    log_path = ARTIFACTS / "hub.log"
    log_path.write_text("", encoding="utf-8")
    server = Hub(state, log_path)
    try:
        server.start()
        yield server
    finally:
        server.stop()
        end_user_processes()
        remove_accounts(state)
        shutil.rmtree(state, ignore_errors=True)


# ---- 브라우저 속 사람 -------------------------------------------------------------------------------
class HubPage:
    """Student가 쓰는 ``lab`` 자리: 주소는 Hub의 ``/user/<이름>/``, 기록은 Hub의 기록."""

    def __init__(self, hub: Hub, user: str):
        self.hub, self.user = hub, user
        self.log_path = hub.log_path

    def url(self, path: str = "lab") -> str:
        return self.hub.user_url(self.user, path)


class HubStudent(Student):
    """Hub에 로그인한 사람 한 명 (자기 브라우저 문맥: 쿠키가 따로)."""

    def __init__(self, page, hub: Hub, user: str, shots: Shots):
        super().__init__(page, HubPage(hub, user), shots)
        self.hub, self.user = hub, user

    def shot(self, name: str) -> Path:
        return self.shots.take(self.page, name)

    def login(self, name_prefix: str) -> None:
        page = self.page
        page.goto(f"{self.hub.base}/hub/login", wait_until="domcontentloaded")
        if page.query_selector("#username_input"):
            page.fill("#username_input", self.user)
            page.fill("#password_input", self.hub.passwords()[self.user])
            self.shot(f"{name_prefix}_login")
            page.click("#login_submit")
            page.wait_for_load_state("domcontentloaded")
        if f"/user/{self.user}/" not in page.url:  # 이미 로그인했는데 서버가 꺼져 있으면 (Hub를 다시 켠 뒤) 띄웁니다
            page.goto(f"{self.hub.base}/hub/spawn/{self.user}", wait_until="domcontentloaded")
        try:
            page.wait_for_url(re.compile(rf"/user/{self.user}/lab"), timeout=SPAWN_TIMEOUT)
            page.wait_for_selector("#jp-main-dock-panel", timeout=SPAWN_TIMEOUT)
        except Exception:  # noqa: BLE001
            self.fail(f"{self.user}의 JupyterLab이 뜨지 않았습니다. 지금 주소: {page.url}", "login")
        page.wait_for_selector("#jp-MainMenu .lm-MenuBar-item", timeout=SPAWN_TIMEOUT)

    def park(self) -> None:
        """다음 차례까지 빈 페이지로 갑니다: 열어 둔 JupyterLab(과제 목록, 터미널 커서)이 기다리는 동안에도 브라우저의
        CPU를 쓰기 때문입니다. 다음 차례는 ``login``으로 다시 엽니다 (로그인 쿠키는 그대로)."""
        self.page.goto("about:blank")

    # Student의 서버 API를 브라우저의 쿠키로 (Hub가 준 로그인)
    def api(self, path: str):
        response = self.page.request.get(self.lab.url(f"api/{path}"))
        if not response.ok:
            self.fail(f"api/{path}: HTTP {response.status}", "api")
        return response.json()

    def shut_down_kernel(self, path: str) -> None:
        session = self.session_for(path)
        if session:
            xsrf = next((c["value"] for c in self.page.context.cookies() if c["name"] == "_xsrf"), "")
            self.page.request.delete(self.lab.url(f"api/sessions/{session['id']}"), headers={"X-XSRFToken": xsrf})

    def open_notebook(self, path: str) -> None:
        """노트북을 열고, 커널이 이 사람의 Unix 계정과 Hub의 가상환경으로 돌 때까지 기다립니다."""
        page = self.page
        page.goto(self.lab.url(f"lab/tree/{path}"), wait_until="domcontentloaded")
        page.wait_for_selector(f"{ACTIVE} .jp-Notebook .jp-Cell", timeout=SPAWN_TIMEOUT)
        deadline = time.monotonic() + SPAWN_TIMEOUT / 1000
        while time.monotonic() < deadline:
            session = self.session_for(path)
            if session and session["kernel"]["execution_state"] == "idle":
                owner, python = kernel_owner(session["kernel"]["id"])
                venv = self.hub.settings()["venv"]
                self.expect(owner == self.user and python and python.startswith(venv),
                            f"{path}의 커널이 {self.user}의 계정과 {venv}가 아니라 {owner}, {python}로 돕니다.", "kernel")
                return
            page.wait_for_timeout(250)
        self.fail(f"{path}의 커널이 준비되지 않았습니다.", "open_kernel")

    def open_assignment_list(self) -> None:
        """과제 목록을 엽니다: 단축키 Alt+Shift+A (README의 학생 안내), 안 되면 메뉴에서."""
        page = self.page
        page.keyboard.press("Escape")
        page.keyboard.press("Alt+Shift+A")
        try:
            page.wait_for_selector("#nbgrader-assignment-list", timeout=15_000)
        except Exception:  # noqa: BLE001
            commands = ("li.lm-Menu-item[data-command='ctxcourse:assignment-list'], "
                        "li.lm-Menu-item[data-command='nbgrader:open-assignment-list']")
            for label in ("과제", "Nbgrader"):
                item = page.locator("#jp-MainMenu .lm-MenuBar-item").filter(has_text=label)
                if item.count():
                    item.first.click()
                    if page.locator(commands).count():
                        page.locator(commands).first.click()
                        break
                    page.keyboard.press("Escape")
        self.wait_assignment_list()

    def fetch(self, assignment: str) -> None:
        row = self.page.locator("#released_assignments_list > .list_item").filter(has_text=assignment).first
        try:
            row.wait_for(timeout=60_000)
        except Exception:  # noqa: BLE001
            self.fail(f"배포된 과제 목록에 {assignment}이 없습니다.", "fetch")
        row.locator("button").first.click()
        try:
            self.fetched_row(assignment).wait_for(timeout=120_000)
        except Exception:  # noqa: BLE001
            self.fail(f"{assignment}을 받지(Fetch) 못했습니다.", "fetch")

    def submit(self, assignment: str) -> None:
        self.fetched_row(assignment).locator(".item_status button").first.click()
        page = self.page
        page.wait_for_function("""(name) => {
            const dialog = document.querySelector('.jp-Dialog');
            const list = document.getElementById('submitted_assignments_list');
            return dialog !== null || (list && list.querySelector('.ctx-local-time') && list.innerText.includes(name));
        }""", arg=assignment, timeout=120_000, polling=500)
        if page.query_selector(DIALOG):  # 저장하지 않은 변경: '저장하고 제출'
            self.expect(page.locator(".jp-Dialog .ctx-submit-stubs").count() == 0,
                        "빈칸이 없는데 빈칸 경고가 나옵니다.", "submit")
            page.click(".jp-Dialog .jp-mod-accept")
        self.wait_submitted(assignment)

    def fetch_feedback(self, assignment: str) -> str:
        """제출한 과제의 Fetch Feedback을 누르고, 받은 피드백 HTML의 (서버 안) 경로를 돌려줍니다."""
        page = self.page
        row = page.locator("#submitted_assignments_list > .list_item").filter(has_text=assignment).first
        button = row.locator("button").filter(has_text=re.compile("Fetch Feedback|피드백"))
        button.first.click()
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            listing = self.page.request.get(self.lab.url(f"api/contents/{assignment}/feedback"))
            if listing.ok and listing.json()["content"]:
                folder = sorted(item["path"] for item in listing.json()["content"])[-1]
                return f"{folder}/{assignment}.html"
            page.wait_for_timeout(500)
        self.fail(f"{assignment}의 피드백을 받지 못했습니다.", "fetch_feedback")
        return ""

    # 강사의 터미널
    def open_terminal(self) -> None:
        """런처의 '터미널' 카드로 터미널을 엽니다. 로그인 직후의 새 작업 공간에는 런처가 이미 있고, 없으면 새 작업
        공간(``lab?reset``)을 엽니다."""
        page = self.page
        card = page.locator(".jp-LauncherCard").filter(has_text=re.compile("터미널|Terminal")).first
        try:
            card.wait_for(timeout=10_000)
        except Exception:  # noqa: BLE001  (지난 작업 공간이 되살아나 런처가 없음)
            page.goto(self.lab.url("lab?reset"), wait_until="domcontentloaded")
        card.wait_for(timeout=SPAWN_TIMEOUT)
        card.click()
        page.wait_for_selector(".jp-Terminal .xterm-screen", timeout=120_000)

    def terminal(self, step: str, command: str, home: Path) -> str:
        """터미널에 명령을 쳐 넣고 끝날 때까지 기다립니다. 출력(파일에도 남김)을 돌려줍니다."""
        marks = home / ".hubtest"
        rc_file, log_file = marks / f"{step}.rc", marks / f"{step}.log"
        line = f"clear; ({command}) 2>&1 | tee ~/.hubtest/{step}.log; echo ${{PIPESTATUS[0]}} > ~/.hubtest/{step}.rc"
        self.page.locator(".jp-Terminal .xterm-screen").last.click()
        self.page.keyboard.type(line)
        self.page.keyboard.press("Enter")
        deadline = time.monotonic() + COMMAND_TIMEOUT
        while time.monotonic() < deadline and not (rc_file.exists() and rc_file.read_text().strip()):
            self.page.wait_for_timeout(500)
        self.page.wait_for_timeout(500)  # 터미널이 마지막 줄을 그릴 때까지
        self.shot(f"{step}")
        output = log_file.read_text(encoding="utf-8", errors="replace") if log_file.exists() else ""
        rc = rc_file.read_text().strip() if rc_file.exists() else "(끝나지 않음)"
        self.expect(rc == "0", f"강사의 명령 '{command}'이 실패했습니다 (exit {rc}):\n{output[-3000:]}", step)
        return output


def kernel_owner(kernel_id: str) -> tuple[str | None, str | None]:
    for process in psutil.process_iter(["cmdline", "username"]):
        cmdline = process.info["cmdline"] or []
        if any(f"kernel-{kernel_id}.json" in arg for arg in cmdline):
            return process.info["username"], cmdline[0]
    return None, None


# ---- 과제의 답 ----------------------------------------------------------------------------------------
_DELIMITER = re.compile(r"^\s*### (BEGIN|END) SOLUTION\s*$")


def correct_answer() -> str:
    nb = nbformat.read(REPO / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == SOLUTION_ID)
    return "\n".join(line for line in cell.source.splitlines() if not _DELIMITER.match(line)) + f"\n{ALICE_MARK}\n"


def banked_mistake():
    from ctxcourse.mistakes import mistakes_for

    return next(m for m in mistakes_for(ASSIGNMENT) if m.key == MISTAKE)


def points() -> dict[str, float]:
    nb = nbformat.read(REPO / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    return {c.metadata.nbgrader["grade_id"]: float(c.metadata.nbgrader.get("points", 0)) for c in nb.cells
            if c.metadata.get("nbgrader", {}).get("grade")}


def work_on_assignment(person: HubStudent, prefix: str, code: str) -> dict:
    """받은 과제를 열어 해답 셀을 쓰고 '과제 확인'을 누릅니다. 과제 확인 결과를 돌려줍니다."""
    person.open_notebook(NOTEBOOK)
    person.fill_cell(f"def {SOLUTION_ID}", code)
    person.click_validate_button()
    result = person.wait_validate_result()
    person.shot(f"{prefix}_validate")
    person.close_dialog()
    return result


# ---- B의 커널에서 해 보기 ----------------------------------------------------------------------------
PROBE = '''import json, os, pwd
print("커널 계정:", pwd.getpwuid(os.getuid()).pw_name)
for label, kind, path in json.loads({targets!r}):
    try:
        os.listdir(path) if kind == "list" else open(path, "rb").read(1)
        print("열림", label, path)
    except OSError as error:
        print("막힘", label, type(error).__name__)
'''


def probe_targets(settings: dict) -> list[tuple[str, str, str]]:
    alice, teacher = Path(pwd.getpwnam(ALICE).pw_dir), Path(pwd.getpwnam(INSTRUCTOR).pw_dir)
    course, exchange = teacher / "course", Path(settings["exchange"]) / settings["course_id"]
    return [
        ("A의 과제 노트북", "read", str(alice / NOTEBOOK)),
        ("A의 홈 폴더", "list", str(alice)),
        ("A가 받은 피드백", "list", str(alice / ASSIGNMENT / "feedback")),
        ("exchange의 제출함", "list", str(exchange / "inbound")),
        ("exchange의 피드백함", "list", str(exchange / "feedback")),
        ("강사의 홈 폴더", "list", str(teacher)),
        ("성적부", "read", str(course / "gradebook.db")),
        ("해답 source/", "read", str(course / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")),
        ("강사가 모은 A의 제출물", "read", str(course / "submitted" / ALICE / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")),
        ("A의 피드백 원본", "read", str(course / "feedback" / ALICE / ASSIGNMENT / f"{ASSIGNMENT}.html")),
    ]


def write_probe_notebook(settings: dict) -> tuple[str, list]:
    targets = probe_targets(settings)
    for label, _, path in targets:
        assert Path(path).exists(), f"확인할 대상이 없습니다: {label} {path}"
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("다른 사람의 파일을 열어 봅니다 (모두 '막힘'이어야 합니다)."),
                nbformat.v4.new_code_cell(PROBE.format(targets=json.dumps(targets, ensure_ascii=False)))]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
    entry = pwd.getpwnam(BOB)
    path = Path(entry.pw_dir) / "isolation_check.ipynb"
    nbformat.write(nb, path)
    os.chown(path, entry.pw_uid, entry.pw_gid)
    return path.name, targets


def save_doc_image(source: Path, name: str) -> None:
    from PIL import Image

    DOCS_IMG.mkdir(parents=True, exist_ok=True)
    with Image.open(source) as image:
        image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(
            DOCS_IMG / f"{name}.png", optimize=True)


# ---- 한 바퀴 --------------------------------------------------------------------------------------------
def test_class_loop_on_the_hub(hub):
    from playwright.sync_api import sync_playwright

    started = time.monotonic()
    shots = Shots(ARTIFACTS)
    settings = hub.settings()
    teacher_home = Path(pwd.getpwnam(INSTRUCTOR).pw_dir)
    course = teacher_home / "course"
    marks = teacher_home / ".hubtest"
    marks.mkdir(exist_ok=True)
    entry = pwd.getpwnam(INSTRUCTOR)
    os.chown(marks, entry.pw_uid, entry.pw_gid)
    mistake = banked_mistake()
    pts = points()
    start_line = list(Path(settings["venv"]).glob("lib/python3*/site-packages/ctxcourse_fast_start.pth"))
    assert [p.read_bytes() for p in start_line] == [(REPO / "ctxcourse" / "fast_start.pth").read_bytes()], start_line
    expected = {ALICE: sum(pts.values()), BOB: sum(pts.values()) - sum(pts[t] for t in mistake.lost)}

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        contexts = {}

        def person(user: str) -> HubStudent:
            if user not in contexts:
                context = browser.new_context(viewport={"width": 1280, "height": 720}, locale="ko-KR",
                                              timezone_id="Asia/Seoul")
                contexts[user] = HubStudent(context.new_page(), hub, user, shots)
            return contexts[user]

        try:
            # 1) 강사: 로그인, 터미널에서 배포
            teacher = person(INSTRUCTOR)
            teacher.login("01_instructor")
            menus = teacher.menu_labels()
            teacher.expect(any(HANGUL.search(m) for m in menus), f"강사 화면의 메뉴가 한국어가 아닙니다: {menus}")
            teacher.open_terminal()
            out = teacher.terminal("02_instructor_release", f"cd ~/course && course release --exchange {ASSIGNMENT}",
                                   teacher_home)
            outbound = Path(settings["exchange"]) / settings["course_id"] / "outbound" / ASSIGNMENT
            teacher.expect((outbound / f"{ASSIGNMENT}.ipynb").is_file(), f"exchange에 배포본이 없습니다:\n{out}")

            # 2) 학생 A: Fetch, 맞는 답, 과제 확인, Submit
            alice = person(ALICE)
            alice.login("03_alice")
            alice.expect(not alice.instructor_tools_visible(), "학생 화면에 강사용 도구가 보입니다.", "tools")
            alice.open_assignment_list()
            alice.fetch(ASSIGNMENT)
            alice.shot("04_alice_fetched")
            result = work_on_assignment(alice, "05_alice", correct_answer())
            alice.expect(result["status"] == "success" and "모두 통과" in result["headline"],
                         f"맞는 답인데 과제 확인이 통과하지 않았습니다:\n{result['text']}", "validate")
            alice.open_assignment_list()
            alice.submit(ASSIGNMENT)
            alice.shot("06_alice_submitted")
            alice.shut_down_kernel(NOTEBOOK)
            alice.park()

            # 3) 강사: 마감을 지금으로 (A는 제때, 뒤에 내는 B는 늦음)
            teacher.terminal("07_instructor_duedate",
                             f"cd ~/course && nbgrader db assignment add {ASSIGNMENT} "
                             "--duedate=\"$(date -u '+%Y-%m-%d %H:%M:%S') UTC\"", teacher_home)

            # 4) 학생 B: Fetch, 실수 모음의 틀린 답, 과제 확인(한국어 진단), Submit
            bob = person(BOB)
            bob.login("08_bob")
            bob.open_assignment_list()
            bob.fetch(ASSIGNMENT)
            result = work_on_assignment(bob, "09_bob", mistake.cells[SOLUTION_ID])
            diagnosis = next(iter(mistake.messages.values()))
            bob.expect(result["status"] != "success" and any(diagnosis in m for m in result["messages"]),
                       f"틀린 답의 과제 확인에 '{diagnosis}'가 없습니다:\n{result['text']}", "validate")
            bob.open_assignment_list()
            bob.submit(ASSIGNMENT)
            bob.shot("10_bob_submitted")
            bob.shut_down_kernel(NOTEBOOK)
            bob.park()

            inbound = Path(settings["exchange"]) / settings["course_id"] / "inbound"
            assert len(list(inbound.iterdir())) == 2, sorted(inbound.iterdir())

            # 5) 강사: 모으기 → 채점 → 피드백 → 나눠 주기 → 보고서와 내보내기
            teacher.terminal("12_instructor_collect", f"cd ~/course && nbgrader collect {ASSIGNMENT}", teacher_home)
            out = teacher.terminal("13_instructor_autograde", f"cd ~/course && course autograde {ASSIGNMENT}",
                                   teacher_home)
            teacher.terminal("14_instructor_feedback", f"cd ~/course && course feedback {ASSIGNMENT}", teacher_home)
            teacher.terminal("15_instructor_release_feedback",
                             f"cd ~/course && nbgrader release_feedback {ASSIGNMENT}", teacher_home)
            report = teacher.terminal("16_instructor_report",
                                      "cd ~/course && course export --to grades.csv && course report", teacher_home)
            with open(course / "grades.csv", encoding="utf-8", newline="") as handle:
                rows = {row["student_id"]: row for row in csv.DictReader(handle)}
            assert {s: float(rows[s]["score"]) for s in STUDENTS} == expected, (rows, out)
            assert rows[BOB]["late"] == "True" and rows[ALICE]["late"] == "False", rows
            assert rows[BOB]["status"] == "늦음" and rows[ALICE]["status"] == "제출", rows
            assert "늦음" in report, report

            # 6) A와 B: Fetch Feedback, 자기 피드백 페이지
            pages = {}
            for user, prefix in ((ALICE, "17_alice"), (BOB, "18_bob")):
                someone = person(user)
                someone.login(f"{prefix}_again")
                someone.open_assignment_list()
                feedback = someone.fetch_feedback(ASSIGNMENT)
                someone.shot(f"{prefix}_feedback_fetched")
                someone.page.goto(someone.lab.url(f"files/{quote(feedback)}"), wait_until="load")
                shot = someone.shot(f"{prefix}_feedback_page")
                pages[user] = someone.page.inner_text("body")
                score = f"총점 {expected[user]:g} / {sum(pts.values()):g}점"
                someone.expect(score in pages[user], f"{user}의 피드백 페이지에 '{score}'가 없습니다.", "feedback")
                failed = someone.page.locator(".test.fail")
                someone.expect(failed.count() == (0 if user == ALICE else len(mistake.lost)),
                               f"{user}의 피드백 페이지에 실패한 테스트가 {failed.count()}개입니다.", "feedback")
                if failed.count():  # 실수한 학생: 한국어 진단이 보이는 곳
                    failed.first.scroll_into_view_if_needed()
                    shot = someone.shot(f"{prefix}_feedback_diagnosis")
                save_doc_image(shot, f"hub_feedback_{'correct' if user == ALICE else 'mistake'}")
            person(ALICE).park()
            assert diagnosis in pages[BOB], pages[BOB][:2000]
            assert ALICE_MARK.strip("# ") in pages[ALICE] and ALICE_MARK.strip("# ") not in pages[BOB]
            for text in pages.values():
                assert "BEGIN HIDDEN TESTS" not in text and "BEGIN SOLUTION" not in text

            # 7) B가 A의 것을 열어 봅니다: Hub 화면으로
            page = bob.page
            response = page.goto(hub.user_url(ALICE, f"lab/tree/{NOTEBOOK}"), wait_until="domcontentloaded")
            bob.shot("19_bob_opens_alice_server")
            attempts = {"A의 JupyterLab": (response.status if response else None, page.content())}
            for label, url in {
                "A의 파일": hub.user_url(ALICE, f"files/{NOTEBOOK}"),
                "A의 contents API": hub.user_url(ALICE, f"api/contents/{NOTEBOOK}"),
                "A의 피드백 (contents API)": hub.user_url(ALICE, f"api/contents/{ASSIGNMENT}/feedback"),
                "B의 서버에서 ../A": hub.user_url(BOB, f"api/contents/..%2F{ALICE}%2F{quote(NOTEBOOK, safe='')}"),
                "B의 서버 files/../A": hub.user_url(BOB, f"files/..%2F{ALICE}%2F{quote(NOTEBOOK, safe='')}"),
                "Hub API의 A": f"{hub.base}/hub/api/users/{ALICE}",
            }.items():
                answer = page.request.get(url)
                attempts[label] = (answer.status, answer.text())
            for label, (status, body) in attempts.items():
                assert ALICE_MARK not in body and "Q7ZK" not in body, f"B가 {label}에서 A의 답을 보았습니다 ({status})"
                assert status != 200 or label == "A의 JupyterLab", f"B의 {label} 요청이 200입니다: {body[:300]}"
            assert not re.search(rf"/user/{ALICE}/lab", page.url) or "jp-MainMenu" not in page.content(), page.url

            # ... 그리고 B의 커널(파일 시스템)로
            probe, targets = write_probe_notebook(settings)
            bob.open_notebook(probe)
            bob.page.locator(f"{ACTIVE} .jp-CodeCell .cm-content").first.click()
            bob.page.keyboard.press("Shift+Enter")
            bob.page.wait_for_function(
                "(n) => (document.querySelector('#jp-main-dock-panel .jp-NotebookPanel:not(.lm-mod-hidden) "
                ".jp-OutputArea') || {innerText: ''}).innerText.split('\\n').filter(l => /^(막힘|열림)/.test(l)).length >= n",
                arg=len(targets), timeout=120_000, polling=500)
            output = bob.page.inner_text(f"{ACTIVE} .jp-OutputArea")
            shot = bob.shot("20_bob_kernel_isolation")
            save_doc_image(shot, "hub_isolation")
            assert f"커널 계정: {BOB}" in output, output
            opened = [line for line in output.splitlines() if line.startswith("열림")]
            assert not opened, f"B의 커널이 열 수 있었던 것: {opened}"
            assert sum(line.startswith("막힘") for line in output.splitlines()) == len(targets), output

            # 8) 감점 방식은 강사의 설정: "zero"로 바꾸고 B만 다시 채점하면 늦은 제출은 0점 (원점수와 감점은 따로)
            teacher.terminal("21_instructor_penalty",
                             "cd ~/course && echo 'c.LateSubmissionPlugin.penalty_method = \"zero\"' >> nbgrader_config.py"
                             f" && course autograde {ASSIGNMENT} --student {BOB} --force && course export --to grades.csv",
                             teacher_home)
            with open(course / "grades.csv", encoding="utf-8", newline="") as handle:
                rows = {row["student_id"]: row for row in csv.DictReader(handle)}
            assert float(rows[BOB]["score"]) == 0 and float(rows[BOB]["raw_score"]) == expected[BOB], rows[BOB]
            assert float(rows[BOB]["late_submission_penalty"]) == expected[BOB], rows[BOB]
            assert float(rows[ALICE]["score"]) == expected[ALICE], rows[ALICE]

            # 9) Hub를 껐다 켭니다: 사용자 서버가 모두 꺼지고, 제출물·피드백·성적부는 그대로
            kept = {folder: sorted(p.name for p in folder.iterdir())
                    for folder in (inbound, inbound.parent / "feedback")}
            before = (course / "grades.csv").read_text(encoding="utf-8")
            hub.stop()
            left = living_user_processes()
            assert not left, f"Hub를 껐는데 사용자 프로세스가 남았습니다: {left}"
            hub.start()
            assert {folder: sorted(p.name for p in folder.iterdir()) for folder in kept} == kept
            teacher.login("22_instructor_again")
            teacher.open_terminal()
            teacher.terminal("23_instructor_export_again", "cd ~/course && course export --to grades.csv",
                             teacher_home)
            assert (course / "grades.csv").read_text(encoding="utf-8") == before
        finally:
            for someone in contexts.values():
                someone.page.context.close()
            browser.close()
    elapsed = time.monotonic() - started
    (ARTIFACTS / "loop_time.txt").write_text(f"{elapsed:.0f}초 (Hub 설치 뒤 한 바퀴)\n", encoding="utf-8")
    print(f"Hub 한 바퀴: {elapsed:.0f}초")
