"""미리 불러 둔 채점 프로세스 (the zygote): 작업 스레드마다 샌드박스 하나에서 오래 살며 제출물마다 fork합니다.

``python -I -m ctxcourse.grading.jail.zygote CONTROL_FD``. 채점기(:class:`ctxcourse.grading.sandbox.Zygote`)가
bubblewrap 안에서 (CAP_SYS_ADMIN을 남겨) 시작합니다. 실행기와 커널이 쓰는 모듈(nbclient, jupyter_client, ipykernel,
IPython, numpy, matplotlib)을 한 번만 불러 두므로, 제출물마다 새 파이썬이 그것들을 다시 불러오는 시간(제출물마다
CPU 약 0.6초)이 들지 않습니다.

제출물 하나 (제어 소켓으로 ``{"job": 이름}``과 파일 설명자 셋(표준 입력·출력·오류)을 받으면):

1. fork → A. A는 새 PID·마운트·IPC·네트워크 이름공간을 만들고(:func:`.namespaces.unshare`, 루프백만 켬) 다시
   fork → B.
2. B는 새 PID 이름공간의 1번입니다: 새 /proc, 읽기 전용 /dev, 크기가 제한된 새 /tmp와 작업 폴더, 이 제출물의 작업 폴더만
   /ctxgrade/job에 읽기 전용으로 올리고, 모든 작업이 모인 폴더는 덮어 가립니다. 그리고 실행기 C를 fork하고,
   C가 끝날 때까지 고아가 된 프로세스를 거둡니다.
3. C(실행기, :func:`.runner.run_job`)가 권한을 내려놓고 권한 능력을 모두 버리고 seccomp 필터를 건 뒤 커널을
   fork하고 노트북을 실행합니다. 학생 코드는 C의 PID 이름공간 안에서만 돌므로 zygote와 A를 볼 수도, 신호를 보낼
   수도 없습니다.
4. 채점기가 ``stop``을 보내거나 B가 끝나면, zygote는 B를 SIGKILL로 끝냅니다. 1번이 끝나면 커널이 그 PID 이름공간의
   모든 프로세스를 끝내고, 마운트 이름공간(새 tmpfs들)도 함께 사라집니다. 그 뒤에야 ``ended``를 답하므로 다음
   제출물은 앞 제출물의 프로세스·파일·IPC가 하나도 남지 않은 곳에서 시작합니다.

zygote는 학생 코드를 실행하지 않고, 작업 내용(노트북, 호출)을 읽지 않습니다 (fork한 자식이 읽습니다): 다음
제출물의 자식이 앞 제출물의 데이터를 메모리에서 찾을 수 없도록.
"""

from __future__ import annotations

import json
import os
import selectors
import signal
import socket
import sys

from .forkkernel import exit_child
from .namespaces import (CLONE_NEWIPC, CLONE_NEWNET, CLONE_NEWNS, CLONE_NEWPID, fresh_submission_mounts, loopback_up,
                         not_dumpable, set_name, unshare)

JOBS = "/ctxgrade/jobs"      # 채점기의 작업 폴더들 (읽기 전용; 제출물마다 가림)
JOB = "/ctxgrade/job"        # 이 제출물의 작업 폴더
MAX_MESSAGE = 4096
# 실행기와 커널이 쓰는 모듈 (커널이 시작하며 불러오는 것까지; 부작용 없이 불러오기만 하는 것들). matplotlib_inline의
# 백엔드는 빼 둡니다: 불러올 때 IPython 셸이 있어야 그림 출력을 거는데, 그 셸은 fork한 커널에서 생깁니다.
PRELOAD = ("IPython", "IPython.core.completerlib", "IPython.core.debugger", "IPython.core.oinspect",
           "IPython.extensions.storemagic", "IPython.utils.wildcard", "ipykernel.ipkernel", "ipykernel.kernelapp",
           "ipykernel.zmqshell", "ctxcourse.grading.jail.kernel", "tornado.platform.asyncio", "tornado.queues",
           "tornado.locks", "tornado.gen", "sqlite3", "pdb", "faulthandler", "numpy", "numpy.random",
           "matplotlib", "matplotlib.pyplot", "ctxcourse.grading.jail.forkkernel", "ctxcourse.grading.jail.runner")


