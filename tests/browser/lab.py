"""학생용 JupyterLab 서버를 ``make lab``과 똑같이 띄웁니다: 강좌 사본에서 ``python -m ctxcourse.studentlab.lab``.

``make lab``의 명령(``$(BIN)/python -m ctxcourse.studentlab.lab --course . --student student -- $(LAB_ARGS)``)에서
``LAB_ARGS``만 테스트용으로 줍니다: 빈 loopback 포트, 토큰, 브라우저 열지 않기. 학생 폴더 준비(강의 복사,
exchange로 배포, Fetch), 학생용 설정 폴더(``.jupyter-student/``), root일 때 ``--allow-root``는 모두 make lab의 것입니다.

사용자의 ``~/.local/share/jupyter``, ``~/.ipython``에 쓰지 않도록 Jupyter 데이터·런타임, IPython, matplotlib 폴더는
임시 폴더로 돌립니다. 학생의 시간대는 ``TZ=Asia/Seoul``입니다 (브라우저도 같은 시간대).
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

BIN = Path(sys.executable).parent
REPO = Path(__file__).resolve().parents[2]
STUDENT_TZ = "Asia/Seoul"
START_TIMEOUT = 180  # 초: 부하가 큰 2코어 기계에서도 충분하도록


def free_port() -> int:
    """지금 비어 있는 127.0.0.1의 TCP 포트 번호."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def isolated_env(home: Path) -> dict[str, str]:
    """서버와 커널이 쓸 환경 변수: 데이터·런타임·캐시를 ``home`` 아래 임시 폴더로 (설정 폴더는 make lab이 정함)."""
    dirs = {
        "JUPYTER_DATA_DIR": home / "jupyter-data",
        "JUPYTER_RUNTIME_DIR": home / "jupyter-runtime",
        "IPYTHONDIR": home / "ipython",
        "MPLCONFIGDIR": home / "matplotlib",
    }
    for folder in dirs.values():
        folder.mkdir(parents=True, exist_ok=True)
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("JUPYTER", "IPYTHON", "MPL", "CTXCOURSE")) and key not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env.update({key: str(value) for key, value in dirs.items()})
    env.update({
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "JUPYTER_PLATFORM_DIRS": "1",
        "TZ": STUDENT_TZ,
    })
    return env


def launcher_command(course: Path, lab_args: list[str]) -> list[str]:
    """make lab의 명령 (``LAB_ARGS``만 다름)."""
    return [sys.executable, "-m", "ctxcourse.studentlab.lab", "--course", str(course), "--student",
            str(course / "student"), "--", *lab_args]


class JupyterLab:
    """``with JupyterLab(root, home, log) as lab:`` 안에서 ``lab.url(path)``로 페이지 주소를 얻습니다."""

    def __init__(self, course: Path, home: Path, log_path: Path):
        self.course_root, self.home, self.log_path = course, home, log_path
        self.root = course / "student"
        self.token = secrets.token_hex(16)
        self.port = 0
        self.process: subprocess.Popen | None = None
        self.course = None  # 테스트가 StudentCourse를 붙여 둡니다
        self._log = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str = "lab") -> str:
        joiner = "&" if "?" in path else "?"
        return f"{self.base}/{path.lstrip('/')}{joiner}token={self.token}"

    def command(self) -> list[str]:
        return launcher_command(self.course_root, [
            "--no-browser", "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={self.port}",
            "--ServerApp.port_retries=0", f"--IdentityProvider.token={self.token}",
        ])

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return ""

    def start(self) -> "JupyterLab":
        if not (BIN / "jupyter-lab").exists():
            raise RuntimeError(f"{BIN / 'jupyter-lab'}이 없습니다. 'make setup'으로 가상환경을 설치하세요.")
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        for attempt in range(3):
            self.port = free_port()
            self._log = open(self.log_path, "w", encoding="utf-8")
            self.process = subprocess.Popen(self.command(), cwd=self.course_root, env=isolated_env(self.home),
                                            stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True)
            if self._wait_ready():
                return self
            self.stop()
            if "already in use" not in self.log_text():
                break
        raise RuntimeError(f"JupyterLab이 {START_TIMEOUT}초 안에 뜨지 않았습니다. 서버 기록: {self.log_path}\n"
                           f"{self.log_text()[-3000:]}")

    def _wait_ready(self) -> bool:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            try:
                with urllib.request.urlopen(self.url("api/status"), timeout=5) as response:
                    if response.status == 200:
                        return True
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.3)
        return False

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()  # SIGTERM: 서버가 커널들을 정리하고 끝납니다
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, 9)
                self.process.wait(timeout=10)
        if self._log is not None:
            self._log.close()
            self._log = None

    def __enter__(self) -> "JupyterLab":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
