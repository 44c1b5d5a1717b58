"""nbclient 위의 채점용 노트북 클라이언트, 그리고 커널과 조용히 주고받는 작은 도구들.

nbclient·jupyter_client의 내부(``_async_poll_for_reply``의 복사본, ``nbformat.v4.nbbase.validate``를 끄는 일,
``KernelManager._kernel_spec``에 kernelspec을 직접 주는 일, ``KernelClient.wait_for_ready``를 바꾸는 일)를 건드리는
곳은 이 파일뿐입니다. 확인한 판: **nbclient 0.11.0**, **jupyter_client 8.10.0**, nbformat 5.10. 이들을 올리면 이
파일의 네 곳을 원본과 비교하세요 (``NotebookClient._async_poll_for_reply``와 그 호출 방식, ``KernelManager.kernel_spec``,
``KernelClient._async_wait_for_ready``).
"""

from __future__ import annotations

import asyncio
import json
import signal
import time
from queue import Empty

from jupyter_client.asynchronous import AsyncKernelClient
from nbclient import NotebookClient
from nbformat import NotebookNode

TIMEOUT_ERROR = {
    "ename": "CellTimeoutError",
    "evalue": "",
    "traceback": ["\x1b[0;31mCellTimeoutError\x1b[0m: No reply from kernel before timeout"],
}


def skip_output_validation() -> None:
    """nbclient는 출력 하나마다 nbformat 검증을 부르고, 처음 부를 때 스키마를 컴파일합니다 (0.2초). 여기서 모은
    출력은 어차피 믿지 않는 데이터이고 부모가 nbformat으로 다시 검사하므로 (nbgrader_glue.clean_outputs) 건너뜁니다."""
    import nbformat.v4.nbbase as nbbase

    nbbase.validate = lambda node, ref=None: None


def _output_size(msg: dict) -> int:
    """출력 하나가 JSON으로 쓰일 때의 대략의 크기 (빈 줄 수백만 개짜리 traceback도 제 크기로 셉니다)."""
    content = msg.get("content", {})
    size = len(content.get("text", "") or "")
    for value in (content.get("data") or {}).values():
        size += len(value) if isinstance(value, str) else len(json.dumps(value))
    size += sum(len(line) + 4 for line in content.get("traceback", []) or [])
    return size


