"""채점기 쪽의 대화: 실행기(샌드박스 안의 학생 커널)와 재현기(깨끗한 프로세스)를 잇습니다.

:mod:`.protocol`의 흐름을 채점기 쪽에서 맡습니다. 실행기가 테스트 셀 자리에 왔다고 알리면(:data:`~.protocol.TEST`)
별도 스레드에서 재현기에 그 테스트를 맡기고, 재현기가 요청하는 호출을 실행기에 전하고(:data:`~.protocol.CALL`),
실행기의 답(:data:`~.protocol.REPLY`)을 재현기에 돌려줍니다. 재현기가 끝나면 실행기에 :data:`~.protocol.END`를
보내 다음 셀로 가게 합니다. 샌드박스의 읽기 루프(:meth:`.sandbox.Sandbox.run`)는 막히지 않습니다.
"""

from __future__ import annotations

import queue
import threading

from . import protocol


class Conversation:
    """제출 노트북 하나의 실행 동안 쓰는 대화 (테스트는 한 번에 하나)."""

    FED = (protocol.TEST, protocol.REPLY)

    def __init__(self, worker, tests: dict[int, str], sources: dict[str, str], graded: list[str], *,
                 call_timeout: float, test_timeout: float):
        self.worker = worker                  # :class:`.replay.ReplayWorker`
        self.tests = tests                    # 셀 번호 → grade_id (채점기가 정리한 노트북에서)
        self.sources = sources                # grade_id → 성적부의 강사 테스트 코드
        self.graded = graded
        self.call_timeout = call_timeout
        self.test_timeout = test_timeout
        self.results: dict[str, dict] = {}    # grade_id → 재현기의 답
        self.notes: list[str] = []
        self.errors: list[str] = []
        self._send = None
        self._replies: queue.Queue = queue.Queue()
        self._thread: threading.Thread | None = None
        self._next_id = 0
        self._closed = threading.Event()

    # -- the sandbox side (called from the sandbox's reading loop) -------------------------------
    def attach(self, send) -> None:
        self._send = send

    def feed(self, message: dict) -> None:
        if message.get("type") == protocol.REPLY:
            self._replies.put(message)
            return
        try:
            start = protocol.test_start(message, self.tests)
        except protocol.ProtocolError as error:
            self.notes.append(f"실행기의 테스트 알림이 잘못되었습니다: {error}")
            self._send({"type": protocol.END})
            return
        if self._thread is not None:
            self._thread.join(10)   # 앞 테스트의 스레드는 END를 보낸 뒤 막 끝나는 중입니다
        if start.test in self.results or self._thread is not None and self._thread.is_alive():
            self.notes.append(f"{start.test}: 실행기가 같은 테스트를 두 번 알렸습니다")
            self._send({"type": protocol.END})
            return
        self._thread = threading.Thread(target=self._run_test, args=(start,), daemon=True,
                                        name=f"ctxgrade-test-{start.test}")
        self._thread.start()

    def finish(self) -> None:
        """실행기가 끝났습니다: 기다리는 재현기를 풀어 줍니다."""
        self._closed.set()
        self._replies.put(None)

    def join(self) -> None:
        if self._thread is not None:
            self._thread.join(self.test_timeout + 60)

    # -- the replay side (its own thread) ----------------------------------------------------------
    def _call(self, request) -> dict:
        if self._closed.is_set():
            return {"status": "stopped", "text": ""}
        self._next_id += 1
        request_id = self._next_id
        if not self._send({"type": protocol.CALL, "id": request_id, "request": request}):
            return {"status": "stopped", "text": ""}
        while True:
            try:
                message = self._replies.get(timeout=self.call_timeout)
            except queue.Empty:
                return {"status": "lost", "text": ""}
            if message is None:
                self._replies.put(None)
                return {"status": "stopped", "text": ""}
            if message.get("id") == request_id:
                answer = protocol.reply(message)
                return {"status": answer.status, "text": answer.text, "truncated": answer.truncated}

    def _run_test(self, start: protocol.TestStart) -> None:
        job = {"interactive": True, "test": {"grade_id": start.test, "source": self.sources[start.test]},
               "graded": self.graded, "nonce": start.nonce, "begin": start.begin}
        try:
            answer = self.worker.run_live(job, self._call, self.test_timeout)
        except Exception as error:  # noqa: BLE001
            answer = {"error": f"{type(error).__name__}: {error}"}
        if answer.get("error"):
            self.errors.append(f"{start.test}: {answer['error']}")
        else:
            self.results.update(answer.get("tests") or {})
            self.notes.extend(str(note) for note in answer.get("notes") or [])
        if not self._closed.is_set():
            self._send({"type": protocol.END})
