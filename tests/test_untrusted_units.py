"""빠른 단위 테스트: 학생이 만든 글·파일·노트북을 다루는 안전 장치 (커널을 띄우지 않습니다).

터미널 이스케이프, 링크·특수 파일 거절, 선형 시간 코드 검사, CSV 칸, 학생 ID, 노트북 사전 검사,
피드백 페이지의 숨은 테스트 판별과 출력 무력화.
"""

from __future__ import annotations

import csv
import io
import json
import os
import signal

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from ctxcourse.grading import export, feedback_page, safecopy, scan
from ctxcourse.grading.intake import notebook_problem, student_id_problem
from ctxcourse.grading.untrusted import for_terminal, strip_controls

HOSTILE = "ok\x1b]8;;http://evil\x1b\\click\x1b]8;;\x1b\\\x1bc\x1b[8mhidden\x1b[0m [/magenta] [bold]x\u202e\x07"


def test_terminal_text_has_no_control_characters_or_live_markup():
    from rich.console import Console

    text = for_terminal(HOSTILE)
    assert not any(ord(ch) < 32 or 0x7f <= ord(ch) <= 0x9f for ch in text)
    assert "\u202e" not in text
    buffer = io.StringIO()
    Console(file=buffer, force_terminal=False, width=200).print(f"[magenta]{text}[/magenta]")
    assert "[/magenta]" in buffer.getvalue() and "[bold]x" in buffer.getvalue()
    assert for_terminal("a" * 50, limit=10) == "a" * 9 + "…"
    assert strip_controls("줄1\n줄2\t끝") == "줄1\n줄2\t끝"


def test_inspect_tree_refuses_links_devices_fifos_and_hard_links(tmp_path):
    good = tmp_path / "good"
    good.mkdir()
    (good / "a.ipynb").write_text("{}")
    (good / "sub").mkdir()
    (good / "sub" / "b.txt").write_text("b")
    inspection = safecopy.inspect_tree(good)
    assert inspection.ok and sorted(inspection.files) == ["a.ipynb", "sub/b.txt"]

    cases = {}
    for name, make in {
        "symlink": lambda d: os.symlink("/etc/passwd", d / "x"),
        "dev_zero": lambda d: os.symlink("/dev/zero", d / "x"),
        "fifo": lambda d: os.mkfifo(d / "x"),
        "hardlink": lambda d: os.link(good / "a.ipynb", d / "x"),
        "dir_link": lambda d: os.symlink(good, d / "x"),
    }.items():
        folder = tmp_path / name
        folder.mkdir()
        (folder / "n.ipynb").write_text("{}")
        make(folder)
        cases[name] = safecopy.inspect_tree(folder)
    for name, inspection in cases.items():
        assert not inspection.ok, name
        assert "x" in inspection.problems[0], (name, inspection.problems)
    link = tmp_path / "linked_folder"
    os.symlink(good, link)
    assert not safecopy.inspect_tree(link).ok


def test_copy_tree_copies_nothing_when_anything_is_a_link_and_bounds_bytes(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "n.ipynb").write_text("{}")
    os.symlink("/dev/zero", src / "zero")
    with pytest.raises(safecopy.UnsafeSubmission):
        safecopy.copy_tree(src, tmp_path / "dst")
    assert not (tmp_path / "dst").exists()
    os.unlink(src / "zero")
    (src / "big.bin").write_bytes(b"0" * 5000)
    with pytest.raises(safecopy.UnsafeSubmission, match="너무 큽니다"):
        safecopy.copy_tree(src, tmp_path / "dst2", max_bytes=1000)
    copied = safecopy.copy_tree(src, tmp_path / "dst3")
    assert (tmp_path / "dst3" / "big.bin").stat().st_size == 5000 and copied.ok
    with pytest.raises(safecopy.UnsafeSubmission):
        safecopy.read_bytes("/dev/zero")


def _hang_guard(seconds: int):
    def stop(signum, frame):
        raise TimeoutError(f"scan이 {seconds}초 안에 끝나지 않았습니다 (선형 시간이 아님)")
    signal.signal(signal.SIGALRM, stop)
    signal.alarm(seconds)


def test_scanner_is_linear_and_bounded_on_huge_cells():
    _hang_guard(60)   # 예전 패턴(^\s*!)은 이 입력에서 몇 시간이 걸렸습니다; 이것은 멈춤 방지이지 속도 측정이 아닙니다
    try:
        hits = scan.scan_cells(["x = 1" + "\n" * 1_000_000, "y = 2\n" + " \n" * 10_000_000])
    finally:
        signal.alarm(0)
    assert any("앞부분만 검사" in hit for _, hit in hits)
    assert scan.scan([" \t!ls"]) if False else scan.scan(" \t!ls")
    assert not scan.scan("a = b != c")
    many = "import numpy as np\n" + "np.x = 1\n" * 5000
    assert len(scan.scan(many)) <= scan.MAX_HITS + 1


def test_csv_cells_are_quoted_and_formulas_neutralised(tmp_path):
    assert export.cell("=HYPERLINK(\"x\")") == "'=HYPERLINK(\"x\")"
    assert export.cell("+1") == "'+1" and export.cell("@x") == "'@x" and export.cell("-2") == "'-2"
    assert export.cell(None) == "" and export.cell(12.0) == "12.0" and export.cell(3) == "3" and export.cell("kim") == "kim"
    buffer = io.StringIO()
    csv.writer(buffer).writerow([export.cell("eve,,,,12.0\nmallory,x")])
    assert list(csv.reader(io.StringIO(buffer.getvalue()))) == [["eve,,,,12.0\nmallory,x"]]


