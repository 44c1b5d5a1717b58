"""채점 재현기: 학생 코드를 한 번도 실행하지 않은 깨끗한 프로세스에서 테스트 셀을 다시 실행해 판정합니다.

테스트 셀의 코드는 nbgrader 성적부(gradebook)에 저장된 강사의 원본입니다 (제출물에서 가져오지 않음).
채점 함수는 :class:`ReplayFunction`으로 바뀝니다. 이 대역은 샌드박스에서 녹화한 기록을 인자의 요약으로
찾아 학생 함수가 돌려준 값(또는 낸 예외)을 그대로 돌려주고, 학생 함수가 인자를 제자리에서 바꾸었다면
그 변화도 되살립니다. 기록이 없으면 그 호출은 실패입니다. 채점 클래스는 :class:`ReplayInstance`가
대신합니다: 테스트 셀이 만든 객체마다 속성 읽기와 메서드 호출에 기록된 순서 그대로 답하고, 기록에 없거나
입력이 다른 일은 실패입니다. 판정은 진짜 numpy와 ``ctxcourse.feedback``으로
내리므로 학생의 원숭이 패치, IPython 훅, 거짓말하는 ``__eq__``는 아무 힘이 없습니다.

``python -m ctxcourse.grading.replay --serve``: 표준 입력으로 작업(JSON 한 줄)을 받고 결과(JSON 한 줄)를
돌려주는 작업자. 채점기의 작업 스레드마다 하나씩 떠 있습니다 (:class:`ReplayWorker`).
"""

from __future__ import annotations

import ast
import builtins
import contextlib
import io
import json
import linecache
import os
import queue
import signal
import subprocess
import sys
import threading
import time
import traceback
import warnings

from . import serial
from .protocol import STOP_REASONS, CallRequest
from .protocol import reply as parse_reply

TEST_TIMEOUT = 30  # 테스트 셀 하나를 재현하는 데 쓰는 최대 시간 (초)


class GradingRecordMissing(Exception):
    """학생 노트북을 실행할 때 이 입력으로 채점 함수를 부른 기록이 없습니다."""


class ReplayTimeout(BaseException):
    """테스트 셀을 재현하는 데 너무 오래 걸렸습니다. KeyboardInterrupt처럼 ``BaseException``이라, 시간이 다 된 순간에
    돌던 ``except Exception`` (기록 해독, 학생 함수의 예외를 잡는 검사 코드)이 삼키지 못하고 테스트가 끝납니다."""


# ---------------------------------------------------------------------------
# records
# ---------------------------------------------------------------------------

def _member(data: dict, key: str) -> str:
    """기록의 속성·메서드 이름 (공개 식별자만)."""
    value = data.get(key)
    if not isinstance(value, str) or not value.isidentifier() or value.startswith("_") or len(value) > 80:
        raise serial.RecordError(f"{key} 이름이 잘못되었습니다")
    return value


def _instance_id(data: dict) -> int:
    value = data.get("instance")
    if type(value) is not int or not 0 <= value < 10 ** 6:
        raise serial.RecordError("객체 번호가 잘못되었습니다")
    return value


class Call:
    """기록된 호출 하나 (재현기 쪽, 이미 검사한 데이터): 함수 호출(call), 클래스 생성(new), 메서드 호출(mcall)."""

    def __init__(self, data: dict):
        self.data = data
        self.kind = data.get("kind")
        self.name = data["function"]
        self.instance = _instance_id(data) if self.kind in ("new", "mcall") else None
        self.method = _member(data, "method") if self.kind == "mcall" else None
        self.digest_name = f"{self.name}.{self.method}" if self.method else self.name
        if not isinstance(data.get("args"), list) or not isinstance(data.get("kwargs") or {}, dict):
            raise serial.RecordError("인자 기록이 잘못되었습니다")
        self.args = [serial.decode(a) for a in data.get("args", [])]
        self.kwargs = {str(k): serial.decode(v) for k, v in (data.get("kwargs") or {}).items()}
        self.digest = serial.call_digest(self.digest_name, tuple(self.args), self.kwargs)
        # 결과와 호출 뒤 인자는 쓸 때마다 새로 되살리므로(서로 영향이 없도록) 여기서 한 번 검사만 합니다.
        if "result" in data:
            serial.decode(data["result"])
        for item in data.get("after_args") or []:
            serial.decode(item)
        for item in (data.get("after_kwargs") or {}).values():
            serial.decode(item)


