"""채점 프로세스 사이의 약속: 테스트는 학생 프로세스 밖에서 돕니다 (tests away from student code).

세 프로세스가 JSON 한 줄씩 주고받습니다.

- **실행기** (:mod:`.runner`, 샌드박스 안, 학생 커널과 함께): 학생 노트북의 셀을 차례로 실행하다가 테스트 셀
  자리에 오면 그 셀의 코드를 실행하지 않고 :data:`TEST` 줄을 내보낸 뒤, 채점기가 보내는 :data:`CALL`마다
  학생 커널에서 채점 함수(또는 채점 클래스의 생성·속성 읽기·메서드 호출)를 한 번 실행하고 그 기록을
  :data:`REPLY`로 돌려줍니다. :data:`END`를 받으면 다음 셀로 갑니다.
- **채점기** (:mod:`.engine`, 부모): 실행기의 :data:`TEST`를 받으면 재현기에 그 테스트를 맡기고, 재현기의
  호출 요청을 실행기에 전하고 답을 돌려줍니다.
- **재현기** (:mod:`.replay`, 학생 코드를 실행한 적 없는 깨끗한 프로세스): 성적부의 강사 테스트 셀을 실행합니다.
  채점 함수 자리에는 대역이 있어, 부를 때마다 인자를 평범한 데이터(:mod:`.serial`)로 바꿔 :data:`CALL`로
  보내고, 돌아온 기록(결과, 예외, 출력, 인자의 변화)으로 답합니다.

그래서 학생 커널은 호출 하나의 입력만 봅니다. 테스트 코드, 기대값, 테스트의 다른 변수는 학생 프로세스에
들어가지 않으므로, 학생 함수가 호출한 쪽의 프레임이나 전역 변수를 뒤져도 얻을 것이 없습니다.

모든 메시지는 믿을 수 없는 쪽에서 올 수 있으므로 받는 쪽이 :func:`call_request`, :func:`reply` 등으로 검사합니다.
"""

from __future__ import annotations

from dataclasses import dataclass

# 실행기 → 채점기
TEST = "test"          # {"type": "test", "index": 셀 번호, "test": grade_id, "nonce": 표식, "begin": 기록 글}
REPLY = "reply"        # {"type": "reply", "id": 요청 번호, "status": 상태, "text": 기록 글, "truncated": bool}
# 채점기 → 실행기
CALL = "call"          # {"type": "call", "id": 요청 번호, "request": 요청}
END = "end"            # {"type": "end"}
# 재현기 → 채점기: {"type": "call", "request": 요청};  채점기 → 재현기: {"type": "reply", "status", "text", ...}
ANSWER = "answer"      # 재현기의 마지막 답: {"type": "answer", "tests": ..., "notes": ...}

KINDS = ("call", "get", "mcall")          # 요청 종류: 함수 호출·클래스 생성, 속성 읽기, 메서드 호출
# 호출 하나의 상태 (실행기가 정함). ok 말고는 모두 기록이 없거나 불완전하다는 뜻입니다.
CALL_STATUS = ("ok", "timeout", "kernel_died", "unresponsive", "fork_bomb", "recorder_failed", "stopped", "error",
               "lost")
MAX_TEXT = 48 * 1024 * 1024


class ProtocolError(ValueError):
    """형식에 맞지 않는 메시지."""


@dataclass(frozen=True)
class CallRequest:
    """재현기가 학생 커널에 맡기는 일 하나 (인자는 :func:`serial.encode`한 평범한 데이터)."""

    kind: str
    function: str
    args: list
    kwargs: dict
    instance: int | None = None
    attr: str | None = None
    method: str | None = None

    def to_json(self) -> dict:
        data = {"kind": self.kind, "function": self.function, "args": self.args, "kwargs": self.kwargs}
        for key in ("instance", "attr", "method"):
            if getattr(self, key) is not None:
                data[key] = getattr(self, key)
        return data


def _name(value, what: str) -> str:
    if not isinstance(value, str) or not value.isidentifier() or len(value) > 80 or value.startswith("_"):
        raise ProtocolError(f"{what} 이름이 잘못되었습니다")
    return value


def call_request(data) -> CallRequest:
    """요청을 검사해 :class:`CallRequest`로 만듭니다."""
    if not isinstance(data, dict) or data.get("kind") not in KINDS:
        raise ProtocolError("요청 종류가 잘못되었습니다")
    args, kwargs = data.get("args", []), data.get("kwargs", {})
    if not isinstance(args, list) or not isinstance(kwargs, dict):
        raise ProtocolError("인자 형식이 잘못되었습니다")
    instance = data.get("instance")
    if data["kind"] != "call" and (type(instance) is not int or not 0 <= instance < 10 ** 6):
        raise ProtocolError("객체 번호가 잘못되었습니다")
    return CallRequest(data["kind"], _name(data.get("function"), "함수"), args, {str(k): v for k, v in kwargs.items()},
                       instance if data["kind"] != "call" else None,
                       _name(data.get("attr"), "속성") if data["kind"] == "get" else None,
                       _name(data.get("method"), "메서드") if data["kind"] == "mcall" else None)


