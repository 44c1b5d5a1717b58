"""테스트는 학생 프로세스 밖에서 돕니다 (issue: tests away from student code).

채점 함수가 자기를 부른 쪽(프레임, 전역 변수, linecache의 셀 코드)을 뒤져도 테스트 코드, 기대값, 테스트의 다른
변수를 볼 수 없어야 합니다. 예전 방식(테스트 셀을 학생 커널에서 실행)에서는 숨은 테스트의 코드와 기대값이
그대로 보였고, 빨간 팀은 이것으로 틀린 답에 점수를 받았습니다. 여기서는 그런 제출물이 본 것을 출력하게 해서
그 출력에 테스트의 흔적이 없는지, 그리고 점수가 정직한 같은 답과 같은지 확인합니다. 프로토콜 메시지의
검사(형식이 틀린 요청·답)도 확인합니다.
"""

from __future__ import annotations

import pytest

from ctxcourse.grading import protocol
from hostile.bank import BY_KEY, Entry, write_class
from hostile.harness import course_cmd, released_minicourse, state, totals

SPY = '''import sys, linecache
def context_vector(hs, a):
    """호출한 쪽에서 볼 수 있는 것을 모두 출력하고, 평균을 돌려줍니다 (틀린 답)."""
    seen = []
    frame = sys._getframe(1)
    while frame is not None:
        seen.append(frame.f_code.co_filename)
        seen.extend(f"{k}={v!r}"[:300] for k, v in list(frame.f_globals.items()) + list(frame.f_locals.items())
                    if not k.startswith("__") and k not in ("In", "Out"))
        frame = frame.f_back
    seen.extend("".join(linecache.getlines(name)) for name in list(linecache.cache) if "ipython" in name or "<" in name)
    print("SPY", "\\n".join(seen)[-60000:])
    return hs.mean(axis=0)'''

THIEF = '''import sys, linecache, re, numpy as np
def context_vector(hs, a):
    """테스트 셀의 코드에서 기대값을 찾아 돌려주려는 답 (못 찾으면 평균)."""
    frame = sys._getframe(1)
    while frame is not None:
        source = "".join(linecache.getlines(frame.f_code.co_filename))
        found = re.search(r"check_close\\(c, (\\[[^\\]]*\\])", source)
        if found and hs.shape == (5, 4):
            return np.array(eval(found.group(1)))
        frame = frame.f_back
    return hs.mean(axis=0)'''


def _stdout(course, student: str) -> str:
    """채점된 노트북의 테스트 셀에서, 학생 함수가 호출 중에 출력한 글(표준 출력)만."""
    import nbformat

    nb = nbformat.read(course / "autograded" / student / "00_mini" / "00_mini.ipynb", as_version=4)
    return "\n".join(o.get("text", "") for cell in nb.cells if cell.metadata.get("nbgrader", {}).get("grade")
                     for o in cell.get("outputs", []) if o.get("output_type") == "stream" and o.get("name") == "stdout")


READER = """import glob, os
found = []
for path in glob.glob("*.ipynb") + glob.glob("/ctxgrade/job/files/*") + glob.glob("/tmp/ctxgrade/*"):
    try:
        found.append(open(path, encoding="utf-8", errors="replace").read())
    except OSError:
        pass
print("READ", len(found), "\\n".join(found)[-50000:])"""

FAKE_FIGURE = '''def plot_weights(a):
    """그림 대신, 채점기가 기록하는 그림 요약처럼 생긴 dict를 돌려줍니다."""
    return {"kind": "figure", "axes": [{"layers": [list(a)], "title": "", "xlabel": "", "ylabel": "",
                                        "xticklabels": [], "yticklabels": []}], "colorbars": 1}'''


@pytest.mark.slow
def test_the_sandbox_holds_no_test_code_and_a_fake_figure_earns_nothing(tmp_path):
    course = released_minicourse(tmp_path / "course")
    write_class(course, [BY_KEY["correct"], Entry("reader", "노트북 파일과 요청 파일을 읽어 출력", extra=(("end", READER),)),
                         Entry("fake_figure", "그림 대신 그림 요약처럼 생긴 dict", {"plot_weights": FAKE_FIGURE})])
    course_cmd(course, "autograde", "--all", "--jobs", "2")
    scores = totals(course)
    assert scores["correct"] == 8 and scores["reader"] == 8 and scores["fake_figure"] == 7
    import nbformat

    nb = nbformat.read(course / "autograded" / "reader" / "00_mini" / "00_mini.ipynb", as_version=4)
    printed = "".join(o.get("text", "") for o in nb.cells[-1].outputs if o.get("output_type") == "stream")
    assert "READ" in printed and "def repeat_weights" in printed, "학생 셀이 자기 노트북을 읽지 못했습니다 (이 테스트가 아무것도 보지 못함)"
    for secret in ("BEGIN HIDDEN", "check_close", "-1.34717053", "default_rng(3)"):
        assert secret not in printed, f"샌드박스 안의 파일에서 테스트의 흔적 '{secret}'이 보입니다"


@pytest.mark.slow
def test_a_graded_function_sees_only_the_inputs_of_its_call(tmp_path):
    course = released_minicourse(tmp_path / "course")
    write_class(course, [BY_KEY["correct"], BY_KEY["cv_mean"],
                         Entry("spy", "본 것을 출력", {"context_vector": SPY}),
                         Entry("thief", "테스트 코드에서 기대값을 훔침", {"context_vector": THIEF})])
    course_cmd(course, "autograde", "--all", "--jobs", "2")
    scores = totals(course)
    assert scores["correct"] == 8 and scores["cv_mean"] == 6
    assert scores["thief"] == scores["cv_mean"], "테스트 셀의 기대값을 읽어 점수를 얻었습니다"
    assert scores["spy"] == scores["cv_mean"]
    seen = _stdout(course, "spy")
    assert "SPY" in seen, "학생 함수의 출력이 기록되지 않았습니다 (이 테스트가 아무것도 보지 못함)"
    for secret in ("BEGIN HIDDEN", "check_close", "-1.34717053", "feedback.call", "hs_t", "default_rng(3)"):
        assert secret not in seen, f"학생 프로세스에서 테스트의 흔적 '{secret}'이 보입니다"
    assert not state(course, "thief")["flags"] or all(f["kind"] == "suspicious_code" for f in state(course, "thief")["flags"])


def test_protocol_messages_are_checked():
    request = protocol.call_request({"kind": "mcall", "function": "WeightSum", "instance": 3, "method": "forward",
                                     "args": [], "kwargs": {}})
    assert request.method == "forward" and request.to_json()["instance"] == 3
    for bad in ({"kind": "exec", "function": "f"}, {"kind": "call", "function": "__import__"},
                {"kind": "get", "function": "A", "instance": "x", "attr": "p"},
                {"kind": "get", "function": "A", "instance": 1, "attr": "_secret"},
                {"kind": "call", "function": "f", "args": "no"}):
        with pytest.raises(protocol.ProtocolError):
            protocol.call_request(bad)
    assert protocol.reply({"status": "ok", "text": "x"}) == protocol.Reply("ok", "x")
    assert protocol.reply({"status": "pwned", "text": "x"}).status == "lost"
    assert protocol.reply("nonsense").status == "lost"
    start = protocol.test_start({"index": 4, "test": "test_a", "nonce": "ab", "begin": ""}, {4: "test_a"})
    assert start.test == "test_a"
    with pytest.raises(protocol.ProtocolError):
        protocol.test_start({"index": 5, "test": "test_a", "nonce": "ab"}, {4: "test_a"})