class Read:
    """기록된 속성 읽기 하나 (채점 클래스 객체의 ``params``, ``grads``, ``attention_weight`` 등)."""

    kind = "get"

    def __init__(self, data: dict):
        self.data = data
        self.name = data["function"]
        self.instance = _instance_id(data)
        self.attr = _member(data, "attr")
        self.method = False
        if data.get("raised") is None:
            value = data.get("value")
            if not isinstance(value, dict):
                raise serial.RecordError("읽은 값의 기록이 없습니다")
            self.method = value.get("t") == "method"
            if not self.method:
                serial.decode(value)


def _as_list(value) -> list:
    return value if isinstance(value, list) else [value]


def parse_records(text: str, test: str, nonce: str, graded: list[str], truncated: bool) -> tuple[list, set, list]:
    """기록 텍스트(JSON 줄들)를 검사합니다. (호출들, 정의되지 않은 함수들, 위조/손상 메모) 를 돌려줍니다."""
    calls, undefined, notes = [], set(), []
    last_seq = -1
    if truncated:
        notes.append(f"{test}: 기록이 너무 커서 잘렸습니다")
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except ValueError:
            if not (truncated and number == len(text.splitlines())):
                notes.append(f"{test}: {number}번째 기록 줄이 JSON이 아닙니다")
            continue
        if not isinstance(data, dict):
            notes.append(f"{test}: {number}번째 기록이 dict가 아닙니다")
            continue
        if data.get("nonce") != nonce or data.get("test") != test:
            notes.append(f"{test}: {number}번째 기록의 표식(nonce/test)이 채점기가 준 것과 다릅니다 (기록 위조)")
            continue
        seq = data.get("seq")
        if not isinstance(seq, int) or seq <= last_seq:
            notes.append(f"{test}: 기록 순서 번호가 어긋납니다 (기록 위조)")
            continue
        last_seq = seq
        if data.get("kind") == "begin":
            continue
        function = data.get("function")
        if function not in graded:
            notes.append(f"{test}: 채점 함수가 아닌 '{str(function)[:40]}'의 기록")
            continue
        kind = data.get("kind")
        if kind == "undefined":
            undefined.add(function)
            continue
        if kind == "get":
            try:
                calls.append(Read(data))
            except (serial.RecordError, KeyError, TypeError, ValueError) as error:
                notes.append(f"{test}: 기록을 되살릴 수 없습니다 ({error})")
            continue
        if kind not in ("call", "new", "mcall") or "digest" not in data or "args" not in data:
            continue
        try:
            call = Call(data)
        except (serial.RecordError, KeyError, TypeError, ValueError) as error:
            notes.append(f"{test}: 기록을 되살릴 수 없습니다 ({error})")
            continue
        if data.get("tampered"):
            notes.append(f"{test}: {function}의 결과를 기록하기 전에 학생 셀이 채점 도구를 바꿔 두었습니다 "
                         f"({', '.join(str(n)[:60] for n in _as_list(data['tampered'])[:4])})")
        if call.digest != data.get("digest"):
            notes.append(f"{test}: {function} 기록의 인자 요약이 인자와 맞지 않습니다 (기록 위조)")
        calls.append(call)
    return calls, undefined, notes


def _restore(live, after) -> None:
    """학생 함수가 인자를 제자리에서 바꾼 결과를 재현 쪽 인자에 되살립니다."""
    import numpy as np

    if type(live) is np.ndarray and type(after) is np.ndarray:
        if live.shape != after.shape and live.size == after.size:
            try:  # 학생 함수가 a.shape = (T, 1)처럼 인자의 형상을 제자리에서 바꾼 경우
                live.shape = after.shape
            except (AttributeError, ValueError):
                pass
        if live.shape == after.shape and live.flags.writeable:
            try:
                live[...] = after.astype(live.dtype, copy=False)
            except (TypeError, ValueError):
                pass
    elif type(live) is list and type(after) is list:
        if len(live) == len(after) and all(type(x) is np.ndarray for x in live):
            for item, new in zip(live, after):
                _restore(item, new)
        else:
            live[:] = after
    elif type(live) is dict and type(after) is dict:
        live.clear()
        live.update(after)