@dataclass(frozen=True)
class Reply:
    """실행기가 돌려준 호출 하나의 기록 (JSON 줄들) 과 상태."""

    status: str
    text: str
    truncated: bool = False


def reply(data) -> Reply:
    """실행기(또는 채점기)가 보낸 답을 검사합니다. 형식이 틀리면 기록 없는 'lost'."""
    if not isinstance(data, dict):
        return Reply("lost", "")
    status = data.get("status")
    text = data.get("text", "")
    if status not in CALL_STATUS or not isinstance(text, str) or len(text) > MAX_TEXT:
        return Reply("lost", "")
    return Reply(status, text, bool(data.get("truncated")))


@dataclass(frozen=True)
class TestStart:
    """실행기가 테스트 셀 자리에 왔다는 알림."""

    index: int
    test: str
    nonce: str
    begin: str


def test_start(data, known: dict[int, str]) -> TestStart:
    """:data:`TEST` 줄을 검사합니다 (``known``: 셀 번호 → 그 자리의 테스트 grade_id, 채점기가 정한 것)."""
    index = data.get("index") if isinstance(data, dict) else None
    if type(index) is not int or known.get(index) != data.get("test"):
        raise ProtocolError("실행기가 알린 테스트가 노트북과 맞지 않습니다")
    nonce, begin = data.get("nonce"), data.get("begin", "")
    if not isinstance(nonce, str) or len(nonce) > 64 or not isinstance(begin, str) or len(begin) > 1024 * 1024:
        raise ProtocolError("테스트 알림의 형식이 잘못되었습니다")
    return TestStart(index, known[index], nonce, begin)


# --- 실행기의 작업과 출력 줄 ----------------------------------------------------------------------------
# 채점기(:mod:`.sandbox`)가 실행기 작업(JOB.json)을 :func:`runner_job`으로 만들고, 실행기(:mod:`.jail.runner`)는
# 아래 ``*_line`` 함수로만 출력 줄을 만들며, 채점기(:mod:`.executor`)는 :func:`digest_run`으로만 그 줄들을 읽습니다.
START = "start"                # {"type": "start", "cells": 셀 수}
KERNEL_READY = "kernel_ready"  # {"type": "kernel_ready", "elapsed": 초}
CELL = "cell"                  # {"type": "cell", "index", "status", "outputs", "execution_count", "truncated", "elapsed"}
EVENT = "event"                # {"type": "event", "kind": 사건 종류, ...자세한 내용}
DONE = "done"                  # {"type": "done", "elapsed": 초, "stopped": 멈춘 이유 | None}
FATAL = "fatal"                # {"type": "fatal", "detail": 설명}

# 셀 하나의 상태 (테스트 셀 자리는 served 또는 멈춘 이유)
CELL_STATUS = ("ok", "error", "timeout", "output_limit", "kernel_died", "fork_bomb", "client_error", "served",
               "not_run", "unresponsive")
# 실행을 멈춘 이유 → 그 뒤 테스트가 실패한 까닭 (한국어, 재현기가 테스트 결과에 씀)
STOP_REASONS = {
    "kernel_died": "학생 노트북을 실행하던 커널이 먼저 죽어서 (os._exit, 세그폴트, 메모리·CPU 한도 등)",
    "unresponsive": "앞 셀이 시간 제한을 넘기고 중단 신호에도 멈추지 않아 커널을 끝냈기 때문에",
    "fork_bomb": "노트북이 프로세스를 끝없이 만들어(포크 폭탄) 커널을 끝냈기 때문에",
    "wall_timeout": "제출물 전체의 실행 시간 제한을 넘겨서",
    "overflow": "노트북의 출력이 너무 커서 실행을 멈추었기 때문에",
    "sandbox_error": "채점 샌드박스가 비정상 종료되어서",
    "runner_stopped": "학생 코드가 채점 실행기를 멈춰(SIGSTOP) 더 기다리지 않고 끝냈기 때문에",
    "not_run": "앞에서 실행이 멈추어",
}
RUNNER_NAME = "ctxgrade-runner"   # 실행기 프로세스의 이름 (/proc/PID/comm): 채점기가 멈춘 실행기를 알아봅니다
# 실행기 작업(JOB.json)의 열쇠들: 채점기가 정하는 것 (runner_job의 인자)
RUNNER_JOB_KEYS = ("notebook_name", "tests", "graded", "kernel_name", "limits", "timeout", "startup_timeout", "grace",
                   "control_timeout", "max_cell_output", "max_total_output", "flood_output", "max_records",
                   "fork_bomb_threshold", "notebook", "files_dir", "workdir", "records_dir", "mpl_cache",
                   "kill_strays", "seccomp", "uid", "gid")


