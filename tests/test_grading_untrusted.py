"""학생이 채점기와 강사의 화면을 건드리는 길 (issue: links, budgets, escaping, memory, CSV, ids, feedback).

작은 강좌(00_mini, 8점)에 정직한 학생 하나와 함께 다음 제출물을 한 번에 채점합니다:
링크·하드 링크·장치·FIFO가 든 제출물, 쓸 수 없는 학생 ID, 복사해 붙인 테스트 셀, 터미널 제어 문자와 rich
표시 문법을 출력하는 제출물, memfd와 SysV 공유 메모리로 메모리 한도를 넘으려는 제출물, HTML·스크립트를
출력하는 제출물. 그다음 피드백 페이지(숨은 테스트·기준값 없음, Chromium에서 스크립트가 돌지 않음),
nbgrader의 generate_feedback·release_feedback, 성적 CSV를 확인합니다.
"""

from __future__ import annotations

import csv
import html
import json
import os
import re
import shutil
from pathlib import Path

import nbformat
import pytest

from ctxcourse.grading.feedback_page import AFTER_HIDDEN_NOTE, HIDDEN_NOTE, StripForFeedback
from hostile.bank import BY_KEY, Entry, build_notebook, write_class
from hostile.harness import course_cmd, nbgrader_cmd, released_minicourse, state, totals, tree_digest
from hostile.minicourse import ASSIGNMENT, TESTS

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[1]
ARTIFACTS = REPO / "artifacts" / "feedback"
NB = f"{ASSIGNMENT}.ipynb"

HTML_OUTPUT = '''from IPython.display import HTML, Javascript, Markdown, SVG, display
display(HTML("<script>document.title='PWNED'</script><b>굵게</b>"))
display(Javascript("document.title='PWNED2'"))
display(SVG('<svg xmlns="http://www.w3.org/2000/svg" onload="document.title=\\'PWNED3\\'"><rect width="9" height="9"/></svg>'))
display(Markdown("<img src=x onerror=\\"document.title='PWNED4'\\">"))
print("<script>document.title='PWNED5'</script>")'''
TERMINAL = '''import subprocess  # [/magenta] \x1b]8;;http://evil\x1b\\\\링크\x1b]8;;\x1b\\\\
print("\\x1bc\\x1b[8m숨김\\x1b[0m [/magenta]")
raise ValueError("\\x1b]8;;http://evil\\x1b\\\\눌러\\x1b]8;;\\x1b\\\\ [/magenta]")'''
MEMORY = '''import os, ctypes
try:
    fd = os.memfd_create("x")
    print("memfd 열림")
except OSError as error:
    print("memfd 막힘", error.errno)
libc = ctypes.CDLL(None)
libc.shmget.restype = ctypes.c_int
print("shmget 결과", libc.shmget(0, 1 << 30, 0o1600))'''

# 받은 입력을 모아 두었다가 (숨은 테스트 뒤의) 마지막 셀에서 출력하는 정답 함수 (숨은 테스트의 입력이 피드백으로 새는 길)
LEAK_LOG = '''SEEN = []
def context_vector(hs, a):
    SEEN.append(float(np.asarray(hs).sum()))
    return np.sum(hs * a.reshape(-1, 1), axis=0)'''
LEAK_PRINT = 'print("LEAK", SEEN)'

EXTRA = {
    "leak_inputs": Entry("leak_inputs", "받은 입력을 모아 뒤 셀에서 출력 (정답)", {"context_vector": LEAK_LOG},
                         extra=(("end", LEAK_PRINT),), score=8),
    "html_output": Entry("html_output", "HTML·스크립트 출력 (정답)", extra=(("start", HTML_OUTPUT),), score=8),
    "terminal": Entry("terminal", "터미널 제어 문자와 rich 표시 문법 (정답)", extra=(("end", TERMINAL),), score=8),
    "memory_escape": Entry("memory_escape", "memfd·SysV 공유 메모리 (정답)", extra=(("start", MEMORY),), score=8),
}
BAD_IDS = ["eve,,,,12.0,0.0,12.0,12.0", "x" * 240, "[bc]_glob"]