def _answer(call: Call, args: tuple, kwargs: dict, why: str):
    """기록된 호출 하나로 답합니다: 출력, 인자의 제자리 변화, 예외 또는 결과를 되살립니다."""
    data = call.data
    if data.get("stdout"):
        sys.stdout.write(str(data["stdout"]))
    if data.get("stderr"):
        sys.stderr.write(str(data["stderr"]))
    if "after_args" in data:
        for live, after in zip(args, data.get("after_args") or []):
            _restore(live, serial.decode(after))
        for key, after in (data.get("after_kwargs") or {}).items():
            if key in kwargs:
                _restore(kwargs[key], serial.decode(after))
    if data.get("raised") is not None:
        info = data["raised"] if isinstance(data["raised"], dict) else {}
        raise serial.exception_class(info)(str(info.get("message", ""))[:2000])
    if call.kind == "new":
        return None
    alias = data.get("alias")
    if isinstance(alias, int) and 0 <= alias < len(args):
        return args[alias]
    if "result" not in data:
        raise GradingRecordMissing(why)
    return serial.decode(data["result"])


class ReplayFunction:
    """채점 함수(또는 채점 클래스)의 대역: 녹화된 호출을 인자의 요약으로 찾아 재현합니다.

    채점 클래스의 생성 기록(new)에 맞는 호출은 :class:`ReplayInstance`를 돌려줍니다.
    """

    def __init__(self, name: str, calls: list, undefined: bool, why_missing: str):
        self.__name__ = self.__qualname__ = name
        self.name = name
        self.undefined = undefined
        self.why_missing = why_missing
        self.queues: dict[str, list] = {}
        self.ops: dict[int, list] = {}
        for call in calls:
            if call.name != name:
                continue
            if call.kind in ("call", "new"):
                self.queues.setdefault(call.digest, []).append(call)
            if call.kind in ("get", "mcall"):
                self.ops.setdefault(call.instance, []).append(call)
        self.used = 0
        self.missing = 0
        self.instances: set[int] = set()

    def __call__(self, *args, **kwargs):
        digest = serial.call_digest(self.name, args, kwargs)
        queue = self.queues.get(digest)
        if not queue:
            self.missing += 1
            if self.undefined:
                raise NameError(f"name '{self.name}' is not defined")
            raise GradingRecordMissing(self.why_missing)
        if queue[0].kind == "new":
            call = queue.pop(0)   # 생성 기록 하나 = 재현 객체 하나 (같은 기록으로 객체를 두 번 만들지 않습니다)
            if call.instance in self.instances:
                self.missing += 1
                raise GradingRecordMissing(self.why_missing)
        else:
            call = queue.pop(0) if len(queue) > 1 else queue[0]
        self.used += 1
        result = _answer(call, args, kwargs, self.why_missing)
        if call.kind == "new":
            self.instances.add(call.instance)
            return ReplayInstance(self, call.instance, self.ops.get(call.instance, []))
        return result

    def __repr__(self) -> str:
        return f"<function {self.name}>"


class ReplayInstance:
    """채점 클래스 객체의 대역: 속성 읽기와 메서드 호출에 기록된 순서 그대로 답합니다.

    기록된 다음 일과 다른 일(다른 속성, 다른 메서드, 다른 입력)이나 기록에 없는 일을 하면
    :class:`GradingRecordMissing`을 내고, 그 뒤로는 이 객체의 모든 일이 실패합니다.
    """

    __slots__ = ("_ctx_owner", "_ctx_instance", "_ctx_ops", "_ctx_pos", "_ctx_broken")

    def __init__(self, owner: ReplayFunction, instance: int, ops: list):
        object.__setattr__(self, "_ctx_owner", owner)
        object.__setattr__(self, "_ctx_instance", instance)
        object.__setattr__(self, "_ctx_ops", list(ops))
        object.__setattr__(self, "_ctx_pos", 0)
        object.__setattr__(self, "_ctx_broken", None)

    def _ctx_next(self, kind: str, member: str, digest: str | None = None):
        owner = self._ctx_owner
        what = f"{owner.name} 객체의 {member}" + ("()" if kind == "mcall" else "")
        if self._ctx_broken:
            owner.missing += 1
            raise GradingRecordMissing(self._ctx_broken)
        ops = self._ctx_ops
        if self._ctx_pos >= len(ops):
            owner.missing += 1
            message = (f"학생 노트북에서 이 테스트 셀을 실행할 때 {what}까지 기록되지 않았습니다. " + owner.why_missing)
            object.__setattr__(self, "_ctx_broken", message)
            raise GradingRecordMissing(message)
        op = ops[self._ctx_pos]
        same = op.kind == kind and (op.attr == member if kind == "get" else op.method == member)
        if not same or (digest is not None and op.digest != digest):
            owner.missing += 1
            recorded = (f"{op.attr} 읽기" if op.kind == "get" else f"{op.method}() 호출")
            if same:
                message = (f"{what}이 학생 노트북에서는 다른 입력으로 불렸습니다 (테스트 셀이나 입력이 바뀌었거나, "
                           f"학생 코드가 입력 배열을 바꾸었습니다). 그래서 이 호출을 채점할 수 없습니다.")
            else:
                message = (f"{what}을 재현할 수 없습니다: 학생 노트북에서는 이 자리에서 {recorded}가 기록되었습니다 "
                           f"(테스트 셀이 바뀌었거나 실행이 중단되었습니다).")
            object.__setattr__(self, "_ctx_broken", message)
            raise GradingRecordMissing(message)
        object.__setattr__(self, "_ctx_pos", self._ctx_pos + 1)
        owner.used += 1
        return op

    def __getattr__(self, attr: str):
        if attr.startswith("_"):
            raise AttributeError(f"채점 중에는 {self._ctx_owner.name} 객체의 '{attr}' 속성을 읽을 수 없습니다")
        op = self._ctx_next("get", attr)
        data = op.data
        if data.get("raised") is not None:
            info = data["raised"] if isinstance(data["raised"], dict) else {}
            raise serial.exception_class(info)(str(info.get("message", ""))[:2000])
        if op.method:
            return ReplayMethod(self, attr)
        return serial.decode(data["value"])

    def __setattr__(self, attr, value):
        raise AttributeError(f"채점 중에는 {self._ctx_owner.name} 객체의 속성을 바꿀 수 없습니다")

    def __repr__(self) -> str:
        return f"<{self._ctx_owner.name} 객체>"