def preload() -> None:
    """실행기와 커널이 쓸 모듈을 불러 둡니다. matplotlib는 ipykernel이 정하는 것과 같은 inline 백엔드로."""
    os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    cache = os.environ.get("MPLCONFIGDIR")
    if cache:
        from .privileges import copy_mpl_cache

        copy_mpl_cache("/ctxgrade/mplcache", cache)
    import importlib

    for name in PRELOAD:
        importlib.import_module(name)
    from jupyter_client.provisioning import KernelProvisionerFactory

    KernelProvisionerFactory.instance()   # entry point 목록을 한 번 읽어 둡니다
    import gc

    gc.collect()
    gc.freeze()


def _send(control: socket.socket, message: dict) -> None:
    control.sendall((json.dumps(message) + "\n").encode())


def _submission(job_name: str, fds: list[int], tmp_size: int, workdir: str, keep: list[str]) -> None:
    """fork한 A: 새 이름공간을 만들고 1번(B)을 fork한 뒤 B가 끝나기를 기다립니다. 돌아오지 않습니다."""
    code = 70
    try:
        # 네트워크 이름공간도 제출물마다: 앞 제출물이 남긴 TIME_WAIT 소켓이나 점유한 포트가 다음 제출물의 커널을 막지
        # 못하고 (외부 레드팀 7차), /proc/net로 서로를 엿볼 수도 없습니다. 마지막 프로세스가 끝나면 통째로 사라집니다.
        unshare(CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWNET)
        loopback_up()
        init = os.fork()
        if init == 0:
            _init(job_name, fds, tmp_size, workdir, keep)
        for fd in fds[:3]:
            os.close(fd)   # 표준 입출력은 B와 실행기만 가집니다 (끝나면 채점기가 EOF를 봅니다)
        os.write(fds[3], f"{init}\n".encode())
        code = os.waitstatus_to_exitcode(os.waitpid(init, 0)[1])
    except BaseException as error:  # noqa: BLE001
        os.write(2, f"zygote: {type(error).__name__}: {error}\n".encode(errors="replace"))
    finally:
        exit_child(code)


def _init(job_name: str, fds: list[int], tmp_size: int, workdir: str, keep: list[str]) -> None:
    """B: 새 PID 이름공간의 1번. 마운트를 새로 하고 실행기(C)를 fork한 뒤 모든 자식을 거둡니다."""
    code = 71
    try:
        os.close(fds[3])
        for target, fd in enumerate(fds[:3]):   # 먼저: 아래 마운트가 실패하면 그 까닭이 이 제출물의 표준 오류로 갑니다
            os.dup2(fd, target)
        fresh_submission_mounts(workdir, tmp_size, os.path.join(JOBS, job_name), JOB, JOBS, keep)
        set_name("ctxgrade-init")
        os.closerange(3, os.sysconf("SC_OPEN_MAX"))
        runner = os.fork()
        if runner == 0:
            _runner()
        while True:
            pid, status = os.wait()
            if pid == runner:
                code = os.waitstatus_to_exitcode(status)
                break
    except BaseException as error:  # noqa: BLE001
        os.write(2, f"zygote init: {type(error).__name__}: {error}\n".encode(errors="replace"))
    finally:
        exit_child(code)


def _runner() -> None:
    """C: 실행기. 작업은 /ctxgrade/job/job.json (채점기가 쓴 파일)."""
    code = 72
    try:
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        from .runner import run_job

        with open(os.path.join(JOB, "job.json"), encoding="utf-8") as handle:
            job = json.load(handle)
        if job.get("probe"):   # 채점기의 시험 실행 (Sandbox.check): 권한을 내려놓은 뒤의 모습만 알립니다
            code = _probe(job)
        else:
            code = run_job(job)
    except BaseException as error:  # noqa: BLE001
        os.write(2, f"runner: {type(error).__name__}: {error}\n".encode(errors="replace"))
    finally:
        exit_child(code)


