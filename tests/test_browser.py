"""학생이 만나는 JupyterLab을 진짜 브라우저(headless Chromium)로 확인합니다: ``make lab`` 그대로.

강좌 폴더의 사본(``source/`` 없이)에서 ``make lab``과 같은 명령(``python -m ctxcourse.studentlab.lab``; 다른 것은
``LAB_ARGS``뿐: 빈 loopback 포트, 토큰, 브라우저 열지 않기)으로 학생 폴더를 준비하고 JupyterLab을 띄운 뒤,
노트북(1280x720)과 휴대폰(390x844) 크기에서 학생처럼:

a) 화면이 한국어이고('과제' 메뉴, 언어 팩의 틀린 번역 고침), 좁은 화면에서는 사이드바가 닫혀 노트북이 넓게
   보이며, 강사용 도구가 없고, 손대지 않은 과제와 강의가 '저장하지 않음'(●) 없이 열리는지,
b) 강의 01을 모두 실행해 히트맵이 그림으로 보이는지 (노트북 크기),
c) 받은 과제 ``student/01_repeat/01_repeat.ipynb``에서 단축키(Alt+Shift+V)·명령 팔레트·도구 막대 단추로
   '과제 확인'(Validate)을 하고, 한국어 요약(문제별 점수, 실패한 테스트마다 한 줄, 숨은 테스트 안내)과
   스크롤되는 창을 확인하는지 (빈칸, 틀린 답, 맞는 답),
d) 과제 목록(탭, 제목, 빈 목록 문구, 단추)이 한국어이고, 빈칸이 남은 과제의 제출은 한국어로 경고하고, 저장하지
   않은 변경은 저장하고 내며, 제출한 파일이 학생이 푼 바로 그 파일이고, 제출하면 학생의 시간대로 제출 시각을
   알리며(알림이 화면 안에), 제출 기록이 학생 폴더의 nbgrader cache에 남는지 (제출은 키보드로)

확인합니다. 단계마다 스크린샷을 ``artifacts/browser/``에 남기고, README의 그림(``docs/img/``)을 다시 만듭니다.
"""

from __future__ import annotations

import json
import re
import subprocess
import time

import nbformat
import pytest

from browser.course import REPO, copy_course, released_assignments
from browser.lab import JupyterLab, isolated_env, launcher_command
from browser.student import SIZES, Shots, Student, launch_chromium

pytestmark = pytest.mark.browser

playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright가 없습니다: 'make setup'")

LESSON = "notebooks/01_reshape_repeat.ipynb"
ASSIGNMENT = "01_repeat"
UNTOUCHED = "02_broadcasting"  # 건드리지 않은 과제: 빈칸(NotImplementedError)이 남아 있습니다
WORKING_COPY = f"{ASSIGNMENT}/{ASSIGNMENT}.ipynb"  # nbgrader의 Fetch 위치 = Submit이 내는 파일
SOLUTION_ID = "repeat_weights"
WRONG_ANSWER = 'def repeat_weights(a, H):\n    """axis 없이 복제한 틀린 답"""\n    return a.repeat(H)\n'
UNSAVED_NOTE = "# 제출 직전에 쓰고 저장하지 않은 메모"
ARTIFACTS = REPO / "artifacts" / "browser"
DOCS_IMG = REPO / "docs" / "img"
HANGUL = re.compile("[\uac00-\ud7a3]")
KOREAN_FONTS = re.compile(r"nanum|cjk|baekmuk|undotum|unbatang|malgun|gothic|myeongjo|gulim|dotum", re.I)
PLOT_CALL = re.compile(r"\bshow_\w+\(|\.subplots\(|plt\.show\(")  # 그림을 그리는 셀
HEATMAP_CELL = "show_weights("  # README 스크린샷에 쓸 히트맵 셀
_DELIMITER = re.compile(r"^\s*### (BEGIN|END) SOLUTION\s*$")
SECRETS = ("BEGIN SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")
# nbgrader 과제 목록이 그리는 영어 글자들 (학생 화면에서는 한국어로 바뀌어야 합니다)
ENGLISH_LIST_WORDS = ("Released", "Downloaded", "Submitted", "There are no", "Loading", "Submit", "Fetch",
                      "Validate", "for course")


