"""학생이 JupyterLab에서 하는 일을 Playwright로 합니다: 노트북 열기, 모두 실행, 해답 쓰기, Validate.

선택자는 되도록 화면 글자 대신 JupyterLab과 nbgrader가 붙이는 속성(``data-command``, ``data-jp-item-name``,
``data-status``, nbgrader 과제 목록의 id 등)을 씁니다. 한국어 글자는 확인할 대상일 때만 읽습니다.
기다릴 때는 잠자지 않고 커널 상태와 선택자를 기다립니다.
"""

from __future__ import annotations

import json
import re
import sys
import time
import urllib.request
from pathlib import Path

import psutil
from playwright.sync_api import Browser, Page, Playwright

CHROMIUM = "/usr/bin/chromium"
# 닫힌 네트워크에서 Chromium이 바깥으로 요청을 쏟아 내지 않도록 하는 옵션들.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage",
]
# 학생 화면의 두 크기: 노트북(1280x720)과 휴대폰(390x844)
SIZES = {"laptop": {"width": 1280, "height": 720}, "phone": {"width": 390, "height": 844}}
OPEN_TIMEOUT = 180_000      # ms: JupyterLab 화면과 커널이 뜰 때까지
RUN_TIMEOUT = 600_000       # ms: 노트북의 셀을 모두 실행할 때까지
VALIDATE_TIMEOUT = 600_000  # ms: Validate(새 커널에서 노트북 전체 실행)가 끝날 때까지

ACTIVE = "#jp-main-dock-panel .jp-NotebookPanel:not(.lm-mod-hidden)"
DIALOG = ".jp-Dialog"
HANGUL = re.compile("[\uac00-\ud7a3]")


def kernel_python(kernel_id: str) -> str | None:
    """커널 ``kernel_id``를 돌리는 파이썬 실행 파일 (프로세스의 명령줄에서)."""
    for process in psutil.process_iter(["cmdline"]):
        cmdline = process.info["cmdline"] or []
        if any(f"kernel-{kernel_id}.json" in arg for arg in cmdline):
            return cmdline[0]
    return None


class StudentError(AssertionError):
    """학생 흐름의 한 단계가 기대와 다를 때 (메시지에 스크린샷 경로가 들어갑니다)."""


def launch_chromium(playwright: Playwright) -> Browser:
    """Debian의 Chromium을 headless로 띄웁니다 (Playwright가 내려받는 브라우저는 쓰지 않습니다)."""
    if not Path(CHROMIUM).exists():
        raise RuntimeError(f"{CHROMIUM}이 없습니다. 'make setup'(또는 'apt-get install chromium')으로 설치하세요.")
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)


class Shots:
    """스크린샷 폴더. 파일 이름은 단계 순서대로 ``NN_이름.png``입니다."""

    def __init__(self, folder: Path):
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob("*.png"):
            old.unlink()

    def take(self, page: Page, name: str, element=None) -> Path:
        path = self.folder / f"{name}.png"
        (element or page).screenshot(path=str(path))
        return path


