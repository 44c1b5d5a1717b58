"""채점 기록의 직렬화 (plain-data serialisation of graded-function calls).

학생 커널(샌드박스 안)은 채점 함수를 부른 기록을 이 모듈로 평범한 데이터(JSON, 그리고
``allow_pickle=False``인 npy 바이트를 base64로 담은 문자열)로 바꿉니다. 채점 재현기(replay)는
학생 코드를 한 번도 실행하지 않은 깨끗한 프로세스에서 같은 모듈로 그 기록을 되살립니다.

지원하는 값: ``None``, bool/int/float/complex/str, numpy 스칼라, ``np.ndarray`` (object dtype 제외),
list/tuple/dict(문자열 키), matplotlib ``Figure`` (→ :func:`ctxcourse.feedback.figure_facts`),
예외 (형식 이름과 메시지). 그 밖의 객체는 형식 이름만 남는 "낯선 값"(foreign)이 됩니다.
학생 객체의 ``__eq__``, ``__array__``, ``__repr__`` 같은 메서드는 ndarray가 아닌 한 부르지 않습니다.
"""

from __future__ import annotations

import base64
import builtins
import hashlib
import io
import json
import math

import numpy as np

FORMAT_VERSION = 1
MAX_ARRAY_BYTES = 16 * 1024 * 1024   # 배열 하나의 최대 크기 (그보다 크면 "too_large")
MAX_ITEMS = 10_000                   # list/tuple/dict 하나의 최대 원소 수
MAX_DEPTH = 12                       # 중첩의 최대 깊이
MAX_TEXT = 100_000                   # 문자열 하나의 최대 길이


class RecordError(ValueError):
    """기록이 형식에 맞지 않습니다 (손상되었거나 위조된 기록)."""


# ---------------------------------------------------------------------------
# encoding (runs inside the sandbox, on values produced by student code)
# ---------------------------------------------------------------------------

def _npy_bytes(array: np.ndarray) -> str:
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=False)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _type_name(value) -> str:
    kind = type(value)
    module = getattr(kind, "__module__", "") or ""
    name = getattr(kind, "__qualname__", None) or getattr(kind, "__name__", "object")
    return name if module in ("builtins", "") else f"{module}.{name}"


def _is_figure(value) -> bool:
    try:
        from matplotlib.figure import Figure
    except Exception:  # noqa: BLE001  (matplotlib이 없거나 망가졌으면 그림이 아닙니다)
        return False
    return type(value) is Figure


def encode(value, depth: int = 0) -> dict:
    """값 하나를 JSON으로 쓸 수 있는 dict로 바꿉니다."""
    if depth > MAX_DEPTH:
        return {"t": "foreign", "type": "too_deep"}
    kind = type(value)
    if value is None:
        return {"t": "none"}
    if kind is bool:
        return {"t": "bool", "v": bool(value)}
    if kind is int:
        return {"t": "int", "v": str(int(value))}
    if kind is float:
        return {"t": "float", "v": repr(float(value))}
    if kind is complex:
        return {"t": "complex", "re": repr(value.real), "im": repr(value.imag)}
    if kind is str:
        if len(value) > MAX_TEXT:
            return {"t": "too_large", "type": "str", "size": len(value)}
        return {"t": "str", "v": str.__str__(value)}
    if kind is np.ndarray:
        if value.dtype.hasobject:
            return {"t": "foreign", "type": f"numpy.ndarray[{value.dtype}]"}
        if value.nbytes > MAX_ARRAY_BYTES:
            return {"t": "too_large", "type": "numpy.ndarray", "shape": list(value.shape),
                    "dtype": str(value.dtype)}
        return {"t": "nd", "npy": _npy_bytes(np.array(value, copy=True, subok=False))}
    if isinstance(value, np.generic) and kind.__module__ == "numpy":
        array = np.asarray(value)
        if array.dtype.hasobject:
            return {"t": "foreign", "type": _type_name(value)}
        return {"t": "npscalar", "npy": _npy_bytes(array)}
    if kind in (list, tuple):
        items = list.__iter__(value) if kind is list else tuple.__iter__(value)
        items = list(items)
        if len(items) > MAX_ITEMS:
            return {"t": "too_large", "type": kind.__name__, "size": len(items)}
        return {"t": kind.__name__, "items": [encode(item, depth + 1) for item in items]}
    if kind is dict:
        pairs = list(dict.items(value))
        if len(pairs) > MAX_ITEMS or not all(type(k) is str for k, _ in pairs):
            return {"t": "foreign", "type": "dict"}
        return {"t": "dict", "items": {str.__str__(k): encode(v, depth + 1) for k, v in pairs}}
    if _is_figure(value):
        from ctxcourse.feedback import figure_facts
        try:
            facts = figure_facts(value)
            json.dumps(facts)
        except Exception as error:  # noqa: BLE001
            return {"t": "foreign", "type": "matplotlib.figure.Figure", "note": f"{type(error).__name__}"}
        return {"t": "figure", "facts": facts}
    return {"t": "foreign", "type": _type_name(value)}


