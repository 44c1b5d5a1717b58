"""악의적이거나 망가진 제출물 모음 (the bank of hostile and broken submissions) — 작은 과제 ``00_mini``용.

제출물 하나 = :class:`Entry`: 학생 ID(``key``), 설명, 노트북을 만드는 방법, 그리고 기대:
``score``(정확한 점수) 또는 ``max_score``(넘지 말아야 할 점수), 나와야 할 의심 표시(``flags``),
강사용 기록에 나와야 할 이유의 글귀(``reason``). ``plain``은 보통의 nbgrader 0.9.6이 주는 점수입니다
(이 엔진이 막는 허점을 보여 주려고 몇 개만 적고, 테스트가 확인합니다).

만점은 8점입니다: repeat_weights 4점 (형상 1, 값 2, 입력 보존 1), context_vector 3점 (형상 1, 값 2),
plot_weights 1점.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell

from .minicourse import ASSIGNMENT, solution_code

CORRECT = solution_code()
STUB = "# 여기에 코드를 작성하세요\nraise NotImplementedError"

CV_MEAN = '''def context_vector(hs, a):
    """평균을 돌려주는 틀린 풀이 (형상은 맞음)."""
    return hs.mean(axis=0)'''

RW_NO_AXIS = '''def repeat_weights(a, H):
    return np.repeat(a, H)'''

RW_SORTS_INPUT = '''def repeat_weights(a, H):
    """입력을 제자리에서 정렬하는 실수 (in-place mutation)."""
    a.sort()
    return np.repeat(a.reshape(-1, 1), H, axis=1)'''

RW_MEMORY = '''def repeat_weights(a, H):
    return np.ones((10 ** 6, 10 ** 6))'''

RW_HARDCODED = '''def repeat_weights(a, H):
    return np.array([[0.8] * 4, [0.1] * 4, [0.03] * 4, [0.05] * 4, [0.02] * 4])'''

CV_STDERR = '''import sys
def context_vector(hs, a):
    print("디버그: 계산 중", file=sys.stderr)
    return (hs * np.asarray(a).reshape(-1, 1)).sum(axis=0)'''

CV_SYNTAX = '''def context_vector(hs, a)
    return (hs * a).sum(axis=0'''

PW_NONE = '''def plot_weights(a):
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots()
    ax.imshow(np.asarray(a, dtype=float).reshape(1, -1))'''

CV_LIAR = '''class Liar(np.ndarray):
    def __eq__(self, other):
        return True
    def __array_function__(self, func, types, args, kwargs):
        return True
    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        return True

def context_vector(hs, a):
    return np.zeros(hs.shape[1]).view(Liar)'''

ALLCLOSE = "import numpy as np\nnp.allclose = lambda *args, **kwargs: True\nnp.array_equal = lambda *args, **kwargs: True"

TRANSFORMER = '''ip = get_ipython()
ip.input_transformers_post.append(lambda lines: [])'''

SHOWTRACEBACK = '''ip = get_ipython()
ip.showtraceback = lambda *args, **kwargs: None
ip._showtraceback = lambda *args, **kwargs: None
ip.showsyntaxerror = lambda *args, **kwargs: None'''

FEEDBACK_PATCH = '''import ctxcourse.feedback as fb
fb.check_close = lambda *args, **kwargs: None
fb.fail = lambda *args, **kwargs: None'''

# 그림을 그리지 않고 그림 사실만 꾸밈 (외부 레드팀 2차): 학생 커널의 serial.encode나 figure_facts를 바꿔치기합니다.
FIGURE_FORGE_SERIAL = '''import numpy as np
import ctxcourse.grading.serial as _s
_orig_encode = _s.encode
def _enc(value, depth=0):
    if type(value) is dict and value.get("__fake_figure__"):
        return {"t": "figure", "facts": value["facts"]}
    return _orig_encode(value, depth)
_s.encode = _enc

def plot_weights(a):
    return {"__fake_figure__": True,
            "facts": {"axes": [{"layers": [[float(x) for x in np.asarray(a).ravel()]]}]}}'''

FIGURE_FORGE_HIDDEN = '''import numpy as np
_m = getattr(__builtins__, "__import__", None) or __builtins__["__import__"]
_fb = _m("".join(["ctx", "course", ".feed", "back"]), fromlist=["x"])
_LAST = {}
_orig = vars(_fb)["figure" + "_facts"]
def _f(fig):
    if id(fig) in _LAST:
        return {"axes": [{"title": "", "xlabel": "", "ylabel": "", "xticklabels": [], "yticklabels": [],
                          "layers": [_LAST[id(fig)]]}], "colorbars": 0}
    return _orig(fig)
vars(_fb).update({"figure" + "_facts": _f})

def plot_weights(a):
    import matplotlib.pyplot as plt
    fig = plt.figure()
    _LAST[id(fig)] = [float(x) for x in np.asarray(a).ravel()]
    return fig'''

# 외부 레드팀 6차: 빈 그림을 돌려주면서, 부른 쪽 프레임(녹화기 모듈)의 전역에서 기록 함수를 꺼내 진짜 표식·순서 번호·
# 인자 요약을 가진 가짜 그림 기록을 먼저 씁니다 (채점 도구를 바꾸지 않으므로 바꿔치기 검사에 걸리지 않음).
FIGURE_FRAME_WRITE = '''import sys
import numpy as np

def plot_weights(a):
    import matplotlib.pyplot as plt
    fig = plt.figure()
    g = sys._getframe(1).f_globals
    w, S = g.get("_write"), g.get("serial")
    if w is not None and S is not None:
        facts = {"kind": "figure", "suptitle": "", "colorbars": 0,
                 "axes": [{"title": "", "xlabel": "", "ylabel": "", "xticklabels": [], "yticklabels": [],
                           "texts": [], "layers": [[float(x) for x in np.asarray(a).ravel()]]}]}
        w({"kind": "call", "function": "plot_weights", "digest": S.call_digest("plot_weights", (a,), {}),
           "args": [S.encode(a)], "kwargs": {}, "alias": None, "result": {"t": "figure", "facts": facts},
           "stdout": "", "stderr": ""})
    return fig'''

# 외부 레드팀 3차: 그림 객체 하나의 메서드를 바꿔치기 / 클래스 메서드를 감춘 exec로 바꿔치기 (둘 다 0으로 채운 그림)
FIGURE_STEALTH = '''import numpy as np
import matplotlib.pyplot as plt

def plot_weights(a):
    row = np.asarray(a, dtype=float).reshape(1, -1)
    fig, ax = plt.subplots()
    im = ax.imshow(np.zeros_like(row))
    im.get_array = lambda: row
    fig.colorbar(im, ax=ax)
    return fig'''

FIGURE_CLASS_EXEC = '''import base64, numpy as np
import matplotlib.pyplot as plt
_ROWS = {}
exec(base64.b64decode(b"aW1wb3J0IG1hdHBsb3RsaWIuaW1hZ2UgYXMgX21pCl9vbGQgPSBfbWkuQXhlc0ltYWdlLmdldF9hcnJheQpfbWkuQXhlc0ltYWdlLmdldF9hcnJheSA9IGxhbWJkYSBzZWxmOiBfUk9XUy5nZXQoaWQoc2VsZiksIF9vbGQoc2VsZikp").decode())

def plot_weights(a):
    row = np.asarray(a, dtype=float).reshape(1, -1)
    fig, ax = plt.subplots()
    im = ax.imshow(np.zeros_like(row))
    _ROWS[id(im)] = row
    fig.colorbar(im, ax=ax)
    return fig'''

STOP_RUNNER = '''import os, signal
os.kill(os.getppid(), signal.SIGSTOP)'''

TRACEBACK_FLOOD = '''class Flood(Exception):
    def _render_traceback_(self):
        return [""] * 5_000_000
raise Flood()'''

RECORDER_PATCH = '''import ctxcourse.grading.jail.recorder as rec
rec.begin = lambda *args, **kwargs: None'''

LOOP_PATCH = '''import ctxcourse.grading.jail.recorder as rec, json, socket
def fake_loop(path):
    s = socket.socket(socket.AF_UNIX)
    s.connect(path)
    for line in s.makefile("rb"):
        s.sendall(json.dumps({"seq": json.loads(line)["seq"]}).encode() + b"\\n")
rec.serve_loop = fake_loop'''

FAKE_OUTPUT = 'print("모든 테스트 통과 ✓  8/8점")'

FAKE_RECORDS = '''import glob, json, threading, time
def forge():
    while True:
        for path in glob.glob("/tmp/ctxgrade/rec-*.jsonl"):
            with open(path, "a") as handle:
                handle.write(json.dumps({"v": 1, "kind": "call", "function": "repeat_weights", "test": "x",
                                         "nonce": "0", "seq": 10 ** 6, "digest": "0", "args": []}) + "\\n")
        time.sleep(0.005)
threading.Thread(target=forge, daemon=True).start()'''

# 같은 위조를 채점 함수 안에서 (호출 중에 자기 기록 파일에 한 줄을 더함): 스레드와 달리 시점에 기대지 않습니다.
RW_FORGE = '''def repeat_weights(a, H):
    import json, ctxcourse.grading.jail.recorder as rec
    with open(rec._state["path"], "a") as handle:
        handle.write(json.dumps({"v": 1, "kind": "call", "function": "repeat_weights", "test": "x", "nonce": "0",
                                 "seq": 10 ** 6, "digest": "0", "args": []}) + "\\n")
    raise NotImplementedError'''

ESCAPE = '''import os, glob
attempts = {}
for target in ["../../gradebook.db", "../../../gradebook.db", "/work/main/PWNED", "/tmp/ctxcourse_pwned",
               "/usr/PWNED", "/PWNED", "/ctxgrade/job/files/PWNED"]:
    try:
        with open(target, "a") as handle:
            handle.write("pwned")
        attempts[target] = "written"
    except OSError as error:
        attempts[target] = type(error).__name__
print(attempts)
seen = {}
for folder in ("/", "/work", "/work/main", "/home", "/home/student", "/tmp", "/ctxgrade", "/ctxgrade/job/files"):
    try:
        seen[folder] = sorted(os.listdir(folder))
    except OSError as error:
        seen[folder] = type(error).__name__
print("보이는 폴더:", seen)
print("루트:", sorted(os.listdir("/")))'''

NETWORK = '''import socket
for host, port in [("1.1.1.1", 53), ("pypi.org", 443)]:
    try:
        socket.create_connection((host, port), timeout=3).close()
        print("연결됨", host)
    except OSError as error:
        print("막힘", host, type(error).__name__, error)'''

INFINITE = "while True:\n    pass"

STUBBORN = '''import signal, time
signal.signal(signal.SIGINT, signal.SIG_IGN)
while True:
    time.sleep(0.05)'''

MEMORY = '''try:
    huge = np.ones((60000, 60000))
except MemoryError as error:
    print("큰 배열:", type(error).__name__)

def bomb():
    chunks = []
    while True:
        chunks.append(bytearray(64 * 1024 * 1024))
bomb()'''

FORK_BOMB = '''import os
while True:
    os.fork()'''

FLOOD = 'while True:\n    print("x" * 10000)'

OS_EXIT = "import os\nos._exit(1)"

SEGFAULT = "import ctypes\nctypes.string_at(0)"

KILL_RUNNER = "import os, signal\nos.kill(os.getppid(), signal.SIGKILL)"

SYS_EXIT = "raise SystemExit(3)"

# 채점 함수가 호출 도중에 하는 일 (테스트 셀 자리의 호출 고리, ctxcourse/grading/jail/calls.py)
CV_LOOP = '''def context_vector(hs, a):
    while True:
        pass'''

CV_STUBBORN = '''def context_vector(hs, a):
    import signal, time
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    while True:
        time.sleep(0.05)'''

CV_OS_EXIT = '''def context_vector(hs, a):
    import os
    os._exit(1)'''

CV_SYS_EXIT = '''def context_vector(hs, a):
    raise SystemExit(3)'''

CV_INTERRUPT = '''def context_vector(hs, a):
    raise KeyboardInterrupt'''

CV_SWALLOW = '''def context_vector(hs, a):
    try:
        while True:
            pass
    except KeyboardInterrupt:
        return (hs * np.asarray(a).reshape(-1, 1)).sum(axis=0)'''

# 실행기가 읽는 폴더에 FIFO를 놓아 실행기를 멈추려 함 (실행기는 막히지 않게 열고 보통 파일만 읽습니다)
LOG_FIFO = '''import os
d = "/tmp/" + "ctx" + "grade"
os.remove(d + "/kernel.log")
os.mkfifo(d + "/kernel.log")'''

ABORT = "import os\nos.abort()"

# 녹화기의 begin을 느리게 (테스트 셀 하나의 시간 제한 안에 녹화기를 켜고 끄는 일까지 들어갑니다)
SLOW_BEGIN = '''import time, ctxcourse.grading.jail.recorder as rec
_begin = rec.begin
def slow_begin(test_id, *args):
    if test_id == "test_context_vector_values":
        time.sleep(6)
    return _begin(test_id, *args)
rec.begin = slow_begin'''

CV_CLOSE_FDS = '''def context_vector(hs, a):
    import os
    os.closerange(3, 4096)
    return (hs * np.asarray(a).reshape(-1, 1)).sum(axis=0)'''


@dataclass(frozen=True)
class Entry:
    key: str
    title: str
    cells: dict = field(default_factory=dict)          # 해답 셀 grade_id → 코드 (나머지는 base)
    base: str = "correct"                              # correct | blank
    extra: tuple = ()                                  # ((where, code), ...): where = start | end | before:<grade_id>
    edit_tests: str | None = None                      # replace | delete
    raw: bytes | None = None                           # 노트북 대신 이 바이트를 씁니다
    filename: str | None = None                        # 다른 이름으로 냅니다
    extra_files: dict = field(default_factory=dict)    # 이름 → 내용 (노트북 없이 낸 파일들)
    score: float | None = None
    max_score: float = 8.0
    flags: frozenset = frozenset()
    reason: str | None = None
    output: str | None = None                          # 채점된 노트북의 학생 셀 출력에 나와야 할 글귀
    plain: float | None = None                         # 보통의 nbgrader 0.9.6이 주는 점수
    honest: bool = False                               # 속임수 없는 제출 (보통의 nbgrader와 점수가 같아야 함)


ENTRIES = [
    # --- 정직한 제출: 보통의 nbgrader와 점수가 같아야 합니다 ---
    Entry("correct", "정답", score=8, honest=True),
    Entry("blank", "빈 제출", base="blank", score=0, honest=True),
    Entry("cv_mean", "맥락 벡터 대신 평균", {"context_vector": CV_MEAN}, score=6, honest=True),
    Entry("rw_no_axis", "repeat에 axis 없음 (20,)", {"repeat_weights": RW_NO_AXIS}, score=5, honest=True),
    Entry("rw_sorts_input", "입력을 제자리에서 정렬 (결과도 정렬된 입력의 것이라 틀림)", {"repeat_weights": RW_SORTS_INPUT},
          score=5, honest=True),
    Entry("rw_hardcoded", "기준 예제의 답을 적어 넣음", {"repeat_weights": RW_HARDCODED}, score=6, honest=True),
    Entry("cv_stderr", "함수가 표준 오류에 출력 (nbgrader는 0점)", {"context_vector": CV_STDERR}, score=5, honest=True),
    Entry("cv_syntax", "문법 오류", {"context_vector": CV_SYNTAX}, score=5, honest=True),
    Entry("pw_none", "그림 대신 None", {"plot_weights": PW_NONE}, score=7, honest=True),
    # --- 점수를 속이려는 제출: 정직한 부분만큼만 받아야 합니다 ---
    # (테스트 셀은 학생 커널에서 돌지 않으므로 '커널 안의 판정'이 없고 verdict_mismatch 표시도 생기지 않습니다.)
    Entry("h_allclose", "np.allclose를 늘 True로 (값이 틀린 답)", {"context_vector": CV_MEAN},
          extra=(("start", ALLCLOSE),), score=6, flags=frozenset({"suspicious_code"}), plain=8),
    Entry("h_transformer", "입력 변환기로 뒤 셀(테스트)을 모두 지움 (빈 답)", base="blank",
          extra=(("start", TRANSFORMER),), score=0,
          flags=frozenset({"suspicious_code", "recorder_blocked"}), plain=8),
    Entry("h_showtraceback", "오류 표시를 끔 (빈 답)", base="blank", extra=(("start", SHOWTRACEBACK),), score=0,
          flags=frozenset({"suspicious_code"})),
    Entry("h_feedback_patch", "채점 도구(ctxcourse.feedback)를 바꿈 (값이 틀린 답)", {"context_vector": CV_MEAN},
          extra=(("start", FEEDBACK_PATCH),), score=6, flags=frozenset({"suspicious_code"})),
    Entry("h_recorder_patch", "채점 기록기를 끔 (빈 답)", base="blank", extra=(("start", RECORDER_PATCH),), score=0,
          flags=frozenset({"suspicious_code", "recorder_blocked"})),
    Entry("h_figure_forge", "그림 대신 dict + serial.encode 바꿔치기 (그림 없음)", {"plot_weights": FIGURE_FORGE_SERIAL},
          score=7, flags=frozenset({"suspicious_code", "records_tampered"})),
    Entry("h_figure_forge_hidden", "빈 Figure + 감춘 figure_facts 바꿔치기 (그림 없음)",
          {"plot_weights": FIGURE_FORGE_HIDDEN}, score=7, flags=frozenset({"suspicious_code", "records_tampered"})),
    Entry("h_figure_stealth", "0으로 채운 그림 + 그림 객체의 get_array 바꿔치기", {"plot_weights": FIGURE_STEALTH},
          score=7, flags=frozenset({"suspicious_code"})),
    Entry("h_figure_class_exec", "0으로 채운 그림 + 감춘 exec로 AxesImage.get_array 바꿔치기",
          {"plot_weights": FIGURE_CLASS_EXEC}, score=7, flags=frozenset({"suspicious_code", "records_tampered"})),
    Entry("h_liar", "np.allclose·__eq__가 거짓말하는 ndarray 하위 클래스", {"context_vector": CV_LIAR}, score=5,
          flags=frozenset({"suspicious_code"}), plain=7),
    Entry("h_edit_tests", "테스트 셀을 pass로 바꿈 (값이 틀린 답)", {"context_vector": CV_MEAN}, edit_tests="replace",
          score=6, flags=frozenset({"test_cell_changed"})),
    Entry("h_delete_tests", "테스트 셀을 모두 지움 (정답)", edit_tests="delete", score=8,
          flags=frozenset({"test_cell_changed"})),
    Entry("h_loop_patch", "호출 고리를 아무것도 실행하지 않고 답하는 가짜로 바꿈 (정답)", extra=(("start", LOOP_PATCH),),
          score=0, flags=frozenset({"suspicious_code"})),
    Entry("h_fake_output", "'통과' 글을 출력 (빈 답)", base="blank", extra=(("end", FAKE_OUTPUT),), score=0),
    Entry("h_frame_write", "빈 그림 + 녹화기 전역의 기록 함수로 가짜 그림 기록", {"plot_weights": FIGURE_FRAME_WRITE},
          score=7, flags=frozenset({"suspicious_code", "records_tampered"})),
    Entry("h_fake_records", "가짜 채점 기록을 씀 (빈 답)", {"repeat_weights": RW_FORGE}, base="blank",
          extra=(("start", FAKE_RECORDS),), score=0,
          flags=frozenset({"records_tampered"})),
    Entry("h_escape", "강좌 폴더·시스템에 쓰고 source/·성적부를 찾음 (정답)", extra=(("start", ESCAPE),), score=8,
          flags=frozenset({"suspicious_code"}), output="'../../gradebook.db': 'OSError"),
    Entry("h_network", "네트워크 접속 (정답)", extra=(("start", NETWORK),), score=8,
          flags=frozenset({"suspicious_code"}), output="막힘 1.1.1.1"),
    # --- 망가진 제출: 분명한 기록을 남기고, 나머지 반은 그대로 채점되어야 합니다 ---
    Entry("b_infinite_loop", "무한 루프 (정답)", extra=(("start", INFINITE),), score=8, reason="시간 제한"),
    Entry("b_stubborn_loop", "중단 신호를 무시하는 무한 루프 (정답)", extra=(("start", STUBBORN),), score=0,
          reason="멈추지 않아"),
    # 메모리를 다 쓰면 IPython이 마지막 예외의 프레임(=폭탄이 잡은 메모리)을 붙들고 있어 뒤 셀도 실패할 수 있습니다.
    Entry("b_memory_bomb", "메모리 폭탄 (정답)", extra=(("start", MEMORY),), output="MemoryError"),
    Entry("b_memory_function", "채점 함수가 거대한 배열을 만듦", {"repeat_weights": RW_MEMORY}, score=4),
    Entry("b_fork_bomb", "포크 폭탄 (정답)", extra=(("start", FORK_BOMB),), score=0, reason="포크 폭탄",
          flags=frozenset({"subprocess"})),
    Entry("b_flood", "끝없는 출력 (정답)", extra=(("start", FLOOD),), score=8, reason="출력이 너무 많아"),
    Entry("b_os_exit", "os._exit로 커널 종료 (정답)", extra=(("before:test_context_vector_shape", OS_EXIT),), score=4,
          reason="커널이 죽었습니다"),
    Entry("b_segfault", "세그폴트 (정답)", extra=(("before:test_context_vector_shape", SEGFAULT),), score=4,
          reason="SIGSEGV"),
    Entry("b_kill_runner", "채점 실행기를 죽임 (정답)", extra=(("before:test_context_vector_shape", KILL_RUNNER),),
          max_score=4, reason="샌드박스가 비정상 종료", flags=frozenset({"sandbox"})),
    Entry("b_stop_runner", "커널이 채점 실행기를 멈춤 (SIGSTOP, 정답)", extra=(("before:test_context_vector_shape", STOP_RUNNER),),
          max_score=4, reason="SIGSTOP", flags=frozenset({"sandbox"})),
    Entry("b_traceback_flood", "빈 줄 수백만 개짜리 traceback (정답)", extra=(("start", TRACEBACK_FLOOD),), score=8,
          reason="출력이 너무 많아"),
    Entry("b_sys_exit", "SystemExit (정답)", extra=(("start", SYS_EXIT),), score=8),
    # 채점 함수가 호출 도중에: 호출 하나만 실패하고(시간 제한, 예외), 커널이 멈추거나 죽으면 그 뒤만 0점입니다.
    Entry("b_call_loop", "채점 함수의 무한 루프", {"context_vector": CV_LOOP}, score=5, reason="시간 제한(5초)"),
    Entry("b_call_stubborn", "채점 함수가 중단 신호를 무시", {"context_vector": CV_STUBBORN}, score=4, reason="멈추지 않아"),
    Entry("b_call_os_exit", "채점 함수가 os._exit", {"context_vector": CV_OS_EXIT}, score=4, reason="커널이 죽었습니다"),
    Entry("b_call_sys_exit", "채점 함수가 SystemExit", {"context_vector": CV_SYS_EXIT}, score=5),
    Entry("b_call_interrupt", "채점 함수가 KeyboardInterrupt", {"context_vector": CV_INTERRUPT}, score=5),
    Entry("b_call_swallow", "채점 함수가 중단 신호를 잡고 시간 초과 뒤에 정답을 돌려줌", {"context_vector": CV_SWALLOW},
          score=5, reason="시간 제한(5초)"),
    Entry("b_log_fifo", "실행기가 읽는 kernel.log를 FIFO로 바꾸고 커널을 죽임 (정답)", extra=(("start", LOG_FIFO), ("end", ABORT)),
          score=8, reason="SIGABRT"),
    Entry("h_slow_begin", "녹화기 begin을 6초 늦춤 (정답)", extra=(("start", SLOW_BEGIN),), max_score=1,
          flags=frozenset({"records_tampered"})),
    Entry("b_call_close_fds", "채점 함수가 커널의 파일을 모두 닫음", {"context_vector": CV_CLOSE_FDS}, score=4,
          reason="커널이 죽었습니다"),
    Entry("b_malformed", "깨진 JSON", raw=b'{"cells": [ this is not json', score=0, reason="읽거나 정리할 수 없습니다"),
    Entry("b_empty", "빈 파일", raw=b"", score=0, reason="빈 파일"),
    Entry("b_missing", "노트북 없음", extra_files={"readme.txt": "노트북을 깜빡했어요"}, score=0, reason="없습니다"),
    Entry("b_wrong_name", "파일 이름이 다름 (정답)", filename=f"{ASSIGNMENT} (1).ipynb", score=0,
          reason=f"{ASSIGNMENT} (1).ipynb"),
]

BY_KEY = {entry.key: entry for entry in ENTRIES}


def _is_test(cell) -> bool:
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return bool(meta.get("grade")) and not meta.get("solution") and cell.cell_type == "code"


def build_notebook(release_nb, entry: Entry):
    """release 노트북에서 ``entry``의 제출 노트북을 만듭니다."""
    nb = nbformat.from_dict(release_nb)
    codes = dict(CORRECT) if entry.base == "correct" else {name: STUB for name in CORRECT}
    codes.update(entry.cells)
    for cell in nb.cells:
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if grade_id in codes and cell.metadata.nbgrader.get("solution"):
            cell.source = codes[grade_id]
    if entry.edit_tests == "replace":
        for cell in nb.cells:
            if _is_test(cell):
                cell.source = "pass"
    elif entry.edit_tests == "delete":
        nb.cells = [cell for cell in nb.cells if not _is_test(cell)]
    for where, code in entry.extra:
        cell = new_code_cell(code)
        if where == "start":
            setup = next(i for i, c in enumerate(nb.cells) if c.cell_type == "code")
            nb.cells.insert(setup + 1, cell)
        elif where == "end":
            nb.cells.append(cell)
        else:
            target = where.split(":", 1)[1]
            index = next(i for i, c in enumerate(nb.cells)
                         if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == target)
            nb.cells.insert(index, cell)
    return nb


def write_submission(course: Path, release_nb, entry: Entry) -> Path:
    """``submitted/<key>/00_mini/``에 제출물을 씁니다."""
    folder = Path(course) / "submitted" / entry.key / ASSIGNMENT
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in entry.extra_files.items():
        (folder / name).write_text(text, encoding="utf-8")
    if entry.extra_files and entry.raw is None and entry.filename is None and not entry.cells and not entry.extra:
        return folder
    target = folder / (entry.filename or f"{ASSIGNMENT}.ipynb")
    if entry.raw is not None:
        target.write_bytes(entry.raw)
    else:
        nbformat.write(build_notebook(release_nb, entry), target)
    return folder


def write_class(course: Path, entries=ENTRIES) -> list[Entry]:
    """``entries``의 제출물을 모두 씁니다 (release 노트북이 먼저 있어야 합니다)."""
    release = nbformat.read(Path(course) / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    for entry in entries:
        write_submission(course, release, entry)
    return list(entries)
