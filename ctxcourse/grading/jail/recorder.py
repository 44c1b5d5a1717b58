"""채점 녹화기: 학생 커널(샌드박스 안)에서 테스트 셀이 부르는 채점 함수의 호출을 기록합니다.

샌드박스의 실행기(:mod:`ctxcourse.grading.jail.runner`)가 테스트 셀마다 그 앞뒤로 조용히
``begin(...)``과 ``end()``를 실행합니다. ``begin``은 사용자 이름공간의 채점 함수를 기록하는
포장 함수로 바꾸고, ``end``는 원래 함수로 되돌립니다. 호출 하나마다 인자(호출 전과 후), 결과 또는
예외, 그 사이의 표준 출력/오류를 :mod:`ctxcourse.grading.serial`로 평범한 데이터로 바꿔 JSON 한 줄로
씁니다.

채점 대상이 클래스(예: ``WeightSum``)이면, 테스트 셀이 만든 객체마다 생성 인자, 속성 읽기(``params``,
``grads``, ``attention_weight`` 같은 공개 상태의 그때 값), 메서드 호출(인자 전후, 결과 또는 예외)을
순서대로 기록합니다 (아래 "채점 클래스").

이 기록은 학생 프로세스에서 만들어지므로 위조될 수 있습니다. 채점기는 기록을 "학생 함수가 이
입력에 이 값을 돌려주었다"는 주장으로만 쓰고, 판정은 학생 코드를 실행한 적이 없는 프로세스에서
강사의 테스트 코드로 내립니다 (:mod:`ctxcourse.grading.replay`). 위조된 기록으로 점수를 얻으려면
맞는 답을 알아야 하므로 얻는 것이 없습니다.
"""

from __future__ import annotations

import functools
import json
import sys

from .. import serial

MAX_STREAM = 64 * 1024        # 호출 하나에서 기록할 출력의 최대 길이
MAX_LINE = 48 * 1024 * 1024   # 기록 한 줄의 최대 크기

_state = {"test": None, "nonce": None, "path": None, "wrapped": {}, "depth": 0, "seq": 0, "instances": 0}


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
        line = json.dumps({**{k: record.get(k) for k in ("v", "test", "nonce", "seq", "function", "digest",
                                                         "instance", "attr", "method")},
                           "kind": "too_large"})
    with open(_state["path"], "a", encoding="utf-8") as handle:
        handle.write(line + "\n")


def _safe_write(record: dict) -> None:
    try:
        _write(record)
    except Exception:  # noqa: BLE001  (기록 실패 = 기록 없음 = 그 일은 실패로 채점됩니다)
        pass


def _encode_args(args, kwargs):
    return [serial.encode(a) for a in args], {str(k): serial.encode(v) for k, v in kwargs.items()}


def _observe(record: dict, digest_name: str, function, args: tuple, kwargs: dict, *, keep_result: bool = True):
    """학생 코드 ``function(*args, **kwargs)``를 한 번 부르며 ``record``를 채워 씁니다 (인자 전후, 결과 또는 예외, 출력).

    함수 호출, 클래스의 생성(``keep_result=False``: 결과는 학생 객체이므로 기록하지 않음), 메서드 호출이 함께 씁니다.
    """
    _state["depth"] += 1
    tees = None
    try:
        try:
            record["digest"] = serial.call_digest(digest_name, args, kwargs)
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
            if keep_result:
                alias = next((i for i, a in enumerate(args) if a is result and result is not None), None)
                record["alias"] = alias
                record["result"] = _encode_result(result, record)
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
                after_digest = serial.call_digest(digest_name, args, kwargs)
                if after_digest != record["digest"]:
                    record["after_args"], record["after_kwargs"] = _encode_args(args, kwargs)
            _write(record)
        except Exception:  # noqa: BLE001  (기록 실패 = 기록 없음 = 그 호출은 실패로 채점됩니다)
            pass
        _state["depth"] -= 1


# --- 그림 사실의 무결성 ------------------------------------------------------------------------------
# 그림(Figure)은 값이 아니라 학생 프로세스가 뽑은 "사실"(:func:`ctxcourse.feedback.figure_facts`)로 기록됩니다. 실행기는
# 학생 셀을 하나도 실행하기 전에 :func:`arm`을 불러 결과를 기록용 데이터로 바꾸는 함수들(과 그 코드 객체)을 적어 둡니다.
# 결과를 기록할 때 그 함수들이 바뀌어 있으면(학생 셀이 figure_facts나 serial.encode를 바꿔치기함) 결과 대신 "바뀐 채점
# 도구"를 기록합니다: 재현기는 값을 받지 못해 그 테스트는 실패하고, 기록의 ``tampered``는 강사에게 보일 표시가 됩니다.
# 같은 프로세스 안의 방어이므로 완벽하지 않습니다 (이 목록까지 고치는 코드는 막지 못합니다). 그래서 채점 도구를 가리키는
# 코드는 정적 검사(:mod:`ctxcourse.grading.scan`)도 따로 표시합니다.