def encode_exception(error: BaseException) -> dict:
    """예외를 형식 이름과 메시지로 바꿉니다."""
    try:
        message = str(error)
    except Exception:  # noqa: BLE001  (거짓말하는 __str__)
        message = ""
    kind = type(error)
    return {"type": getattr(kind, "__name__", "Exception"), "module": getattr(kind, "__module__", ""),
            "builtin": getattr(builtins, getattr(kind, "__name__", ""), None) is kind,
            "message": message[:2000]}


# ---------------------------------------------------------------------------
# digests (same function on both sides; computed from the values themselves)
# ---------------------------------------------------------------------------

def _canonical(value, depth: int = 0):
    if depth > MAX_DEPTH:
        return ["deep"]
    kind = type(value)
    if value is None or kind in (bool, str):
        return [kind.__name__, value]
    if kind is int:
        return ["int", str(value)]
    if kind is float:
        return ["float", repr(value)]
    if kind is complex:
        return ["complex", repr(value)]
    if kind is np.ndarray and not value.dtype.hasobject:
        data = np.ascontiguousarray(value)
        return ["nd", value.dtype.str, list(value.shape), hashlib.sha256(data.tobytes()).hexdigest()]
    if isinstance(value, np.generic) and kind.__module__ == "numpy" and not np.asarray(value).dtype.hasobject:
        return ["np", np.asarray(value).dtype.str, hashlib.sha256(np.asarray(value).tobytes()).hexdigest()]
    if kind in (list, tuple):
        return [kind.__name__] + [_canonical(item, depth + 1) for item in value]
    if kind is dict and all(type(k) is str for k in value):
        return ["dict", sorted([k, _canonical(v, depth + 1)] for k, v in value.items())]
    return ["other", _type_name(value)]


