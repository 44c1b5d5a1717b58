"""테스트 셀 하나 동안 학생 커널 안에서 도는 호출 고리 (the per-test call loop).

테스트 셀 자리에서 실행기(:mod:`.runner`)는 커널에 ``recorder.serve_loop(소켓)``을 한 번 조용히 실행시키고, 그 고리와
유닉스 소켓으로 이어집니다. 재현기의 호출 요청 하나는 소켓의 한 줄이고, 고리는 기록을 파일에 쓴 뒤 ``{"seq"}`` 한 줄로
답합니다. 호출마다 커널에 실행 요청을 보내던 때(ZeroMQ 왕복, 호출 하나에 약 2밀리초)보다 빠르고, 호출 하나의 의미
(시간 제한, 중단, 커널의 죽음)는 같습니다.

소켓은 실행기만 아는 임시 폴더에 만들고, 고리가 이어지면 곧바로 지웁니다: 뒤의 학생 셀이 이어 붙을 자리가 없습니다.
고리가 보내는 줄은 학생 프로세스에서 오므로 "기록을 다 썼다"는 신호로만 쓰고, 기록은 여전히 믿지 않는 데이터입니다.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import tempfile

from .client import GradingClient

RECORDER = "__import__('ctxcourse.grading.jail.recorder', fromlist=['x'])"
LINE_LIMIT = 64 * 1024   # 고리의 답 한 줄의 최대 크기 (답은 {"seq": n}뿐입니다)


class CallLoop:
    """이어진 호출 고리 하나: 요청을 보내고, 답·고리의 끝·시간 초과를 구별합니다."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, finished: asyncio.Future):
        self.reader, self.writer, self.finished = reader, writer, finished
        self.seq = 0

    @classmethod
    async def open(cls, client: GradingClient, timeout: float) -> tuple[CallLoop | None, asyncio.Future]:
        """커널에 고리를 띄우고 이어지기를 기다립니다. (고리 또는 None, 고리를 띄운 실행의 응답을 기다리는 작업)."""
        folder = tempfile.mkdtemp(prefix="ctxcalls-")
        path = os.path.join(folder, "calls.sock")
        accepted = asyncio.get_running_loop().create_future()

        def on_connect(reader, writer):
            if accepted.done():
                writer.close()
            else:
                accepted.set_result((reader, writer))

        server = await asyncio.start_unix_server(on_connect, path=path, limit=LINE_LIMIT)
        try:
            finished = asyncio.ensure_future(client.reply_to(client.send_silent(
                f"{RECORDER}.serve_loop({json.dumps(path)})")))
            await asyncio.wait({accepted, finished}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        finally:
            server.close()
            shutil.rmtree(folder, ignore_errors=True)
        if accepted.done():
            return cls(*accepted.result(), finished), finished
        return None, finished

    async def call(self, request: dict, out_path: str, timeout: float) -> str:
        """요청 하나를 보내고 기다립니다: ``done`` (기록을 다 씀), ``ended`` (고리가 끝남), ``timeout``."""
        self.seq += 1
        line = json.dumps({"seq": self.seq, "request": request, "out": out_path}, ensure_ascii=False)
        try:   # 고리가 읽지 않으면 큰 요청은 소켓 버퍼에서 멈춥니다: 보내기도 같은 시간 제한 안에서
            self.writer.write(line.encode() + b"\n")
            await asyncio.wait_for(self.writer.drain(), timeout)
        except (ConnectionError, OSError):
            return "ended"
        except asyncio.TimeoutError:
            return "timeout"
        answered = asyncio.ensure_future(self._answer(self.seq))
        await asyncio.wait({answered, self.finished}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        if answered.done():
            return "done" if answered.result() else "ended"
        answered.cancel()
        return "ended" if self.finished.done() else "timeout"

    async def _answer(self, seq: int) -> bool:
        """``seq``의 답이 오면 True, 고리가 끝나거나 답의 모양이 틀리면 False."""
        while True:
            try:
                line = await self.reader.readline()
            except (ValueError, asyncio.LimitOverrunError, ConnectionError, OSError):
                return False
            if not line:
                return False
            try:
                if json.loads(line).get("seq") == seq:
                    return True
            except (ValueError, AttributeError):
                return False

    async def close(self, wait: float) -> bool:
        """소켓을 닫아 고리를 끝내고, 고리를 띄운 실행의 응답을 ``wait``초까지 기다립니다. 응답이 왔으면 True."""
        try:
            self.writer.close()
        except (ConnectionError, OSError):
            pass
        await asyncio.wait({self.finished}, timeout=wait)
        return self.finished.done()
