"""학생에게 주는 한국어 피드백 페이지 (the Korean feedback page a student receives).

``course feedback``이 채점된 노트북(``autograded/``)과 성적부에서 학생·과제마다 HTML 한 장을 만듭니다.
nbgrader의 ``release_feedback``이 나눠 주는 것이 이 페이지입니다.

페이지에 있는 것: 총점과 문제(채점 함수)별 점수, 테스트마다 한 줄 설명(docstring)과 판정, 실패한 보이는
테스트의 한국어 진단(Validate가 보여 주는 ``Feedback:`` 문장), 학생 자신의 코드와 출력, 그림.

페이지에 절대 없는 것: 테스트 셀의 코드(숨은 테스트와 기준값이 들어 있음), 숨은 테스트에서 난 실패의
메시지(새 입력의 형상이나 기대값이 들어 있을 수 있음), 해답, 강사용 표시. 숨은 테스트는 한 줄 설명과
판정으로만 보입니다.

학생의 출력은 믿을 수 없는 데이터입니다: 글은 모두 이스케이프하고(Jinja2 자동 이스케이프), 그림은
검사한 PNG/JPEG만 ``data:`` 이미지로 넣고, HTML·JavaScript·SVG·Markdown 출력은 글자로만 보입니다.
페이지의 Content-Security-Policy는 스크립트를 전혀 허락하지 않습니다.
"""

from __future__ import annotations

import ast
import base64
import binascii
import re
from dataclasses import dataclass, field
from pathlib import Path

import jinja2
from markdown_it import MarkdownIt
from nbconvert.preprocessors import Preprocessor
from traitlets import Bool

from .untrusted import strip_controls

CSP = ("default-src 'none'; img-src data:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'")
MAX_TEXT = 20_000          # 출력 하나에서 보여 줄 글자 수
MAX_IMAGE = 4 * 1024 ** 2  # 그림 하나의 최대 크기 (base64 글자 수)
MAX_CELLS = 400            # 보여 줄 셀 수 (그 뒤는 개수만)
IMAGE_TYPES = ("image/png", "image/jpeg")
_BASE64 = re.compile(r"[A-Za-z0-9+/=\s]*")
_TEST_FRAME = re.compile(r'^\s*File "<테스트 셀 [^>]*>", line (\d+)')
HIDDEN_NOTE = ("숨은 테스트에서 틀렸습니다. 숨은 테스트는 기준 예제와 다른 새 입력(T ≠ H ≠ N)과 성질(원-핫 가중치, "
               "균등 가중치 등)로 함수를 확인합니다. 기준 예제 밖의 입력을 직접 만들어 함수를 시험해 보세요.")
UNSAFE_NOTE = "(HTML·스크립트 출력은 안전을 위해 글자로만 보여 줍니다)"
AFTER_HIDDEN_NOTE = ("(이 셀은 숨은 테스트 뒤에 실행되었습니다. 그런 셀의 채점 출력에는 숨은 테스트의 입력이 담길 수 있어 "
                     "피드백에 싣지 않습니다. 출력은 노트북을 직접 실행해 확인하세요.)")

_MARKDOWN = MarkdownIt("commonmark", {"html": False, "linkify": False})


# ---------------------------------------------------------------------------
# hidden tests: where a failure happened
# ---------------------------------------------------------------------------

def hidden_lines(source: str) -> set[int]:
    """테스트 셀 코드에서 숨은 테스트 구역(구분 줄 포함)의 줄 번호들 (1부터)."""
    lines, hidden = set(), False
    for number, line in enumerate(source.split("\n"), start=1):
        if "BEGIN HIDDEN TESTS" in line:
            hidden = True
        if hidden:
            lines.add(number)
        if "END HIDDEN TESTS" in line:
            hidden = False
    return lines