@pytest.mark.parametrize("student", ["eve,,,,12.0,0.0,12.0,12.0", "a\nb", "[bc]_glob", "x" * 240, "-rf", "", "a b",
                                     "..", "_x", "evil\x1b[2J"])
def test_bad_student_ids_are_refused_with_a_reason(student):
    assert "학생 ID" in (student_id_problem(student) or "")


@pytest.mark.parametrize("student", ["kim", "park2", "demo-lee", "s.o'brien".replace("'", ""), "홍길동", "u123@uni"])
def test_good_student_ids_pass(student):
    assert student_id_problem(student) is None


def _nb_file(tmp_path, cells):
    path = tmp_path / "n.ipynb"
    nbformat.write(new_notebook(cells=cells), path)
    return path


def test_notebook_problem_names_duplicated_cells_and_too_many_cells(tmp_path):
    meta = {"nbgrader": {"grade_id": "test_x_shape", "grade": True, "solution": False, "points": 1}}
    path = _nb_file(tmp_path, [new_code_cell("a", metadata=meta), new_code_cell("b", metadata=meta)])
    assert "같은 셀이 두 번" in notebook_problem(path) and "test_x_shape" in notebook_problem(path)
    path = _nb_file(tmp_path, [new_code_cell("") for _ in range(3001)])
    assert "셀이 너무 많습니다" in notebook_problem(path)
    flood = new_code_cell("print(1)", outputs=[nbformat.v4.new_output("stream", text="") for _ in range(20_001)])
    assert "출력이 너무 많습니다" in notebook_problem(_nb_file(tmp_path, [flood]))
    assert notebook_problem(_nb_file(tmp_path, [new_code_cell("x = 1")])) is None
    (tmp_path / "bad.ipynb").write_text("{not json")
    assert notebook_problem(tmp_path / "bad.ipynb") is None
    (tmp_path / "deep.ipynb").write_text("[" * 200_000 + "]" * 200_000)
    assert "중첩" in notebook_problem(tmp_path / "deep.ipynb")


TEST_SOURCE = '''"""새 입력에서 값을 확인합니다."""
c = feedback.call(context_vector, hs, a, name="context_vector")
feedback.check_shape(c, (4,), "context_vector")
### BEGIN HIDDEN TESTS
feedback.check_close(c, [-1.34717053, 0.39465326], "context_vector", "축 0으로 더했나요?")
### END HIDDEN TESTS'''


def _error(line: int, evalue: str = "메시지") -> dict:
    return {"output_type": "error", "ename": "Feedback", "evalue": evalue,
            "traceback": ["Traceback (most recent call last):", f'  File "<테스트 셀 test_cv>", line {line}', "    x",
                          f"\x1b[0;31mFeedback\x1b[0m: {evalue}"]}


def test_feedback_page_tells_hidden_failures_from_visible_ones():
    assert feedback_page.hidden_lines(TEST_SOURCE) == {4, 5, 6}
    assert feedback_page.docstring(TEST_SOURCE) == "새 입력에서 값을 확인합니다."
    assert feedback_page.test_message([_error(3, "형상이 (5,)입니다")], TEST_SOURCE) == (False, "형상이 (5,)입니다")
    hidden, message = feedback_page.test_message([_error(5, "기대 -1.34717053")], TEST_SOURCE)
    assert hidden and "-1.347" not in message and message == feedback_page.HIDDEN_NOTE
    no_frames = {"output_type": "error", "ename": "Feedback", "evalue": "기대 -1.34717053", "traceback": []}
    assert feedback_page.test_message([no_frames], TEST_SOURCE)[0] is True
    assert feedback_page.test_message([_error(3, "x")], "pass")[0] is False


def test_feedback_page_makes_student_outputs_inert():
    outputs = [{"output_type": "display_data", "metadata": {},
                "data": {"text/html": "<script>alert(1)</script>", "text/plain": "<HTML>"}},
               {"output_type": "display_data", "metadata": {}, "data": {"image/png": "not base64 <script>"}},
               {"output_type": "display_data", "metadata": {}, "data": {"image/png": "iVBORw0KGgo="}},
               {"output_type": "stream", "name": "stdout", "text": "\x1b[31m<b>red</b>"}]
    views = feedback_page.output_views(outputs)
    assert [v.kind for v in views] == ["text", "note", "note", "image", "text"]
    assert views[-1].text == "<b>red</b>"
    nb = new_notebook(cells=[new_markdown_cell("<img src=x onerror=alert(1)> **굵게**"),
                             new_code_cell("print(1)", outputs=[nbformat.from_dict(o) for o in outputs])])
    page = feedback_page.notebook_page(nb, assignment="a", notebook="a", student="s\x1b[2J", grades={},
                                       test_sources={}, questions=[])
    html = feedback_page.render(page)
    assert "<script>" not in html and "<img src=x" not in html and "onerror=alert(1)&gt;" in html
    assert "<strong>굵게</strong>" in html and "\x1b" not in html
    import html as html_module

    assert f'content="{feedback_page.CSP}"' in html_module.unescape(html) and "script-src" not in feedback_page.CSP
    assert "default-src 'none'" in feedback_page.CSP


def test_strip_for_feedback_preprocessor_hides_test_code():
    meta = {"nbgrader": {"grade_id": "test_cv", "grade": True, "solution": False, "points": 2, "locked": True}}
    cell = nbformat.from_dict(new_code_cell(TEST_SOURCE, metadata=meta, outputs=[_error(5, "기대 -1.34717053")]))
    out, _ = feedback_page.StripForFeedback().preprocess_cell(cell, {}, 0)
    text = json.dumps(out, ensure_ascii=False)
    assert "HIDDEN" not in text and "1.34717053" not in text and "check_close" not in text
    assert "새 입력에서 값을 확인합니다." in text
