"""강좌 JupyterHub 설정 (``make hub``, ``hub/ctxhub.py start``가 이 파일로 jupyterhub를 실행합니다).

``CTXHUB_STATE`` 폴더의 ``hub.json``(ctxhub.py가 씀)에서 계정, 포트, 가상환경, 프록시, exchange를 읽습니다.

- 모든 것이 127.0.0.1에서만 듣습니다 (Hub, 프록시, 사용자 서버).
- 로그인: 계정마다 ctxhub.py가 만든 비밀번호 (``passwords.json``, root만 읽음). 명단에 없는 사람은 들어오지 못합니다.
- 사용자 서버: ``LocalProcessSpawner``가 그 사용자의 Unix 계정으로 (홈 폴더에서) ``jupyterhub-singleuser``를 띄웁니다.
  학생은 ``make lab``과 같은 학생용 설정(한국어 화면, 과제 확인, Submit 전 확인, 강사용 도구 없음), 강사는 한국어
  화면과 Formgrader, 터미널에서 ``course``·``nbgrader`` 명령.
- Hub를 끄면(Ctrl+C) 프록시와 사용자 서버도 모두 끕니다.
"""

import hmac
import json
import os
import pwd
from pathlib import Path

from jupyterhub.auth import Authenticator

c = get_config()  # noqa: F821  (JupyterHub가 주입합니다)

STATE = Path(os.environ["CTXHUB_STATE"])
SETTINGS = json.loads((STATE / "hub.json").read_text(encoding="utf-8"))
VENV = Path(SETTINGS["venv"])
INSTRUCTOR = SETTINGS["instructor"]
STUDENTS = list(SETTINGS["students"])
LOCALHOST = "127.0.0.1"


class CoursePasswordAuthenticator(Authenticator):
    """``passwords.json``의 계정과 비밀번호로만 로그인합니다 (시험용; 실제 강좌는 학교의 OAuth나 LTI를 쓰세요)."""

    async def authenticate(self, handler, data):
        name = str(data.get("username", "")).strip()
        given = str(data.get("password", ""))
        try:
            known = json.loads((STATE / "passwords.json").read_text(encoding="utf-8"))
        except OSError:
            return None
        expected = known.get(name)
        if expected and hmac.compare_digest(expected.encode(), given.encode()):
            return name
        return None


c.JupyterHub.authenticator_class = CoursePasswordAuthenticator
c.Authenticator.allowed_users = {INSTRUCTOR, *STUDENTS}
c.Authenticator.admin_users = {INSTRUCTOR}

# ---- 주소: 모두 127.0.0.1 -------------------------------------------------------------------------
c.JupyterHub.bind_url = f"http://{LOCALHOST}:{SETTINGS['port']}"
c.JupyterHub.hub_ip = LOCALHOST
c.JupyterHub.hub_port = SETTINGS["hub_port"]
c.ConfigurableHTTPProxy.api_url = f"http://{LOCALHOST}:{SETTINGS['api_port']}"
c.ConfigurableHTTPProxy.command = [SETTINGS["proxy"]]
c.ConfigurableHTTPProxy.pid_file = str(STATE / "proxy.pid")
c.ConfigurableHTTPProxy.should_start = True
c.JupyterHub.db_url = f"sqlite:///{STATE / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(STATE / "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = str(STATE / "jupyterhub.pid")
c.JupyterHub.cleanup_servers = True   # Hub를 끄면 사용자 서버도 끕니다
c.JupyterHub.cleanup_proxy = True
c.JupyterHub.template_vars = {
    "announcement_login": "어텐션의 맥락 벡터 강좌: 받은 아이디와 비밀번호로 로그인하세요.",
}

# ---- 사용자 서버 ------------------------------------------------------------------------------------
c.JupyterHub.spawner_class = "jupyterhub.spawner.LocalProcessSpawner"
c.Spawner.ip = LOCALHOST
c.Spawner.cmd = [str(VENV / "bin" / "jupyterhub-singleuser")]
c.Spawner.default_url = "/lab"
c.Spawner.notebook_dir = "~"
c.Spawner.start_timeout = 300   # 2코어 기계에서 여러 명이 한꺼번에 들어와도
c.Spawner.http_timeout = 300


def pre_spawn_hook(spawner):
    """역할(강사/학생)에 맞는 설정 폴더와 환경. JupyterLab의 개인 설정·작업 공간은 그 사용자의 홈 폴더에."""
    name = spawner.user.name
    home = Path(pwd.getpwnam(name).pw_dir)
    role = "instructor" if name == INSTRUCTOR else "student"
    spawner.environment.update({
        "JUPYTER_CONFIG_DIR": SETTINGS["config"][role],
        "CTXCOURSE_EXCHANGE": SETTINGS["exchange"],
        "CTXCOURSE_COURSE_ID": SETTINGS["course_id"],
        "PATH": f"{VENV / 'bin'}:/usr/local/bin:/usr/bin:/bin",
        "TZ": os.environ.get("CTXHUB_TZ", "Asia/Seoul"),
        "LANG": "C.UTF-8",
        "SHELL": "/bin/bash",
    })
    lab = home / ".jupyter" / "lab"
    spawner.args = [*spawner.args, f"--LabApp.user_settings_dir={lab / 'user-settings'}",
                    f"--LabApp.workspaces_dir={lab / 'workspaces'}"]


c.Spawner.pre_spawn_hook = pre_spawn_hook