def after_hidden_tests(nb, test_sources: dict[str, str] | None = None) -> set[int]:
    """숨은 테스트가 있는 첫 테스트 셀 뒤의 학생 코드 셀 번호들. 채점기는 숨은 테스트의 입력으로 학생 함수를
    부르므로, 그 뒤에 실행된 셀은 그 입력을 (학생 함수가 모아 두었다가) 출력할 수 있습니다: 피드백에 싣지 않습니다."""
    found, seen = set(), False
    for index, cell in enumerate(nb.cells):
        if cell.get("cell_type") != "code":
            continue
        if is_test_cell(cell):
            grade_id = (cell.get("metadata", {}).get("nbgrader", {}) or {}).get("grade_id")
            source = (test_sources or {}).get(grade_id) or _joined(cell.get("source", ""))
            seen = seen or bool(hidden_lines(source))
        elif seen:
            found.add(index)
    return found


def failed_in_hidden(error: dict, source: str) -> bool:
    """실패가 숨은 테스트 구역에서 났는지 (재현기의 traceback이 가리키는 테스트 셀의 줄로 판단).

    판단할 수 없으면(줄 정보가 없는데 셀에 숨은 테스트가 있으면) 숨은 쪽으로 봅니다."""
    hidden = hidden_lines(source)
    if not hidden:
        return False
    frames = []
    for line in error.get("traceback") or []:
        match = _TEST_FRAME.match(strip_controls(line))
        if match:
            frames.append(int(match.group(1)))
    if not frames:
        return str(error.get("ename")) not in ("GradingError", "GradingRecordMissing")
    return any(number in hidden for number in frames)


def docstring(source: str) -> str:
    """테스트 셀의 한 줄 설명 (첫 docstring의 첫 줄). 숨은 구역을 뺀 코드에서만 찾습니다."""
    visible = "\n".join(line for number, line in enumerate(source.split("\n"), start=1)
                        if number not in hidden_lines(source))
    try:
        tree = ast.parse(visible)
    except SyntaxError:
        return ""
    text = ast.get_docstring(tree) or ""
    return text.strip().splitlines()[0] if text.strip() else ""


def is_test_cell(cell) -> bool:
    meta = cell.get("metadata", {}).get("nbgrader", {}) or {}
    return cell.get("cell_type") == "code" and bool(meta.get("grade")) and not meta.get("solution")


def test_message(outputs: list, source: str) -> tuple[bool, str]:
    """테스트 셀의 (재현기) 출력에서 (숨은 테스트에서 실패했는지, 보여 줄 한국어 메시지)."""
    for output in outputs:
        if output.get("output_type") == "error":
            if failed_in_hidden(output, source):
                return True, HIDDEN_NOTE
            return False, _clip(strip_controls(output.get("evalue", "")) or strip_controls(output.get("ename", "")))
    for output in outputs:
        if output.get("output_type") == "stream" and output.get("name") == "stderr":
            return False, "테스트 중에 표준 오류(stderr)에 출력이 있어 실패로 처리했습니다. 함수에서 경고나 오류 출력을 없애세요."
    return False, ""


# ---------------------------------------------------------------------------
# student outputs: inert
# ---------------------------------------------------------------------------

@dataclass
class OutputView:
    kind: str                 # text | error | image | note
    text: str = ""
    mime: str = ""
    data: str = ""


def _clip(text: str, limit: int = MAX_TEXT) -> str:
    return text if len(text) <= limit else text[:limit] + f"\n… (출력이 길어 {len(text) - limit}자를 줄였습니다)"


def _image(data: object) -> str | None:
    if isinstance(data, list):
        data = "".join(str(part) for part in data)
    if not isinstance(data, str) or len(data) > MAX_IMAGE or not _BASE64.fullmatch(data):
        return None
    try:
        base64.b64decode("".join(data.split()), validate=True)
    except (binascii.Error, ValueError):
        return None
    return "".join(data.split())


def _joined(value: object) -> str:
    return "".join(str(part) for part in value) if isinstance(value, list) else str(value)


