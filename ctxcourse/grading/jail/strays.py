"""샌드박스의 PID 이름공간에서 실행기·커널이 아닌 프로세스를 끝냅니다 (하위 프로세스 금지, 포크 폭탄)."""

from __future__ import annotations

import asyncio
import os
import signal

import psutil

from ..protocol import event_line


class StrayKiller:
    """0.2초마다 샌드박스 안의 낯선 프로세스를 끝냅니다. 너무 많이 끝내야 했으면 커널까지 끝냅니다."""

    def __init__(self, emit, fork_bomb_threshold: int):
        self.emit = emit
        self.kernel_pid = None
        self.killed = 0
        self.bomb = False
        self.threshold = fork_bomb_threshold

    def _strays(self) -> list[int]:
        mine = {1, os.getpid(), self.kernel_pid}
        found = []
        for process in psutil.process_iter(["pid", "status"]):
            if process.info["pid"] in mine:
                continue
            if process.info["status"] not in (psutil.STATUS_ZOMBIE, psutil.STATUS_DEAD):
                found.append(process.info["pid"])
        return found

    def sweep(self) -> None:
        if os.getppid() != 1:  # 샌드박스의 PID 이름공간 밖에서는 아무것도 끝내지 않습니다
            return
        strays = self._strays()
        if not strays:
            return
        for pid in strays:
            try:
                os.kill(pid, signal.SIGKILL)
                self.killed += 1
            except OSError:
                pass
        if self.killed >= self.threshold and not self.bomb:
            # 하위 프로세스를 이만큼 끝냈는데도 계속 생기면 포크 폭탄입니다: 커널까지 모두 끝냅니다.
            self.bomb = True
            try:
                os.kill(-1, signal.SIGKILL)  # 실행기(자신)와 init(1번)을 뺀 모든 프로세스 (커널 포함)
            except OSError:
                pass

    async def run(self) -> None:
        while True:
            try:
                self.sweep()
            except Exception:  # noqa: BLE001  (감시는 채점을 멈추지 않습니다)
                pass
            await asyncio.sleep(0.2)

    def report(self) -> None:
        if self.killed:
            self.emit(event_line("strays_killed", count=self.killed, fork_bomb=self.bomb))
