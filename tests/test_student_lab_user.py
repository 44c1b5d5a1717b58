"""``make lab``을 일반 사용자(root가 아닌)로: 학교 기계처럼 자기 clone에서 시스템 파이썬으로.

이 기계의 가상환경(``.venv``)은 ``/root/.pyenv``의 파이썬을 가리키고 ``/root``는 700이라 다른 사용자는 쓸 수
없습니다. 학교 기계에서 학생(일반 사용자)이 하는 그대로 합니다:

1. 버리는 일반 사용자를 만듭니다 (``useradd``; 끝나면 그 사용자의 프로세스를 pid로 끝내고 ``userdel -r``).
2. 그 사용자로 이 저장소를 ``git clone``합니다 (커밋된 상태 = 새 clone).
3. 그 사용자로 ``make lab PY=/usr/bin/python3 LAB_ARGS=...``: 가상환경을 Debian의 python3으로 만들고
   의존성을 설치한 뒤(``pip``가 패키지 저장소에서 받음) 학생 폴더를 준비하고 JupyterLab을 엽니다.
4. 서버가 127.0.0.1에서 답하는지, 그 사용자로 돌고 ``--allow-root`` 없이 떴는지, 학생용 확장이 실렸는지,
   과제의 '과제 확인'(새 커널에서 실행)이 그 사용자의 커널로 한국어 결과를 돌려주는지 확인합니다.

root로 실행할 때만 돕니다 (사용자를 만들 수 있어야 합니다). 의존성 설치 때문에 몇 분 걸립니다 (``slow``).
"""

from __future__ import annotations

import json
import os
import pwd
import secrets
import shutil
import signal
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import psutil
import pytest

from browser.lab import free_port

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]
SYSTEM_PYTHON = "/usr/bin/python3"
READY_TIMEOUT = 1800  # 초: 새 가상환경에 의존성을 모두 설치하고 서버가 뜰 때까지 (2코어, 네트워크)
ASSIGNMENT = "01_repeat"


def _can_make_users() -> str | None:
    if os.geteuid() != 0:
        return "사용자를 만들려면 root여야 합니다"
    for tool in ("useradd", "userdel", "runuser", "git", "make"):
        if shutil.which(tool) is None:
            return f"{tool}이 없습니다"
    if not Path(SYSTEM_PYTHON).exists():
        return f"{SYSTEM_PYTHON}이 없습니다"
    return None


@pytest.fixture
def school_user(tmp_path):
    """버리는 일반 사용자 (홈 폴더는 /home/<이름>). 끝나면 그 사용자의 프로세스를 끝내고 지웁니다."""
    reason = _can_make_users()
    if reason:
        pytest.skip(reason)
    name = f"ctxlab{secrets.token_hex(3)}"
    subprocess.run(["useradd", "--create-home", "--shell", "/bin/bash", name], check=True, timeout=60)
    try:
        yield pwd.getpwnam(name)
    finally:
        uid = pwd.getpwnam(name).pw_uid
        for _ in range(2):
            procs = [p for p in psutil.process_iter(["uids"]) if p.info["uids"] and p.info["uids"].real == uid]
            for proc in procs:
                try:
                    proc.send_signal(signal.SIGTERM)
                except psutil.NoSuchProcess:
                    pass
            _, alive = psutil.wait_procs(procs, timeout=30)
            for proc in alive:
                try:
                    proc.kill()
                except psutil.NoSuchProcess:
                    pass
        subprocess.run(["userdel", "--remove", name], timeout=120, capture_output=True)


def machine_pip_settings() -> dict[str, str]:
    """이 기계에서 pip이 쓰는 설정(환경 변수와 설정 파일의 global.*)을 ``PIP_*`` 환경 변수로."""
    import sys

    settings = {k: v for k, v in os.environ.items() if k.startswith("PIP_")}
    listed = subprocess.run([sys.executable, "-m", "pip", "config", "list"], capture_output=True, text=True, timeout=60)
    for line in listed.stdout.splitlines():
        key, _, value = line.partition("=")
        if key.startswith("global.") and value:
            settings.setdefault("PIP_" + key.split(".", 1)[1].replace("-", "_").upper(), value.strip("'\""))
    return settings


def as_user(user, command: list[str], cwd: str, **kwargs):
    """``user``로 ``command``를 실행합니다: 그 사용자의 홈과 깨끗한 PATH (root의 pyenv나 가상환경 없이)."""
    env = {
        "HOME": user.pw_dir, "USER": user.pw_name, "LOGNAME": user.pw_name, "SHELL": "/bin/bash",
        "PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8",
    }
    # 이 기계의 pip 설정(패키지 저장소, 인증서, 시간 제한)은 학교 기계의 pip 설정처럼 그대로 넘깁니다.
    env.update(machine_pip_settings())
    return ["runuser", "-u", user.pw_name, "--", "env", "-i", *[f"{k}={v}" for k, v in env.items()], *command], \
        dict(cwd=cwd, **kwargs)


