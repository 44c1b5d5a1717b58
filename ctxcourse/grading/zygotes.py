"""채점기 쪽의 zygote 손잡이 (the host side of :mod:`.jail.zygote`).

작업 스레드(슬롯)마다 bubblewrap 샌드박스 하나에 미리 불러 둔 채점 프로세스를 띄워 두고, 제출물마다 그 프로세스에
"이 작업을 fork해 실행하라"를 보냅니다. 제어 통로는 SOCK_SEQPACKET 유닉스 소켓(메시지 하나 = JSON 하나)이고,
제출물의 표준 입력·출력·오류 파이프는 그 메시지에 파일 설명자로 실어 보냅니다 (SCM_RIGHTS).

무언가 어긋나면 (시작하지 못함, 답이 없음, 벽시계 제한, 출력 넘침) 샌드박스째 끝내고 다음 제출물에서 새로
띄웁니다: 느려질 뿐 제출물끼리 섞이지 않습니다.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

MESSAGE = 4096


class ZygoteFailed(RuntimeError):
    """zygote가 시작하지 못했거나 답하지 않습니다 (이 제출물은 샌드박스 오류로 처리하고 zygote는 새로 띄웁니다)."""


class ZygoteHandle:
    """샌드박스 하나의 zygote. 한 번에 제출물 하나만 보냅니다 (슬롯의 스레드 하나가 씁니다)."""

    def __init__(self, spawn, jobs_root: Path, settings: dict, startup_timeout: float):
        """``spawn(argv, pass_fds, **popen)``: 샌드박스 안에서 ``argv``를 시작하는 함수 (Sandbox.spawn_zygote)."""
        self.jobs_root = Path(jobs_root)
        self.control, child = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.log = tempfile.TemporaryFile()
        try:
            argv = ["-I", "-m", "ctxcourse.grading.jail.zygote", str(child.fileno()), json.dumps(settings)]
            self.process = spawn(argv, (child.fileno(),), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                 stderr=self.log)
        finally:
            child.close()
        self.busy = False
        self.served = 0   # 이 zygote가 시작한 제출물 수
        reply = self._receive(startup_timeout)
        if not reply or reply.get("type") != "ready":
            detail = (reply or {}).get("detail") or self.log_tail() or "답이 없습니다"
            self.kill()
            raise ZygoteFailed(f"미리 불러 둔 채점 프로세스(zygote)를 시작하지 못했습니다: {detail}")

    # -- messages ------------------------------------------------------------------------------
    def _receive(self, timeout: float) -> dict | None:
        ready, _, _ = select.select([self.control], [], [], max(0.0, timeout))
        if not ready:
            return None
        try:
            data = self.control.recv(MESSAGE)
        except OSError:
            return None
        if not data:
            return None
        try:
            message = json.loads(data)
        except ValueError:
            return None
        return message if isinstance(message, dict) else None

    def _send(self, message: dict, fds: list[int] = ()) -> bool:
        try:
            socket.send_fds(self.control, [json.dumps(message).encode()], list(fds))
            return True
        except OSError:
            return False

    # -- one submission ------------------------------------------------------------------------
    def alive(self) -> bool:
        return self.process.poll() is None

    def start(self, job_dir: Path) -> "ZygoteRun":
        """제출물 하나를 시작합니다. 돌려준 객체의 stdin/stdout/stderr가 실행기와 이어진 파이프입니다."""
        if Path(job_dir).parent != self.jobs_root:
            raise ZygoteFailed(f"작업 폴더가 zygote의 작업 뿌리 밖에 있습니다: {job_dir}")
        stdin_r, stdin_w = os.pipe()
        stdout_r, stdout_w = os.pipe()
        stderr_r, stderr_w = os.pipe()
        try:
            sent = self._send({"type": "run", "job": Path(job_dir).name}, [stdin_r, stdout_w, stderr_w])
        finally:
            for fd in (stdin_r, stdout_w, stderr_w):
                os.close(fd)
        run = ZygoteRun(self, os.fdopen(stdin_w, "wb"), os.fdopen(stdout_r, "rb"), os.fdopen(stderr_r, "rb"))
        if not sent:
            run.close_pipes()
            raise ZygoteFailed("zygote에 작업을 보내지 못했습니다")
        run.reused = self.served > 0
        self.served += 1
        self.busy = True
        return run

    def finish(self, timeout: float) -> int | None:
        """지금 제출물을 끝냅니다 (PID 이름공간 전체). 실행기의 종료 코드 (끝내야 했으면 음수 신호)."""
        if not self.busy:
            return None
        self.busy = False
        if not self._send({"type": "stop"}):
            self.kill()
            return None
        deadline = time.monotonic() + timeout
        while True:
            reply = self._receive(deadline - time.monotonic())
            if reply is None:
                self.kill()
                return None
            if reply.get("type") == "ended":
                status = reply.get("status")
                return status if isinstance(status, int) else None

    def kill(self) -> None:
        """샌드박스째 끝냅니다 (bwrap의 프로세스 그룹)."""
        if self.process.poll() is None:
            with contextlib.suppress(OSError):
                os.killpg(self.process.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=30)
        self.close()

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.control.close()
        if self.process.poll() is None:   # 제어 소켓이 닫히면 zygote는 스스로 끝납니다
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=10)
            if self.process.poll() is None:
                with contextlib.suppress(OSError):
                    os.killpg(self.process.pid, signal.SIGKILL)
        with contextlib.suppress(OSError):
            self.log.close()

    def log_tail(self, size: int = 2000) -> str:
        try:
            self.log.seek(0, os.SEEK_END)
            end = self.log.tell()
            self.log.seek(max(0, end - size))
            return self.log.read().decode("utf-8", errors="replace").strip()
        except (OSError, ValueError):
            return ""


class ZygoteRun:
    """zygote에서 실행 중인 제출물 하나: subprocess.Popen 대신 :meth:`.sandbox.Sandbox._execute`가 씁니다."""

    def __init__(self, zygote: ZygoteHandle, stdin, stdout, stderr):
        self.zygote, self.stdin, self.stdout, self.stderr = zygote, stdin, stdout, stderr
        self.pid = zygote.process.pid    # 실행기를 찾을 프로세스 트리의 뿌리 (bwrap)
        self.returncode: int | None = None
        self.reused = False              # 앞서 다른 제출물을 실행한 zygote에서 시작했는지

    def close_pipes(self) -> None:
        for stream in (self.stdin, self.stdout, self.stderr):
            with contextlib.suppress(OSError):
                stream.close()

    def end(self, clean: bool, timeout: float) -> None:
        """실행을 끝냅니다. ``clean``이 아니면 (done 줄 없이 끝남, 벽시계 제한, 넘침, 멈춘 실행기) zygote째 끝냅니다:
        다음 제출물은 새 zygote에서 (앞 제출물이 zygote를 망가뜨렸을 수 있으므로)."""
        if clean:
            self.returncode = self.zygote.finish(timeout)
        else:
            self.zygote.kill()
            self.returncode = -signal.SIGKILL

    def kill(self) -> None:
        self.zygote.kill()
