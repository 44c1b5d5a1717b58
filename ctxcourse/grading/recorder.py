"""채점 녹화기: 학생 커널(샌드박스 안)에서 테스트 셀이 부르는 채점 함수의 호출을 기록합니다.

샌드박스의 실행기(:mod:`ctxcourse.grading.runner`)가 테스트 셀마다 그 앞뒤로 조용히
``begin(...)``과 ``end()``를 실행합니다. ``begin``은 사용자 이름공간의 채점 함수를 기록하는
포장 함수로 바꾸고, ``end``는 원래 함수로 되돌립니다. 호출 하나마다 인자(호출 전과 후), 결과 또는
예외, 그 사이의 표준 출력/오류를 :mod:`ctxcourse.grading.serial`로 평범한 데이터로 바꿔 JSON 한 줄로
씁니다.

이 기록은 학생 프로세스에서 만들어지므로 위조될 수 있습니다. 채점기는 기록을 "학생 함수가 이
입력에 이 값을 돌려주었다"는 주장으로만 쓰고, 판정은 학생 코드를 실행한 적이 없는 프로세스에서
강사의 테스트 코드로 내립니다 (:mod:`ctxcourse.grading.replay`). 위조된 기록으로 점수를 얻으려면
맞는 답을 알아야 하므로 얻는 것이 없습니다.
"""

from __future__ import annotations

import functools
import json
import sys

from . import serial

MAX_STREAM = 64 * 1024        # 호출 하나에서 기록할 출력의 최대 길이
MAX_LINE = 48 * 1024 * 1024   # 기록 한 줄의 최대 크기

_state = {"test": None, "nonce": None, "path": None, "wrapped": {}, "depth": 0, "seq": 0}


class _Tee:
    """쓰기를 원래 스트림과 버퍼 양쪽에 보냅니다 (학생 함수가 출력한 글을 기록하려고)."""

    def __init__(self, stream):
        self.stream = stream
        self.parts: list[str] = []
        self.size = 0

    def write(self, text):
        if isinstance(text, str) and self.size < MAX_STREAM:
            self.parts.append(text[: MAX_STREAM - self.size])
            self.size += len(text)
        return self.stream.write(text)

    def text(self) -> str:
        return "".join(self.parts)

    def __getattr__(self, name):
        return getattr(self.stream, name)


def _write(record: dict) -> None:
    record.update({"v": serial.FORMAT_VERSION, "test": _state["test"], "nonce": _state["nonce"],
                   "seq": _state["seq"]})
    _state["seq"] += 1
    line = json.dumps(record, allow_nan=True)
    if len(line) > MAX_LINE:
        line = json.dumps({**{k: record[k] for k in ("v", "test", "nonce", "seq", "function", "digest")},
                           "kind": "too_large"})
    with open(_state["path"], "a", encoding="utf-8") as handle:
        handle.write(line + "\n")


def _encode_args(args, kwargs):
    return [serial.encode(a) for a in args], {str(k): serial.encode(v) for k, v in kwargs.items()}


def _wrap(name: str, function):
    @functools.wraps(function)
    def recorded(*args, **kwargs):
        if _state["depth"] > 0 or _state["test"] is None:
            return function(*args, **kwargs)
        _state["depth"] += 1
        record = {"kind": "call", "function": name}
        tees = None
        try:
            try:
                record["digest"] = serial.call_digest(name, args, kwargs)
                record["args"], record["kwargs"] = _encode_args(args, kwargs)
            except Exception as error:  # noqa: BLE001  (기록할 수 없는 인자도 호출은 그대로 합니다)
                record["unrecordable"] = f"{type(error).__name__}: {error}"
            tees = (_Tee(sys.stdout), _Tee(sys.stderr))
            sys.stdout, sys.stderr = tees
            try:
                result = function(*args, **kwargs)
            except BaseException as error:
                record["raised"] = serial.encode_exception(error)
                raise
            else:
                alias = next((i for i, a in enumerate(args) if a is result and result is not None), None)
                record["alias"] = alias
                record["result"] = serial.encode(result)
                return result
        finally:
            if tees is not None:
                if sys.stdout is tees[0]:
                    sys.stdout = tees[0].stream
                if sys.stderr is tees[1]:
                    sys.stderr = tees[1].stream
                record["stdout"], record["stderr"] = tees[0].text(), tees[1].text()
            try:
                if "args" in record:
                    after_digest = serial.call_digest(name, args, kwargs)
                    if after_digest != record["digest"]:
                        record["after_args"], record["after_kwargs"] = _encode_args(args, kwargs)
                _write(record)
            except Exception:  # noqa: BLE001  (기록 실패 = 기록 없음 = 그 호출은 실패로 채점됩니다)
                pass
            _state["depth"] -= 1

    recorded.__ctxgrade_recorder__ = True
    return recorded


def begin(test_id: str, nonce: str, names: list, path: str) -> None:
    """테스트 셀 하나를 시작합니다: 채점 함수들을 기록하는 포장 함수로 바꿉니다."""
    from IPython import get_ipython

    namespace = get_ipython().user_ns
    _state.update({"test": str(test_id), "nonce": str(nonce), "path": str(path), "depth": 0, "wrapped": {}})
    _write({"kind": "begin"})  # 실행기는 이 줄로 begin이 정말 실행되었는지 확인합니다 (입력 변환기 방해 감지)
    for name in names:
        function = namespace.get(name)
        if function is None or not callable(function):
            _write({"kind": "undefined", "function": name})
            continue
        wrapper = _wrap(name, function)
        _state["wrapped"][name] = (function, wrapper)
        namespace[name] = wrapper


def end() -> None:
    """테스트 셀 하나를 마칩니다: 원래 함수로 되돌립니다."""
    from IPython import get_ipython

    namespace = get_ipython().user_ns
    for name, (function, wrapper) in _state["wrapped"].items():
        if namespace.get(name) is wrapper:
            namespace[name] = function
    _state.update({"test": None, "nonce": None, "wrapped": {}, "depth": 0})