def correct_answer() -> str:
    """source/01_repeat의 해답 셀에서 ### BEGIN/END SOLUTION 줄만 지운 코드."""
    nb = nbformat.read(REPO / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    for cell in nb.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("grade_id") == SOLUTION_ID and meta.get("solution"):
            return "\n".join(line for line in cell.source.splitlines() if not _DELIMITER.match(line)) + "\n"
    raise LookupError(f"source/{ASSIGNMENT}에 grade_id가 {SOLUTION_ID!r}인 해답 셀이 없습니다.")


def released_stub() -> str:
    """release/01_repeat의 해답 셀 (빈칸: raise NotImplementedError)."""
    nb = nbformat.read(REPO / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    return next(c.source for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == SOLUTION_ID) + "\n"


def save_doc_image(source, name: str) -> None:
    """README의 그림: 스크린샷을 256색으로 줄여 ``docs/img/<name>.png``에 씁니다 (작은 PNG)."""
    from PIL import Image

    DOCS_IMG.mkdir(parents=True, exist_ok=True)
    with Image.open(source) as image:
        image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(
            DOCS_IMG / f"{name}.png", optimize=True)


def secrets_in(folder) -> list[str]:
    """``folder`` 아래에서 해답이나 숨은 테스트의 표시가 든 파일."""
    found = []
    for path in folder.rglob("*"):
        if path.is_file():
            text = path.read_text(encoding="utf-8", errors="ignore")
            if any(mark in text for mark in SECRETS):
                found.append(str(path.relative_to(folder)))
    return found


# ---- make lab 자체 (브라우저 없이) ------------------------------------------------------------------
def test_make_lab_runs_the_student_launcher():
    """``make -n lab``의 명령이 이 테스트가 쓰는 명령(python -m ctxcourse.studentlab.lab ... -- LAB_ARGS)입니다."""
    result = subprocess.run(["make", "-n", "--no-print-directory", "lab", "LAB_ARGS=--no-browser"], cwd=REPO,
                            capture_output=True, text=True, timeout=120)
    lines = [line for line in result.stdout.splitlines() if "ctxcourse.studentlab.lab" in line]
    assert lines, f"make -n lab에 학생 폴더 준비 명령이 없습니다:\n{result.stdout}\n{result.stderr}"
    assert lines[-1].split()[1:] == ["-m", "ctxcourse.studentlab.lab", "--course", ".", "--student", "student",
                                     "--", "--no-browser"], lines[-1]
    assert "nbgrader_config.py" not in result.stdout  # 강좌 설정을 학생 폴더로 복사하지 않습니다
    assert launcher_command(REPO, ["--x"])[1:3] == ["-m", "ctxcourse.studentlab.lab"]


def test_launcher_adds_allow_root_only_for_root(monkeypatch):
    from ctxcourse.studentlab import lab

    monkeypatch.setattr(lab.os, "geteuid", lambda: 0)
    assert "--allow-root" in lab.lab_command(["--no-browser"])
    monkeypatch.setattr(lab.os, "geteuid", lambda: 1000)
    assert "--allow-root" not in lab.lab_command(["--no-browser"])


def test_student_folder_is_one_working_copy(tmp_path):
    """make lab의 준비: 강의는 notebooks/, 과제는 Fetch 위치에 하나만; 다시 해도 푼 답을 덮어쓰지 않습니다."""
    course = copy_course(tmp_path / "course")
    run = [*launcher_command(course.root, [])[:-1], "--prepare-only"]
    env = isolated_env(tmp_path / "home")
    first = subprocess.run(run, cwd=course.root, env=env, capture_output=True, text=True, timeout=600)
    assert first.returncode == 0, first.stdout + first.stderr
    student = course.student
    assignments = released_assignments()
    for assignment in assignments:
        assert (student / assignment / f"{assignment}.ipynb").is_file(), first.stdout
        assert (course.exchange / course.course_id / "outbound" / assignment).is_dir()
    assert sorted(p.name for p in (student / "notebooks").glob("*.ipynb")) == \
        sorted(p.name for p in (REPO / "notebooks").glob("*.ipynb"))
    assert not (student / "release").exists(), "학생 폴더에 두 번째 사본 release/가 생겼습니다."
    assert not (student / "source").exists() and not (student / "nbgrader_config.py").exists()
    assert secrets_in(student) == []
    # 학생에게 준 노트북의 language_info는 학생 커널의 것 그대로: 손대지 않은 노트북이 '저장하지 않음'으로 열리지 않습니다.
    from ipykernel.ipkernel import IPythonKernel

    given = sorted(student.glob("notebooks/*.ipynb")) + sorted(student.glob("*/*.ipynb"))
    assert given and all(json.loads(nb.read_text(encoding="utf-8"))["metadata"]["language_info"]
                         == IPythonKernel.language_info for nb in given)

    # 학생이 푼 답은 다시 make lab을 해도 그대로이고, 예전 release/ 사본은 지우지 않고 한국어로 알립니다.
    work = student / WORKING_COPY
    work.write_text(work.read_text(encoding="utf-8").replace("아직 작성하지 않았습니다", "학생이 고친 줄"),
                    encoding="utf-8")
    solved = work.read_bytes()
    old = student / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    old.parent.mkdir(parents=True)
    old.write_text("{}", encoding="utf-8")
    second = subprocess.run(run, cwd=course.root, env=env, capture_output=True, text=True, timeout=600)
    assert second.returncode == 0, second.stdout + second.stderr
    assert work.read_bytes() == solved
    assert old.read_text(encoding="utf-8") == "{}"
    assert "예전 방식" in second.stdout and HANGUL.search(second.stdout), second.stdout


# ---- 브라우저 ------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def shots(request):
    started = time.monotonic()
    folder = Shots(ARTIFACTS)
    yield folder
    line = (f"브라우저 테스트: 스크린샷과 서버 기록은 {ARTIFACTS}, README 그림은 {DOCS_IMG} "
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
    tmp = tmp_path_factory.mktemp("lab")
    course = copy_course(tmp / "course")
    with JupyterLab(course.root, tmp / "home", ARTIFACTS / "jupyter-server.log") as server:
        server.course = course
        yield server


@pytest.fixture(scope="module")
def chromium():
    with playwright_api.sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        yield browser
        browser.close()


@pytest.fixture(params=list(SIZES))
def student(request, chromium, lab, shots):
    size = request.param
    context = chromium.new_context(viewport=SIZES[size], locale="ko-KR", timezone_id="Asia/Seoul")
    context.set_default_timeout(60_000)
    page = context.new_page()
    yield Student(page, lab, shots, size)
    context.close()


def test_student_server_has_no_instructor_entry_points(lab):
    """학생 서버에서 formgrader와 강좌 목록은 답하지 않고, 학생 폴더에는 source/의 것이 없습니다."""
    import urllib.error
    import urllib.request

    for path in ("formgrader", "formgrader/manage_assignments", "formgrader/api/status", "formgraders"):
        try:
            with urllib.request.urlopen(lab.url(path), timeout=30) as response:
                status = response.status
        except urllib.error.HTTPError as error:
            status = error.code
        assert status != 200, f"학생 서버의 /{path}가 200으로 답합니다."
    assert secrets_in(lab.course.student) == []
    assert not (lab.course.student / "source").exists()
    assert not (lab.course.student / "nbgrader_config.py").exists()


def test_validate_on_a_lesson_says_it_is_not_graded(lab):
    """강의 노트북의 과제 확인은 'Success!' 대신 채점할 테스트가 없다고 한국어로 말합니다 (실행하지 않고)."""
    import urllib.request

    request = urllib.request.Request(lab.url("ctxcourse/validate"), method="POST",
                                     data=json.dumps({"path": LESSON}).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=600) as response:
        result = json.loads(response.read().decode("utf-8"))
    assert result["graded"] is False and result["total"] == 0, result
    assert "강의 노트북" in result["headline"], result


def test_lab_opens_in_korean_at_each_size(student, shots):
    page = student.page
    student.open_notebook(WORKING_COPY)
    shots.take(page, f"{student.size}_02_assignment_opened")
    student.expect(not student.dirty_tabs(), f"손대지 않은 과제가 '저장하지 않음'(●)으로 열렸습니다: "
                                             f"{student.dirty_tabs()}", "opened_dirty")
    menus = student.menu_labels()
    student.expect("파일" in menus and "커널" in menus and "과제" in menus and "Nbgrader" not in menus,
                   f"JupyterLab 메뉴가 한국어가 아닙니다 ('과제' 메뉴, 영어 'Nbgrader' 메뉴 없음): {menus}", "menus")
    course_menu = student.menu_items("과제")
    student.expect(course_menu == ["과제 목록", "과제 확인"], f"'과제' 메뉴의 항목: {course_menu}", "course_menu")
    if student.size == "laptop":
        kernel_menu = student.menu_items("커널")
        student.expect("커널 재시작 및 모든 셀 실행" in kernel_menu and not any("재시작와" in m for m in kernel_menu),
                       f"커널 메뉴의 번역: {kernel_menu}", "kernel_menu")
    wrapped = page.eval_on_selector_all("#jp-MainMenu .lm-MenuBar-itemLabel",
                                        "els => els.filter(e => e.getClientRects().length > 1 || "
                                        "e.getBoundingClientRect().height > 28).map(e => e.textContent)")
    student.expect(not wrapped, f"메뉴 이름이 줄바꿈되어 잘립니다: {wrapped}", "menus_wrapped")
    left_hidden = page.eval_on_selector("#jp-left-stack", "e => e.classList.contains('lm-mod-hidden')")
    width = page.eval_on_selector(
        "#jp-main-dock-panel .jp-NotebookPanel:not(.lm-mod-hidden)", "e => e.getBoundingClientRect().width")
    if student.size == "phone":
        student.expect(left_hidden, "휴대폰 크기인데 왼쪽 사이드바(파일 브라우저)가 열려 있습니다.", "sidebar")
        student.expect(width >= 0.75 * SIZES["phone"]["width"], f"노트북이 {width:.0f}px로 좁습니다.", "sidebar")
    else:
        student.expect(not left_hidden, "노트북 크기에서는 파일 브라우저가 열려 있어야 합니다.", "sidebar")
    box = student.validate_button_box()
    student.expect(box and box["x"] >= 0 and box["x"] + box["width"] <= SIZES[student.size]["width"],
                   f"도구 막대의 '과제 확인' 단추가 화면 안에 보이지 않습니다: {box}", "validate_button")
    tools = student.instructor_tools_visible()
    student.expect(not tools, f"학생 화면에 강사용 도구가 보입니다: {tools}", "instructor_tools")
    student.shut_down_kernel(WORKING_COPY)


def test_lesson_runs_and_shows_heatmaps(student, shots):
    if student.size != "laptop":
        pytest.skip("강의 전체 실행은 노트북 크기에서 한 번 봅니다 (휴대폰 화면은 위 테스트가 봅니다)")
    student.open_notebook(LESSON)
    student.expect(not student.dirty_tabs(), f"손대지 않은 강의가 '저장하지 않음'(●)으로 열렸습니다: "
                                             f"{student.dirty_tabs()}", "lesson_dirty")
    student.expect(student.kernel_label().startswith("Python 3"),
                   f"강의가 Python 3 커널로 열리지 않았습니다: {student.kernel_label()!r}", "kernel")
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
    broken = [img for img in student.output_images() if not (img["complete"] and img["w"] > 100 and img["h"] > 50)]
    student.expect(not broken, f"강의 {LESSON}의 그림 {len(broken)}개가 제대로 그려지지 않았습니다: {broken}",
                   "lesson_images")
    heading_fonts = student.fonts_used(".jp-MarkdownOutput h1")
    student.expect(any(KOREAN_FONTS.search(font) for font in heading_fonts),
                   f"강의 제목의 한글을 한글 글꼴로 그리지 않았습니다 (글꼴: {heading_fonts}).", "lesson_fonts")
    page = student.page
    with_image = page.locator(".jp-CodeCell").filter(has=page.locator(".jp-OutputArea-output img"))
    heatmap = with_image.filter(has_text=HEATMAP_CELL)
    cell = heatmap.first if heatmap.count() else with_image.first
    cell.scroll_into_view_if_needed()
    save_doc_image(shots.take(page, "laptop_03_lesson_heatmap", element=cell), "lesson_heatmap")
    shots.take(page, "laptop_03_lesson_ran")
    student.shut_down_kernel(LESSON)


def check_korean_summary(student, result: dict, name: str) -> None:
    """과제 확인 창의 공통 조건: 한국어 제목과 머리말, 문제별 점수, 숨은 테스트 안내, 한 줄 메시지, traceback 없음."""
    student.expect(result["title"] == "과제 확인 결과", f"창 제목이 {result['title']!r}입니다.", name)
    student.expect(HANGUL.search(result["headline"]), f"머리말이 한국어가 아닙니다: {result['headline']!r}", name)
    student.expect(result["problems"] and all(re.search(r"\d+(\.\d)?/\d+(\.\d)?점", p["score"])
                                              for p in result["problems"]),
                   f"문제별 점수가 없습니다: {result['problems']}", name)
    student.expect("숨은 테스트" in result["hidden"] and "채점" in result["hidden"],
                   f"숨은 테스트 안내가 없습니다: {result['hidden']!r}", name)
    for message in result["messages"]:
        student.expect(HANGUL.search(message) and "\n" not in message.strip() and len(message) < 500,
                       f"실패 메시지가 한국어 한 줄이 아닙니다: {message!r}", name)
    for marker in ("Traceback", "File \"", "ctxcourse/", "feedback.py", "Validation Results", "Success!"):
        student.expect(marker not in result["text"], f"창에 {marker!r}가 보입니다:\n{result['text']}", name)
    student.expect(result["overflowY"] == "auto", "결과 창의 본문이 스크롤되지 않습니다 (overflow-y).", name)
    viewport = SIZES[student.size]
    box = result["dialogBox"]
    student.expect(box["height"] <= viewport["height"] and box["width"] <= viewport["width"],
                   f"결과 창({box['width']:.0f}x{box['height']:.0f})이 화면보다 큽니다.", name)


def test_validate_in_korean(student, shots):
    page, size = student.page, student.size
    student.open_notebook(WORKING_COPY)

    # 1) 빈칸 그대로: 단축키 Alt+Shift+V. 같은 이유의 실패는 한 번만, 창의 본문에 초점, Space로 닫히지 않음.
    student.fill_cell(f"def {SOLUTION_ID}", released_stub())  # 앞 크기에서 푼 답을 빈칸으로 되돌립니다
    student.press("Alt+Shift+V")
    student.wait_toast("과제를 확인하는 중입니다", "validate_toast")  # 화면 안에 온전히
    shots.take(page, f"{size}_04_validate_running")
    result = student.wait_validate_result()
    shots.take(page, f"{size}_04_validate_stub")
    page.wait_for_function("() => ![...document.querySelectorAll('.Toastify__toast')]"
                           ".some(e => e.innerText.includes('과제를 확인하는 중'))", timeout=60_000)
    check_korean_summary(student, result, "validate_stub")
    student.expect(result["status"] == "failed" and "0/10점" in result["headline"],
                   f"빈칸인데 0/10점이 아닙니다: {result['headline']!r}", "validate_stub")
    student.expect(len(result["messages"]) == 1 and "NotImplementedError" in result["messages"][0],
                   f"빈칸의 메시지가 한 번만 나와야 합니다: {result['messages']}", "validate_stub")
    student.expect(result["focused"], "결과 창이 열렸을 때 본문에 키보드 초점이 없습니다.", "validate_focus")
    student.press("Space")
    student.expect(student.dialog_open(), "Space를 누르자 결과 창이 닫혔습니다.", "validate_space")
    student.close_dialog()

    # 2) 틀린 답(axis 없는 repeat): 노트북 크기는 명령 팔레트로, 휴대폰은 도구 막대의 '과제 확인' 단추로.
    student.fill_cell(f"def {SOLUTION_ID}", WRONG_ANSWER)
    if size == "laptop":
        student.run_from_palette("과제 확인", "ctxcourse:validate")
    else:
        student.click_validate_button()
    result = student.wait_validate_result()
    dialog = page.locator(".jp-Dialog-content")
    shot = shots.take(page, f"{size}_05_validate_wrong")
    dialog_shot = shots.take(page, f"{size}_05_validate_wrong_dialog", element=dialog)
    check_korean_summary(student, result, "validate_wrong")
    student.expect(result["status"] == "failed" and result["messages"],
                   f"틀린 답인데 실패한 테스트가 없습니다:\n{result['text']}", "validate_wrong")
    student.expect(any("(20,)" in message for message in result["messages"]),
                   f"피드백이 틀린 형상 (20,)을 말하지 않습니다: {result['messages']}", "validate_wrong")
    height, client, _ = result["scroll"]
    if height > client + 2:  # 본문이 창보다 길면 PageDown으로 내려갑니다
        student.press("PageDown")
        page.wait_for_function("() => document.querySelector('.ctx-validate-body').scrollTop > 0", timeout=10_000)
    if size == "laptop":
        save_doc_image(dialog_shot, "validate_result")
    else:
        save_doc_image(shot, "validate_phone")
    student.close_dialog()

    # 3) 맞는 답: 도구 막대 단추(노트북) / 단축키(휴대폰) → 모두 통과, 10/10점.
    student.fill_cell(f"def {SOLUTION_ID}", correct_answer())
    if size == "laptop":
        student.click_validate_button()
    else:
        student.press("Alt+Shift+V")
    result = student.wait_validate_result()
    shots.take(page, f"{size}_06_validate_success")
    check_korean_summary(student, result, "validate_success")
    student.expect(result["status"] == "success" and "모두 통과" in result["headline"]
                   and "10/10점" in result["headline"] and not result["messages"],
                   f"맞는 답인데 통과하지 않았습니다:\n{result['text']}", "validate_success")
    student.close_dialog()
    student.shut_down_kernel(WORKING_COPY)


def inbound(lab, assignment: str) -> list:
    root = lab.course.exchange / lab.course.course_id / "inbound"
    return sorted(root.glob(f"*+{assignment}+*")) if root.is_dir() else []


def test_submit_hands_in_the_working_copy(student, shots, lab):
    page, size = student.page, student.size
    if size == "laptop":
        # 저장하지 않은 변경을 만듭니다: 맞는 답이 저장된 노트북에 메모를 쓰고 저장하지 않습니다.
        student.open_notebook(WORKING_COPY)
        student.fill_cell("ar = repeat_weights(a, H)", f"ar = repeat_weights(a, H)\n{UNSAVED_NOTE}\n"
                                                       "print(\"형상:\", ar.shape)\nprint(ar)\n")
        student.expect(page.locator("#jp-main-dock-panel .lm-TabBar-tab.jp-mod-dirty").count() >= 1,
                       "노트북이 '저장하지 않음' 상태가 아닙니다.", "dirty")
        student.press("Alt+Shift+A")
    else:
        page.goto(lab.url("lab?reset"), wait_until="domcontentloaded")
        # 작업 공간을 비운 뒤의 기본 화면(런처)이 뜰 때까지: 그 전에 연 패널은 초기화에 닫힙니다.
        page.wait_for_selector(".jp-Launcher", state="visible", timeout=180_000)
        student.run_from_palette("과제 목록", "ctxcourse:assignment-list")
    student.wait_assignment_list()
    shots.take(page, f"{size}_07_assignment_list")
    student.expect(not student.assignment_list_errors(),
                   f"과제 목록이 오류를 보여 줍니다: {student.assignment_list_errors()}", "assignments_error")
    texts = student.assignment_list_texts()
    student.expect(all(HANGUL.search(t) for t in texts["headings"] + texts["placeholders"] + texts["buttons"])
                   and set(texts["buttons"]) <= {"제출", "피드백 받기", "받기", "과제 확인"},
                   f"과제 목록의 제목, 빈 목록 문구, 단추가 한국어가 아닙니다: {texts}", "assignments_korean")
    english = [w for w in ENGLISH_LIST_WORDS if w in texts["text"]]
    student.expect(not english, f"과제 목록에 영어가 남아 있습니다: {english}", "assignments_korean")
    student.expect("과제 목록" in texts["tabs"] and "Assignments" not in texts["tabs"],
                   f"과제 목록 탭의 이름: {texts['tabs']}", "assignments_tab")
    student.expect(texts["width"] >= 0.7 * SIZES[size]["width"] - 80,
                   f"과제 목록이 {texts['width']:.0f}px로 좁습니다.", "assignments_width")

    before = len(inbound(lab, ASSIGNMENT))
    if size == "laptop":
        # 빈칸이 남은 과제의 Submit: 한국어 경고, '돌아가기'를 고르면 내지 않습니다.
        student.fetched_row(UNTOUCHED).locator(".item_status button").first.click()
        page.wait_for_selector(".jp-Dialog .ctx-submit-stubs", timeout=60_000)
        warning = page.inner_text(".jp-Dialog-content")
        shot = shots.take(page, f"{size}_08_submit_stub_warning", element=page.locator(".jp-Dialog-content"))
        save_doc_image(shot, "submit_warning")
        student.expect("NotImplementedError" in warning and "0점" in warning and HANGUL.search(warning),
                       f"빈칸 경고가 한국어로 나오지 않습니다: {warning!r}", "submit_stub")
        page.click(".jp-Dialog .jp-mod-reject")
        page.wait_for_selector(".jp-Dialog", state="detached", timeout=30_000)
        student.expect(not inbound(lab, UNTOUCHED), "'돌아가기'를 골랐는데 제출되었습니다.", "submit_stub")

        # 키보드만으로 01_repeat의 Submit까지 가서 Enter: 저장하지 않은 변경을 알리고, 저장하고 냅니다.
        presses = student.tab_to_submit(ASSIGNMENT)
        student.press("Enter")
        page.wait_for_selector(".jp-Dialog .ctx-submit-dirty", timeout=60_000)
        shots.take(page, f"{size}_09_submit_unsaved_warning")
        student.expect(page.locator(".jp-Dialog .ctx-submit-stubs").count() == 0,
                       "맞는 답인데 빈칸 경고가 나옵니다.", "submit_dirty")
        page.click(".jp-Dialog .jp-mod-accept")
        print(f"Submit까지 Tab {presses}번")
    else:
        # 과제 목록 안의 노트북별 Validate도 같은 한국어 과제 확인 창을 엽니다.
        student.expand_fetched(ASSIGNMENT).click()
        result = student.wait_validate_result()
        shots.take(page, f"{size}_08_validate_from_list")
        check_korean_summary(student, result, "validate_from_list")
        student.expect(result["status"] == "success", f"과제 목록의 Validate 결과:\n{result['text']}", "validate_list")
        student.close_dialog()
        # 저장되어 있고 빈칸도 없으면 묻지 않고 냅니다.
        student.fetched_row(ASSIGNMENT).locator(".item_status button").first.click()
    student.wait_submitted(ASSIGNMENT)
    toast = student.wait_toast("제출했습니다", "submit_toast")
    student.expect(ASSIGNMENT in toast["text"] and re.search(r"GMT\+9|KST", toast["text"]),
                   f"제출 알림에 과제와 학생 시간대의 시각이 없습니다: {toast['text']!r}", "submit_toast")
    deadline = time.monotonic() + 120
    while len(inbound(lab, ASSIGNMENT)) <= before and time.monotonic() < deadline:
        page.wait_for_timeout(250)
    shot = shots.take(page, f"{size}_10_submitted")
    if size == "laptop":
        save_doc_image(shot, "submitted")
    submissions = inbound(lab, ASSIGNMENT)
    student.expect(len(submissions) == before + 1, f"exchange의 제출물이 {before}→{len(submissions)}개입니다.",
                   "submit")
    handed_in = (submissions[-1] / f"{ASSIGNMENT}.ipynb").read_text(encoding="utf-8")
    student.expect("raise NotImplementedError" not in handed_in and "axis=1" in handed_in.replace(" ", ""),
                   "제출한 파일이 학생이 푼 작업 사본이 아닙니다 (빈칸이 남아 있음).", "submit_copy")
    if size == "laptop":
        student.expect(UNSAVED_NOTE in handed_in, "'저장하고 제출'인데 저장하지 않은 메모가 제출물에 없습니다.",
                       "submit_saved")
    cache = lab.course.student / ".nbgrader_cache" / lab.course.course_id
    student.expect(cache.is_dir() and list(cache.glob(f"*+{ASSIGNMENT}+*")),
                   f"제출 기록이 학생 폴더의 nbgrader cache({cache})에 없습니다.", "cache")
    stamps = " ".join(student.submitted_texts())
    student.expect("UTC" not in stamps and not re.search(r"\.\d{6}", stamps) and re.search(r"GMT\+9|KST", stamps),
                   f"제출 시각이 학생의 시간대(Asia/Seoul)로, 초 단위까지 보이지 않습니다: {stamps!r}", "timestamps")
    log = server_errors(lab.log_text())
    student.expect("Traceback" not in log, f"서버 기록에 오류가 있습니다 ({lab.log_path}):\n{log[-3000:]}", "log")
    if size == "laptop":
        # 채점 전에 '피드백 받기': nbgrader라면 아무 말 없이 서버 기록에 오류만 남지만, 학생은 한국어 알림을 봅니다
        # (서버에는 묻지 않으므로 아래 test_server_log_is_clean도 깨끗해야 합니다).
        page.locator("#submitted_assignments_list button", has_text="피드백 받기").first.click()
        toast = student.wait_toast("아직 돌려받은 피드백이 없습니다", "feedback_toast")
        shots.take(page, f"{size}_11_no_feedback_yet")
        student.expect(ASSIGNMENT in toast["text"], f"피드백 알림에 과제 이름이 없습니다: {toast['text']!r}", "feedback_toast")


# 학생이 탭을 닫아 커널이 꺼질 때 ipykernel이 가끔 남기는 종료 경합 ("Exception ignored in: <coroutine object
# Kernel.dispatch_control ...> ... RuntimeError: Event loop is closed"). 커널 자체의 종료 소음이라 빼고 봅니다.
_SHUTDOWN_NOISE = re.compile(r"Exception ignored in: <coroutine object Kernel\.dispatch_control[^\n]*\n(?:(?!\[[IWE] ).*\n)*")


def server_errors(log: str) -> str:
    return _SHUTDOWN_NOISE.sub("", log)


def test_server_log_is_clean(lab):
    log = server_errors(lab.log_text())
    assert "Traceback" not in log, log[-3000:]