class Student:
    """JupyterLab 페이지 하나에서 학생이 하는 일."""

    def __init__(self, page: Page, lab, shots: Shots, size: str = "laptop"):
        self.page, self.lab, self.shots, self.size = page, lab, shots, size

    # ---- 실패 보고 -------------------------------------------------------------------------
    def fail(self, message: str, name: str = "failure") -> None:
        """지금 화면을 ``FAILED_<name>.png``로 남기고, 그 경로를 담은 메시지로 테스트를 멈춥니다."""
        try:
            path = self.shots.take(self.page, f"FAILED_{self.size}_{name}")
        except Exception as error:  # noqa: BLE001  (브라우저가 죽었어도 원래 실패를 알립니다)
            path = f"(스크린샷 실패: {error})"
        raise StudentError(f"{message}\n스크린샷: {path}\n서버 기록: {self.lab.log_path}")

    def expect(self, condition, message: str, name: str = "failure") -> None:
        """``condition``이 거짓이면 :meth:`fail`."""
        if not condition:
            self.fail(message, name)

    # ---- 서버 API ------------------------------------------------------------------------
    def api(self, path: str):
        with urllib.request.urlopen(self.lab.url(f"api/{path}"), timeout=30) as response:
            return json.loads(response.read().decode("utf-8"))

    def session_for(self, path: str) -> dict | None:
        return next((s for s in self.api("sessions") if s.get("path") == path), None)

    def shut_down_kernel(self, path: str) -> None:
        """그 노트북의 커널을 끕니다 (2코어 기계에서 다음 단계가 느려지지 않도록)."""
        session = self.session_for(path)
        if session:
            request = urllib.request.Request(self.lab.url(f"api/sessions/{session['id']}"), method="DELETE")
            urllib.request.urlopen(request, timeout=30).close()

    # ---- 노트북 열기 -----------------------------------------------------------------------
    def open_notebook(self, path: str) -> None:
        """``path``를 열고 커널이 준비될 때까지 기다립니다. 커널 선택 창이 뜨면 실패입니다."""
        page = self.page
        page.goto(self.lab.url(f"lab/tree/{path}?reset"), wait_until="domcontentloaded")
        try:
            page.wait_for_selector(f"{ACTIVE} .jp-Notebook .jp-Cell", timeout=OPEN_TIMEOUT)
        except Exception:  # noqa: BLE001
            self.fail(f"{path}이(가) {OPEN_TIMEOUT // 1000}초 안에 열리지 않았습니다.", "open")
        deadline = time.monotonic() + OPEN_TIMEOUT / 1000
        while time.monotonic() < deadline:
            dialog = page.query_selector(DIALOG)
            if dialog is not None:
                self.fail(f"{path}을(를) 열자 대화 상자가 떴습니다 (커널 선택 창이면 노트북의 kernelspec이 "
                          f"'python3'이 아닙니다): {dialog.inner_text()!r}", "open_dialog")
            session = self.session_for(path)
            # 좁은 화면에서는 도구 막대의 실행 표시가 '…' 메뉴로 숨으므로, 없으면 서버의 커널 상태만 봅니다.
            state = page.evaluate("(s) => { const e = document.querySelector(s); return e ? e.getAttribute("
                                  "'data-status') : 'idle'; }", f"{ACTIVE} .jp-Notebook-ExecutionIndicator")
            if session and session["kernel"]["execution_state"] == "idle" and state == "idle":
                if session["kernel"]["name"] != "python3":
                    self.fail(f"{path}이(가) 커널 {session['kernel']['name']!r}로 열렸습니다. python3이어야 합니다.",
                              "open_kernel")
                python = kernel_python(session["kernel"]["id"])
                if python is None or Path(python).parent != Path(sys.executable).parent:
                    self.fail(f"{path}의 커널이 가상환경의 파이썬({Path(sys.executable).parent})이 아니라 "
                              f"{python}로 돌고 있습니다.", "open_kernel")
                return
            page.wait_for_timeout(250)
        self.fail(f"{path}의 커널이 {OPEN_TIMEOUT // 1000}초 안에 준비되지 않았습니다.", "open_kernel")

    def menu_labels(self) -> list[str]:
        """위쪽 메뉴 막대의 이름들 (한국어 언어 팩이 켜져 있으면 '파일', '편집', ...)."""
        return self.page.eval_on_selector_all("#jp-MainMenu .lm-MenuBar-itemLabel",
                                              "els => els.map(e => e.textContent.trim())")

    def menu_items(self, menu: str) -> list[str]:
        """메뉴 막대의 ``menu``를 열어 보이는 항목 이름들을 읽고 닫습니다."""
        item = self.page.locator("#jp-MainMenu .lm-MenuBar-item").filter(has_text=menu).first
        item.scroll_into_view_if_needed()
        item.click()
        self.page.wait_for_selector(".lm-Menu .lm-Menu-item", state="visible")
        labels = self.page.eval_on_selector_all(
            ".lm-Menu .lm-Menu-item:not(.lm-mod-hidden) .lm-Menu-itemLabel",
            "els => els.map(e => e.textContent.trim()).filter(t => t)")
        self.page.keyboard.press("Escape")
        return labels

    def instructor_tools_visible(self) -> list[str]:
        """학생 화면에 보이면 안 되는 강사용 nbgrader 도구들 중 보이는 것 (과제 메뉴를 열어 봅니다)."""
        found = []
        if self.page.query_selector("[data-id='nbgrader-create_assignemnt'], #nbgrader-create_assignemnt, "
                                    ".nbgrader-CreateAssignmentWidget"):
            found.append("Create Assignment")
        item = self.page.locator("#jp-MainMenu .lm-MenuBar-item").filter(has_text="과제")
        item.scroll_into_view_if_needed()
        item.click()
        self.page.wait_for_selector("li.lm-Menu-item[data-command='ctxcourse:assignment-list']")
        self.shots.take(self.page, f"{self.size}_01_course_menu")
        commands = self.page.eval_on_selector_all(
            "li.lm-Menu-item[data-command]",
            "els => els.filter(e => e.offsetParent !== null && !e.classList.contains('lm-mod-hidden'))"
            "          .map(e => e.getAttribute('data-command') + ' ' + e.innerText.trim())")
        self.page.keyboard.press("Escape")
        found += [c for c in commands if re.search(r"formgrader|create-assignment|course-list|courses", c, re.I)]
        return found

    def dirty_tabs(self) -> list[str]:
        """'저장하지 않음'(●) 표시가 붙은 탭들의 이름."""
        return self.page.eval_on_selector_all("#jp-main-dock-panel .lm-TabBar-tab.jp-mod-dirty",
                                              "els => els.map(e => e.innerText.trim())")

    def toasts(self) -> list[dict]:
        """떠 있는 알림(토스트)의 글자와 화면 위치."""
        return self.page.eval_on_selector_all(".Toastify__toast", """els => els.map(e => ({
            text: e.innerText.trim(), box: e.getBoundingClientRect().toJSON()}))""")

    def wait_toast(self, contains: str, name: str) -> dict:
        """``contains``가 든 알림이 화면 안에 다 들어온 채로(오른쪽 끝에서 잘리지 않고) 보일 때까지 기다립니다."""
        script = """(text) => [...document.querySelectorAll('.Toastify__toast')].some(e => {
            const box = e.getBoundingClientRect();
            return e.innerText.includes(text) && box.left >= 0 && box.right <= window.innerWidth
                && box.bottom <= window.innerHeight && e.scrollWidth <= e.clientWidth + 1;
        })"""
        try:
            self.page.wait_for_function(script, arg=contains, timeout=OPEN_TIMEOUT, polling=100)
        except Exception:  # noqa: BLE001
            self.fail(f"'{contains}' 알림이 화면 안에 온전히 보이지 않습니다: {self.toasts()}", name)
        return next(t for t in self.toasts() if contains in t["text"])

    def kernel_label(self) -> str:
        return self.page.inner_text(f"{ACTIVE} .jp-KernelName").strip()

    # ---- 실행 -------------------------------------------------------------------------------
    def restart_and_run_all(self) -> None:
        """도구 막대의 ⏩ (커널 다시 시작 후 모두 실행)을 누르고, 확인 창에서 다시 시작을 고릅니다."""
        page = self.page
        page.click(f"{ACTIVE} [data-jp-item-name='restart-and-run'] jp-button, "
                   f"{ACTIVE} [data-jp-item-name='restart-and-run'] button")
        page.wait_for_selector(f"{DIALOG} .jp-mod-accept", timeout=OPEN_TIMEOUT)
        page.click(f"{DIALOG} .jp-mod-accept")
        page.wait_for_selector(DIALOG, state="detached", timeout=OPEN_TIMEOUT)
        self.wait_until_all_cells_ran()

    def wait_until_all_cells_ran(self) -> None:
        """모든 코드 셀의 번호가 [n]이 되고 커널이 쉬는 상태(idle)가 될 때까지 기다립니다.

        오류로 실행이 멈추면 기다리지 않고 돌아가며, 오류는 :meth:`error_outputs`가 보여 줍니다.
        """
        script = """(selector) => {
            const panel = document.querySelector(selector);
            if (!panel) return false;
            const state = panel.querySelector('.jp-Notebook-ExecutionIndicator');
            if (!state || state.getAttribute('data-status') !== 'idle') return false;
            const prompts = [...panel.querySelectorAll('.jp-CodeCell .jp-InputArea-prompt')].map(p => p.textContent);
            if (prompts.length === 0 || prompts.some(p => p.includes('*'))) return false;
            const ran = prompts.filter(p => /\\[\\d+\\]/.test(p)).length;
            // 오류가 난 셀에서 '모두 실행'이 멈추면 뒤 셀들은 번호가 없습니다: 그때도 끝난 것으로 봅니다.
            const failed = panel.querySelector('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]');
            return ran === prompts.length || (ran > 0 && failed !== null);
        }"""
        try:
            self.page.wait_for_function(script, arg=ACTIVE, timeout=RUN_TIMEOUT, polling=500)
        except Exception:  # noqa: BLE001
            pending = self.page.eval_on_selector_all(
                f"{ACTIVE} .jp-CodeCell .jp-InputArea-prompt", "ps => ps.map(p => p.textContent)")
            self.fail(f"셀 실행이 {RUN_TIMEOUT // 1000}초 안에 끝나지 않았습니다. 셀 번호들: {pending}", "run_all")

    def error_outputs(self) -> list[str]:
        """빨간 출력(오류, 경고 등 stderr)의 글자들."""
        return self.page.eval_on_selector_all(
            f"{ACTIVE} .jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']",
            "els => els.map(e => e.innerText.slice(0, 2000))")

    def code_cells(self) -> list[dict]:
        """코드 셀마다 코드, 출력 그림(img) 수, 빨간 출력 수."""
        return self.page.eval_on_selector_all(f"{ACTIVE} .jp-CodeCell", """cells => cells.map(cell => ({
            source: (cell.querySelector('.jp-InputArea .cm-content') || {innerText: ''}).innerText,
            images: cell.querySelectorAll('.jp-OutputArea-output img').length,
            errors: cell.querySelectorAll(
                ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']").length,
        }))""")

    def output_images(self) -> list[dict]:
        """출력 영역의 그림(img)들: 실제로 그려졌는지(naturalWidth)와 함께."""
        return self.page.eval_on_selector_all(
            f"{ACTIVE} .jp-OutputArea-output img",
            "els => els.map(e => ({w: e.naturalWidth, h: e.naturalHeight, complete: e.complete}))")

    def fonts_used(self, selector: str) -> list[str]:
        """``selector`` 요소의 글자를 실제로 그린 글꼴 이름들 (Chromium DevTools의 CSS.getPlatformFontsForNode)."""
        cdp = self.page.context.new_cdp_session(self.page)
        try:
            cdp.send("DOM.enable")
            cdp.send("CSS.enable")
            root = cdp.send("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
            node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
            if not node:
                return []
            fonts = set()
            stack = [cdp.send("DOM.describeNode", {"nodeId": node, "depth": -1})["node"]]
            while stack:
                item = stack.pop()
                if item.get("nodeType") == 3 and HANGUL.search(item.get("nodeValue", "")):
                    parent = item.get("parentId") or node
                    for font in cdp.send("CSS.getPlatformFontsForNode", {"nodeId": parent})["fonts"]:
                        fonts.add(font["familyName"])
                stack.extend(item.get("children", []))
            return sorted(fonts)
        finally:
            cdp.detach()

    # ---- 과제 -------------------------------------------------------------------------------
    def fill_cell(self, contains: str, code: str) -> None:
        """``contains``가 들어 있는 코드 셀의 내용을 ``code``로 바꿉니다 (학생이 지우고 새로 쓰듯이)."""
        page = self.page
        cells = page.locator(f"{ACTIVE} .jp-CodeCell").filter(has_text=contains)
        if cells.count() != 1:
            self.fail(f"'{contains}'이(가) 들어 있는 코드 셀이 {cells.count()}개입니다 (1개여야 합니다).", "fill")
        editor = cells.first.locator(".cm-content")
        editor.scroll_into_view_if_needed()
        editor.click()
        page.keyboard.press("Control+A")
        page.keyboard.press("Delete")
        # insert_text는 붙여넣기처럼 한 번에 넣으므로 편집기의 자동 들여쓰기·괄호 닫기가 끼어들지 않습니다.
        page.keyboard.insert_text(code)
        page.keyboard.press("Escape")
        written = cells.first.locator(".cm-content").inner_text()
        if code.strip().splitlines()[-1].strip() not in written:
            self.fail(f"셀에 코드를 쓰지 못했습니다. 셀 내용: {written!r}", "fill")

    # ---- 과제 확인 (Validate) ------------------------------------------------------------------
    def press(self, keys: str) -> None:
        self.page.keyboard.press(keys)

    def run_from_palette(self, query: str, command: str) -> None:
        """명령 팔레트(Ctrl+Shift+C)에서 ``query``로 찾은 ``command``를 Enter로 실행합니다 (키보드만)."""
        page = self.page
        page.keyboard.press("Control+Shift+C")
        box = page.locator(".lm-CommandPalette-input")
        box.wait_for(state="visible", timeout=OPEN_TIMEOUT)
        box.fill(query)
        item = page.locator(f".lm-CommandPalette-item[data-command='{command}']")
        try:
            item.first.wait_for(state="visible", timeout=30_000)
        except Exception:  # noqa: BLE001
            self.fail(f"명령 팔레트에서 '{query}'로 {command}을(를) 찾지 못했습니다.", "palette")
        active = page.eval_on_selector(".lm-CommandPalette-item.lm-mod-active", "e => e.getAttribute('data-command')")
        self.expect(active == command, f"팔레트에서 '{query}'의 첫 항목이 {command}이 아니라 {active}입니다.", "palette")
        page.keyboard.press("Enter")

    def wait_validate_result(self) -> dict:
        """과제 확인 창이 뜰 때까지 기다리고 그 내용을 읽습니다."""
        page = self.page
        try:
            page.wait_for_selector(f"{DIALOG} .ctx-validate-body", timeout=VALIDATE_TIMEOUT)
        except Exception:  # noqa: BLE001
            dialog = page.query_selector(DIALOG)
            extra = f" 대신 뜬 창: {dialog.inner_text()!r}" if dialog else ""
            self.fail(f"과제 확인 창이 {VALIDATE_TIMEOUT // 1000}초 안에 뜨지 않았습니다.{extra}", "validate")
        return page.eval_on_selector(f"{DIALOG} .ctx-validate-body", """body => ({
            status: body.dataset.status,
            title: (document.querySelector('.jp-Dialog-header') || {innerText: ''}).innerText.trim(),
            text: body.innerText,
            headline: (body.querySelector('.ctx-validate-headline') || {innerText: ''}).innerText.trim(),
            problems: [...body.querySelectorAll('.ctx-validate-problem')].map(p => ({
                title: p.querySelector('.ctx-validate-problem-title').innerText.trim(),
                score: p.querySelector('.ctx-validate-score').innerText.trim(),
                passed: p.dataset.passed === 'true'})),
            messages: [...body.querySelectorAll('.ctx-test-message')].map(m => m.innerText),
            hidden: (body.querySelector('.ctx-validate-hidden') || {innerText: ''}).innerText.trim(),
            focused: document.activeElement === body,
            overflowY: getComputedStyle(body).overflowY,
            scroll: [body.scrollHeight, body.clientHeight, body.scrollTop],
            dialogBox: document.querySelector('.jp-Dialog-content').getBoundingClientRect().toJSON(),
        })""")

    def scroll_position(self) -> int:
        return self.page.eval_on_selector(f"{DIALOG} .ctx-validate-body", "b => b.scrollTop")

    def dialog_open(self) -> bool:
        return self.page.query_selector(DIALOG) is not None

    def close_dialog(self) -> None:
        self.page.keyboard.press("Escape")
        self.page.wait_for_selector(DIALOG, state="detached", timeout=30_000)

    def click_validate_button(self) -> None:
        button = self.page.locator(f"{ACTIVE} .ctx-validate-button")
        self.expect(button.is_visible(), "노트북 도구 막대에 '과제 확인' 단추가 보이지 않습니다.", "validate_button")
        button.locator("button, jp-button").first.click()

    def validate_button_box(self) -> dict | None:
        return self.page.locator(f"{ACTIVE} .ctx-validate-button").bounding_box()

    # ---- 과제 목록 (Assignment List) ----------------------------------------------------------
    def wait_assignment_list(self) -> None:
        page = self.page
        page.wait_for_selector("#nbgrader-assignment-list #fetched_assignments_list", timeout=OPEN_TIMEOUT)
        # 세 목록(배포됨, 받음, 제출함)의 '불러오는 중'이 모두 사라질 때까지
        page.wait_for_function("""() => ['released', 'fetched', 'submitted'].every(kind => {
            const loading = document.getElementById(kind + '_assignments_list_loading');
            return loading && loading.hidden;
        })""", timeout=OPEN_TIMEOUT, polling=500)

    def assignment_list_texts(self) -> dict:
        """과제 목록의 보이는 글자들: 제목, 빈 목록 문구, 단추, 탭 이름, 전체 글자."""
        return self.page.evaluate("""() => {
            const root = document.getElementById('nbgrader-assignment-list');
            const visible = e => e.offsetParent !== null && !e.hidden;
            const texts = sel => [...root.querySelectorAll(sel)].filter(visible).map(e => e.innerText.trim());
            const tabs = [...document.querySelectorAll('#jp-main-dock-panel .lm-TabBar-tabLabel')]
                .map(t => t.innerText.trim());
            return {
                headings: texts('.panel-heading'),
                placeholders: texts('.list_placeholder'),
                buttons: texts('.item_status button'),
                tabs,
                text: root.innerText,
                width: root.getBoundingClientRect().width,
            };
        }""")

    def assignment_list_errors(self) -> list[str]:
        return self.page.eval_on_selector_all(
            "#nbgrader-assignment-list [id$='_assignments_list_error']",
            "els => els.filter(e => !e.hidden).map(e => e.innerText)")

    def fetched_row(self, assignment: str):
        return self.page.locator("#fetched_assignments_list > .list_item").filter(
            has=self.page.locator(".item_name", has_text=assignment)).first

    def expand_fetched(self, assignment: str):
        """받은 과제의 노트북 목록을 펼치고 그 노트북의 Validate 단추를 돌려줍니다.

        과제 목록은 불러온 뒤 한 번 더 그려질 수 있어, 펼친 것이 접히면 다시 펼칩니다 (조건으로 기다림)."""
        deadline = time.monotonic() + OPEN_TIMEOUT / 1000
        while time.monotonic() < deadline:
            row = self.fetched_row(assignment)
            button = row.locator(".nested_list_item .item_status button").first
            if button.is_visible():
                return button
            link = row.locator(".assignment-notebooks-link").first
            if row.count() and row.locator(".assignment-notebooks.in").count() == 0 and link.is_visible():
                link.click()
            self.page.wait_for_timeout(250)
        self.fail(f"받은 과제 {assignment}의 노트북 목록을 펼치지 못했습니다.", "expand")
        return None

    def tab_to_submit(self, assignment: str, limit: int = 80) -> int:
        """Tab만 눌러 ``assignment``의 Submit 단추까지 갑니다. 누른 횟수를 돌려줍니다."""
        check = """(name) => {
            const el = document.activeElement;
            if (!el || !el.matches('#fetched_assignments_list .item_status button')) return false;
            const row = el.closest('.list_item');
            return !!row && row.querySelector('.item_name').textContent.trim() === name;
        }"""
        for presses in range(limit + 1):
            if self.page.evaluate(check, assignment):
                return presses
            self.page.keyboard.press("Tab")
        self.fail(f"Tab을 {limit}번 눌러도 {assignment}의 Submit 단추에 가지 못했습니다.", "submit_keyboard")
        return -1

    def submitted_texts(self) -> list[str]:
        return self.page.eval_on_selector_all(
            "#submitted_assignments_list .list_item", "els => els.map(e => e.innerText.trim())")

    def wait_submitted(self, assignment: str, count: int = 1) -> None:
        """제출한 과제 목록에 ``assignment``의 제출 시각(브라우저 시간대로 바꾼 것)이 ``count``개 이상 보일 때까지."""
        try:
            self.page.wait_for_function(
                """([name, count]) => {
                    const items = [...document.querySelectorAll('#submitted_assignments_list .ctx-local-time')];
                    const list = document.getElementById('submitted_assignments_list');
                    return list && list.innerText.includes(name) && items.length >= count;
                }""", arg=[assignment, count], timeout=OPEN_TIMEOUT, polling=500)
        except Exception:  # noqa: BLE001
            dialog = self.page.query_selector(DIALOG)
            self.fail(f"{assignment}의 제출이 제출한 과제 목록에 나타나지 않았습니다."
                      + (f" 창: {dialog.inner_text()!r}" if dialog else ""), "submit")