class ReplayMethod:
    """채점 클래스 객체의 메서드 대역: 부를 때마다 그 객체의 다음 기록(같은 메서드, 같은 입력)으로 답합니다."""

    def __init__(self, instance: ReplayInstance, method: str):
        self.instance = instance
        self.__name__ = method
        self.method = method

    def __call__(self, *args, **kwargs):
        owner = self.instance._ctx_owner
        digest = serial.call_digest(f"{owner.name}.{self.method}", args, kwargs)
        op = self.instance._ctx_next("mcall", self.method, digest)
        return _answer(op, args, kwargs, owner.why_missing)

    def __repr__(self) -> str:
        return f"<method {self.instance._ctx_owner.name}.{self.method}>"


# ---------------------------------------------------------------------------
# running a test cell
# ---------------------------------------------------------------------------

def _alarm(signum, frame):
    raise ReplayTimeout(f"테스트를 재현하는 데 {TEST_TIMEOUT}초가 넘게 걸렸습니다")


def _format_error(error: BaseException, filename: str) -> dict:
    frames = [f for f in traceback.extract_tb(error.__traceback__) if f.filename == filename]
    lines = ["Traceback (most recent call last):"] if frames else []
    for frame in frames:
        lines.append(f'  File "{frame.filename}", line {frame.lineno}')
        if frame.line:
            lines.append(f"    {frame.line}")
    ename = type(error).__name__
    evalue = str(error)
    lines.append(f"\x1b[0;31m{ename}\x1b[0m: {evalue}")
    return {"output_type": "error", "ename": ename, "evalue": evalue, "traceback": lines}