def _linked(course: Path, student: str, make) -> None:
    folder = course / "submitted" / student / ASSIGNMENT
    folder.mkdir(parents=True)
    make(folder)


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    base = tmp_path_factory.mktemp("untrusted")
    course = released_minicourse(base / "course")
    release = nbformat.read(course / "release" / ASSIGNMENT / NB, as_version=4)
    write_class(course, [BY_KEY["correct"], BY_KEY["cv_mean"], BY_KEY["rw_no_axis"], *EXTRA.values()])
    for student in ("correct", "cv_mean"):   # release_feedback가 읽는 파일 (nbgrader collect/submit이 만드는 것)
        folder = course / "submitted" / student / ASSIGNMENT
        (folder / "timestamp.txt").write_text("2026-11-30 09:00:00.000000 UTC")
        (folder / "submission_secret.txt").write_text(f"secret-{student}")
    correct = course / "submitted" / "correct" / ASSIGNMENT / NB
    source = course / "source" / ASSIGNMENT / NB
    _linked(course, "link_source", lambda d: os.symlink(source, d / NB))
    _linked(course, "link_other", lambda d: os.symlink(correct, d / NB))
    _linked(course, "link_gradebook", lambda d: (shutil.copy(correct, d / NB), os.symlink(course / "gradebook.db", d / "gb.db")))
    _linked(course, "link_devzero", lambda d: (shutil.copy(correct, d / NB), os.symlink("/dev/zero", d / "zero.bin")))
    _linked(course, "link_stdin", lambda d: (shutil.copy(correct, d / NB), os.symlink("/dev/stdin", d / "in.txt")))
    _linked(course, "hardlink", lambda d: (shutil.copy(correct, d / NB), os.link(source, d / "copy.ipynb")))
    _linked(course, "fifo", lambda d: (shutil.copy(correct, d / NB), os.mkfifo(d / "pipe")))
    os.symlink(course / "submitted" / "correct", course / "submitted" / "alias")
    for student in BAD_IDS:
        folder = course / "submitted" / student / ASSIGNMENT
        folder.mkdir(parents=True)
        shutil.copy(correct, folder / NB)
    nb = build_notebook(release, BY_KEY["correct"])
    test = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "test_context_vector_shape")
    nb.cells.append(nbformat.from_dict(dict(test)))
    dup = course / "submitted" / "duplicated" / ASSIGNMENT
    dup.mkdir(parents=True)
    nbformat.write(nb, dup / NB)
    before = tree_digest(course / "source")
    done = course_cmd(course, "autograde", "--all", "--jobs", "2", "--timeout", "10", "--memory", "1536")
    report = course_cmd(course, "report")
    feedback = course_cmd(course, "feedback", "--all")
    export = course_cmd(course, "export")
    return {"course": course, "autograde": done.stdout + done.stderr, "report": report.stdout + report.stderr,
            "feedback": feedback.stdout, "export": export.stdout, "source_before": before}


REFUSED = ["link_source", "link_other", "link_gradebook", "link_devzero", "link_stdin", "hardlink", "fifo", "alias"]


def test_the_honest_students_are_graded(graded):
    scores = totals(graded["course"])
    assert scores["correct"] == 8 and scores["cv_mean"] == 6 and scores["rw_no_axis"] == 5
    for key, entry in EXTRA.items():
        assert scores[key] == entry.score, key


@pytest.mark.parametrize("student", REFUSED)
def test_links_and_special_files_are_refused_with_zero_and_a_reason(graded, student):
    course = graded["course"]
    assert totals(course)[student] == 0
    record = state(course, student)
    assert record["status"] == "refused"
    assert any("링크" in r or "FIFO" in r or "장치" in r for r in record["reasons"]), record["reasons"]
    assert not list((course / "autograded" / student).rglob("*.*")), "거절한 제출물의 파일이 autograded/에 복사되었습니다"
    assert not (course / "feedback" / student).exists()


def test_nothing_outside_a_submission_changed(graded):
    course = graded["course"]
    assert tree_digest(course / "source") == graded["source_before"]
    assert os.path.islink(course / "submitted" / "link_devzero" / ASSIGNMENT / "zero.bin")


