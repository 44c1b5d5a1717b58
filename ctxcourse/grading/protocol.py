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