def run_test(grade_id: str, source: str, functions: dict, *, cpu_clock: bool = False) -> list[dict]:
    """테스트 셀 하나를 실행하고 nbformat 출력 목록을 돌려줍니다 (IPython처럼 마지막 식의 값도).

    ``cpu_clock``이면 시간 제한을 이 프로세스의 CPU 시간으로 잽니다 (학생 커널의 답을 기다리는 시간은 빼고;
    학생 함수 하나의 시간은 실행기가 셀 시간 제한으로 따로 잽니다)."""
    filename = f"<테스트 셀 {grade_id}>"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    namespace = {"__name__": "__main__", "__builtins__": builtins, **functions}
    stdout, stderr = io.StringIO(), io.StringIO()
    outputs: list[dict] = []
    value = None
    error = None
    clock, timer = (signal.SIGVTALRM, signal.ITIMER_VIRTUAL) if cpu_clock else (signal.SIGALRM, signal.ITIMER_REAL)
    old_handler = signal.signal(clock, _alarm) if threading.current_thread() is threading.main_thread() else None
    if old_handler is not None:
        signal.setitimer(timer, TEST_TIMEOUT)
    try:
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr), warnings.catch_warnings():
            warnings.resetwarnings()
            warnings.simplefilter("default")
            for category in (DeprecationWarning, PendingDeprecationWarning, ImportWarning, ResourceWarning):
                warnings.filterwarnings("ignore", category=category)
            warnings.filterwarnings("default", category=DeprecationWarning, module="__main__")
            try:
                tree = ast.parse(source, filename=filename)
                last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
                exec(compile(tree, filename, "exec"), namespace)  # noqa: S102  (강사의 테스트 코드)
                if last is not None:
                    value = eval(compile(ast.Expression(last.value), filename, "eval"), namespace)  # noqa: S307
            except ReplayTimeout as caught:
                error = caught
            except Exception as caught:  # noqa: BLE001
                error = caught
    finally:
        if old_handler is not None:
            signal.setitimer(timer, 0)
            signal.signal(clock, old_handler)
        if "matplotlib.pyplot" in sys.modules:
            sys.modules["matplotlib.pyplot"].close("all")
    if stdout.getvalue():
        outputs.append({"output_type": "stream", "name": "stdout", "text": stdout.getvalue()[:200_000]})
    if stderr.getvalue():
        outputs.append({"output_type": "stream", "name": "stderr", "text": stderr.getvalue()[:200_000]})
    if error is not None:
        outputs.append(_format_error(error, filename))
    elif value is not None:
        try:
            text = repr(value)
        except Exception as caught:  # noqa: BLE001
            outputs.append(_format_error(caught, filename))
        else:
            outputs.append({"output_type": "execute_result", "execution_count": None,
                            "data": {"text/plain": text[:100_000]}, "metadata": {}})
    return outputs


def why_missing(name: str, status: str | None, stopped: str | None, recorder_failed: bool) -> str:
    """기록이 없을 때 학생과 강사가 읽을 한국어 설명."""
    if status in ("not_run", None) and stopped:
        reason = STOP_REASONS.get(stopped, "앞에서 실행이 멈추어")
        return f"{reason} 이 테스트 셀이 학생 노트북에서 실행되지 않았습니다. 그래서 {name}()을 채점할 수 없습니다."
    if status in ("not_run", None):
        return f"이 테스트 셀이 학생 노트북에서 실행되지 않아 {name}()의 기록이 없습니다."
    if recorder_failed:
        return (f"{name}()의 호출을 기록할 수 없었습니다. 노트북이 IPython이나 파이썬의 동작을 바꾸었는지 "
                f"(입력 변환기, import 가로채기 등) 확인하세요.")
    if status == "timeout":
        return f"{name}()이 시간 제한 안에 끝나지 않았습니다 (무한 루프가 있나요?)."
    if status in ("kernel_died", "fork_bomb"):
        return f"{name}()을 실행하는 동안 커널이 죽었습니다 (os._exit, 세그폴트, 메모리 한도, 포크 폭탄 등)."
    if status == "output_limit":
        return f"{name}()이 너무 많은 출력을 내어 실행을 중단했습니다."
    return (f"학생 노트북에서 이 테스트 셀을 실행할 때 {name}()이 이 입력으로 불리지 않았거나 끝나지 않았습니다 "
            f"(테스트 셀이 바뀌었거나, 함수나 numpy가 바뀌었거나, 실행이 중단되었습니다).")


def replay_job(job: dict) -> dict:
    """채점기가 보낸 작업 하나: 테스트 셀마다 출력과 호출 통계, 그리고 기록 위조 메모를 돌려줍니다."""
    graded = [str(name) for name in job.get("graded", [])]
    results, notes = {}, []
    for test in job.get("tests", []):
        grade_id = test["grade_id"]
        rec = (job.get("records") or {}).get(grade_id) or {}
        status = (job.get("status") or {}).get(grade_id)
        calls, undefined, test_notes = parse_records(str(rec.get("text", "")), grade_id, str(rec.get("nonce", "")),
                                                     graded, bool(rec.get("truncated")))
        notes.extend(test_notes)
        recorder_failed = grade_id in set(job.get("recorder_failed", []))
        functions = {name: ReplayFunction(name, calls, name in undefined,
                                          why_missing(name, status, job.get("stopped"), recorder_failed))
                     for name in graded}
        outputs = run_test(grade_id, test["source"], functions)
        results[grade_id] = {"outputs": outputs, "calls": len(calls),
                             "used": sum(f.used for f in functions.values()),
                             "missing": sum(f.missing for f in functions.values())}
    return {"tests": results, "notes": notes}


