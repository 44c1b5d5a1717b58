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
    from ctxcourse.grading.course import load_course

    with load_course(course).gradebook() as gb:   # 성적부의 체크섬 = 숨은 테스트까지 담은 테스트 셀의 MD5
        checksums = [cell.checksum for cell in gb.find_notebook("00_mini", "00_mini").source_cells
                     if cell.name.startswith("test_")]
    assert checksums and not [c for c in checksums if c in printed], "숨은 테스트가 든 셀의 체크섬이 샌드박스에 있습니다"


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


class _Run:
    """:class:`ctxcourse.grading.sandbox.RunResult`과 같은 모양의 가짜 실행 결과."""

    def __init__(self, lines, *, wall_timeout=False, overflow=False):
        self.lines, self.wall_timeout, self.overflow = lines, wall_timeout, overflow
        self.returncode, self.stderr, self.bad_lines, self.elapsed = 0, "", 0, 1.0


def _keep(outputs):
    return list(outputs) if isinstance(outputs, list) else []


def test_runner_lines_are_made_and_read_in_one_place():
    lines = [protocol.start_line(4), protocol.kernel_ready_line(0.5),
             protocol.cell_line(0, "ok", [{"output_type": "stream", "name": "stdout", "text": "1"}], 1, False, 0.1),
             protocol.event_line("recorder_failed", index=-1, test="", detail="arm"),
             protocol.event_line("recorder_failed", index=2, test="test_a", detail="begin"),
             protocol.cell_line(2, "served", [], None, False, 0.2),
             protocol.cell_line(99, "ok", [], 1, False, 0.1),          # 노트북에 없는 셀: 버림
             {"type": "cell", "index": "1", "status": "ok"},             # 번호가 글자: 버림
             protocol.done_line(2.0, "kernel_died")]
    digest = protocol.digest_run(_Run(lines), {2: "test_a", 3: "test_b"}, 4, _keep)
    assert set(digest["cells"]) == {0, 2}
    assert digest["test_status"] == {"test_a": "served", "test_b": "not_run"}
    assert digest["recorder_failed"] == ["test_a"]          # arm 실패(테스트 없음)는 테스트 탓이 아님
    assert digest["stopped"] == "kernel_died" and digest["declared"] == 4 and digest["kernel_start"] == 0.5


def test_stop_reasons_from_the_runner_are_checked_and_the_parent_decides_the_rest():
    assert protocol.digest_run(_Run([protocol.done_line(1, "made_up")]), {}, 1, _keep)["stopped"] is None
    assert protocol.digest_run(_Run([]), {}, 1, _keep)["stopped"] == "sandbox_error"     # done 줄이 없음
    assert protocol.digest_run(_Run([protocol.done_line(1, None)], wall_timeout=True), {}, 1, _keep)["stopped"] == "wall_timeout"
    assert protocol.digest_run(_Run([protocol.done_line(1, None)], overflow=True), {}, 1, _keep)["stopped"] == "overflow"
    assert set(protocol.STOP_REASONS) >= {"kernel_died", "unresponsive", "fork_bomb", "not_run"}


def test_a_runner_job_with_a_misspelt_or_missing_key_is_refused_where_it_is_made():
    good = {key: 0 for key in protocol.RUNNER_JOB_KEYS if key not in ("uid", "gid", "mpl_cache")}
    assert protocol.runner_job(**good) == good
    with pytest.raises(protocol.ProtocolError, match="모름"):
        protocol.runner_job(**good, grace_period=1)
    with pytest.raises(protocol.ProtocolError, match="빠짐"):
        protocol.runner_job(**{k: v for k, v in good.items() if k != "grace"})