@pytest.mark.parametrize("student", BAD_IDS)
def test_bad_ids_are_refused_at_the_door_and_never_reach_the_gradebook_or_csv(graded, student):
    course = graded["course"]
    assert student not in totals(course)
    with open(course / "grades.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert {row["student_id"] for row in rows} <= set(totals(course))
    assert all(row["score"] in ("0.0",) or float(row["score"]) <= 8 for row in rows)
    assert "ID 오류" in graded["autograde"]


def test_the_bracketed_id_is_shown_as_written(graded):
    assert "[bc]_glob" in graded["autograde"]


def test_a_duplicated_test_cell_is_reported_as_what_it_is(graded):
    record = state(graded["course"], "duplicated")
    assert any("같은 셀이 두 번" in r and "test_context_vector_shape" in r for r in record["reasons"]), record["reasons"]


def test_the_instructors_terminal_gets_no_control_characters(graded):
    for name in ("autograde", "report", "feedback", "export"):
        text = graded[name]
        assert "\x1b]" not in text and "\x1bc" not in text and "\x1b[8m" not in text, name
        assert not re.search(r"[\x00-\x08\x0b-\x1a\x1c-\x1f\x7f]", text), name
    assert "의심" in graded["autograde"] or "suspicious_code" in str(state(graded["course"], "terminal")["flags"])


def test_memfd_and_sysv_shared_memory_are_closed(graded):
    text = (graded["course"] / "autograded" / "memory_escape" / ASSIGNMENT / NB).read_text(encoding="utf-8")
    assert "memfd 막힘 1" in text and "shmget 결과 -1" in text


# --- feedback pages ----------------------------------------------------------------------------

def _hidden_blocks() -> list[str]:
    blocks = []
    for tests in TESTS.values():
        for _, _, source in tests:
            if "### BEGIN HIDDEN TESTS" in source:
                blocks.append(source.split("### BEGIN HIDDEN TESTS")[1].split("### END HIDDEN TESTS")[0])
    return blocks


def _pages(course: Path) -> dict[str, str]:
    return {p.parts[-3]: p.read_text(encoding="utf-8") for p in (course / "feedback").glob(f"*/{ASSIGNMENT}/{ASSIGNMENT}.html")}


def _own_outputs(course: Path, student: str) -> str:
    nb = nbformat.read(course / "autograded" / student / ASSIGNMENT / NB, as_version=4)
    return "\n".join(str(o.get("text", "")) + str(o.get("data", {}).get("text/plain", ""))
                     for cell in nb.cells if not cell.metadata.get("nbgrader", {}).get("grade")
                     for o in cell.get("outputs", []))


def test_feedback_pages_carry_no_hidden_test_and_no_reference_value(graded):
    course = graded["course"]
    pages = _pages(course)
    assert set(pages) >= {"correct", "cv_mean", "rw_no_axis", "html_output", "terminal"}
    release = (course / "release" / ASSIGNMENT / NB).read_text(encoding="utf-8")
    secret_lines = [line.strip() for block in _hidden_blocks() for line in block.splitlines()
                    if line.strip() and line.strip() not in release]
    numbers = {n for block in _hidden_blocks() for n in re.findall(r"-?\d+\.\d{4,}", block)}
    assert secret_lines and numbers
    for student, page in pages.items():
        text = html.unescape(page)
        assert "HIDDEN TESTS" not in text and "check_close" not in text, student
        for line in secret_lines:
            assert line not in text, f"{student}: 숨은 테스트 줄이 페이지에 있습니다: {line}"
        own = _own_outputs(course, student)
        for number in numbers:
            assert number not in text or number in own, f"{student}: 숨은 테스트의 값 {number}"


def test_feedback_pages_show_scores_and_the_korean_diagnosis(graded):
    pages = {k: html.unescape(v) for k, v in _pages(graded["course"]).items()}
    assert "총점 8 / 8점" in pages["correct"] and "✗ 실패" not in pages["correct"]
    cv = pages["cv_mean"]
    assert "총점 6 / 8점" in cv and HIDDEN_NOTE in cv and "축 0으로 더했나요" not in cv
    assert "context_vector" in cv and "문제별 점수" in cv
    rw = pages["rw_no_axis"]
    shape_message = state(graded["course"], "rw_no_axis")["tests"]["test_repeat_weights_shape"]["message"]
    assert shape_message.split(": ", 1)[-1][:30] in rw
    # 숨은 테스트 뒤에 실행된 셀(plot_weights의 해답 셀 등)의 채점 출력은 싣지 않고 그 까닭을 적습니다.
    assert "data:image/png;base64," not in pages["correct"] and AFTER_HIDDEN_NOTE in pages["correct"]


def test_feedback_carries_no_input_of_the_hidden_tests(graded):
    """학생 함수가 숨은 테스트의 입력을 모아 뒤 셀에서 출력해도 피드백 페이지(우리 것과 nbgrader의 것)에는 없습니다."""
    course = graded["course"]
    assert "LEAK [" in _own_outputs(course, "leak_inputs"), "출력이 채점 노트북에 없습니다 (시험이 뜻이 없음)"
    page = html.unescape(_pages(course)["leak_inputs"])
    assert "LEAK [" not in page and AFTER_HIDDEN_NOTE in page   # 셀의 코드(print("LEAK", SEEN))는 보이고, 출력은 없음
    nb = nbformat.read(course / "autograded" / "leak_inputs" / ASSIGNMENT / NB, as_version=4)
    stripped, _ = StripForFeedback().preprocess(nb, {})
    outputs = json.dumps([cell.get("outputs", []) for cell in stripped.cells], ensure_ascii=False)
    assert "LEAK [" not in outputs and AFTER_HIDDEN_NOTE in outputs, "nbgrader generate_feedback용 전처리기가 입력을 남깁니다"


def test_student_html_and_scripts_are_inert_in_chromium(graded):
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page_path = graded["course"] / "feedback" / "html_output" / ASSIGNMENT / f"{ASSIGNMENT}.html"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run"])
        try:
            page = browser.new_page(viewport={"width": 1000, "height": 1400})
            dialogs, requests = [], []
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            page.on("request", lambda r: requests.append(r.url))
            page.goto(page_path.as_uri())
            page.wait_for_load_state("load")
            title = page.title()
            scripts = page.evaluate("document.scripts.length")
            page.screenshot(path=str(ARTIFACTS / "feedback_html_output.png"), full_page=True)
            cv = browser.new_page(viewport={"width": 1000, "height": 1400})
            cv.goto((graded["course"] / "feedback" / "cv_mean" / ASSIGNMENT / f"{ASSIGNMENT}.html").as_uri())
            cv.screenshot(path=str(ARTIFACTS / "feedback_cv_mean.png"), full_page=True)
        finally:
            browser.close()
    assert "PWNED" not in title and title.startswith("피드백:")
    assert scripts == 0 and not dialogs
    assert [url for url in requests if not url.startswith("file:") and not url.startswith("data:")] == []


def test_plain_nbgrader_generate_feedback_does_not_leak_either(graded, tmp_path):
    course = tmp_path / "copy"
    shutil.copytree(graded["course"], course, symlinks=True, ignore=shutil.ignore_patterns("submitted", "exchange"))
    shutil.rmtree(course / "feedback")
    nbgrader_cmd(course, "generate_feedback", ASSIGNMENT, "--student", "cv_mean", "--force")
    page = html.unescape((course / "feedback" / "cv_mean" / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text())
    assert "HIDDEN TESTS" not in page and "-1.34717053" not in page and "check_close" not in page
    nbgrader_cmd(course, "generate_feedback", ASSIGNMENT, "--student", "html_output", "--force")
    page = (course / "feedback" / "html_output" / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text()
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(page, "html.parser")
    live = [tag.get_text() for tag in soup.find_all("script") if "PWNED" in tag.get_text()]
    handlers = [tag.name for tag in soup.find_all(True) if any(a.startswith("on") for a in tag.attrs)]
    assert not live and not handlers, f"학생의 스크립트가 피드백 페이지에 살아 있습니다: {live} {handlers}"
    assert not soup.find_all("svg") and not soup.find_all("img", src="x")


def test_release_feedback_hands_out_the_course_pages(graded):
    course = graded["course"]
    (course / "exchange").mkdir(exist_ok=True)
    os.chmod(course / "exchange", 0o777)   # nbgrader의 exchange 뿌리는 모두가 쓸 수 있어야 합니다 (nbgrader 문서)
    nbgrader_cmd(course, "release_feedback", ASSIGNMENT, "--student", "cv_mean")
    released = list((course / "exchange").rglob("feedback/*.html"))
    assert len(released) == 1
    assert released[0].read_text(encoding="utf-8") == \
        (course / "feedback" / "cv_mean" / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text(encoding="utf-8")