# ---------------------------------------------------------------------------
# tests away from student code: each call goes to the student's kernel as plain data
# ---------------------------------------------------------------------------

class Channel:
    """재현기 쪽의 호출 통로: 요청을 채점기(→ 실행기 → 학생 커널)에 보내고 기록을 받아 검사합니다."""

    def __init__(self, send, receive, test: str, nonce: str, graded: list[str], why: dict[str, str]):
        self.send, self.receive = send, receive
        self.test, self.nonce, self.graded, self.why = test, nonce, graded, why
        self.notes: list[str] = []
        self.calls = 0
        self.last_status = "ok"

    def request(self, request) -> list:
        """요청 하나를 보내고 돌아온 기록들(:class:`Call`/:class:`Read`)을 돌려줍니다."""
        self.calls += 1
        self.send({"type": "call", "request": request.to_json()})
        answer = parse_reply(self.receive())
        self.last_status = answer.status
        calls, undefined, notes = parse_records(answer.text, self.test, self.nonce, self.graded, answer.truncated)
        self.notes.extend(notes)
        if request.function in undefined:
            raise NameError(f"name '{request.function}' is not defined")
        if len(calls) > 1:
            # 녹화기는 요청 하나에 (바깥쪽) 기록 하나만 씁니다: 더 있으면 학생 코드가 기록을 꾸며 넣은 것입니다.
            self.notes.append(f"{self.test}: 요청 하나({request.function})에 기록이 {len(calls)}개 왔습니다 (기록 위조)")
            return []
        return calls

    def why_missing(self, name: str) -> str:
        status = self.last_status
        if status in ("timeout", "kernel_died", "fork_bomb", "unresponsive"):
            return why_missing(name, "timeout" if status == "unresponsive" else status, None, False)
        if status == "recorder_failed":
            return why_missing(name, "ok", None, True)
        if status in ("stopped", "lost"):
            return f"학생 노트북의 실행이 멈추어 {name}()을 부를 수 없었습니다."
        return self.why.get(name, why_missing(name, "ok", None, False))


def _encode_call(args: tuple, kwargs: dict):
    return [serial.encode(a) for a in args], {str(k): serial.encode(v) for k, v in kwargs.items()}


def _only(calls: list, kind: str, name: str, instance=None):
    for call in calls:
        if call.kind == kind and call.name == name and (instance is None or call.instance == instance):
            return call
    return None


class LiveFunction:
    """채점 함수(또는 채점 클래스)의 대역: 부를 때마다 학생 커널에서 그 입력으로 한 번 실행한 기록으로 답합니다."""

    def __init__(self, name: str, channel: Channel, undefined: bool):
        self.__name__ = self.__qualname__ = name
        self.name, self.channel, self.undefined = name, channel, undefined
        self.used = self.missing = 0

    def __call__(self, *args, **kwargs):
        if self.undefined:
            raise NameError(f"name '{self.name}' is not defined")
        encoded, encoded_kw = _encode_call(args, kwargs)
        calls = self.channel.request(CallRequest("call", self.name, encoded, encoded_kw))
        call = _only(calls, "call", self.name) or _only(calls, "new", self.name)
        if call is None or call.digest != serial.call_digest(self.name, args, kwargs):
            self.missing += 1
            raise GradingRecordMissing(self.channel.why_missing(self.name))
        self.used += 1
        result = _answer(call, args, kwargs, self.channel.why_missing(self.name))
        if call.kind == "new":
            return LiveInstance(self, call.instance)
        return result

    def __repr__(self) -> str:
        return f"<function {self.name}>"


class LiveInstance:
    """채점 클래스 객체의 대역: 속성 읽기와 메서드 호출을 학생 커널의 그 객체에 한 번씩 맡깁니다."""

    __slots__ = ("_ctx_owner", "_ctx_instance")

    def __init__(self, owner: LiveFunction, instance: int):
        object.__setattr__(self, "_ctx_owner", owner)
        object.__setattr__(self, "_ctx_instance", instance)

    def __getattr__(self, attr: str):
        owner = self._ctx_owner
        if attr.startswith("_"):
            raise AttributeError(f"채점 중에는 {owner.name} 객체의 '{attr}' 속성을 읽을 수 없습니다")
        calls = owner.channel.request(CallRequest("get", owner.name, [], {}, instance=self._ctx_instance, attr=attr))
        op = _only(calls, "get", owner.name, self._ctx_instance)
        if op is None or op.attr != attr:
            owner.missing += 1
            raise GradingRecordMissing(owner.channel.why_missing(owner.name))
        owner.used += 1
        if op.data.get("raised") is not None:
            info = op.data["raised"] if isinstance(op.data["raised"], dict) else {}
            raise serial.exception_class(info)(str(info.get("message", ""))[:2000])
        if op.method:
            return LiveMethod(self, attr)
        return serial.decode(op.data["value"])

    def __setattr__(self, attr, value):
        raise AttributeError(f"채점 중에는 {self._ctx_owner.name} 객체의 속성을 바꿀 수 없습니다")

    def __repr__(self) -> str:
        return f"<{self._ctx_owner.name} 객체>"


