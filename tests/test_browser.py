"""학생이 보는 JupyterLab을 진짜 브라우저(headless Chromium)로 확인합니다.

저장소 가상환경의 JupyterLab을 빈 loopback 포트에 토큰을 걸어 띄우고(설정·런타임 폴더는 임시),
학생에게 보이는 강좌의 임시 사본(notebooks/, release/; source/는 없음)을 연 뒤 학생처럼:

a) 강의 01을 열어 모두 실행하고, 히트맵이 그림(img)으로 보이며 어떤 셀에도 오류가 없는지,
b) 과제 01_repeat에 맞는 답을 쓰고 Validate를 눌러 성공 창을 읽고,
c) 틀린 답(axis 없는 repeat)을 쓰고 Validate를 눌러 한국어 실패 메시지를 읽고,
d) nbgrader의 Assignments 패널이 오류 없이 뜨고 배포된 과제를 보여 주며, Fetch와 Submit이 되는지 확인합니다.

학생 화면은 ``make lab``과 같은 학생용 설정(``.jupyter-student/``: 한국어 메뉴, Validate 창 줄바꿈,
강사용 도구 숨김)과 강좌의 ``nbgrader_config.py``(+ 이 테스트의 임시 exchange)를 씁니다.

단계마다 스크린샷을 ``artifacts/browser/``에 남기고, 그 경로와 걸린 시간을 테스트 출력에 적습니다.
"""

from __future__ import annotations

import re
import time

import nbformat
import pytest

from browser.course import REPO, build_student_course
from browser.lab import JupyterLab
from browser.student import VIEWPORT, Shots, Student, launch_chromium

pytestmark = pytest.mark.browser

playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright가 없습니다: 'make setup'")

LESSON = "notebooks/01_reshape_repeat.ipynb"
ASSIGNMENT = "01_repeat"
RELEASED = f"release/{ASSIGNMENT}/{ASSIGNMENT}.ipynb"
SOLUTION_ID = "repeat_weights"
WRONG_ANSWER = 'def repeat_weights(a, H):\n    """axis 없이 복제한 틀린 답"""\n    return a.repeat(H)\n'
ARTIFACTS = REPO / "artifacts" / "browser"
HANGUL = re.compile("[\uac00-\ud7a3]")
KOREAN_FONTS = re.compile(r"nanum|cjk|baekmuk|undotum|unbatang|malgun|gothic|myeongjo|gulim|dotum", re.I)
PLOT_CALL = re.compile(r"\bshow_\w+\(|\.subplots\(|plt\.show\(")  # 그림을 그리는 셀
HEATMAP_CELL = "show_weights("  # README 스크린샷에 쓸 히트맵 셀
_DELIMITER = re.compile(r"^\s*### (BEGIN|END) SOLUTION\s*$")