def get(url: str, timeout: float = 30):
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return response.status, response.read().decode("utf-8", errors="replace")


def test_make_lab_as_a_normal_user_with_system_python(school_user, tmp_path):
    user = school_user
    clone = Path(user.pw_dir) / "course"
    # 이 저장소는 root의 것이므로 git이 '소유자가 다른 저장소'라며 거절합니다: 그 사용자의 git 설정에서 허락합니다.
    for folder in (REPO, REPO / ".git"):
        command, kwargs = as_user(user, ["git", "config", "--global", "--add", "safe.directory", str(folder)],
                                  cwd=user.pw_dir)
        subprocess.run(command, check=True, timeout=60, **kwargs)
    command, kwargs = as_user(user, ["git", "clone", "--quiet", "--no-hardlinks", str(REPO), str(clone)],
                              cwd=user.pw_dir)
    cloned = subprocess.run(command, capture_output=True, text=True, timeout=600, **kwargs)
    assert cloned.returncode == 0, cloned.stderr
    assert not (clone / ".venv").exists()

    port, token = free_port(), secrets.token_hex(16)
    lab_args = (f"--no-browser --ServerApp.ip=127.0.0.1 --ServerApp.port={port} --ServerApp.port_retries=0 "
                f"--IdentityProvider.token={token}")
    log_path = tmp_path / "make-lab.log"
    command, kwargs = as_user(user, ["make", "lab", f"PY={SYSTEM_PYTHON}", f"LAB_ARGS={lab_args}"], cwd=str(clone))
    with open(log_path, "w", encoding="utf-8") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True, **kwargs)
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + READY_TIMEOUT
            ready = False
            while time.monotonic() < deadline and process.poll() is None:
                try:
                    ready = get(f"{base}/api/status?token={token}", timeout=5)[0] == 200
                except (urllib.error.URLError, ConnectionError, TimeoutError):
                    ready = False
                if ready:
                    break
                time.sleep(1)
            text = log_path.read_text(encoding="utf-8", errors="replace")
            assert ready, f"make lab이 일반 사용자로 뜨지 않았습니다 (종료 코드 {process.poll()}):\n{text[-4000:]}"

            # 가상환경은 그 사용자의 clone 안에, Debian의 python3으로
            venv_python = clone / ".venv" / "bin" / "python"
            assert os.path.realpath(venv_python).startswith("/usr/bin/python3"), os.path.realpath(venv_python)
            assert "Running as root" not in text and "--allow-root" not in text

            # 서버는 그 사용자로 돕니다 (root가 아님)
            servers = [p for p in psutil.process_iter(["uids", "cmdline"])
                       if p.info["cmdline"] and any("jupyter-lab" in a for a in p.info["cmdline"])
                       and f"--ServerApp.port={port}" in p.info["cmdline"]]
            assert servers and all(p.info["uids"].real == user.pw_uid for p in servers), \
                [(p.pid, p.info["uids"]) for p in servers]

            # 한국어 학생 화면과 학생용 확장
            status, page = get(f"{base}/lab?token={token}")
            assert status == 200 and "ctxcourse-studentlab" in page, page[:2000]
            status, settings = get(f"{base}/lab/api/settings/@jupyterlab/translation-extension:plugin?token={token}")
            plugin = json.loads(settings)  # 학생용 설정 폴더의 기본값 덮어쓰기(labconfig)로 한국어
            locale = plugin["settings"].get("locale") or plugin["schema"]["properties"]["locale"]["default"]
            assert locale == "ko_KR", settings[:2000]
            student = clone / "student"
            assert (student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").is_file()
            assert (student / "notebooks").is_dir() and not (student / "source").exists()
            assert all(p.stat().st_uid == user.pw_uid for p in student.rglob("*"))

            # 과제 확인: 그 사용자의 새 커널로 받은 과제(빈칸)를 실행해 한국어 결과를 돌려줍니다.
            request = urllib.request.Request(
                f"{base}/ctxcourse/validate?token={token}", method="POST",
                data=json.dumps({"path": f"{ASSIGNMENT}/{ASSIGNMENT}.ipynb"}).encode(),
                headers={"Content-Type": "application/json"})
            with urllib.request.urlopen(request, timeout=900) as response:
                result = json.loads(response.read().decode("utf-8"))
            assert result.get("graded") is True and result.get("passed") == 0, result
            assert "0/10점" in result["headline"], result
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)  # make와 그 아래 JupyterLab (이 테스트가 띄운 것)
                try:
                    process.wait(timeout=60)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait(timeout=30)
