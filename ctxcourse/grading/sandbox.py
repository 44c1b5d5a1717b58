"""학생 코드를 가두는 bubblewrap 샌드박스 (the bubblewrap sandbox for student code).

작업 스레드(슬롯)마다 샌드박스 하나에 미리 불러 둔 채점 프로세스(:mod:`.jail.zygote`, 채점기 쪽은 :mod:`.zygotes`)를
띄우고, 제출물마다 그것이 fork한 새 PID·마운트·IPC·네트워크 이름공간 안에서 :mod:`ctxcourse.grading.jail.runner`가 노트북
클라이언트와 IPython 커널을 함께 실행합니다 (커널과 클라이언트가 같은 네트워크 이름공간에 있으므로 TCP 루프백으로
통신). 재현기처럼 오래 사는 다른 프로세스는 :meth:`Sandbox.spawn`으로 자기만의 샌드박스에서 시작합니다.

샌드박스 안에서 보이는 것:
- 읽기 전용: 시스템(/usr 등), 파이썬 설치, 가상환경, ``ctxcourse`` 패키지 폴더(저장소 루트는 보이지 않음),
  이 제출물의 작업 입력(/ctxgrade/job), matplotlib 글꼴 캐시.
- 쓰기 가능: 제출물마다 새로 올리는 크기가 제한된 tmpfs 두 개 (/home/student = 작업 폴더, /tmp). 호스트 디스크에는
  아무것도 쓰지 못합니다.
- 보이지 않음: 강좌 폴더(source/, gradebook.db, 다른 학생의 제출물), 홈 폴더, 네트워크.

한도: 프로세스마다 메모리(RLIMIT_AS), CPU 시간, 파일 크기, 열린 파일 수; 프로세스 수(root로 실행하면 제출물마다
전용 uid를 쓰므로 RLIMIT_NPROC가 정확히 걸립니다), 셀마다 시간 제한, 제출물 전체의 벽시계 제한, 출력 크기 제한.
샌드박스를 시작할 수 없으면 :class:`SandboxUnavailable`을 내며, 보호 없이 몰래 실행하는 일은 없습니다.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import select
import selectors
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import psutil

from . import protocol, seccomp
from .zygotes import ZygoteFailed, ZygoteHandle

WORKDIR = "/home/student"
JOBDIR = "/ctxgrade/job"
JOBS = "/ctxgrade/jobs"          # zygote 샌드박스에서 모든 작업 폴더 (제출물마다 가려짐: jail.zygote)
MPLDIR = "/ctxgrade/mplcache"
RECORDS = "/tmp/ctxgrade"
UID_BASE = 2_000_000


class SandboxUnavailable(RuntimeError):
    """샌드박스를 시작할 수 없습니다 (설치, 권한, 커널 설정 문제)."""


@dataclass
class Limits:
    """제출물 하나의 한도. 시간은 초, 크기는 바이트."""

    cell_timeout: int = 60
    wall_timeout: int = 300
    startup_timeout: int = 60
    grace: int = 5
    memory: int = 3 * 1024 ** 3          # RLIMIT_AS (프로세스마다)
    cpu: int = 600                       # RLIMIT_CPU (프로세스마다)
    nproc: int = 96                      # 전용 uid일 때 작업(스레드 포함)의 최대 수
    nproc_margin: int = 128              # 전용 uid를 못 쓸 때 (root가 아닐 때) 현재 수에 더하는 여유
    fsize: int = 64 * 1024 ** 2          # RLIMIT_FSIZE
    nofile: int = 1024
    tmpfs: int = 256 * 1024 ** 2         # /tmp, 작업 폴더 크기
    max_cell_output: int = 512 * 1024    # 셀 하나의 출력 (넘으면 버림)
    max_total_output: int = 16 * 1024 ** 2
    flood_output: int = 8 * 1024 ** 2    # 셀 하나가 이만큼 출력하면 중단(interrupt)
    max_records: int = 48 * 1024 ** 2    # 테스트 셀 하나의 호출 기록
    max_stream: int = 160 * 1024 ** 2    # 실행기 출력 전체
    fork_bomb_threshold: int = 48        # 하위 프로세스를 모두 이만큼 끝내야 했으면 포크 폭탄으로 보고 커널까지 끝냄
    control_timeout: int = 15            # 녹화기를 켜고 끄는 조용한 실행 하나의 시간 제한

    def with_cell_timeout(self, seconds: int) -> "Limits":
        wall = max(self.wall_timeout, seconds * 3 + 60)
        return Limits(**{**self.__dict__, "cell_timeout": seconds, "wall_timeout": wall,
                         "cpu": max(self.cpu, wall)})


@dataclass
class RunResult:
    """실행기 한 번의 결과 (모두 믿을 수 없는 데이터)."""

    lines: list = field(default_factory=list)
    returncode: int | None = None
    stderr: str = ""
    wall_timeout: bool = False
    overflow: bool = False
    runner_stopped: bool = False      # 실행기가 멈춰졌음 (SIGSTOP: 학생 커널이 보냄)
    bad_lines: int = 0
    elapsed: float = 0.0
    finished: bool = False            # 실행기가 done 줄을 보냈음 (그 뒤의 출력은 읽지 않고 샌드박스를 닫습니다)
    reused: bool = False              # 앞서 다른 제출물을 실행한 zygote에서 돌았음 (끝나지 못했으면 새 zygote에서 다시)


def _venv_paths() -> list[str]:
    """샌드박스에 읽기 전용으로 보여야 하는 파이썬 관련 경로들."""
    import ctxcourse

    paths = {os.path.realpath(sys.prefix), os.path.realpath(sys.base_prefix),
             os.path.realpath(os.path.dirname(os.path.realpath(sys.executable))),
             os.path.realpath(os.path.dirname(ctxcourse.__file__))}
    exec_prefix = os.path.realpath(sys.base_exec_prefix)
    paths.add(exec_prefix)
    result = []
    for path in sorted(paths):
        if path.startswith("/usr/") or path == "/usr":
            continue
        if any(path.startswith(other + "/") for other in paths if other != path and not other.startswith("/usr")):
            continue
        result.append(path)
    return result


ETC_FILES = ("ld.so.cache", "ld.so.conf", "ld.so.conf.d", "localtime", "timezone", "nsswitch.conf", "passwd",
             "group", "hosts", "host.conf", "fonts", "mime.types", "alternatives", "matplotlibrc")


class Sandbox:
    """bubblewrap 명령을 만들고 실행기를 돌립니다. ``enabled=False``면 보호 없이(경고와 함께) 실행합니다."""

    def __init__(self, limits: Limits, *, enabled: bool = True, bwrap: str | None = None):
        self.limits = limits
        self.enabled = enabled
        self.bwrap = bwrap or shutil.which("bwrap")
        self.root_mode = os.geteuid() == 0
        self.uid_base = UID_BASE + secrets.randbelow(1_000_000) * 16
        self.python = os.path.join(sys.prefix, "bin", "python")
        if not os.path.exists(self.python):
            self.python = sys.executable
        self.mpl_cache: str | None = None
        self.seccomp = seccomp.program() if enabled else None
        self._lock = threading.Lock()
        self._live: set = set()
        self._zygotes: dict[int, ZygoteHandle] = {}

    # -- setup ---------------------------------------------------------------------------------
    def warm_matplotlib_cache(self, cache_dir: Path) -> None:
        """matplotlib 글꼴 캐시를 한 번 만들어 둡니다 (샌드박스마다 새로 만들면 1~2초가 듭니다)."""
        cache_dir = Path(cache_dir)
        cache_dir.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, "MPLCONFIGDIR": str(cache_dir), "MPLBACKEND": "Agg"}
        if not any(cache_dir.glob("fontlist-*.json")):
            subprocess.run([self.python, "-c", "import matplotlib.font_manager"], env=env, check=False,
                           capture_output=True, timeout=300)
        os.chmod(cache_dir, 0o755)
        for item in cache_dir.iterdir():
            if item.is_file():
                os.chmod(item, 0o644)
        self.mpl_cache = str(cache_dir)

    def check(self) -> str:
        """샌드박스가 시작되고 채점에 필요한 모듈을 import 할 수 있는지 확인합니다. 설명 문자열을 돌려줍니다."""
        if not self.enabled:
            return "샌드박스 없음 (--no-sandbox): 학생 코드가 강사 권한으로 실행됩니다"
        if not self.bwrap:
            raise SandboxUnavailable(
                "bubblewrap(bwrap)이 없습니다. Debian/Ubuntu: 'sudo apt-get install bubblewrap' (또는 'make system'). "
                "샌드박스를 쓸 수 없는 기계라면 위험을 알고 '--no-sandbox'로 실행하세요. "
                "(bubblewrap is not installed: apt-get install bubblewrap, or use --no-sandbox at your own risk)")
        drop = ""
        if self.root_mode:
            # 시험 실행도 채점과 같은 전용 uid로: 파이썬 설치를 그 uid가 읽을 수 있는지 확인합니다.
            uid = self.uid_for(15)
            drop = f"import os; os.setgroups([]); os.setresgid({uid}, {uid}, {uid}); os.setresuid({uid}, {uid}, {uid}); "
        code = (drop + "import sys, os, importlib.util; "
                "missing = [m for m in ('numpy', 'matplotlib', 'ipykernel', 'nbclient', 'ctxcourse.grading.jail.runner') "
                "if importlib.util.find_spec(m) is None]\n"
                "assert not missing, f'샌드박스 안에서 찾을 수 없는 모듈: {missing}'\n"
                "import socket; s = socket.socket(); s.settimeout(1)\n"
                "try:\n    s.connect(('1.1.1.1', 53)); print('NET')\nexcept OSError:\n    print('NONET')\n"
                "print(os.getuid())")
        try:
            process = self.spawn(None, [self.python, "-I", "-c", code], stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True)
            stdout, stderr = process.communicate(timeout=120)
        except (OSError, subprocess.TimeoutExpired) as error:
            raise SandboxUnavailable(f"bubblewrap을 실행하지 못했습니다: {error}") from None
        done = subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)
        if done.returncode != 0:
            hint = ""
            if "user namespace" in done.stderr.lower() or "operation not permitted" in done.stderr.lower():
                hint = (" 사용자 네임스페이스가 꺼져 있을 수 있습니다: 'sudo sysctl -w kernel.unprivileged_userns_clone=1' "
                        "(Debian) 또는 'kernel.apparmor_restrict_unprivileged_userns=0' (Ubuntu 24.04+), "
                        "또는 root로 채점하세요.")
            raise SandboxUnavailable(
                f"샌드박스를 시작할 수 없습니다 (bwrap exit {done.returncode}): {done.stderr.strip()[-800:]}.{hint} "
                "고칠 수 없다면 위험을 알고 '--no-sandbox'로 실행하세요. (the sandbox cannot start)")
        if "NONET" not in done.stdout:
            raise SandboxUnavailable("샌드박스 안에서 네트워크가 막히지 않았습니다. bubblewrap 버전을 확인하세요.")
        self._check_zygote()
        mode = "root: 제출물마다 전용 uid" if self.root_mode else "사용자 네임스페이스"
        return f"bubblewrap 샌드박스 ({mode}, 네트워크 없음, 읽기 전용 시스템)"

    def _check_zygote(self) -> None:
        """미리 불러 둔 채점 프로세스가 뜨고, 제출물마다의 새 이름공간 안에서 권한을 모두 버리는지 한 번 시험합니다."""
        with tempfile.TemporaryDirectory(prefix="ctxgrade-probe-") as root:
            os.chmod(root, 0o711)
            probe = Path(root) / "probe"
            probe.mkdir(mode=0o700)
            job = {"probe": True, "limits": {}, "seccomp": self.seccomp is not None}
            if self.root_mode:
                job["uid"] = job["gid"] = self.uid_for(15)
            (probe / "job.json").write_text(json.dumps(job), encoding="utf-8")
            zygote = None
            try:
                zygote = ZygoteHandle(lambda argv, fds, **popen: self.spawn_zygote(Path(root), argv, fds, **popen),
                                      Path(root), {**self._zygote_settings(), "preload": False},
                                      max(60, self.limits.startup_timeout))
                run = zygote.start(probe)
                run.stdin.close()
                ready, _, _ = select.select([run.stdout], [], [], 60)
                line = run.stdout.readline(65536) if ready else b""
                errors = run.stderr.read(4000) if not line else b""
                run.end(True, 15)
                run.close_pipes()
                answer = json.loads(line) if line.strip() else {}
            except (ZygoteFailed, OSError, ValueError) as error:
                raise SandboxUnavailable(f"채점 프로세스(zygote)를 시험하지 못했습니다: {error}") from None
            finally:
                if zygote is not None:
                    zygote.close()
        if answer.get("type") != "probe":
            detail = errors.decode("utf-8", errors="replace").strip()[-800:] or "답이 없습니다"
            raise SandboxUnavailable(
                "샌드박스 안에서 제출물마다 새 PID·마운트 이름공간을 만들지 못했습니다 (bubblewrap의 --cap-add와 "
                f"사용자 이름공간이 필요합니다): {detail}. (the sandbox cannot create per-submission namespaces)")
        if int(answer.get("cap_eff") or "1", 16) != 0 or (self.seccomp is not None and answer.get("seccomp") != "2") \
                or answer.get("jobs") or (self.root_mode and answer.get("uid") != self.uid_for(15)):
            raise SandboxUnavailable(f"샌드박스 시험 실행이 권한을 모두 버리지 못했습니다: {answer}")

    # -- command -------------------------------------------------------------------------------
    def uid_for(self, slot: int) -> int:
        return self.uid_base + slot

    def _environment(self) -> dict[str, str]:
        venv_bin = os.path.join(sys.prefix, "bin")
        return {
            "PATH": f"{venv_bin}:/usr/local/bin:/usr/bin:/bin", "HOME": WORKDIR, "USER": "student",
            "LOGNAME": "student", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "TMPDIR": "/tmp",
            "PYTHONDONTWRITEBYTECODE": "1", "PYTHONNOUSERSITE": "1", "PYTHONIOENCODING": "utf-8",
            "MPLCONFIGDIR": "/tmp/mpl", "IPYTHONDIR": "/tmp/ipython",
            "JUPYTER_RUNTIME_DIR": "/tmp/jupyter/runtime", "JUPYTER_CONFIG_DIR": "/tmp/jupyter/config",
            "JUPYTER_DATA_DIR": "/tmp/jupyter/data", "JUPYTER_PLATFORM_DIRS": "1",
            "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
            "NUMEXPR_NUM_THREADS": "1", "NBGRADER_EXECUTION": "autograde",
            "PYDEVD_DISABLE_FILE_VALIDATION": "1", "VIRTUAL_ENV": sys.prefix,
        }

    def spawn(self, job_dir: Path | None, argv: list[str], *, die_with_parent: bool = True, **popen) -> subprocess.Popen:
        """``argv``를 샌드박스 안에서 시작합니다 (seccomp 필터는 memfd로 bwrap에 넘깁니다).

        ``die_with_parent``: bwrap의 ``--die-with-parent``는 *프로세스를 시작한 스레드*가 끝나면 샌드박스를 끝냅니다.
        여러 테스트에 걸쳐 쓰는 재현기처럼 오래 사는 프로세스는 False로 시작하고, 표준 입력이 닫히면 스스로 끝납니다."""
        fd = None
        try:
            if self.seccomp:
                fd = os.memfd_create("ctxgrade-seccomp", 0)
                os.write(fd, self.seccomp)
                os.lseek(fd, 0, os.SEEK_SET)
            return subprocess.Popen(self.command(job_dir, argv, seccomp_fd=fd, die_with_parent=die_with_parent),
                                    pass_fds=(fd,) if fd is not None else (),
                                    start_new_session=True, **popen)
        finally:
            if fd is not None:
                os.close(fd)

    def command(self, job_dir: Path | None, argv: list[str], seccomp_fd: int | None = None,
                die_with_parent: bool = True, jobs_root: Path | None = None) -> list[str]:
        """bwrap 명령 전체 (``argv``를 샌드박스 안에서 실행). ``jobs_root``가 있으면 zygote용: 작업 폴더들을 읽기
        전용으로 보이고, 제출물마다 새 이름공간을 만들 수 있게 CAP_SYS_ADMIN을 남깁니다 (seccomp와 권한 능력 버리기는
        제출물마다 실행기가 합니다: :mod:`.jail.zygote`)."""
        cmd = [self.bwrap] + (["--die-with-parent"] if die_with_parent else []) + [
               "--new-session", "--unshare-pid", "--unshare-net",
               "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try", "--hostname", "ctxgrade"]
        if jobs_root is not None:
            cmd += ["--cap-add", "CAP_SYS_ADMIN", "--cap-add", "CAP_NET_ADMIN"]
        if not self.root_mode:
            cmd += ["--unshare-user", "--disable-userns"]
        cmd += ["--ro-bind", "/usr", "/usr"]
        for name in ("bin", "sbin", "lib", "lib64", "lib32", "libx32"):
            path = f"/{name}"
            if os.path.islink(path):
                cmd += ["--symlink", os.readlink(path), path]
            elif os.path.isdir(path):
                cmd += ["--ro-bind", path, path]
        for name in ETC_FILES:
            cmd += ["--ro-bind-try", f"/etc/{name}", f"/etc/{name}"]
        cmd += ["--proc", "/proc", "--dev", "/dev",
                "--perms", "1777", "--size", str(self.limits.tmpfs), "--tmpfs", "/tmp",
                "--perms", "1777", "--size", str(self.limits.tmpfs), "--tmpfs", WORKDIR]
        made = set()
        for path in _venv_paths():
            # bwrap은 바인드할 경로의 부모 폴더를 원래 권한(예: /root 0700)으로 만듭니다. 전용 uid가 지나갈 수 있게 0755로.
            parts = Path(path).parts
            for depth in range(2, len(parts)):
                parent = str(Path(*parts[:depth]))
                if parent not in made and parent not in ("/usr", "/tmp", WORKDIR):
                    made.add(parent)
                    cmd += ["--perms", "0755", "--dir", parent]
            cmd += ["--ro-bind", path, path]
        cmd += ["--perms", "0755", "--dir", "/ctxgrade"]
        if job_dir is not None:
            cmd += ["--ro-bind", str(job_dir), JOBDIR]
        if jobs_root is not None:
            cmd += ["--dir", JOBDIR, "--ro-bind", str(jobs_root), JOBS]
        if self.mpl_cache:
            cmd += ["--ro-bind", self.mpl_cache, MPLDIR]
        # 샌드박스의 뿌리(/)는 bwrap이 만든 tmpfs입니다. 크기 제한이 없으므로 읽기 전용으로 다시 올립니다.
        cmd += ["--remount-ro", "/", "--chdir", WORKDIR, "--clearenv"]
        if seccomp_fd is not None:
            cmd += ["--seccomp", str(seccomp_fd)]
        for key, value in self._environment().items():
            cmd += ["--setenv", key, value]
        return cmd + ["--"] + argv

    def _user_task_count(self) -> int:
        uid = os.getuid()
        count = 0
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    if os.stat(f"/proc/{entry}").st_uid == uid:
                        count += len(os.listdir(f"/proc/{entry}/task"))
                except OSError:
                    continue
        return count

    def job_limits(self) -> dict:
        lim = self.limits
        limits = {"RLIMIT_AS": lim.memory, "RLIMIT_CPU": [lim.cpu, lim.cpu + 5], "RLIMIT_FSIZE": lim.fsize,
                  "RLIMIT_NOFILE": lim.nofile, "RLIMIT_CORE": 0}
        if self.enabled and self.root_mode:
            limits["RLIMIT_NPROC"] = lim.nproc
        elif os.geteuid() != 0:
            limits["RLIMIT_NPROC"] = self._user_task_count() + lim.nproc_margin
        return limits

    # -- running -------------------------------------------------------------------------------
    def _job_settings(self) -> dict:
        lim = self.limits
        return {"limits": self.job_limits(), "timeout": lim.cell_timeout, "startup_timeout": lim.startup_timeout,
                "grace": lim.grace, "control_timeout": lim.control_timeout, "max_cell_output": lim.max_cell_output,
                "max_total_output": lim.max_total_output, "flood_output": lim.flood_output,
                "max_records": lim.max_records, "fork_bomb_threshold": lim.fork_bomb_threshold}

    def _job_paths(self, job_dir: Path, notebook_name: str, slot: int) -> dict:
        """실행기가 볼 경로들: 샌드박스 안이면 고정된 안쪽 경로, 아니면 작업 폴더 아래."""
        if self.enabled:
            paths = {"notebook": f"{JOBDIR}/files/{notebook_name}", "files_dir": f"{JOBDIR}/files",
                     "workdir": WORKDIR, "records_dir": RECORDS, "mpl_cache": MPLDIR if self.mpl_cache else None,
                     "kill_strays": True, "seccomp": self.seccomp is not None}
            if self.root_mode:
                paths["uid"] = paths["gid"] = self.uid_for(slot)
            return paths
        return {"notebook": str(job_dir / "files" / notebook_name), "files_dir": str(job_dir / "files"),
                "workdir": str(job_dir / "work"), "records_dir": str(job_dir / "tmp" / "ctxgrade"),
                "mpl_cache": self.mpl_cache, "kill_strays": False}

    def run(self, job_dir: Path, job: dict, slot: int, conversation=None) -> RunResult:
        """실행기를 돌리고 그 출력(JSON 줄들)을 크기와 시간 제한 안에서 읽습니다. 샌드박스 안에서는 슬롯의
        zygote가 실행기를 fork합니다 (:mod:`.zygotes`).

        ``conversation``이 있으면 실행기의 표준 입력을 열어 두고, 테스트 알림과 호출 답(:mod:`.protocol`)을
        ``conversation.feed``로 넘기며, ``conversation``은 ``send``로 실행기에 메시지를 보냅니다."""
        job = protocol.runner_job(**job, **self._job_settings(), **self._job_paths(job_dir, job["notebook_name"], slot))
        (job_dir / "job.json").write_text(json.dumps(job), encoding="utf-8")
        if self.enabled:
            if self.root_mode:
                uid = self.uid_for(slot)
                for path in [job_dir, *job_dir.rglob("*")]:
                    os.chown(path, uid, uid)
            return self._execute(lambda **popen: self._zygote(slot, job_dir.parent).start(job_dir), conversation)
        tmp = job_dir / "tmp"
        env = {**self._environment(), "HOME": str(job_dir / "work"), "TMPDIR": str(tmp),
               "MPLCONFIGDIR": str(tmp / "mpl"), "IPYTHONDIR": str(tmp / "ipython"),
               "JUPYTER_RUNTIME_DIR": str(tmp / "runtime"), "JUPYTER_CONFIG_DIR": str(tmp / "config"),
               "JUPYTER_DATA_DIR": str(tmp / "data")}
        argv = [self.python, "-I", "-m", "ctxcourse.grading.jail.runner", str(job_dir / "job.json")]
        return self._execute(lambda **popen: subprocess.Popen(argv, env=env, cwd=str(job_dir),
                                                              start_new_session=True, **popen), conversation)

    # -- zygotes -------------------------------------------------------------------------------
    def _zygote(self, slot: int, jobs_root: Path) -> ZygoteHandle:
        """슬롯의 zygote (없거나 죽었거나 다른 작업 뿌리를 보면 새로 띄웁니다)."""
        with self._lock:
            zygote = self._zygotes.get(slot)
        if zygote is not None and (not zygote.alive() or zygote.jobs_root != Path(jobs_root)):
            zygote.kill()
            zygote = None
        if zygote is None:
            settings = self._zygote_settings()
            zygote = ZygoteHandle(lambda argv, fds, **popen: self.spawn_zygote(jobs_root, argv, fds, **popen),
                                  Path(jobs_root), settings, self.limits.startup_timeout)
            with self._lock:
                self._zygotes[slot] = zygote
        return zygote

    def _zygote_settings(self) -> dict:
        """zygote에 넘기는 설정: tmpfs 크기, 작업 폴더, 그리고 제출물마다 새 tmpfs가 덮을 곳(/tmp, 작업 폴더) 아래에
        읽기 전용으로 보여야 하는 폴더 (예: /tmp 아래에 만든 clone의 가상환경)."""
        covered = ("/tmp", WORKDIR)
        keep = [p for p in _venv_paths() if any(p == c or p.startswith(c + "/") for c in covered)]
        return {"tmpfs": self.limits.tmpfs, "workdir": WORKDIR, "keep": keep}

    def spawn_zygote(self, jobs_root: Path, argv: list[str], pass_fds: tuple, **popen) -> subprocess.Popen:
        return subprocess.Popen(self.command(None, [self.python, *argv], jobs_root=jobs_root), pass_fds=pass_fds,
                                start_new_session=True, **popen)

    def close(self) -> None:
        """모든 zygote를 끝냅니다 (채점이 끝났을 때)."""
        with self._lock:
            zygotes, self._zygotes = list(self._zygotes.values()), {}
        for zygote in zygotes:
            zygote.close()

    def _execute(self, start, conversation=None) -> RunResult:
        """실행기를 시작하고, 출력 줄을 제한 안에서 읽고, 끝나면 정리합니다. ``start(**popen)``은 subprocess.Popen
        (샌드박스 없이) 또는 :class:`.zygotes.ZygoteRun`을 돌려줍니다."""
        result = RunResult()
        started = time.monotonic()
        try:
            process = start(stdin=subprocess.PIPE if conversation is not None else subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        except ZygoteFailed as error:
            result.stderr = str(error)
            result.elapsed = time.monotonic() - started
            return result
        with self._lock:
            self._live.add(process)
        if conversation is not None:
            conversation.attach(_stdin_writer(process))
        stderr_parts: list[bytes] = []
        reader = threading.Thread(target=_drain, args=(process.stderr, stderr_parts), daemon=True)
        reader.start()
        try:
            _read_lines(process, result, started + self.limits.wall_timeout, self.limits.max_stream, conversation)
        finally:
            if conversation is not None:
                conversation.finish()
                try:
                    process.stdin.close()
                except OSError:
                    pass
            clean = result.finished and not (result.wall_timeout or result.overflow or result.runner_stopped)
            self._end(process, clean)
            result.reused = bool(getattr(process, "reused", False))
            reader.join(timeout=5)
            if hasattr(process, "close_pipes"):
                process.close_pipes()
            with self._lock:
                self._live.discard(process)
        result.returncode = process.returncode
        result.stderr = b"".join(stderr_parts).decode("utf-8", errors="replace")[-20000:]
        result.elapsed = time.monotonic() - started
        return result

    def _end(self, process, clean: bool) -> None:
        if hasattr(process, "end"):   # zygote의 제출물
            process.end(clean, self.limits.grace + 10)
            return
        self._kill(process)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            pass

    @staticmethod
    def _kill(process) -> None:
        if hasattr(process, "end"):
            process.kill()
            return
        if process.poll() is None:
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except OSError:
                try:
                    process.kill()
                except OSError:
                    pass

    def kill_all(self) -> None:
        """진행 중인 모든 샌드박스를 끝냅니다 (Ctrl-C)."""
        with self._lock:
            live = list(self._live)
        for process in live:
            self._kill(process)
        self.close()


# --- 실행기의 출력 읽기 (부모 쪽, 작업 스레드마다) -------------------------------------------------------

def _stdin_writer(process: subprocess.Popen):
    """대화(:class:`.conversation.Conversation`)가 실행기에 JSON 한 줄을 보내는 함수. 실패하면 False."""
    write_lock = threading.Lock()

    def send(message: dict) -> bool:
        data = (json.dumps(message) + "\n").encode("utf-8")
        with write_lock:
            try:
                process.stdin.write(data)
                process.stdin.flush()
                return True
            except (OSError, ValueError):
                return False

    return send


def _drain(stream, parts: list[bytes], keep: int = 256 * 1024) -> None:
    """표준 오류를 끝까지 읽되 앞의 ``keep`` 바이트만 남깁니다 (실행기가 막히지 않도록)."""
    kept = 0
    for chunk in iter(lambda: stream.read(65536), b""):
        if kept < keep:
            parts.append(chunk)
            kept += len(chunk)


def _take_lines(buffer: bytearray, result: RunResult, conversation, searched: int = 0) -> int:
    """버퍼에서 완성된 줄을 꺼내 JSON dict면 ``result.lines``에 넣고, 대화에 필요한 줄은 넘깁니다. 돌려주는 값은
    줄바꿈이 없다고 이미 확인한 버퍼의 길이입니다 (다음에는 거기서부터 찾습니다: 아주 긴 줄도 한 번씩만 훑음)."""
    while True:
        cut = buffer.find(b"\n", searched)
        if cut < 0:
            return len(buffer)
        searched = 0
        line = bytes(buffer[:cut])
        del buffer[: cut + 1]
        try:
            item = json.loads(line)
        except ValueError:
            result.bad_lines += 1
            continue
        if not isinstance(item, dict):
            result.bad_lines += 1
            continue
        result.lines.append(item)
        if item.get("type") == protocol.DONE:
            result.finished = True
        if conversation is not None and item.get("type") in conversation.FED:
            conversation.feed(item)


def _read_lines(process: subprocess.Popen, result: RunResult, deadline: float, max_stream: int, conversation) -> None:
    """실행기의 표준 출력을 벽시계 제한(``deadline``)과 크기 제한(``max_stream``) 안에서 읽습니다."""
    buffer = bytearray()
    total = searched = 0
    quiet_since = time.monotonic()
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                result.wall_timeout = True
                return
            if not selector.select(timeout=min(remaining, 1.0)):
                if time.monotonic() - quiet_since > STOPPED_CHECK and _runner_stopped(process.pid):
                    result.runner_stopped = True
                    return
                continue
            quiet_since = time.monotonic()
            chunk = os.read(process.stdout.fileno(), 1024 * 1024)
            if not chunk:
                return
            total += len(chunk)
            if total > max_stream:
                result.overflow = True
                return
            buffer += chunk
            searched = _take_lines(buffer, result, conversation, searched)
            if result.finished:
                return


STOPPED_CHECK = 5.0   # 실행기 출력이 이만큼(초) 없으면 실행기가 멈춰졌는지(SIGSTOP) 봅니다


def _runner_stopped(pid: int) -> bool:
    """샌드박스 안의 실행기(``jail.runner``)가 멈춘 상태(SIGSTOP, ptrace 정지)인지. 학생 커널은 같은 uid라 실행기에
    SIGSTOP을 보낼 수 있고, 그러면 제출물 전체의 시간 제한까지 작업자 하나가 묶이므로 일찍 끝냅니다."""
    try:
        for child in psutil.Process(pid).children(recursive=True):
            with contextlib.suppress(psutil.Error):
                if child.status() in (psutil.STATUS_STOPPED, psutil.STATUS_TRACING_STOP) and \
                        child.name() == protocol.RUNNER_NAME:
                    return True
    except psutil.Error:
        return False
    return False

