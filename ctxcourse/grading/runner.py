"""샌드박스 안에서 학생 노트북 하나를 실행하는 프로그램 (the in-sandbox notebook runner).

``python -m ctxcourse.grading.runner JOB.json``. 채점기(:mod:`ctxcourse.grading.sandbox`)가 bubblewrap
안에서 실행합니다. 하는 일:

1. 자원 한도를 걸고 (메모리, CPU 시간, 프로세스 수, 파일 크기), root로 시작했으면 채점 전용 uid로
   권한을 내려놓습니다 (``no_new_privs``, 덤프 불가).
2. 노트북 클라이언트(nbclient)와 IPython 커널을 같은 샌드박스 안에서 띄우고 셀을 차례로 실행합니다.
   테스트 셀의 코드는 커널에서 실행하지 않습니다: 그 자리에서 채점기가 보내는 호출 요청(평범한 데이터)마다
   채점 함수를 한 번 실행해 :mod:`ctxcourse.grading.recorder`로 기록하고 돌려줍니다 (:mod:`.protocol`).
3. 셀 시간 초과, 멈추지 않는 커널, 죽은 커널, 너무 긴 출력, 하위 프로세스(포크 폭탄)를 다룹니다.
4. 결과를 한 줄에 JSON 하나씩 표준 출력으로 내보냅니다 (셀 출력, 테스트별 기록, 사건).

이 프로그램의 출력은 학생 코드와 같은 샌드박스에서 나오므로 채점기는 그것을 믿지 않고 데이터로만
다룹니다 (크기 제한, 형식 검사, 판정은 깨끗한 프로세스에서 다시 내림).
"""

from __future__ import annotations

import sys

# jsonschema는 import 될 때 형식 검사용 선택 모듈들을 모두 불러옵니다 (rfc3987_syntax는 문법을 만드느라 4초).
# 실행기는 노트북을 검증하지 않으므로 (부모가 nbgrader로 정리한 노트북) 이것들을 막아 시작 시간을 줄입니다.
for _name in ("rfc3987_syntax", "rfc3987", "rfc3339_validator", "rfc3986_validator", "webcolors", "jsonpointer",
              "uri_template", "isoduration", "fqdn"):
    sys.modules.setdefault(_name, None)

import asyncio  # noqa: E402
import ctypes  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import resource  # noqa: E402
import secrets  # noqa: E402
import shutil  # noqa: E402
import signal  # noqa: E402
import time  # noqa: E402
from queue import Empty  # noqa: E402

KERNEL_NAME = "ctxgrade-python3"   # 디버거 없이 ipykernel을 띄우는 kernelspec (prepare_home이 만듦)
PR_SET_DUMPABLE = 4
PR_SET_NO_NEW_PRIVS = 38
TIMEOUT_ERROR = {
    "ename": "CellTimeoutError",
    "evalue": "",
    "traceback": ["\x1b[0;31mCellTimeoutError\x1b[0m: No reply from kernel before timeout"],
}


def _prctl(option: int, value: int) -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(option, value, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), f"prctl({option}) 실패")


def drop_privileges(job: dict) -> None:
    """자원 한도를 걸고, 지정된 uid/gid로 바꾸고, 새 권한을 얻지 못하게 합니다."""
    for name, value in job.get("limits", {}).items():
        soft, hard = (value, value) if not isinstance(value, list) else value
        resource.setrlimit(getattr(resource, name), (int(soft), int(hard)))
    uid, gid = job.get("uid"), job.get("gid")
    if uid is not None and os.getuid() == 0:
        os.setgroups([])
        os.setresgid(gid, gid, gid)
        os.setresuid(uid, uid, uid)
        if os.getuid() == 0 or os.geteuid() == 0:
            raise RuntimeError("권한을 내려놓지 못했습니다")
    if sys.platform.startswith("linux"):
        _prctl(PR_SET_NO_NEW_PRIVS, 1)
        _prctl(PR_SET_DUMPABLE, 0)