class ReadyClient(AsyncKernelClient):
    """jupyter_client 8.10의 ``wait_for_ready``와 같지만, 끝에서 IOPub이 0.2초 동안 조용해질 때까지 기다리지 않고
    답을 받은 kernel_info 요청의 idle 상태가 오면 끝냅니다 (제출물마다 0.2초). IOPub이 아직 이어지지 않아 그 idle을
    놓쳤으면 (0.25초 안에 오지 않으면) 원본처럼 kernel_info를 다시 보냅니다. 그 뒤에 오는 다른 상태 메시지는
    nbclient가 부모 msg_id로 걸러 냅니다."""

    async def wait_for_ready(self, timeout: float | None = None) -> None:
        deadline = time.monotonic() + (timeout if timeout is not None else float("inf"))
        while True:
            self.kernel_info()
            try:
                msg = await self.shell_channel.get_msg(timeout=1)
            except Empty:
                msg = None
            if msg is not None and msg["msg_type"] == "kernel_info_reply":
                answered = msg["parent_header"].get("msg_id")
                if await self._idle_after(answered, min(0.25, max(0.0, deadline - time.monotonic()))):
                    self._handle_kernel_info_reply(msg)
                    return
            elif msg is None and not await self._async_is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {timeout} seconds")

    async def _idle_after(self, msg_id: str | None, timeout: float) -> bool:
        """IOPub에서 ``msg_id`` 요청의 idle 상태를 기다립니다 (IOPub이 이어졌다는 증거). 시간 안에 오면 True."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                msg = await self.iopub_channel.get_msg(timeout=max(0.0, deadline - time.monotonic()))
            except Empty:
                return False
            if msg["msg_type"] == "status" and msg["content"].get("execution_state") == "idle" and \
                    msg["parent_header"].get("msg_id") == msg_id:
                return True


class GradingClient(NotebookClient):
    """출력 크기를 제한하고 시간 초과를 nbgrader처럼 기록하는 노트북 클라이언트."""

    def __init__(self, nb, job, spec: dict | None = None, **kw):
        super().__init__(nb, **kw)
        self.job = job
        self.spec = spec   # 커널의 kernelspec (주면 찾지 않습니다: create_kernel_manager)
        self.cell_bytes = 0
        self.total_bytes = 0
        self.output_truncated = False
        self.flood_interrupted = False
        self.executing = None   # 지금 커널이 실행 중인 셀 요청의 msg_id (응답을 받기 전까지)
        self.on_cell_executed = self._on_cell_executed

    def create_kernel_manager(self):
        """nbclient의 같은 함수에 더해, 커널의 주소(127.0.0.1)와 알고 있는 kernelspec을 커널 관리자에 직접 줍니다 (jupyter_client 8.10의
        ``KernelManager._kernel_spec``). kernelspec을 이름으로 찾으면 실행기가 IPython을 불러오고 여러 폴더를 뒤져
        제출물마다 약 0.1초가 커널 시작 앞에 더해집니다."""
        km = super().create_kernel_manager()
        km.client_class = "ctxcourse.grading.jail.client.ReadyClient"
        km.ip = "127.0.0.1"   # 주지 않으면 jupyter_client가 psutil로 이 기계의 네트워크 주소를 모두 훑습니다 (약 0.09초)
        if self.spec is not None:
            from jupyter_client.kernelspec import KernelSpec

            km._kernel_spec = KernelSpec(**self.spec)
        return km

    def new_cell(self) -> None:
        """셀 하나를 실행하기 전에 셀마다의 출력 셈을 비웁니다."""
        self.cell_bytes = 0
        self.output_truncated = False
        self.flood_interrupted = False

    def _on_cell_executed(self, cell, cell_index, execute_reply):
        self.on_executed(cell, execute_reply)

    async def _async_poll_for_reply(self, msg_id, cell, timeout, task_poll_output_msg, task_poll_kernel_alive):
        """nbclient 0.11.0의 같은 함수와 같지만 두 가지가 다릅니다: 시간 초과로 만든 응답 뒤에는 IOPub을 ``grace``초만
        기다리고, IOPub을 기다리다 포기하면 출력 수집 작업을 취소합니다 (남겨 두면 다음 셀의 출력을 가로챕니다)."""
        deadline = time.monotonic() + timeout if timeout is not None else None
        fabricated = None
        self.executing = msg_id
        while True:
            try:
                if fabricated is not None:
                    msg = fabricated
                    msg["parent_header"] = {"msg_id": msg_id}
                else:
                    remaining = None if deadline is None else max(0.0, deadline - time.monotonic())
                    msg = await self.kc.shell_channel.get_msg(timeout=remaining)
                if msg["parent_header"].get("msg_id") == msg_id:
                    self.executing = None
                    wait = self.job["grace"] if fabricated is not None else self.iopub_timeout
                    try:
                        await asyncio.wait_for(asyncio.shield(task_poll_output_msg), wait)
                    except (asyncio.TimeoutError, Empty):
                        task_poll_output_msg.cancel()
                    task_poll_kernel_alive.cancel()
                    return msg
            except Empty:
                task_poll_kernel_alive.cancel()
                await self._async_check_alive()
                fabricated = await self._async_handle_timeout(timeout, cell)
                if fabricated is None:
                    raise

    def output(self, outs, msg, display_id, cell_index):
        size = _output_size(msg)
        self.cell_bytes += size
        if self.cell_bytes > self.job["max_cell_output"] or self.total_bytes + size > self.job["max_total_output"]:
            self.output_truncated = True
            if self.cell_bytes > self.job["flood_output"] and not self.flood_interrupted and self.km is not None:
                self.flood_interrupted = True
                asyncio.ensure_future(self._interrupt_if_running(msg["parent_header"].get("msg_id")))
            return None
        self.total_bytes += size
        return super().output(outs, msg, display_id, cell_index)

    async def _interrupt_if_running(self, msg_id):
        """출력이 넘치는 셀만 중단합니다. 늦게 처리된 출력 때문에 이미 끝난 셀 대신 다음 셀을 중단하지 않도록."""
        if msg_id is not None and self.executing == msg_id:
            await self.km.interrupt_kernel()

    def on_executed(self, cell, reply):
        """nbgrader의 Execute처럼: 오류 응답인데 오류 출력이 없으면(시간 초과) 덧붙입니다."""
        if reply and reply.get("content", {}).get("status") == "error":
            content = reply["content"]
            if not any(o.get("output_type") == "error" and o.get("ename") == content.get("ename")
                       for o in cell.outputs):
                cell.outputs.append(NotebookNode(output_type="error", ename=content.get("ename", ""),
                                                 evalue=content.get("evalue", ""),
                                                 traceback=content.get("traceback") or [
                                                     "ERROR: An error occurred while showtraceback was disabled"]))

    def kernel_exit(self) -> str:
        """커널 프로세스가 끝났으면 그 이유 ("signal SIGKILL", "exit code 1"), 아니면 빈 글."""
        try:
            process = self.km.provisioner.process
            code = process.poll() if process is not None else None
        except Exception:  # noqa: BLE001
            return ""
        if code is None:
            return ""
        if code < 0:
            try:
                return f"signal {signal.Signals(-code).name}"
            except ValueError:
                return f"signal {-code}"
        return f"exit code {code}"

    async def _shell_reply(self, msg_id: str, timeout: float):
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            try:
                msg = await self.kc.shell_channel.get_msg(timeout=remaining)
            except Empty:
                return None
            if msg["parent_header"].get("msg_id") == msg_id:
                return msg

    def send_silent(self, code: str) -> str:
        """코드를 조용히(출력 없이) 실행하라고 보냅니다. 요청의 msg_id."""
        return self.kc.execute(code, silent=True, store_history=False, allow_stdin=False, stop_on_error=False)

    async def reply_to(self, msg_id: str):
        """``msg_id``의 응답을 시간 제한 없이 기다립니다 (부르는 쪽이 ``asyncio.wait``로 제한합니다).
        그동안 온 다른 응답은 버리므로, 이것이 기다리는 동안에는 커널에 다른 요청을 보내지 않습니다."""
        while True:
            msg = await self.kc.shell_channel.get_msg(timeout=None)
            if msg["parent_header"].get("msg_id") == msg_id:
                return msg

    async def silent(self, code: str, timeout: float):
        """코드를 조용히(출력 없이) 실행하고 응답을 기다립니다. 응답이 없으면 None."""
        return await self._shell_reply(self.send_silent(code), timeout)

    async def silent_ok(self, code: str, timeout: float) -> bool:
        reply = await self.silent(code, timeout)
        return reply is not None and reply["content"].get("status") == "ok"

    async def responsive(self, timeout: float) -> bool:
        """커널이 ``timeout``초 안에 kernel_info에 답하는지."""
        return await self._shell_reply(self.kc.kernel_info(), timeout) is not None

    async def stop_kernel(self) -> None:
        try:
            await self.km.shutdown_kernel(now=True)
        except Exception:  # noqa: BLE001
            pass