_GUARDED = {"ctxcourse.grading.serial": ("encode", "_is_figure", "_npy_bytes", "_type_name"),
            "ctxcourse.feedback": ("figure_facts", "_text", "FigureFacts", "_layers", "_axes_facts", "bind_matplotlib",
                                   "_mpl_get_array", "_mpl_get_text", "_mpl_xticklabels", "_mpl_yticklabels"),
            "ctxcourse.grading.jail.recorder": ("_encode_result", "_observe", "_write", "_tampered", "begin", "end",
                                                "serve_loop", "serve"),
            "matplotlib.image": ("AxesImage.get_array",),
            "matplotlib.cm": ("ScalarMappable.get_array",),
            "matplotlib.collections": ("Collection.get_array",),
            "matplotlib.text": ("Text.get_text",),
            "matplotlib.axes": ("Axes.get_xticklabels", "Axes.get_yticklabels", "Axes.images", "Axes.collections",
                                "Axes.texts"),
            "matplotlib.figure": ("Figure.axes", "FigureBase.axes"),
            "json": ("dumps",)}
_ARMED: dict = {}


def _fingerprint(value):
    code = getattr(value, "__code__", None)
    return value, code, getattr(code, "co_code", None)


def _lookup(module_name: str, path: str):
    """``모듈.이름`` 또는 ``모듈.클래스.이름``의 지금 값 (클래스 속성은 클래스 사전에서: 속성 객체 그대로)."""
    value = sys.modules.get(module_name)
    parts = path.split(".")
    for part in parts[:-1]:
        value = getattr(value, part, None)
    if isinstance(value, type):
        for klass in value.__mro__:
            if parts[-1] in vars(klass):
                return vars(klass)[parts[-1]]
        return None
    return getattr(value, parts[-1], None)


def arm() -> None:
    """학생 셀보다 먼저 (실행기가) 부릅니다: 결과와 그림 사실을 만드는 함수들을 적어 둡니다."""
    import importlib

    import ctxcourse.feedback as feedback

    if _ARMED:
        return
    feedback.bind_matplotlib()
    for module_name, names in _GUARDED.items():
        importlib.import_module(module_name)
        for name in names:
            _ARMED[(module_name, name)] = _fingerprint(_lookup(module_name, name))


def _tampered() -> list[str]:
    """:func:`arm` 뒤에 바뀐 채점 도구의 이름들 (arm 전이면 빈 목록)."""
    changed = []
    for (module_name, name), (value, code, raw) in _ARMED.items():
        now = _lookup(module_name, name)
        if now is not value or getattr(now, "__code__", None) is not code or \
                getattr(getattr(now, "__code__", None), "co_code", None) != raw:
            changed.append(f"{module_name}.{name}")
    return changed


def _encode_result(result, record: dict) -> dict:
    """결과를 기록용 데이터로 바꿉니다. 기록 도구가 바뀌었으면 결과를 기록하지 않습니다 (그 호출은 실패로 채점됨)."""
    changed = _tampered()
    if changed:
        record["tampered"] = changed[:8]
        return {"t": "foreign", "type": type(result).__name__[:60], "note": "채점 도구가 바뀌어 결과를 기록하지 않음"}
    return serial.encode(result)


def _recording() -> bool:
    return _state["depth"] == 0 and _state["test"] is not None


def _wrap(name: str, function):
    @functools.wraps(function)
    def recorded(*args, **kwargs):
        if not _recording():
            return function(*args, **kwargs)
        return _observe({"kind": "call", "function": name}, name, function, args, kwargs)

    recorded.__ctxgrade_recorder__ = True
    return recorded


# --- 채점 클래스 ---------------------------------------------------------------------------------
# 테스트 셀이 채점 클래스(예: ``WeightSum``)를 부르면 학생 객체 대신 그 객체를 감싼 녹화 대역을 받습니다.
# 대역에서 일어나는 일(생성, 속성 읽기, 메서드 호출)은 객체마다 순서대로 기록됩니다:
#   {"kind": "new", "function": 클래스, "instance": k, "args": ..., ("raised")}
#   {"kind": "get", "function": 클래스, "instance": k, "attr": 이름, "value": 값 | {"t": "method"}, ("raised")}
#   {"kind": "mcall", "function": 클래스, "instance": k, "method": 이름, "args": ..., "result"/"raised", ...}
# 재현기는 같은 순서의 같은 일만 기록에서 답합니다 (:class:`ctxcourse.grading.replay.ReplayInstance`).
# 밑줄로 시작하는 이름은 기록하지 않고 학생 객체에도 묻지 않습니다 (IPython의 표시 탐색 등이 순서를 흩뜨리지 않도록).