def prepare_home(job: dict) -> None:
    """작업 폴더에 제출 파일을 복사하고, 커널이 쓸 폴더들을 만듭니다."""
    work = job["workdir"]
    os.makedirs(work, exist_ok=True)
    for name in os.listdir(job["files_dir"]):
        source = os.path.join(job["files_dir"], name)
        target = os.path.join(work, name)
        if os.path.isdir(source):
            shutil.copytree(source, target, dirs_exist_ok=True)
        else:
            shutil.copyfile(source, target)
    for key in ("MPLCONFIGDIR", "IPYTHONDIR", "JUPYTER_RUNTIME_DIR", "JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR"):
        if os.environ.get(key):
            os.makedirs(os.environ[key], exist_ok=True)
    cache = job.get("mpl_cache")
    if cache and os.path.isdir(cache) and os.environ.get("MPLCONFIGDIR"):
        for name in os.listdir(cache):
            if name.endswith(".json"):
                shutil.copyfile(os.path.join(cache, name), os.path.join(os.environ["MPLCONFIGDIR"], name))
    os.makedirs(job["records_dir"], exist_ok=True)
    data_dir = os.environ.get("JUPYTER_DATA_DIR")
    if data_dir:
        spec_dir = os.path.join(data_dir, "kernels", KERNEL_NAME)
        os.makedirs(spec_dir, exist_ok=True)
        with open(os.path.join(spec_dir, "kernel.json"), "w", encoding="utf-8") as handle:
            json.dump({"argv": [sys.executable, "-m", "ctxcourse.grading.kernel", "-f", "{connection_file}"],
                       "display_name": "Python 3 (채점)", "language": "python",
                       "metadata": {"debugger": False}}, handle)


class Emitter:
    """결과를 한 줄에 JSON 하나씩 씁니다 (원래의 표준 출력으로; 다른 출력은 표준 오류로 돌립니다)."""

    def __init__(self):
        self.stream = os.fdopen(os.dup(1), "w", encoding="utf-8")
        os.dup2(2, 1)

    def __call__(self, record: dict) -> None:
        self.stream.write(json.dumps(record, ensure_ascii=False) + "\n")
        self.stream.flush()


def _output_size(msg: dict) -> int:
    content = msg.get("content", {})
    size = len(content.get("text", "") or "")
    for value in (content.get("data") or {}).values():
        size += len(value) if isinstance(value, str) else len(json.dumps(value))
    size += sum(len(line) for line in content.get("traceback", []) or [])
    return size