def runner_job(**values) -> dict:
    """실행기 작업을 만듭니다. 모르는 열쇠나 빠진 열쇠는 여기서 바로 오류입니다 (uid, gid, mpl_cache, seccomp는 없어도 됨)."""
    unknown = set(values) - set(RUNNER_JOB_KEYS)
    missing = set(RUNNER_JOB_KEYS) - set(values) - {"uid", "gid", "mpl_cache", "seccomp"}
    if unknown or missing:
        raise ProtocolError(f"실행기 작업의 열쇠가 맞지 않습니다: 모름 {sorted(unknown)}, 빠짐 {sorted(missing)}")
    return dict(values)


def start_line(cells: int) -> dict:
    return {"type": START, "cells": cells}


def kernel_ready_line(elapsed: float) -> dict:
    return {"type": KERNEL_READY, "elapsed": round(elapsed, 3)}


def cell_line(index: int, status: str, outputs: list, execution_count, truncated: bool, elapsed: float) -> dict:
    return {"type": CELL, "index": index, "status": status, "outputs": outputs, "execution_count": execution_count,
            "truncated": truncated, "elapsed": round(elapsed, 3)}


def event_line(kind: str, **detail) -> dict:
    return {"type": EVENT, "kind": kind, **detail}


def done_line(elapsed: float, stopped: str | None) -> dict:
    return {"type": DONE, "elapsed": round(elapsed, 3), "stopped": stopped}


def fatal_line(detail: str) -> dict:
    return {"type": FATAL, "detail": detail[:2000]}


def _text(value, limit: int):
    return str(value)[:limit] if isinstance(value, str) else value


def _cell_record(line: dict, clean_outputs) -> dict:
    count = line.get("execution_count")
    return {"outputs": clean_outputs(line.get("outputs")), "status": str(line.get("status", ""))[:40],
            "execution_count": count if isinstance(count, int) else None, "truncated": bool(line.get("truncated"))}


def _stopped(done, run) -> str | None:
    stopped = done.get("stopped") if isinstance(done, dict) else None
    if stopped not in STOP_REASONS:
        stopped = None
    if run.wall_timeout:
        return "wall_timeout"
    if run.overflow:
        return "overflow"
    if getattr(run, "runner_stopped", False):
        return "runner_stopped"
    if done is None:
        return stopped or "sandbox_error"
    return stopped


def digest_run(run, tests: dict[int, str], cell_count: int, clean_outputs) -> dict:
    """실행기의 (믿을 수 없는) 출력 줄들(``run.lines``)을 정리합니다. ``tests``: 셀 번호 → grade_id.

    돌려주는 dict: cells(셀 번호 → 출력·상태), events, test_status(grade_id → 상태), recorder_failed, stopped,
    fatal, declared(실행기가 말한 셀 수), kernel_start와 실행 정보."""
    cells, events, test_status, recorder_failed = {}, [], {}, []
    kernel_start = done = fatal = declared = None
    for line in run.lines:
        kind = line.get("type")
        if kind == CELL and isinstance(line.get("index"), int) and 0 <= line["index"] < cell_count:
            cells[line["index"]] = _cell_record(line, clean_outputs)
            if line["index"] in tests:
                test_status[tests[line["index"]]] = cells[line["index"]]["status"]
        elif kind == EVENT:
            events.append({k: _text(v, 3000) for k, v in line.items()})
            if line.get("kind") == "recorder_failed" and isinstance(line.get("test"), str) and line["test"]:
                recorder_failed.append(line["test"])
        elif kind == START:
            declared = line.get("cells")
        elif kind == KERNEL_READY and isinstance(line.get("elapsed"), (int, float)):
            kernel_start = float(line["elapsed"])
        elif kind == DONE:
            done = line
        elif kind == FATAL:
            fatal = str(line.get("detail", ""))[:2000]
    for grade_id in tests.values():
        test_status.setdefault(grade_id, "not_run")
    return {"cells": cells, "events": events, "test_status": test_status, "recorder_failed": recorder_failed,
            "stopped": _stopped(done, run), "fatal": fatal, "declared": declared, "returncode": run.returncode,
            "stderr": run.stderr[-2000:], "bad_lines": run.bad_lines, "elapsed": run.elapsed, "tests": tests,
            "expected_cells": cell_count, "kernel_start": kernel_start}