def call_digest(name: str, args: tuple, kwargs: dict) -> str:
    """함수 이름과 인자들의 요약. 녹화(커널)와 재현(채점기)에서 같은 값이면 같은 요약이 나옵니다."""
    payload = json.dumps([name, _canonical(tuple(args)), _canonical(dict(kwargs))], sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()


# ---------------------------------------------------------------------------
# decoding (runs in the clean replay process, on untrusted data)
# ---------------------------------------------------------------------------

class ForeignValue:
    """기록할 수 없는 값(ndarray가 아닌 객체)의 자리표시. 형식 이름만 압니다."""

    def __init__(self, type_name: str, note: str = ""):
        self.type_name = type_name
        self.note = note

    def __repr__(self) -> str:
        return f"<{self.type_name} 객체 (채점 기록에는 값이 없습니다{': ' + self.note if self.note else ''})>"


def _foreign(type_name: str, note: str = "") -> ForeignValue:
    """학생 객체의 형식 이름을 그대로 가진 자리표시 객체 (메시지가 실제 형식을 말하도록)."""
    short = str(type_name).rsplit(".", 1)[-1][:80] or "object"
    if not short.isidentifier():
        short = "object"
    cls = type(short, (ForeignValue,), {})
    return cls(str(type_name)[:200], note)


def _load_npy(text: str) -> np.ndarray:
    if not isinstance(text, str) or len(text) > 2 * MAX_ARRAY_BYTES:
        raise RecordError("npy 데이터가 너무 크거나 문자열이 아닙니다")
    try:
        raw = base64.b64decode(text.encode("ascii"), validate=True)
    except Exception as error:  # noqa: BLE001
        raise RecordError(f"base64 오류: {error}") from None
    buffer = io.BytesIO(raw)
    try:
        version = np.lib.format.read_magic(buffer)
        if version == (1, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_1_0(buffer)
        elif version == (2, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_2_0(buffer)
        else:
            raise RecordError(f"지원하지 않는 npy 버전 {version}")
        if dtype.hasobject:
            raise RecordError("object dtype은 기록할 수 없습니다")
        # 크기가 0인 구조·부분 배열 dtype: 원소 수 검사를 지나도 복사가 겹친 원소마다 돕니다 (레드팀 8차 N1)
        if dtype.itemsize == 0 and (dtype.fields or dtype.subdtype):
            raise RecordError("크기가 0인 구조 dtype은 기록할 수 없습니다")
        if any(n < 0 for n in shape):
            raise RecordError("npy 머리말의 형상에 음수가 있습니다")
        count = math.prod(shape) if shape else 1
        offset = buffer.tell()
        if count * dtype.itemsize > len(raw) - offset:
            raise RecordError("npy 머리말의 크기가 데이터보다 큽니다")
        if count > MAX_ARRAY_BYTES:   # 원소 크기가 0인 dtype은 바이트 검사를 지나므로 원소 수로도 막습니다 (레드팀 8차)
            raise RecordError("npy 배열의 원소가 너무 많습니다")
        # np.load(allow_pickle=False)와 같은 배열(제 메모리, 쓰기 가능, 포트란 순서면 전치)이지만 머리말을 한 번만
        # 읽습니다: 머리말 해석(ast.literal_eval)이 호출 하나의 해독 시간의 대부분이고, 숨은 테스트는 호출을 수백 번 합니다.
        flat = np.frombuffer(raw, dtype=dtype, count=count, offset=offset).copy()
        return flat.reshape(shape[::-1]).transpose() if fortran else flat.reshape(shape)
    except RecordError:
        raise
    except Exception as error:  # noqa: BLE001
        raise RecordError(f"npy 오류: {type(error).__name__}: {error}") from None


def decode(data, depth: int = 0):
    """:func:`encode`의 결과를 값으로 되살립니다. 형식이 틀리면 :class:`RecordError`."""
    if depth > MAX_DEPTH + 1 or not isinstance(data, dict):
        raise RecordError("기록의 값이 dict가 아닙니다")
    tag = data.get("t")
    try:
        if tag == "none":
            return None
        if tag == "bool":
            return bool(data["v"]) if isinstance(data["v"], bool) else _bad(tag)
        if tag == "int":
            return int(str(data["v"])[:5000])
        if tag == "float":
            return float(str(data["v"]))
        if tag == "complex":
            return complex(float(str(data["re"])), float(str(data["im"])))
        if tag == "str":
            return data["v"] if isinstance(data["v"], str) else _bad(tag)
        if tag == "nd":
            return _load_npy(data["npy"])
        if tag == "npscalar":
            array = _load_npy(data["npy"])
            if array.shape != ():
                raise RecordError("numpy 스칼라의 형상이 ()가 아닙니다")
            return array[()]
        if tag in ("list", "tuple"):
            items = data["items"]
            if not isinstance(items, list) or len(items) > MAX_ITEMS:
                raise RecordError("list/tuple 기록이 잘못되었습니다")
            values = [decode(item, depth + 1) for item in items]
            return values if tag == "list" else tuple(values)
        if tag == "dict":
            items = data["items"]
            if not isinstance(items, dict):
                raise RecordError("dict 기록이 잘못되었습니다")
            return {str(k): decode(v, depth + 1) for k, v in items.items()}
        if tag == "figure":
            facts = data["facts"]
            if not isinstance(facts, dict):
                raise RecordError("그림 기록이 잘못되었습니다")
            from ctxcourse.feedback import FigureFacts

            facts = FigureFacts(facts)
            facts["kind"] = "figure"
            return facts
        if tag == "too_large":
            return _foreign(str(data.get("type", "object")), "값이 너무 커서 기록하지 않았습니다")
        if tag == "foreign":
            return _foreign(str(data.get("type", "object")), str(data.get("note", ""))[:200])
    except RecordError:
        raise
    except (KeyError, TypeError, ValueError, OverflowError) as error:
        raise RecordError(f"{tag} 기록이 잘못되었습니다: {type(error).__name__}") from None
    raise RecordError(f"알 수 없는 값 형식: {str(tag)[:40]}")


def _bad(tag):
    raise RecordError(f"{tag} 기록이 잘못되었습니다")


def exception_class(info: dict) -> type:
    """기록된 예외 정보로 되살릴 예외 클래스. 내장 ``Exception`` 하위 클래스만 그대로 쓰고,
    나머지(학생이 만든 클래스, KeyboardInterrupt, SystemExit 등)는 같은 이름의 ``Exception`` 하위 클래스를 만듭니다."""
    name = str(info.get("type", "Exception"))[:80]
    candidate = getattr(builtins, name, None)
    if (info.get("builtin") is True and isinstance(candidate, type) and issubclass(candidate, Exception)):
        return candidate
    safe = name if name.isidentifier() else "StudentError"
    return type(safe, (StudentRaised,), {})


class StudentRaised(Exception):
    """학생 함수가 낸 예외 중 내장 예외가 아닌 것 (재현할 때 쓰는 바탕 클래스)."""