def make_client_class():
    from nbclient import NotebookClient

    class GradingClient(NotebookClient):
        """출력 크기를 제한하고 시간 초과를 nbgrader처럼 기록하는 노트북 클라이언트."""

        def __init__(self, nb, job, **kw):
            super().__init__(nb, **kw)
            self.job = job
            self.cell_bytes = 0
            self.total_bytes = 0
            self.output_truncated = False
            self.flood_interrupted = False
            self.executing = None   # 지금 커널이 실행 중인 셀 요청의 msg_id (응답을 받기 전까지)
            self.on_cell_executed = self._on_cell_executed

        def _on_cell_executed(self, cell, cell_index, execute_reply):
            self.on_executed(cell, execute_reply)

        async def _async_poll_for_reply(self, msg_id, cell, timeout, task_poll_output_msg, task_poll_kernel_alive):
            """nbclient의 같은 함수와 같지만 두 가지가 다릅니다: 시간 초과로 만든 응답 뒤에는 IOPub을 ``grace``초만
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
            if (self.cell_bytes > self.job["max_cell_output"]
                    or self.total_bytes + size > self.job["max_total_output"]):
                self.output_truncated = True
                if (self.cell_bytes > self.job["flood_output"] and not self.flood_interrupted
                        and self.km is not None):
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
                    from nbformat import NotebookNode
                    cell.outputs.append(NotebookNode(output_type="error", ename=content.get("ename", ""),
                                                     evalue=content.get("evalue", ""),
                                                     traceback=content.get("traceback") or [
                                                         "ERROR: An error occurred while showtraceback was disabled"]))

    return GradingClient


class StrayKiller:
    """샌드박스의 PID 이름공간에서 실행기·커널이 아닌 프로세스를 끝냅니다 (하위 프로세스 금지, 포크 폭탄)."""

    def __init__(self, emit, fork_bomb_threshold: int):
        self.emit = emit
        self.kernel_pid = None
        self.killed = 0
        self.bomb = False
        self.threshold = fork_bomb_threshold

    def _strays(self) -> list[int]:
        mine = {1, os.getpid(), self.kernel_pid}
        found = []
        for entry in os.listdir("/proc"):
            if not entry.isdigit() or int(entry) in mine:
                continue
            try:
                with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as handle:
                    state = handle.read().rsplit(")", 1)[1].split()[0]
            except OSError:
                continue
            if state not in ("Z", "X"):
                found.append(int(entry))
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


def _read_records(path: str, limit: int) -> tuple[str, bool]:
    try:
        with open(path, "rb") as handle:
            data = handle.read(limit + 1)
    except OSError:
        return "", False
    return data[:limit].decode("utf-8", errors="replace"), len(data) > limit


async def _silent(client, code: str, timeout: float):
    """코드를 조용히(출력 없이) 실행하고 응답을 기다립니다. 응답이 없으면 None."""
    msg_id = client.kc.execute(code, silent=True, store_history=False, allow_stdin=False, stop_on_error=False)
    deadline = time.monotonic() + timeout
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return None
        try:
            msg = await client.kc.shell_channel.get_msg(timeout=remaining)
        except Empty:
            return None
        if msg["parent_header"].get("msg_id") == msg_id:
            return msg


async def _responsive(client, timeout: float) -> bool:
    msg_id = client.kc.kernel_info()
    deadline = time.monotonic() + timeout
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return False
        try:
            msg = await client.kc.shell_channel.get_msg(timeout=remaining)
        except Empty:
            return False
        if msg["parent_header"].get("msg_id") == msg_id:
            return True


def _kernel_exit(client) -> str:
    try:
        process = client.km.provisioner.process
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


def _tail(path: str, size: int = 3000) -> str:
    try:
        with open(path, "rb") as handle:
            handle.seek(0, os.SEEK_END)
            handle.seek(max(0, handle.tell() - size))
            return handle.read().decode("utf-8", errors="replace")
    except OSError:
        return ""


def _remove(*paths: str) -> None:
    for path in paths:
        try:
            os.remove(path)
        except OSError:
            pass


async def _stdin_line() -> dict | None:
    """채점기가 보낸 다음 메시지 (표준 입력의 JSON 한 줄). 입력이 닫혔으면 None."""
    line = await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
    if not line:
        return None
    try:
        message = json.loads(line)
    except ValueError:
        return {}
    return message if isinstance(message, dict) else {}


async def _call_in_kernel(client, job: dict, request: dict, paths: tuple[str, str], killer) -> tuple[str, str | None]:
    """요청 하나를 학생 커널에서 실행합니다 (셀 하나와 같은 시간 제한). (호출 상태, 실행을 멈출 이유)."""
    from .protocol import call_request

    call_request(request)   # 형식 검사 (채점기는 믿지만, 커널에 넘기기 전에 한 번 더)
    request_path, out_path = paths
    with open(request_path, "w", encoding="utf-8") as handle:
        json.dump(request, handle)
    code = (f"__import__('ctxcourse.grading.recorder', fromlist=['serve']).serve("
            f"{json.dumps(request_path)}, {json.dumps(out_path)})")
    reply = await _silent(client, code, job["timeout"])
    if killer is not None and killer.bomb:
        return "fork_bomb", "fork_bomb"
    if reply is not None:
        return ("ok" if reply["content"].get("status") == "ok" else "error"), None
    if not await client.km.is_alive():
        return "kernel_died", "kernel_died"
    try:
        await client.km.interrupt_kernel()
    except Exception:  # noqa: BLE001
        pass
    if not await _responsive(client, job["grace"]):
        try:
            await client.km.shutdown_kernel(now=True)
        except Exception:  # noqa: BLE001
            pass
        return "timeout", "unresponsive"
    return "timeout", None


async def serve_test(client, job: dict, index: int, test: str, emit, killer) -> str | None:
    """테스트 셀 자리: 셀의 코드는 실행하지 않고, 채점기가 보내는 호출 요청마다 학생 커널에서 한 번 실행해
    그 기록을 돌려줍니다 (:mod:`ctxcourse.grading.protocol`). 실행을 멈출 이유(커널이 죽음 등)를 돌려줍니다."""
    from .protocol import CALL, END, REPLY, TEST

    nonce = secrets.token_hex(8)
    records = job["records_dir"]
    begin_path = os.path.join(records, f"rec-{index}-{nonce}.jsonl")
    args = json.dumps([test, nonce, job["graded"], begin_path])
    reply = await _silent(client, f"__import__('ctxcourse.grading.recorder', fromlist=['begin']).begin(*{args})",
                          job["control_timeout"])
    ready = reply is not None and reply["content"].get("status") == "ok" and os.path.exists(begin_path)
    if not ready:
        emit({"type": "event", "kind": "recorder_failed", "index": index, "test": test, "detail": "begin"})
    begin_text, _ = _read_records(begin_path, 1024 * 1024)
    _remove(begin_path)
    emit({"type": TEST, "index": index, "test": test, "nonce": nonce, "begin": begin_text})
    stopped = None
    count = 0
    while True:
        message = await _stdin_line()
        if message is None or message.get("type") == END:
            break
        if message.get("type") != CALL:
            continue
        count += 1
        request_id = message.get("id")
        if stopped or not ready:
            emit({"type": REPLY, "id": request_id, "status": stopped or "recorder_failed", "text": ""})
            continue
        paths = (os.path.join(records, f"req-{index}-{count}.json"), os.path.join(records, f"out-{index}-{count}.jsonl"))
        try:
            status, stopped = await _call_in_kernel(client, job, message.get("request"), paths, killer)
        except Exception as error:  # noqa: BLE001
            emit({"type": "event", "kind": "client_error", "index": index, "detail": f"{type(error).__name__}: {error}"[:500]})
            status = "error"
        text, cut = _read_records(paths[1], job["max_records"])
        _remove(*paths)   # 학생 코드가 뒤 셀에서 요청(숨은 테스트의 입력)을 읽지 못하도록
        emit({"type": REPLY, "id": request_id, "status": status, "text": text, "truncated": cut})
    if ready and stopped is None:
        reply = await _silent(client, "__import__('ctxcourse.grading.recorder', fromlist=['end']).end()",
                              job["control_timeout"])
        if reply is None or reply["content"].get("status") != "ok":
            emit({"type": "event", "kind": "recorder_failed", "index": index, "test": test, "detail": "end"})
    return stopped


async def run(job: dict, emit) -> None:
    import nbformat
    from nbclient.exceptions import DeadKernelError

    started = time.monotonic()
    import nbformat.v4.nbbase as nbbase
    from nbformat.v4.nbjson import reads as read_v4

    # nbclient는 출력 하나마다 nbformat 검증을 부르고, 처음 부를 때 스키마를 컴파일합니다 (0.2초). 여기서 모은 출력은
    # 어차피 믿지 않는 데이터이고 부모가 nbformat으로 다시 검사하므로 (engine.clean_outputs) 여기서는 건너뜁니다.
    nbbase.validate = lambda node, ref=None: None

    with open(job["notebook"], encoding="utf-8") as handle:
        nb = read_v4(handle.read())  # 부모가 nbgrader로 정리한 v4 노트북이므로 다시 검증하지 않습니다
    if nb.get("nbformat") != 4:
        raise ValueError(f"nbformat 4 노트북이 아닙니다: {nb.get('nbformat')}")
    tests = {int(k): v for k, v in job["tests"].items()}
    client_class = make_client_class()
    client = client_class(
        nb, job, timeout=job["timeout"], startup_timeout=job["startup_timeout"],
        kernel_name=KERNEL_NAME if job["kernel_name"] == "python3" and os.environ.get("JUPYTER_DATA_DIR") else job["kernel_name"],
        allow_errors=True, interrupt_on_timeout=True, error_on_timeout=TIMEOUT_ERROR, iopub_timeout=15,
        raise_on_iopub_timeout=False, shutdown_kernel="immediate", record_timing=False,
        resources={"metadata": {"path": job["workdir"]}},
    )
    emit({"type": "start", "cells": len(nb.cells)})
    killer = StrayKiller(emit, job["fork_bomb_threshold"]) if job.get("kill_strays") else None
    watcher = None
    log_path = os.path.join(job["records_dir"], "kernel.log")
    log = open(log_path, "ab", buffering=0)
    stopped = None  # 실행을 멈춘 이유 (kernel_died, unresponsive, fork_bomb)
    try:
        async with client.async_setup_kernel(cwd=job["workdir"], stdout=log, stderr=log,
                                              stdin=__import__("subprocess").DEVNULL):
            if killer is not None:
                killer.kernel_pid = client.km.provisioner.process.pid
                watcher = asyncio.ensure_future(killer.run())
            emit({"type": "kernel_ready", "elapsed": round(time.monotonic() - started, 3)})
            # 학생 셀보다 먼저: 그림 사실을 만드는 채점 도구를 적어 둡니다 (recorder.arm)
            armed = await _silent(client, "__import__('ctxcourse.grading.recorder', fromlist=['arm']).arm()",
                                  job["control_timeout"])
            if armed is None or armed["content"].get("status") != "ok":
                emit({"type": "event", "kind": "recorder_failed", "index": -1, "test": "", "detail": "arm"})
            for index, cell in enumerate(nb.cells):
                if cell.cell_type != "code":
                    continue
                if stopped:
                    emit({"type": "cell", "index": index, "status": "not_run", "outputs": []})
                    continue
                test = tests.get(index)
                if test is not None:   # 테스트 셀의 코드는 커널에서 실행하지 않습니다 (protocol.py)
                    cell_started = time.monotonic()
                    stopped = await serve_test(client, job, index, test, emit, killer)
                    emit({"type": "cell", "index": index, "status": stopped or "served", "outputs": [],
                          "execution_count": None, "truncated": False,
                          "elapsed": round(time.monotonic() - cell_started, 3)})
                    if stopped:
                        emit({"type": "event", "kind": stopped, "index": index, "detail": _kernel_exit(client),
                              "log": _tail(log_path)})
                    continue
                client.cell_bytes = 0
                client.output_truncated = False
                client.flood_interrupted = False
                cell_started = time.monotonic()
                status = "ok"
                reply = None
                try:
                    cell = await client.async_execute_cell(cell, index, execution_count=client.code_cells_executed + 1)
                except DeadKernelError:
                    status = "kernel_died"
                except Exception as error:  # noqa: BLE001  (셀 하나의 실패가 나머지를 멈추지 않도록)
                    status = "client_error"
                    emit({"type": "event", "kind": "client_error", "index": index,
                          "detail": f"{type(error).__name__}: {error}"[:500]})
                outputs = list(cell.get("outputs", []))
                if any(o.get("output_type") == "error" and o.get("ename") == "CellTimeoutError" for o in outputs):
                    status = "timeout"
                elif any(o.get("output_type") == "error" for o in outputs):
                    status = "error"
                if client.flood_interrupted:
                    status = "output_limit"
                if killer is not None and killer.bomb:
                    status = "fork_bomb"
                if status in ("kernel_died", "fork_bomb"):
                    stopped = status
                elif status in ("timeout", "output_limit"):
                    if not await _responsive(client, job["grace"]):
                        stopped = "unresponsive"
                        try:
                            await client.km.shutdown_kernel(now=True)
                        except Exception:  # noqa: BLE001
                            pass
                emit({"type": "cell", "index": index, "status": status, "outputs": outputs,
                      "execution_count": cell.get("execution_count"), "truncated": client.output_truncated,
                      "elapsed": round(time.monotonic() - cell_started, 3)})
                if stopped:
                    detail = _kernel_exit(client)
                    emit({"type": "event", "kind": stopped, "index": index, "detail": detail,
                          "log": _tail(log_path)})
    finally:
        kernel_process = getattr(getattr(client.km, "provisioner", None), "process", None) if client.km else None
        if kernel_process is not None:
            try:  # 커널이 만든 하위 프로세스까지 (커널은 자기 세션·프로세스 그룹의 우두머리입니다)
                os.killpg(kernel_process.pid, signal.SIGKILL)
            except OSError:
                pass
        if watcher is not None:
            watcher.cancel()
        if killer is not None and killer.killed:
            emit({"type": "event", "kind": "strays_killed", "count": killer.killed, "fork_bomb": killer.bomb})
        log.close()
    emit({"type": "done", "elapsed": round(time.monotonic() - started, 3), "stopped": stopped})


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        print("사용법: python -m ctxcourse.grading.runner JOB.json", file=sys.stderr)
        return 2
    with open(argv[0], encoding="utf-8") as handle:
        job = json.load(handle)
    emit = Emitter()
    try:
        drop_privileges(job)
        prepare_home(job)
    except Exception as error:  # noqa: BLE001
        emit({"type": "fatal", "detail": f"샌드박스 준비 실패: {type(error).__name__}: {error}"})
        return 3
    try:
        asyncio.run(run(job, emit))
    except Exception as error:  # noqa: BLE001
        emit({"type": "fatal", "detail": f"{type(error).__name__}: {error}"[:2000]})
        return 4
    return 0


if __name__ == "__main__":
    sys.exit(main())