class LiveMethod:
    def __init__(self, instance: LiveInstance, method: str):
        self.instance, self.method, self.__name__ = instance, method, method

    def __call__(self, *args, **kwargs):
        owner = self.instance._ctx_owner
        instance = self.instance._ctx_instance
        encoded, encoded_kw = _encode_call(args, kwargs)
        calls = owner.channel.request(CallRequest("mcall", owner.name, encoded, encoded_kw, instance=instance,
                                                  method=self.method))
        op = _only(calls, "mcall", owner.name, instance)
        if op is None or op.method != self.method or op.digest != serial.call_digest(
                f"{owner.name}.{self.method}", args, kwargs):
            owner.missing += 1
            raise GradingRecordMissing(owner.channel.why_missing(owner.name))
        owner.used += 1
        return _answer(op, args, kwargs, owner.channel.why_missing(owner.name))

    def __repr__(self) -> str:
        return f"<method {self.instance._ctx_owner.name}.{self.method}>"


def replay_live(job: dict, send, receive) -> dict:
    """테스트 셀 하나를 실행하며 채점 함수 호출마다 학생 커널에 묻습니다 (``job["interactive"]``)."""
    graded = [str(name) for name in job.get("graded", [])]
    test = job["test"]
    grade_id = test["grade_id"]
    nonce = str(job.get("nonce", ""))
    _, undefined, notes = parse_records(str(job.get("begin", "")), grade_id, nonce, graded, False)
    recorder_failed = bool(job.get("recorder_failed"))
    why = {name: why_missing(name, "ok", None, recorder_failed) for name in graded}
    channel = Channel(send, receive, grade_id, nonce, graded, why)
    functions = {name: LiveFunction(name, channel, name in undefined) for name in graded}
    outputs = run_test(grade_id, test["source"], functions, cpu_clock=True)
    return {"type": "answer", "tests": {grade_id: {
        "outputs": outputs, "calls": channel.calls, "used": sum(f.used for f in functions.values()),
        "missing": sum(f.missing for f in functions.values())}}, "notes": notes + channel.notes}


def serve() -> int:
    """작업자 모드: 표준 입력의 JSON 줄마다 결과 JSON 줄을 표준 출력에 씁니다."""
    os.environ.setdefault("MPLBACKEND", "Agg")
    out = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)
    try:  # 테스트 셀이 늘 쓰는 것만 미리 불러 둡니다 (matplotlib은 쓰는 테스트가 부를 때; MPLBACKEND=Agg)
        import numpy  # noqa: F401
        import ctxcourse.feedback  # noqa: F401
    except Exception:  # noqa: BLE001
        pass
    def send(message: dict) -> None:
        out.write(json.dumps(message, ensure_ascii=False) + "\n")
        out.flush()

    def receive() -> dict:
        line = sys.stdin.readline()
        if not line:
            raise SystemExit(0)
        try:
            data = json.loads(line)
        except ValueError:
            return {}
        return data if isinstance(data, dict) else {}

    send({"ready": True})
    while True:
        line = sys.stdin.readline()
        if not line:
            return 0
        try:
            job = json.loads(line)
            answer = replay_live(job, send, receive) if job.get("interactive") else replay_job(job)
        except Exception as error:  # noqa: BLE001
            answer = {"type": "answer", "error": f"{type(error).__name__}: {error}"[:2000]}
        send(answer)


def _pump(stream, lines: "queue.Queue[bytes]") -> None:
    """재현기 프로세스의 표준 출력을 끝까지 줄 단위로 큐에 넣습니다 (프로세스마다 스레드 하나). 끝나면 빈 줄."""
    for line in iter(stream.readline, b""):
        lines.put(line)
    lines.put(b"")


