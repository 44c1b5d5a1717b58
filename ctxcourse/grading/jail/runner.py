"""샌드박스 안에서 학생 노트북 하나를 실행하는 프로그램 (the in-sandbox notebook runner).

``python -m ctxcourse.grading.jail.runner JOB.json``. 채점기(:mod:`ctxcourse.grading.sandbox`)가 bubblewrap
안에서 실행합니다. 하는 일:

1. 자원 한도를 걸고, root로 시작했으면 채점 전용 uid로 권한을 내려놓습니다 (:mod:`.privileges`).
2. 노트북 클라이언트(:mod:`.client`)와 IPython 커널을 같은 샌드박스 안에서 띄우고 셀을 차례로 실행합니다.
   테스트 셀의 코드는 커널에서 실행하지 않습니다: 그 자리에서 채점기가 보내는 호출 요청(평범한 데이터)마다
   채점 함수를 한 번 실행해 :mod:`.recorder`로 기록하고 돌려줍니다 (:mod:`ctxcourse.grading.protocol`).
3. 셀 시간 초과, 멈추지 않는 커널, 죽은 커널, 너무 긴 출력, 하위 프로세스(포크 폭탄, :mod:`.strays`)를 다룹니다.
4. 결과를 한 줄에 JSON 하나씩 표준 출력으로 내보냅니다. 줄의 모양은 protocol의 ``*_line`` 함수가 정합니다.

이 프로그램의 출력은 학생 코드와 같은 샌드박스에서 나오므로 채점기는 그것을 믿지 않고 데이터로만
다룹니다 (크기 제한, 형식 검사, 판정은 깨끗한 프로세스에서 다시 내림).
"""

from __future__ import annotations

from ctxcourse.grading import SLOW_OPTIONAL_MODULES, block_slow_optional_modules

block_slow_optional_modules(SLOW_OPTIONAL_MODULES)  # 실행기는 노트북을 검증하지 않습니다 (부모가 정리한 노트북)

import asyncio  # noqa: E402  (위의 막기가 nbclient·jsonschema보다 먼저여야 합니다)
import json  # noqa: E402
import os  # noqa: E402
import secrets  # noqa: E402
import signal  # noqa: E402
import stat  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

from nbclient.exceptions import DeadKernelError  # noqa: E402
from nbformat.v4.nbjson import reads as read_v4  # noqa: E402

from .. import protocol  # noqa: E402
from ..protocol import CALL, END, REPLY, TEST, cell_line, event_line  # noqa: E402
from .calls import RECORDER, CallLoop  # noqa: E402
from . import forkkernel  # noqa: E402
from .client import TIMEOUT_ERROR, GradingClient, skip_output_validation  # noqa: E402
from .privileges import KERNEL_NAME, drop_privileges, kernel_spec, prepare_home  # noqa: E402
from .namespaces import set_name  # noqa: E402
from .strays import StrayKiller  # noqa: E402

class Emitter:
    """결과를 한 줄에 JSON 하나씩 씁니다 (원래의 표준 출력으로; 다른 출력은 표준 오류로 돌립니다)."""

    def __init__(self):
        self.stream = os.fdopen(os.dup(1), "w", encoding="utf-8")
        os.dup2(2, 1)

    def __call__(self, record: dict) -> None:
        self.stream.write(json.dumps(record, ensure_ascii=False) + "\n")
        self.stream.flush()