def _probe(job: dict) -> int:
    from .privileges import drop_privileges

    drop_privileges(job)
    status = dict(line.split(":\t", 1) for line in open("/proc/self/status").read().splitlines() if ":\t" in line)
    pids = [entry for entry in os.listdir("/proc") if entry.isdigit()]
    print(json.dumps({"type": "probe", "uid": os.getuid(), "cap_eff": status.get("CapEff", "").strip(),
                      "seccomp": status.get("Seccomp", "").strip(), "pids": len(pids),
                      "jobs": os.listdir(JOBS)}), flush=True)
    return 0


class Zygote:
    """제어 소켓의 요청을 하나씩 처리합니다 (한 번에 제출물 하나)."""

    def __init__(self, control: socket.socket, tmp_size: int, workdir: str, keep: list[str]):
        self.control, self.tmp_size, self.workdir, self.keep = control, tmp_size, workdir, keep
        self.buffer = b""

    def _message(self) -> tuple[dict | None, list[int]]:
        """다음 요청 (JSON 한 줄, 함께 온 파일 설명자). 소켓이 닫혔으면 (None, [])."""
        message, fds, _flags, _address = socket.recv_fds(self.control, MAX_MESSAGE, 8)
        if not message:
            return None, []
        return json.loads(message.decode()), fds

    def serve(self) -> None:
        _send(self.control, {"type": "ready", "pid": os.getpid()})
        while True:
            request, fds = self._message()
            if request is None:
                return
            if request.get("type") != "run" or len(fds) != 3 or "/" in request["job"] or request["job"] in ("", ".", ".."):
                for fd in fds:
                    os.close(fd)
                _send(self.control, {"type": "refused"})
                continue
            self._run(request["job"], fds)

    def _run(self, job_name: str, fds: list[int]) -> None:
        report_r, report_w = os.pipe()
        child = os.fork()
        if child == 0:
            self.control.detach()   # 소켓 객체를 닫지 않고 설명자만 넘깁니다: 아래에서 모두 닫습니다
            os.close(report_r)
            _submission(job_name, [*fds, report_w], self.tmp_size, self.workdir, self.keep)
        os.close(report_w)
        for fd in fds:
            os.close(fd)
        init = _read_pid(report_r)
        os.close(report_r)
        reason = self._wait(child, init)
        _, status = os.waitpid(child, 0)
        _send(self.control, {"type": "ended", "status": os.waitstatus_to_exitcode(status), "reason": reason})

    def _wait(self, child: int, init: int | None) -> str:
        """``stop`` 요청이나 A의 끝을 기다립니다. 그리고 1번(B)을 끝냅니다 (PID 이름공간 전체가 끝남)."""
        reason = "exited"
        pidfd = os.pidfd_open(child)
        try:
            with selectors.DefaultSelector() as selector:
                selector.register(pidfd, selectors.EVENT_READ, "child")
                selector.register(self.control, selectors.EVENT_READ, "control")
                while True:
                    ready = {key.data for key, _ in selector.select()}
                    if "child" in ready:
                        break
                    request, fds = self._message()
                    for fd in fds:
                        os.close(fd)
                    if request is None or request.get("type") == "stop":
                        reason = "stopped" if request is not None else "closed"
                        break
        finally:
            os.close(pidfd)
        if init is not None and reason != "exited":   # 끝났으면 그 번호는 이미 다른 프로세스의 것일 수 있습니다
            try:
                os.kill(init, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if reason == "closed":
            raise SystemExit(0)
        return reason


def _read_pid(fd: int) -> int | None:
    data = b""
    while not data.endswith(b"\n"):
        chunk = os.read(fd, 32)
        if not chunk:
            return None
        data += chunk
    return int(data)


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    control = socket.socket(fileno=int(argv[0]))
    settings = json.loads(argv[1])
    set_name("ctxgrade-zygote")
    not_dumpable()
    signal.signal(signal.SIGINT, signal.SIG_IGN)   # Ctrl-C는 채점기가 처리합니다 (샌드박스를 끝냄)
    try:
        if settings.get("preload", True):   # 시험 실행(Sandbox.check)은 이름공간만 보므로 불러 두지 않습니다
            preload()
    except Exception as error:  # noqa: BLE001
        _send(control, {"type": "failed", "detail": f"{type(error).__name__}: {error}"[:2000]})
        return 1
    Zygote(control, settings["tmpfs"], settings["workdir"], list(settings.get("keep") or [])).serve()
    return 0


if __name__ == "__main__":
    sys.exit(main())
