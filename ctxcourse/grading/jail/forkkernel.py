"""채점 커널을 exec 대신 fork로 시작합니다 (kernels started by fork, not exec).

샌드박스의 실행기는 미리 불러 둔 프로세스(:mod:`.zygote`)에서 갈라져 나오므로 ipykernel, IPython, numpy,
matplotlib가 이미 메모리에 있습니다. 커널을 ``python -m ...``으로 새로 실행하면 그 불러오기(제출물마다 약 0.5초의
CPU)를 다시 치르므로, 실행기는 asyncio와 ZeroMQ를 시작하기 *전에* (스레드가 하나뿐일 때) 연결 파일을 쓰고
:func:`start`로 커널을 fork합니다. 그 뒤 jupyter_client의 공개 확장 지점인 kernel provisioner
(:class:`ForkProvisioner`, pyproject의 entry point ``ctxgrade-fork-provisioner``)가 이미 떠 있는 그 커널을 맡아
nbclient가 보통의 커널처럼 다룹니다 (중단 = 프로세스 그룹에 SIGINT, 종료 = SIGKILL).

fork된 커널은 새 세션의 우두머리가 되고, 표준 입력은 /dev/null, 출력은 커널 기록 파일로 돌리며, 실행기의 다른
파일 설명자(결과를 보내는 줄 등)는 모두 닫습니다. numpy의 전역 난수 상태는 새로 섞습니다 (fork한 커널들이 같은
난수를 내지 않도록; 파이썬의 ``random``은 fork 뒤에 스스로 다시 섞습니다).
"""

from __future__ import annotations

import os
import secrets
import signal
import sys

from jupyter_client.connect import write_connection_file
from jupyter_client.provisioning import LocalProvisioner
from jupyter_client.provisioning.provisioner_base import KernelProvisionerBase

PROVISIONER = "ctxgrade-fork-provisioner"
_pending: "ForkedProcess | None" = None   # start()가 띄우고 ForkProvisioner가 맡을 커널


class ForkedProcess:
    """fork한 커널 프로세스를 subprocess.Popen처럼 다루는 작은 객체 (provisioner가 쓰는 만큼만)."""

    stdin = stdout = stderr = None

    def __init__(self, pid: int, connection_file: str):
        self.pid = pid
        self.connection_file = connection_file
        self.returncode: int | None = None

    def _status(self, flags: int) -> int | None:
        if self.returncode is None:
            try:
                pid, status = os.waitpid(self.pid, flags)
            except ChildProcessError:
                self.returncode = -signal.SIGKILL
                return self.returncode
            if pid == self.pid:
                self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def poll(self) -> int | None:
        return self._status(os.WNOHANG)

    def wait(self, timeout=None) -> int | None:
        return self._status(0)

    def send_signal(self, signum: int) -> None:
        if self.returncode is None:
            os.kill(self.pid, signum)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)


def start(records_dir: str, workdir: str, log_fd: int) -> ForkedProcess:
    """연결 파일을 쓰고 커널을 fork합니다. 스레드가 하나뿐이고 이벤트 루프가 아직 없을 때 불러야 합니다."""
    global _pending
    connection_file = os.path.join(records_dir, f"kernel-{secrets.token_hex(8)}.json")
    write_connection_file(connection_file, ip="127.0.0.1", key=secrets.token_hex(16).encode(), transport="tcp")
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:
        _kernel_child(connection_file, workdir, log_fd)
    _pending = ForkedProcess(pid, connection_file)
    return _pending


def _kernel_child(connection_file: str, workdir: str, log_fd: int) -> None:
    """fork한 쪽: 커널이 되어 끝까지 돌고 끝납니다 (실행기 코드로 돌아가지 않습니다)."""
    code = 1
    try:
        os.setsid()
        from .namespaces import set_name

        set_name("ctxgrade-kernel")
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.dup2(log_fd, 1)
        os.dup2(log_fd, 2)
        os.closerange(3, os.sysconf("SC_OPEN_MAX"))   # 실행기의 결과 줄, 기록 파일 등은 커널이 가지지 않습니다
        os.chdir(workdir)
        if "numpy" in sys.modules:
            sys.modules["numpy"].random.seed()
        from .kernel import serve

        serve(["-f", connection_file, "--HistoryManager.hist_file=:memory:"])
        code = 0
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else 1
    except BaseException:  # noqa: BLE001
        import traceback

        traceback.print_exc()
    finally:
        exit_child(code)


def exit_child(code: int) -> None:
    """fork한 자식 프로세스를 끝냅니다: 출력을 비우고, 부모의 정리 코드(atexit 등)를 돌리지 않고 (os._exit).
    신호로 끝난 자식의 음수 종료 코드는 셸처럼 128 + 신호 번호로 바꿉니다."""
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    finally:
        os._exit(code if 0 <= code < 256 else 128 + (-code % 128))


class ForkProvisioner(LocalProvisioner):
    """:func:`start`로 이미 fork한 커널을 맡는 provisioner. 새 프로세스를 실행하지 않습니다."""

    async def pre_launch(self, **kwargs):
        if _pending is None:
            raise RuntimeError("fork한 커널이 없습니다 (forkkernel.start를 먼저 불러야 합니다)")
        km = self.parent
        km.connection_file = _pending.connection_file
        km.load_connection_file(_pending.connection_file)
        self.connection_info = km.get_connection_info()
        kwargs.pop("extra_arguments", None)
        return await KernelProvisionerBase.pre_launch(self, cmd=list(self.kernel_spec.argv), **kwargs)

    async def launch_kernel(self, cmd, **kwargs):
        global _pending
        process, _pending = _pending, None
        self.process = process
        self.pid = self.pgid = process.pid
        self.cwd = kwargs.get("cwd")
        return self.connection_info