def correct_answer() -> str:
    """source/01_repeat의 해답 셀에서 ### BEGIN/END SOLUTION 줄만 지운 코드."""
    nb = nbformat.read(REPO / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    for cell in nb.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("grade_id") == SOLUTION_ID and meta.get("solution"):
            return "\n".join(line for line in cell.source.splitlines() if not _DELIMITER.match(line)) + "\n"
    raise LookupError(f"source/{ASSIGNMENT}에 grade_id가 {SOLUTION_ID!r}인 해답 셀이 없습니다.")


@pytest.fixture(scope="module")
def shots(request):
    started = time.monotonic()
    folder = Shots(ARTIFACTS)
    yield folder
    line = (f"브라우저 테스트: 스크린샷과 서버 기록은 {ARTIFACTS} "
            f"(걸린 시간 {time.monotonic() - started:.0f}초)")
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is not None and capture is not None:
        with capture.global_and_fixture_disabled():
            reporter.write_line("")
            reporter.write_line(line)
    else:
        print(line)


@pytest.fixture(scope="module")
def lab(tmp_path_factory, shots):
    tmp = tmp_path_factory.mktemp("student")
    course = build_student_course(tmp, (ASSIGNMENT,))
    with JupyterLab(course.root, tmp / "home", ARTIFACTS / "jupyter-server.log") as server:
        server.course = course
        yield server


@pytest.fixture(scope="module")
def chromium():
    with playwright_api.sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        yield browser
        browser.close()


@pytest.fixture
def student(chromium, lab, shots):
    context = chromium.new_context(viewport=VIEWPORT, locale="ko-KR", timezone_id="Asia/Seoul")
    context.set_default_timeout(60_000)
    page = context.new_page()
    yield Student(page, lab, shots)
    context.close()


def test_lesson_runs_and_shows_heatmaps(student, shots):
    student.open_notebook(LESSON)
    student.expect(student.kernel_label().startswith("Python 3"),
                   f"강의가 Python 3 커널로 열리지 않았습니다: {student.kernel_label()!r}", "kernel")
    shots.take(student.page, "01_lesson_opened")
    menus = student.menu_labels()
    student.expect("파일" in menus and "커널" in menus,
                   f"JupyterLab 메뉴가 한국어가 아닙니다: {menus}. 언어 팩(jupyterlab-language-pack-ko-KR)과 "
                   ".jupyter-student/labconfig/default_setting_overrides.json의 locale을 확인하세요.", "menus")
    hidden = student.instructor_tools_visible()
    student.expect(not hidden, f"학생 화면에 강사용 도구가 보입니다: {hidden} "
                               "(.jupyter-student/labconfig/page_config.json을 확인하세요)", "instructor_tools")

    student.restart_and_run_all()
    errors = student.error_outputs()
    if errors:
        student.fail(f"강의 {LESSON}의 셀 {len(errors)}개에 오류나 경고가 보입니다:\n" + "\n---\n".join(errors),
                     "lesson_errors")
    cells = student.code_cells()
    plotting = [cell for cell in cells if PLOT_CALL.search(cell["source"])]
    missing = [cell["source"].splitlines()[0] for cell in plotting if cell["images"] == 0]
    if not plotting or missing:
        student.fail(f"강의 {LESSON}에서 그림을 그리는 셀 {len(plotting)}개 중 그림(img)이 보이지 않는 셀: {missing}",
                     "lesson_images")
    images = student.output_images()
    broken = [img for img in images if not (img["complete"] and img["w"] > 100 and img["h"] > 50)]
    if broken:
        student.fail(f"강의 {LESSON}의 그림 {len(broken)}개가 제대로 그려지지 않았습니다: {broken}", "lesson_images")

    heading_fonts = student.fonts_used(".jp-MarkdownOutput h1")
    if not any(KOREAN_FONTS.search(font) for font in heading_fonts):
        student.fail(f"강의 제목의 한글을 한글 글꼴로 그리지 않았습니다 (글꼴: {heading_fonts}). "
                     "'make setup'으로 fonts-nanum을 설치하세요.", "lesson_fonts")

    page = student.page
    with_image = page.locator(".jp-CodeCell").filter(has=page.locator(".jp-OutputArea-output img"))
    heatmap = with_image.filter(has_text=HEATMAP_CELL)
    cell = heatmap.first if heatmap.count() else with_image.first
    cell.scroll_into_view_if_needed()
    shots.take(page, "02_lesson_heatmap", element=cell)
    shots.take(page, "03_lesson_ran")
    student.shut_down_kernel(LESSON)


def test_validate_accepts_a_correct_answer(student, shots):
    student.open_notebook(RELEASED)
    shots.take(student.page, "04_assignment_opened")
    student.fill_cell(f"def {SOLUTION_ID}", correct_answer())
    result = student.validate()
    shots.take(student.page, "05_validate_success")
    student.expect(result["status"] == "success" and "Success" in result["text"],
                   f"맞는 답인데 Validate가 통과하지 않았습니다:\n{result['text']}", "validate_success")
    student.close_dialog()
    student.shut_down_kernel(RELEASED)


def test_validate_explains_a_wrong_answer_in_korean(student, shots):
    student.open_notebook(RELEASED)
    student.fill_cell(f"def {SOLUTION_ID}", WRONG_ANSWER)
    result = student.validate()
    dialog = student.page.locator(".jp-Dialog-content")
    shots.take(student.page, "06_validate_failure")
    shots.take(student.page, "07_validate_failure_dialog", element=dialog)
    text = result["text"]
    errors = [failure["error"] for failure in result["failures"]]
    student.expect(result["status"] == "failed" and errors,
                   f"틀린 답인데 Validate가 실패한 테스트를 보여 주지 않습니다:\n{text}", "validate_failure")
    for error in errors:
        student.expect(HANGUL.search(error), f"Validate 창의 오류가 한국어가 아닙니다:\n{error}", "validate_korean")
        student.expect("Traceback" not in error and "File " not in error,
                       "Validate 창이 traceback을 통째로 보여 줍니다 (nbgrader_config.py에 c.Validator.Execute."
                       f"extra_arguments = ['--InteractiveShell.xmode=Minimal']이 있는지 보세요):\n{error}",
                       "validate_traceback")
    student.expect(any("(20,)" in error for error in errors),
                   f"피드백이 틀린 형상 (20,)을 말하지 않습니다:\n{text}", "validate_message")
    overflow = student.page.eval_on_selector_all(
        "#validation-message pre", "els => els.filter(e => e.scrollWidth > e.clientWidth + 2).length")
    student.expect(overflow == 0, "Validate 창의 글이 가로로 넘칩니다 (줄바꿈되지 않음): "
                                  ".jupyter-student/custom/custom.css가 불러와졌는지 보세요.", "validate_wrap")
    student.close_dialog()
    student.shut_down_kernel(RELEASED)


def test_assignments_panel_fetches_and_submits(student, shots, lab):
    student.page.goto(lab.url("lab?reset"), wait_until="domcontentloaded")
    student.page.wait_for_selector("#jp-MainMenu", timeout=180_000)
    student.open_assignment_list()
    shots.take(student.page, "08_assignment_list")
    errors = student.assignment_list_errors()
    student.expect(not errors, f"Assignments 패널이 오류를 보여 줍니다: {errors}", "assignments_error")
    released = student.released_assignments()
    student.expect(any(ASSIGNMENT in item for item in released),
                   f"배포된 과제 목록에 {ASSIGNMENT}이 없습니다: {released}", "assignments_released")

    student.fetch(ASSIGNMENT)
    fetched = lab.course.root / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    student.expect(fetched.is_file(), f"Fetch한 과제가 학생 폴더에 없습니다: {fetched}", "fetch")
    student.submit(ASSIGNMENT)
    shots.take(student.page, "09_assignment_submitted")
    inbound = sorted((lab.course.exchange / lab.course.course_id / "inbound").glob(f"*+{ASSIGNMENT}+*"))
    student.expect(inbound, f"제출물이 exchange의 inbound에 없습니다: {lab.course.exchange}", "submit")
    errors = student.assignment_list_errors()
    student.expect(not errors, f"제출 뒤 Assignments 패널이 오류를 보여 줍니다: {errors}", "submit")

    log = lab.log_text()
    student.expect("Traceback" not in log,
                   f"JupyterLab 서버 기록에 오류가 있습니다 ({lab.log_path}):\n{log[-3000:]}", "server_log")