class _MethodRecorder:
    """학생 객체의 메서드 하나를 감싼 녹화 대역."""

    __slots__ = ("_ctx_name", "_ctx_instance", "_ctx_method", "_ctx_bound", "__name__")

    def __init__(self, name: str, instance: int, method: str, bound):
        object.__setattr__(self, "_ctx_name", name)
        object.__setattr__(self, "_ctx_instance", instance)
        object.__setattr__(self, "_ctx_method", method)
        object.__setattr__(self, "_ctx_bound", bound)
        object.__setattr__(self, "__name__", method)

    def __call__(self, *args, **kwargs):
        if not _recording():
            return self._ctx_bound(*args, **kwargs)
        record = {"kind": "mcall", "function": self._ctx_name, "instance": self._ctx_instance,
                  "method": self._ctx_method}
        return _observe(record, f"{self._ctx_name}.{self._ctx_method}", self._ctx_bound, args, kwargs)

    def __repr__(self) -> str:
        return f"<method {self._ctx_name}.{self._ctx_method}>"


class _InstanceRecorder:
    """테스트 셀이 만든 채점 클래스 객체의 녹화 대역: 속성 읽기와 메서드 호출을 기록합니다."""

    __slots__ = ("_ctx_name", "_ctx_instance", "_ctx_object")

    def __init__(self, name: str, instance: int, obj):
        object.__setattr__(self, "_ctx_name", name)
        object.__setattr__(self, "_ctx_instance", instance)
        object.__setattr__(self, "_ctx_object", obj)

    def __getattr__(self, attr: str):
        if attr.startswith("_"):
            raise AttributeError(f"채점 중에는 {self._ctx_name} 객체의 '{attr}' 속성을 읽을 수 없습니다")
        obj = self._ctx_object
        if not _recording():
            return getattr(obj, attr)
        record = {"kind": "get", "function": self._ctx_name, "instance": self._ctx_instance, "attr": str(attr)}
        method = False
        _state["depth"] += 1
        try:
            try:
                value = getattr(obj, attr)   # 학생 코드(property, __getattr__)가 여기서 돌 수 있습니다
            except BaseException as error:
                record["raised"] = serial.encode_exception(error)
                _safe_write(record)
                raise
            method = callable(value)
            try:
                record["value"] = {"t": "method"} if method else serial.encode(value)
            except Exception as error:  # noqa: BLE001
                record["value"] = {"t": "foreign", "type": "unrecordable", "note": type(error).__name__}
            _safe_write(record)
        finally:
            _state["depth"] -= 1
        if method:
            return _MethodRecorder(self._ctx_name, self._ctx_instance, str(attr), value)
        return value

    def __setattr__(self, attr, value):
        raise AttributeError(f"채점 중에는 {self._ctx_name} 객체의 속성을 바꿀 수 없습니다")

    def __repr__(self) -> str:
        return f"<{self._ctx_name} 객체 (채점 기록 중)>"


def _wrap_class(name: str, cls):
    """채점 클래스를 감싼 생성 함수: 테스트 셀에서 부르면 학생 객체를 만들고 그 녹화 대역을 돌려줍니다.
    학생 코드 안에서(예: Attention이 WeightSum을 만들 때) 부르면 학생 객체를 그대로 돌려줍니다."""

    def construct(*args, **kwargs):
        if not _recording():
            return cls(*args, **kwargs)
        instance = _state["instances"]
        _state["instances"] += 1
        record = {"kind": "new", "function": name, "instance": instance}
        obj = _observe(record, name, cls, args, kwargs, keep_result=False)
        return _InstanceRecorder(name, instance, obj)

    construct.__name__ = construct.__qualname__ = name
    construct.__ctxgrade_recorder__ = True
    return construct


def begin(test_id: str, nonce: str, names: list, path: str) -> None:
    """테스트 셀 하나를 시작합니다: 채점 함수들을 기록하는 포장 함수로 바꿉니다."""
    from IPython import get_ipython

    namespace = get_ipython().user_ns
    _state.update({"test": str(test_id), "nonce": str(nonce), "path": str(path), "depth": 0, "wrapped": {},
                   "instances": 0, "live": {}})
    _write({"kind": "begin"})  # 실행기는 이 줄로 begin이 정말 실행되었는지 확인합니다 (입력 변환기 방해 감지)
    for name in names:
        function = namespace.get(name)
        if function is None or not callable(function):
            _write({"kind": "undefined", "function": name})
            continue
        wrapper = _wrap_class(name, function) if isinstance(function, type) else _wrap(name, function)
        _state["wrapped"][name] = (function, wrapper)
        namespace[name] = wrapper


