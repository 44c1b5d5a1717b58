"""채점용 IPython 커널 시작점 (``python -m ctxcourse.grading.jail.kernel -f CONNECTION_FILE``).

ipykernel의 ``ipykernel_launcher``와 같지만 두 가지가 다릅니다.

- 디버거(debugpy)를 불러오지 않습니다. 채점에는 디버거가 필요 없고, 불러오는 데 제출물마다 0.1~0.2초가 듭니다.
- 표준 출력·오류 스트림이 아직 보내지 못한 글을 :data:`PENDING_LIMIT`까지만 모읍니다. 끝없이 출력하는 셀은
  기계가 바쁠 때 보내는 속도보다 빨리 글을 쌓아 메모리 한도에 닿고(MemoryError), 커널이 망가져 뒤의 모든
  테스트가 실패합니다. 한도를 넘는 글은 버리고(잠깐 쉬어 보내는 스레드가 따라잡게 함), 실행기는 받은 출력이
  넘치면 그 셀을 중단합니다.

실행기(:mod:`.runner`)가 샌드박스 안에 이 커널의 kernelspec을 만듭니다. 샌드박스 안에서는 실행기가 이 커널을
exec 대신 fork로 시작합니다 (:mod:`.forkkernel`; 그때는 :func:`serve`를 바로 부릅니다).
"""

import sys
import time
from pathlib import Path

from ipykernel.iostream import OutStream

PENDING_LIMIT = 16 * 1024 * 1024   # 보내지 못하고 쌓인 출력 (글자 수)


class CappedOutStream(OutStream):
    """보내지 못한 출력이 :data:`PENDING_LIMIT`를 넘으면 새 글을 버리는 출력 스트림."""

    def write(self, string):  # noqa: D401
        with self._buffer_lock:
            pending = sum(buffer.tell() for buffer in self._buffers.values())
        if pending > PENDING_LIMIT:
            time.sleep(0.001)
            return len(string) if isinstance(string, str) else None
        return super().write(string)


OUTSTREAM = "--IPKernelApp.outstream_class=ctxcourse.grading.jail.kernel.CappedOutStream"


def serve(arguments: list[str]) -> None:
    """커널을 이 프로세스에서 실행합니다 (``arguments``: ``-f CONNECTION_FILE`` 등 IPKernelApp의 인자)."""
    sys.modules.setdefault("debugpy", None)
    from ipykernel import kernelapp

    kernelapp.launch_new_instance(argv=[*arguments, OUTSTREAM])


if __name__ == "__main__":
    # ipykernel_launcher처럼: 불러오는 동안 현재 폴더를 sys.path에서 뺍니다 (IPython이 나중에 다시 넣습니다).
    if sys.path and (sys.path[0] == "" or Path(sys.path[0]) == Path.cwd()):
        del sys.path[0]
    serve(sys.argv[1:])