def output_views(outputs: list) -> list[OutputView]:
    """셀 출력들을 그대로 보여도 안전한 조각으로 바꿉니다."""
    views = []
    for output in outputs[:100]:
        kind = output.get("output_type")
        if kind == "stream":
            views.append(OutputView("error" if output.get("name") == "stderr" else "text",
                                    _clip(strip_controls(_joined(output.get("text", ""))))))
        elif kind == "error":
            views.append(OutputView("error", _clip(strip_controls(f"{output.get('ename', '')}: {output.get('evalue', '')}"))))
        elif kind in ("display_data", "execute_result"):
            data = output.get("data") if isinstance(output.get("data"), dict) else {}
            image = next(((mime, _image(data[mime])) for mime in IMAGE_TYPES if mime in data), None)
            if image and image[1]:
                views.append(OutputView("image", mime=image[0], data=image[1]))
                continue
            if "text/plain" in data:
                views.append(OutputView("text", _clip(strip_controls(_joined(data["text/plain"])))))
            if any(mime not in IMAGE_TYPES and mime != "text/plain" for mime in data):
                views.append(OutputView("note", UNSAFE_NOTE))
            elif image:
                views.append(OutputView("note", "(그림 데이터가 올바르지 않아 보여 주지 않습니다)"))
    return views


# ---------------------------------------------------------------------------
# the page
# ---------------------------------------------------------------------------

_MATH = re.compile(r"\$\$(.+?)\$\$|\$([^$\n]+?)\$", re.DOTALL)


def _math_as_code(text: str) -> str:
    """수식($...$, $$...$$)은 스크립트(MathJax) 없이 보여 주므로 Markdown이 밑줄을 기울임으로 바꾸지 않게 코드로 둡니다."""
    return _MATH.sub(lambda m: "`` " + " ".join((m.group(1) or m.group(2)).replace("`", "'").split()) + " ``", text)

@dataclass
class TestView:
    grade_id: str
    description: str
    score: float
    max_score: float
    passed: bool
    hidden: bool
    message: str


@dataclass
class CellView:
    kind: str                          # markdown | code | test
    html: str = ""                     # markdown: 이미 안전하게 만든 HTML
    source: str = ""
    outputs: list = field(default_factory=list)
    test: TestView | None = None


@dataclass
class PageView:
    assignment: str
    notebook: str
    student: str
    score: float
    max_score: float
    questions: list                    # (문제, 점수, 만점)
    cells: list
    passed: int
    failed: int
    omitted_cells: int = 0
    timestamp: str = ""


def notebook_page(nb, *, assignment: str, notebook: str, student: str, grades: dict[str, tuple[float, float]],
                  test_sources: dict[str, str], questions: list, timestamp: str = "") -> PageView:
    """채점된 노트북 하나의 페이지 데이터. ``grades``: grade_id → (점수, 만점) (성적부),
    ``test_sources``: 테스트 grade_id → 강사의 테스트 코드 (설명과 숨은 구역을 찾는 데만 씁니다)."""
    cells, passed, failed = [], 0, 0
    after = after_hidden_tests(nb, test_sources)
    for index, cell in enumerate(nb.cells[:MAX_CELLS]):
        grade_id = (cell.get("metadata", {}).get("nbgrader", {}) or {}).get("grade_id")
        if cell.get("cell_type") == "markdown":
            cells.append(CellView("markdown", html=_MARKDOWN.render(_math_as_code(strip_controls(_joined(cell.get("source", "")))))))
        elif is_test_cell(cell) and grade_id in grades:
            score, top = grades[grade_id]
            source = test_sources.get(grade_id, "")
            ok = top == 0 or score >= top
            hidden, message = (False, "") if ok else test_message(cell.get("outputs", []), source)
            passed, failed = passed + ok, failed + (not ok)
            cells.append(CellView("test", test=TestView(grade_id, docstring(source), score, top, ok, hidden,
                                                        message or ("" if ok else "이 테스트를 통과하지 못했습니다."))))
        elif cell.get("cell_type") == "code" and not is_test_cell(cell):
            outputs = output_views(cell.get("outputs", []))
            if index in after and outputs:
                outputs = [OutputView("note", AFTER_HIDDEN_NOTE)]
            cells.append(CellView("code", source=_clip(strip_controls(_joined(cell.get("source", "")))), outputs=outputs))
    score = sum(s for s, _ in grades.values())
    top = sum(m for _, m in grades.values())
    return PageView(assignment, notebook, strip_controls(student, keep_newlines=False), score, top, questions, cells,
                    passed, failed, max(0, len(nb.cells) - MAX_CELLS), timestamp)