class ReplayWorker:
    """채점기(부모) 쪽: 재현 작업자 프로세스 하나를 띄우고 작업을 보냅니다. 실패하면 다시 띄웁니다."""

    def __init__(self, spawn, timeout: float = 300):
        """``spawn(**popen_kwargs)``는 작업자 프로세스를 시작해 ``Popen``을 돌려줍니다 (샌드박스 안이나 밖)."""
        self.spawn = spawn
        self.timeout = timeout
        self.process: subprocess.Popen | None = None

    def _start(self) -> None:
        self.process = self.spawn(stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self._lines: queue.Queue[bytes] = queue.Queue()
        threading.Thread(target=_pump, args=(self.process.stdout, self._lines), daemon=True,
                         name="ctxgrade-replay-reader").start()
        ready = self._read_line(120)
        if not ready or not ready.get("ready"):
            self.close()
            raise RuntimeError("채점 재현기를 시작하지 못했습니다")

    def _read_line(self, timeout: float):
        """재현기의 다음 JSON 줄 (``timeout``초 안에 오지 않거나, 끝났거나, JSON이 아니면 None)."""
        try:
            line = self._lines.get(timeout=timeout)
        except queue.Empty:
            return None
        if not line:
            return None
        try:
            return json.loads(line)
        except ValueError:
            return None

    def run(self, job: dict) -> dict:
        if self.process is None or self.process.poll() is not None:
            self._start()
        try:
            self.process.stdin.write((json.dumps(job) + "\n").encode("utf-8"))
            self.process.stdin.flush()
        except OSError:
            self.close()
            return {"error": "채점 재현기에 작업을 보낼 수 없습니다"}
        answer = self._read_line(self.timeout)
        if answer is None:
            self.close()
            return {"error": "채점 재현기가 응답하지 않았습니다 (시간 초과 또는 비정상 종료)"}
        return answer

    def run_live(self, job: dict, on_call, timeout: float) -> dict:
        """대화형 작업 하나: 재현기가 호출을 요청할 때마다 ``on_call(요청)``의 답을 돌려보냅니다."""
        if self.process is None or self.process.poll() is not None:
            self._start()
        if not self._write(job):
            return {"error": "채점 재현기에 작업을 보낼 수 없습니다"}
        deadline = time.monotonic() + timeout
        while True:
            message = self._read_line(max(1.0, deadline - time.monotonic()))
            if message is None or time.monotonic() > deadline:
                self.close()
                return {"error": "채점 재현기가 응답하지 않았습니다 (시간 초과 또는 비정상 종료)"}
            if message.get("type") == "call":
                if not self._write({"type": "reply", **on_call(message.get("request"))}):
                    return {"error": "채점 재현기에 호출 결과를 보낼 수 없습니다"}
                continue
            return message

    def _write(self, message: dict) -> bool:
        try:
            self.process.stdin.write((json.dumps(message) + "\n").encode("utf-8"))
            self.process.stdin.flush()
            return True
        except OSError:
            self.close()
            return False

    def close(self) -> None:
        if self.process is not None:
            if self.process.poll() is None:
                # 샌드박스 안의 재현기는 bubblewrap이 새 세션으로 띄우므로 바깥 프로세스 그룹만 죽이면 남습니다
                # (C 반복에 걸린 재현기가 채점이 끝난 뒤에도 CPU를 쓰던 일; 레드팀 8차): 자손을 먼저 모아 함께 끝냅니다.
                import psutil   # 채점기 쪽에서만 (재현기 프로세스는 이 모듈을 불러도 psutil을 부르지 않습니다)

                try:
                    descendants = psutil.Process(self.process.pid).children(recursive=True)
                except psutil.Error:
                    descendants = []
                try:
                    os.killpg(self.process.pid, signal.SIGKILL)
                except OSError:
                    pass
                for process in descendants:
                    with contextlib.suppress(psutil.Error):
                        process.kill()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
            self.process = None


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--serve"]:
        if len(argv) == 3 and argv[1] == "--uid":
            from .jail.privileges import drop_privileges
            uid = int(argv[2])
            drop_privileges({"uid": uid, "gid": uid, "limits": {"RLIMIT_AS": 4 * 1024 ** 3, "RLIMIT_CORE": 0}})
        elif len(argv) == 1:
            import resource
            resource.setrlimit(resource.RLIMIT_AS, (4 * 1024 ** 3, 4 * 1024 ** 3))
        return serve()
    print("사용법: python -m ctxcourse.grading.replay --serve [--uid UID]", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