def _read_regular(path: str, limit: int, *, tail: bool = False) -> bytes | None:
    """학생 커널도 쓸 수 있는 폴더의 파일을 읽습니다: 링크를 따라가지 않고(O_NOFOLLOW), 막히지 않게 열고(O_NONBLOCK:
    FIFO가 놓여 있어도 실행기가 멈추지 않음), 보통 파일이 아니면 읽지 않습니다. ``tail``이면 끝의 ``limit`` 바이트."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW)
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        if tail:
            os.lseek(fd, max(0, os.fstat(fd).st_size - limit), os.SEEK_SET)
        with os.fdopen(os.dup(fd), "rb") as handle:
            return handle.read(limit + (0 if tail else 1))
    except OSError:
        return None
    finally:
        os.close(fd)


def _read_records(path: str, limit: int) -> tuple[str, bool]:
    data = _read_regular(path, limit) or b""
    return data[:limit].decode("utf-8", errors="replace"), len(data) > limit


def _tail(path: str, size: int = 3000) -> str:
    return (_read_regular(path, size, tail=True) or b"").decode("utf-8", errors="replace")


def _remove(*paths: str) -> None:
    for path in paths:
        try:
            os.remove(path)
        except OSError:
            pass


_STDIN: "asyncio.StreamReader | None" = None
STDIN_LIMIT = 512 * 1024 ** 2   # 채점기가 보내는 한 줄 (호출의 인자를 담은 요청)의 상한


async def _stdin_line() -> dict | None:
    """채점기가 보낸 다음 메시지 (표준 입력의 JSON 한 줄). 입력이 닫혔으면 None. 표준 입력은 이벤트 루프가 직접
    읽습니다 (줄마다 스레드 풀을 오가지 않음: 숨은 테스트는 호출을 수백 번 합니다)."""
    global _STDIN
    if _STDIN is None:
        _STDIN = asyncio.StreamReader(limit=STDIN_LIMIT)
        await asyncio.get_running_loop().connect_read_pipe(lambda: asyncio.StreamReaderProtocol(_STDIN), sys.stdin)
    try:
        line = await _STDIN.readline()
    except ValueError:   # 상한을 넘는 줄: 채점기의 요청이 아니므로 닫힌 것으로 봅니다
        return None
    if not line:
        return None
    try:
        message = json.loads(line)
    except ValueError:
        return {}
    return message if isinstance(message, dict) else {}


class Run:
    """노트북 한 번의 실행: 클라이언트, 작업, 출력, 감시자와 멈춘 이유."""

    def __init__(self, client: GradingClient, job: dict, emit, killer: StrayKiller | None, log_path: str):
        self.client, self.job, self.emit, self.killer, self.log_path = client, job, emit, killer, log_path
        self.stopped: str | None = None   # 실행을 멈춘 이유 (kernel_died, unresponsive, fork_bomb)
        self.calls: CallLoop | None = None   # 지금 테스트 셀의 호출 고리 (테스트 셀 자리에서만)
        self.deadline = 0.0                  # 지금 테스트 셀의 시간 제한이 끝나는 때 (time.monotonic)

    @property
    def bombed(self) -> bool:
        return self.killer is not None and self.killer.bomb

    def note_stop(self, index: int) -> None:
        if self.stopped:
            self.emit(event_line(self.stopped, index=index, detail=self.client.kernel_exit(), log=_tail(self.log_path)))

    # -- 테스트 셀 자리 ------------------------------------------------------------------------------
    async def call_in_kernel(self, request: dict, out_path: str) -> tuple[str, str | None]:
        """요청 하나를 학생 커널의 호출 고리(:mod:`.calls`)에서 실행합니다 (셀 하나와 같은 시간 제한).
        (호출 상태, 실행을 멈출 이유)."""
        protocol.call_request(request)   # 형식 검사 (채점기는 믿지만, 커널에 넘기기 전에 한 번 더)
        if self.left(self.job["timeout"]) <= 0:
            return "timeout", None   # 이 테스트 셀의 시간을 앞의 호출들이 다 썼습니다: 부르지 않습니다
        if self.calls is None:
            self.calls, finished = await CallLoop.open(self.client, self.left(self.job["control_timeout"]))
            if self.calls is None:
                return await self._lost_loop(finished, "ended" if finished.done() else "timeout")
        outcome = await self.calls.call(request, out_path, self.left(self.job["timeout"]))
        if self.bombed:
            return "fork_bomb", "fork_bomb"
        if outcome == "done":
            return "ok", None
        calls, self.calls = self.calls, None
        if outcome == "ended" and await calls.close(self.job["grace"]):
            return "error", None   # 고리가 예외로 끝남 (예: 학생 함수의 SystemExit, 중단)
        return await self._lost_loop(calls.finished, outcome, calls)

    async def _lost_loop(self, finished, outcome: str, calls: CallLoop | None = None) -> tuple[str, str | None]:
        """고리가 답하지 않을 때: 커널이 죽었는지 보고, 살아 있으면 중단한 뒤 ``grace``초 안에 끝나는지 봅니다."""
        if not await self.client.km.is_alive():
            finished.cancel()
            return "kernel_died", "kernel_died"
        await self._interrupt()
        if calls is not None:
            ended = await calls.close(self.job["grace"])
        else:
            await asyncio.wait({finished}, timeout=self.job["grace"])
            ended = finished.done()
        if not ended:
            finished.cancel()
            await self.client.stop_kernel()
            return "timeout", "unresponsive"
        return ("timeout" if outcome == "timeout" else "error"), None

    async def close_calls(self) -> None:
        """테스트 셀이 끝나면 고리를 닫습니다. 닫히지 않으면 호출 하나가 시간 초과된 것처럼 다룹니다."""
        calls, self.calls = self.calls, None
        if calls is not None and not await calls.close(max(1.0, self.left(self.job["control_timeout"]))):
            _, self.stopped = await self._lost_loop(calls.finished, "timeout", calls)

    def left(self, cap: float) -> float:
        """이 테스트 셀에 남은 시간 (``cap``초까지). 테스트 셀 하나는 학생 셀 하나와 같은 시간 제한을 받습니다:
        녹화기를 켜고 끄는 일과 호출 모두가 그 안에 들어갑니다 (느리게 만든 녹화기로 작업자를 붙잡지 못하도록)."""
        return max(0.0, min(cap, self.deadline - time.monotonic()))

    async def _interrupt(self) -> None:
        try:
            await self.client.km.interrupt_kernel()
        except Exception:  # noqa: BLE001
            pass

    async def control(self, code: str) -> str:
        """녹화기의 조용한 실행 하나 (begin, end): ``ok``, ``failed``, ``timeout``. 남은 시간 안에 답하지 않으면 셀의
        시간 초과처럼 커널을 중단하고, ``grace``초 안에 답하지 않으면 끝냅니다."""
        reply = await self.client.silent(code, max(0.5, self.left(self.job["control_timeout"])))
        if reply is not None:
            return "ok" if reply["content"].get("status") == "ok" else "failed"
        if not await self.client.km.is_alive():
            self.stopped = "kernel_died"
        else:
            await self._interrupt()
            if not await self.client.responsive(self.job["grace"]):
                await self.client.stop_kernel()
                self.stopped = "unresponsive"
        return "timeout"

    def control_failed(self, index: int, test: str, step: str, status: str) -> None:
        detail = f"{step} (시간 초과)" if status == "timeout" else step
        self.emit(event_line("recorder_failed", index=index, test=test, detail=detail))

    async def begin_test(self, index: int, test: str) -> tuple[bool, str]:
        """테스트 하나를 시작합니다 (녹화기 begin). (준비됨, nonce)."""
        nonce = secrets.token_hex(8)
        begin_path = os.path.join(self.job["records_dir"], f"rec-{index}-{nonce}.jsonl")
        args = json.dumps([test, nonce, self.job["graded"], begin_path])
        status = await self.control(f"{RECORDER}.begin(*{args})")
        ready = status == "ok" and os.path.exists(begin_path)
        if not ready:
            self.control_failed(index, test, "begin", status)
        begin_text, _ = _read_records(begin_path, 1024 * 1024)
        _remove(begin_path)
        self.emit({"type": TEST, "index": index, "test": test, "nonce": nonce, "begin": begin_text})
        return ready, nonce

    async def answer_call(self, index: int, count: int, message: dict, ready: bool) -> None:
        request_id = message.get("id")
        if self.stopped or not ready:
            self.emit({"type": REPLY, "id": request_id, "status": self.stopped or "recorder_failed", "text": ""})
            return
        out_path = os.path.join(self.job["records_dir"], f"out-{index}-{count}.jsonl")
        try:
            status, self.stopped = await self.call_in_kernel(message.get("request"), out_path)
        except Exception as error:  # noqa: BLE001
            self.emit(event_line("client_error", index=index, detail=f"{type(error).__name__}: {error}"[:500]))
            status = "error"
        # 시간 초과 뒤에 끝난 호출의 기록은 보내지 않습니다 (중단 신호를 잡고 늦게 돌려준 답이 점수를 받지 않도록).
        text, cut = _read_records(out_path, self.job["max_records"]) if status in ("ok", "error") else ("", False)
        _remove(out_path)   # 학생 코드가 뒤 셀에서 기록(숨은 테스트의 입력)을 읽지 못하도록
        self.emit({"type": REPLY, "id": request_id, "status": status, "text": text, "truncated": cut})

    async def serve_test(self, index: int, test: str) -> None:
        """테스트 셀 자리: 셀의 코드는 실행하지 않고, 채점기가 보내는 호출 요청마다 학생 커널에서 한 번 실행해
        그 기록을 돌려줍니다 (:mod:`ctxcourse.grading.protocol`)."""
        started = time.monotonic()
        self.deadline = started + self.job["timeout"]
        ready, _ = await self.begin_test(index, test)
        count = 0
        while True:
            message = await _stdin_line()
            if message is None or message.get("type") == END:
                break
            if message.get("type") == CALL:
                count += 1
                await self.answer_call(index, count, message, ready)
        await self.close_calls()
        if ready and self.stopped is None:
            status = await self.control(f"{RECORDER}.end()")
            if status != "ok":
                self.control_failed(index, test, "end", status)
        self.emit(cell_line(index, self.stopped or "served", [], None, False, time.monotonic() - started))
        self.note_stop(index)

    # -- 학생 셀 ---------------------------------------------------------------------------------
    def _status(self, status: str, outputs: list) -> str:
        if any(o.get("output_type") == "error" and o.get("ename") == "CellTimeoutError" for o in outputs):
            status = "timeout"
        elif any(o.get("output_type") == "error" for o in outputs):
            status = "error"
        if self.client.flood_interrupted:
            status = "output_limit"
        return "fork_bomb" if self.bombed else status

    async def run_cell(self, cell, index: int) -> None:
        client = self.client
        client.new_cell()
        started = time.monotonic()
        status = "ok"
        try:
            cell = await client.async_execute_cell(cell, index, execution_count=client.code_cells_executed + 1)
        except DeadKernelError:
            status = "kernel_died"
        except Exception as error:  # noqa: BLE001  (셀 하나의 실패가 나머지를 멈추지 않도록)
            status = "client_error"
            self.emit(event_line("client_error", index=index, detail=f"{type(error).__name__}: {error}"[:500]))
        outputs = list(cell.get("outputs", []))
        status = self._status(status, outputs)
        if status in ("kernel_died", "fork_bomb"):
            self.stopped = status
        elif status in ("timeout", "output_limit") and not await client.responsive(self.job["grace"]):
            self.stopped = "unresponsive"
            await client.stop_kernel()
        self.emit(cell_line(index, status, outputs, cell.get("execution_count"), client.output_truncated,
                            time.monotonic() - started))
        self.note_stop(index)

    async def cells(self, nb, tests: dict[int, str]) -> None:
        for index, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            if self.stopped:
                self.emit(cell_line(index, "not_run", [], None, False, 0.0))
            elif index in tests:   # 테스트 셀의 코드는 커널에서 실행하지 않습니다 (protocol.py)
                await self.serve_test(index, tests[index])
            else:
                await self.run_cell(cell, index)


def _read_notebook(path: str):
    with open(path, encoding="utf-8") as handle:
        nb = read_v4(handle.read())  # 부모가 nbgrader로 정리한 v4 노트북이므로 다시 검증하지 않습니다
    if nb.get("nbformat") != 4:
        raise ValueError(f"nbformat 4 노트북이 아닙니다: {nb.get('nbformat')}")
    return nb


def _kernel_name(job: dict) -> str:
    """python3는 채점 커널 (디버거 없는 ipykernel을 fork로 시작; 채점기가 JUPYTER_DATA_DIR을 준 실행, 곧 샌드박스
    안과 --no-sandbox 모두), 그 밖의 이름은 설치된 kernelspec (exec로 시작)."""
    return KERNEL_NAME if job["kernel_name"] == "python3" and os.environ.get("JUPYTER_DATA_DIR") else job["kernel_name"]


def _client(nb, job: dict) -> GradingClient:
    kernel = _kernel_name(job)
    return GradingClient(
        nb, job, spec=kernel_spec() if kernel == KERNEL_NAME else None, timeout=job["timeout"],
        startup_timeout=job["startup_timeout"], kernel_name=kernel,
        allow_errors=True, interrupt_on_timeout=True, error_on_timeout=TIMEOUT_ERROR, iopub_timeout=15,
        raise_on_iopub_timeout=False, shutdown_kernel="immediate", record_timing=False,
        resources={"metadata": {"path": job["workdir"]}})


def _kill_kernel_group(client: GradingClient) -> None:
    process = getattr(getattr(client.km, "provisioner", None), "process", None) if client.km else None
    if process is not None:
        try:  # 커널이 만든 하위 프로세스까지 (커널은 자기 세션·프로세스 그룹의 우두머리입니다)
            os.killpg(process.pid, signal.SIGKILL)
        except OSError:
            pass


class _Ending:
    """실행의 끝 정리 (한 번만): 커널 프로세스 그룹을 끝내고, 감시자를 멈추고, 지운 하위 프로세스를 알립니다."""

    def __init__(self, client: GradingClient, killer: StrayKiller | None):
        self.client, self.killer, self.watcher, self.done = client, killer, None, False

    def __call__(self) -> None:
        if self.done:
            return
        self.done = True
        _kill_kernel_group(self.client)
        if self.watcher is not None:
            self.watcher.cancel()
        if self.killer is not None:
            self.killer.report()


async def run(job: dict, emit, nb, log, started: float) -> None:
    skip_output_validation()
    client = _client(nb, job)
    killer = StrayKiller(emit, job["fork_bomb_threshold"]) if job.get("kill_strays") else None
    state = Run(client, job, emit, killer, log.name)
    ending = _Ending(client, killer)
    try:
        async with client.async_setup_kernel(cwd=job["workdir"], stdout=log, stderr=log, stdin=subprocess.DEVNULL):
            if killer is not None:
                killer.kernel_pid = client.km.provisioner.process.pid
                ending.watcher = asyncio.ensure_future(killer.run())
            emit(protocol.kernel_ready_line(time.monotonic() - started))
            # 학생 셀보다 먼저: 결과를 기록용 데이터로 바꾸는 채점 도구를 적어 둡니다 (recorder.arm)
            if not await client.silent_ok(f"{RECORDER}.arm()", job["control_timeout"]):
                emit(event_line("recorder_failed", index=-1, test="", detail="arm"))
            await state.cells(nb, {int(k): v for k, v in job["tests"].items()})
            # 커널을 끝낸 뒤 곧바로 done: 채점기는 이 줄에서 샌드박스를 닫으므로, nbclient가 커널의 끝을
            # 0.1초 간격으로 확인하며 정리하는 시간(제출물마다 약 0.1초)을 기다리지 않습니다.
            ending()
            emit(protocol.done_line(time.monotonic() - started, state.stopped))
    finally:
        ending()


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        print("사용법: python -m ctxcourse.grading.jail.runner JOB.json", file=sys.stderr)
        return 2
    with open(argv[0], encoding="utf-8") as handle:
        job = json.load(handle)
    return run_job(job)


def run_job(job: dict) -> int:
    """작업 하나를 실행합니다 (샌드박스 안에서는 :mod:`.zygote`가 fork한 프로세스가 바로 부릅니다)."""
    started = time.monotonic()
    set_name(protocol.RUNNER_NAME)
    emit = Emitter()
    try:
        drop_privileges(job)
        prepare_home(job)
    except Exception as error:  # noqa: BLE001
        emit(protocol.fatal_line(f"샌드박스 준비 실패: {type(error).__name__}: {error}"))
        return 3
    try:
        nb = _read_notebook(job["notebook"])
        emit(protocol.start_line(len(nb.cells)))
        with open(os.path.join(job["records_dir"], "kernel.log"), "ab", buffering=0) as log:
            if _kernel_name(job) == KERNEL_NAME:
                # asyncio와 ZeroMQ보다 먼저 (스레드가 하나뿐일 때) 커널을 fork합니다: 불러 둔 모듈을 그대로 씁니다.
                forkkernel.start(job["records_dir"], job["workdir"], log.fileno())
            asyncio.run(run(job, emit, nb, log, started))
    except Exception as error:  # noqa: BLE001
        emit(protocol.fatal_line(f"{type(error).__name__}: {error}"))
        return 4
    return 0


if __name__ == "__main__":
    sys.exit(main())