_ENVIRONMENT = jinja2.Environment(loader=jinja2.PackageLoader("ctxcourse.grading", "templates"),
                                  autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True,
                                  lstrip_blocks=True)


def render(page: PageView) -> str:
    return _ENVIRONMENT.get_template("feedback.html.j2").render(page=page, csp=CSP)


def write_page(page: PageView, path: Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(render(page), encoding="utf-8")
    temporary.replace(path)
    return path


# ---------------------------------------------------------------------------
# plain `nbgrader generate_feedback`: the same rules as a preprocessor
# ---------------------------------------------------------------------------

class StripForFeedback(Preprocessor):
    """``nbgrader generate_feedback``용 전처리기 (nbgrader_config.py에 등록): 테스트 셀의 코드를 한 줄 설명으로
    바꾸고, 숨은 테스트에서 난 실패의 메시지를 지우고, 학생 출력에서 HTML·스크립트를 글자로 바꿉니다."""

    enabled = Bool(True).tag(config=True)

    def preprocess(self, nb, resources):
        self._after_hidden = after_hidden_tests(nb)   # 테스트 셀의 코드를 바꾸기 전에 (숨은 구역을 찾아야 하므로)
        return super().preprocess(nb, resources)

    def preprocess_cell(self, cell, resources, index):
        if is_test_cell(cell):
            source = _joined(cell.get("source", ""))
            errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
            hidden, message = test_message(cell.get("outputs", []), source) if errors else (False, "")
            cell.source = f'"""{docstring(source)}"""  # 테스트 코드는 채점할 때만 씁니다'
            cell.outputs = ([{"output_type": "error", "ename": "Feedback", "evalue": message, "traceback": [message]}]
                            if errors else [])
        elif cell.get("cell_type") == "code" and index in getattr(self, "_after_hidden", ()) and cell.get("outputs"):
            cell.outputs = [_inert({"output_type": "stream", "name": "stdout", "text": AFTER_HIDDEN_NOTE})]
        elif cell.get("cell_type") == "code":
            cell.outputs = [_inert(output) for output in cell.get("outputs", [])]
        elif cell.get("cell_type") == "markdown" and not (cell.get("metadata", {}).get("nbgrader", {}) or {}).get("locked"):
            cell.source = _joined(cell.get("source", "")).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        return cell, resources


def _inert(output):
    from nbformat import from_dict

    kind = output.get("output_type")
    if kind == "stream":
        return from_dict({**output, "text": strip_controls(_joined(output.get("text", "")))})
    if kind == "error":
        text = strip_controls(f"{output.get('ename', '')}: {output.get('evalue', '')}")
        return from_dict({"output_type": "error", "ename": strip_controls(output.get("ename", "")),
                          "evalue": strip_controls(output.get("evalue", "")), "traceback": [text]})
    data = output.get("data") if isinstance(output.get("data"), dict) else {}
    kept = {mime: data[mime] for mime in IMAGE_TYPES if mime in data and _image(data[mime])}
    if "text/plain" in data:
        kept["text/plain"] = strip_controls(_joined(data["text/plain"]))
    if set(data) - set(kept):
        kept["text/plain"] = (kept.get("text/plain", "") + "\n" + UNSAFE_NOTE).strip()
    return from_dict({**output, "data": kept, "metadata": {}})