def end() -> None:
    """테스트 셀 하나를 마칩니다: 원래 함수로 되돌립니다."""
    from IPython import get_ipython

    namespace = get_ipython().user_ns
    for name, (function, wrapper) in _state["wrapped"].items():
        if namespace.get(name) is wrapper:
            namespace[name] = function
    _state.update({"test": None, "nonce": None, "wrapped": {}, "depth": 0, "live": {}})


# --- 테스트가 학생 프로세스 밖에 있을 때 (:mod:`ctxcourse.grading.protocol`) -----------------------------
# 실행기는 테스트 셀의 코드를 커널에서 실행하지 않습니다. 대신 테스트 셀 자리에서 아래 ``serve_loop``를 조용히 실행하고,
# 재현기가 보낸 요청(호출 하나)마다 ``serve``가 한 번 일합니다. 요청은 평범한 데이터이고, 학생 함수는 그 입력만
# 받습니다 (테스트 코드와 기대값은 없음).

def serve_loop(path: str) -> None:
    """테스트 셀 하나 동안 실행기의 요청을 받아 하나씩 처리합니다 (:func:`begin` 다음에만).

    실행기가 만든 유닉스 소켓 ``path``에 이어, 한 줄에 JSON 하나씩 ``{"seq", "request", "out"}``을 받아 그 일을 한 번
    하고(:func:`serve`), 기록을 ``out``에 쓴 뒤 ``{"seq"}`` 한 줄로 알립니다. 실행기가 소켓을 닫으면 끝납니다. 호출마다
    커널에 실행 요청(ZeroMQ 왕복)을 보내던 때보다 호출 하나가 몇 밀리초 빠릅니다 (숨은 테스트는 호출을 수백 번 합니다).
    학생 함수가 시간 제한에 걸리면 실행기가 커널을 중단(SIGINT)하고, KeyboardInterrupt가 이 고리를 끝냅니다.
    """
    import socket

    connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        connection.connect(path)
        with connection.makefile("rb") as requests:
            for line in requests:
                message = json.loads(line)
                serve(message.get("request") or {}, str(message.get("out")))
                connection.sendall(json.dumps({"seq": message.get("seq")}).encode() + b"\n")
    finally:
        connection.close()
        _close_figures()


def _close_figures() -> None:
    """테스트 셀 자리에서 학생 함수가 만든 그림을 그리지 않고 닫습니다. nbgrader처럼 테스트 셀을 커널에서 실행하면
    셀이 끝날 때 inline 백엔드가 열린 그림을 모두 그려 출력하고 닫습니다 (``close_figures``): 닫히는 것은 같고, 아무도
    보지 않을 PNG를 그리는 시간(그림 하나에 약 0.1초)만 아낍니다. 채점 기록에는 그림의 사실만 들어갑니다."""
    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is not None:
        try:
            pyplot.close("all")
        except Exception:  # noqa: BLE001
            pass


def serve(request: dict, out_path: str) -> None:
    """요청 하나의 일을 한 번 하고, 기록을 ``out_path``에 씁니다 (:func:`begin` 다음에만)."""
    _state["path"] = str(out_path)
    with open(out_path, "w", encoding="utf-8"):
        pass
    if _state["test"] is None:
        return
    name = str(request.get("function", ""))
    kind = request.get("kind")
    args = [serial.decode(a) for a in request.get("args", [])]
    kwargs = {str(k): serial.decode(v) for k, v in (request.get("kwargs") or {}).items()}
    live = _state.setdefault("live", {})
    try:
        if kind == "call":
            entry = _state["wrapped"].get(name)
            if entry is None:
                _write({"kind": "undefined", "function": name})
                return
            result = entry[1](*args, **kwargs)
            if isinstance(result, _InstanceRecorder):
                live[object.__getattribute__(result, "_ctx_instance")] = result
        elif kind == "get":
            getattr(live[request["instance"]], str(request["attr"]))
        elif kind == "mcall":
            holder = live[request["instance"]]
            method = str(request["method"])
            bound = getattr(object.__getattribute__(holder, "_ctx_object"), method)
            _MethodRecorder(name, request["instance"], method, bound)(*args, **kwargs)
    except Exception:  # noqa: BLE001  (예외는 _observe가 기록했습니다; 기록이 없으면 재현기가 실패로 봅니다)
        pass
