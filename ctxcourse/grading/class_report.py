"""반 전체 보고서 (the class report): 문항 분석, 흔한 오개념, 베낀 것으로 보이는 제출물, HTML과 JSON.

``course report --html FILE``과 ``--json FILE``이 씁니다. 과제마다:

- 점수 분포 (평균, 중앙값, 히스토그램): 명단 전체, 미제출은 0점 (:func:`.grades.grade_rows`와 같은 계산);
- 테스트마다 난이도(통과한 학생의 비율)와 변별도(그 테스트의 통과 여부와 *나머지* 점수의 상관, 곧 보정된
  문항-총점 상관): 제출한 학생만으로 계산합니다. 거의 모두 통과(≥ 0.95)하거나 변별도가 0.2 미만이거나
  정할 수 없는 테스트에 표시를 붙입니다;
- 오개념: 실패한 테스트의 한국어 메시지를 숫자·형상을 지운 문장으로 묶은 것 (학생 수, 학생들, 익명의 예시 하나).
  숨은 테스트에서 난 실패의 메시지는 기준값을 담을 수 있으므로 문장 대신 "숨은 테스트 실패"로만 묶습니다
  (:func:`.feedback_page.failed_in_hidden`과 같은 판단);
- 학생 × 테스트 행렬, 의심 표시, 늦은 제출과 미제출, 채점 실패, 제출물마다 채점 시간;
- 베낀 것으로 보이는 제출물 쌍: 학생 자신의 코드(해답 셀과 학생이 더한 셀에서 배포본의 코드와 강사 해답의 줄을
  뺀 것)를 copydetect(토큰화, 이름 지우기, winnowing 지문)로 비교합니다. 변수 이름을 바꾸거나 함수 순서를
  바꿔도 찾고, 짧은 코드(누구나 똑같이 쓰는 짧은 정답)는 비교하지 않습니다.

과제를 건너서는 같은 학생이 다음 과제에서도 같은 오개념을 보이는지 모읍니다.

오개념 id는 진단 목록(:mod:`ctxcourse.checks.diagnoses`)의 안정된 id입니다 (예: ``keepdims_left_on``): 엔진이 기록한
메시지를 목록의 문장 틀과 맞추어 되찾습니다. 목록에 없는 메시지(강사가 직접 쓴 테스트 등)는 정규화한 메시지의
해시(``m-xxxxxxxx``; 숫자, 형상, 따옴표 안의 값은 지움)이고, 숨은 테스트 실패는 ``hidden:<grade_id>``입니다.
오개념마다 익명의 예시 하나를 보입니다: 그 진단을 받은 첫 학생의 보이는 테스트 메시지와, 채점된 노트북에 저장된
그 학생 자신의 셀(채점 함수를 기준 예제로 불러 본 셀)의 출력입니다. 숨은 테스트의 코드나 기준값은 쓰지 않습니다.

학생이 쓴 것(코드, 메시지, ID)은 모두 믿을 수 없는 글입니다: 크기를 자르고 제어 문자를 지우고, HTML에서는
Jinja2 자동 이스케이프로만 보입니다. 페이지에는 스크립트가 없고 Content-Security-Policy가 모든 스크립트와
외부 요청을 막습니다. 그림은 PNG ``data:`` 주소로 들어 있어 오프라인에서 열립니다.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import math
import re
import statistics
import time
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .course import Course
from .grades import grade_rows
from .untrusted import strip_controls

EASY = 0.95                 # 이만큼 이상 통과하면 "거의 모두 통과"
LOW_DISCRIMINATION = 0.2    # 변별도가 이보다 낮으면 "아무도 가르지 못함"
SIMILARITY_THRESHOLD = 0.8  # 이 이상이면 베낀 것으로 보이는 쌍
MIN_SHARED = 80            # 겹치는 (이름을 지운) 코드가 이 글자 수보다 적으면 짧은 코드로 보고 쌍으로 보이지 않음
NOISE, GUARANTEE = 25, 30   # copydetect의 k-gram 길이와 보장 길이 (기본값)
MAX_CODE = 30_000           # 학생 한 명의 코드에서 비교할 글자 수
MAX_CELLS = 200             # 학생 한 명의 노트북에서 볼 셀 수
MAX_NOTEBOOK = 20 * 1024 ** 2
MAX_MESSAGE = 300
SIMILARITY_SECONDS = 120.0  # 과제 하나의 비교 시간 한도
MAX_VIEW_LINES = 120        # 나란히 보기에서 한쪽에 보일 줄 수

HIDDEN_SENTENCE = "숨은 테스트에서 틀렸습니다 (메시지는 기준값을 담을 수 있어 보이지 않습니다)."


# ---------------------------------------------------------------------------
# data
# ---------------------------------------------------------------------------

@dataclass
class TestStat:
    grade_id: str
    points: float
    difficulty: float | None          # 통과한 학생의 비율 (제출한 학생 중)
    discrimination: float | None      # 통과 여부와 나머지 점수의 상관 (정할 수 없으면 None)
    passed: int
    students: int
    flags: list[str] = field(default_factory=list)


@dataclass
class Misconception:
    id: str
    sentence: str                     # 숫자를 지우지 않은 예시 문장 하나 (학생 이름 없이)
    tests: list[str]
    students: list[str]
    hidden: bool = False
    example: str = ""                 # 익명의 예시: 한 학생이 받은 메시지 (숨은 테스트면 비움)
    output: str = ""                  # 익명의 예시: 그 학생의 셀이 낸 틀린 출력 (채점된 노트북에 저장된 것)

    @property
    def count(self) -> int:
        return len(self.students)


@dataclass
class SimilarPair:
    assignment: str
    students: list[str]
    score: float                      # 두 쪽 중 큰 쪽의 겹친 비율 (copydetect)
    shared: int                       # 겹친 코드의 (이름을 지운) 글자 수
    left: list[tuple[str, bool]] = field(default_factory=list)    # (줄, 겹친 줄인지)
    right: list[tuple[str, bool]] = field(default_factory=list)


@dataclass
class StudentLine:
    student: str
    status: str                       # 제출, 늦음, 미제출, 수동 채점 대기
    score: float
    raw_score: float
    penalty: float
    seconds_late: float
    tests: dict[str, float | None]    # grade_id → 받은 비율 0..1 (미제출은 None)
    flags: list[dict] = field(default_factory=list)
    grading_status: str = ""
    reasons: list[str] = field(default_factory=list)
    grading_seconds: float | None = None


@dataclass
class AssignmentStats:
    assignment: str
    max_score: float
    roster: int
    submitted: int
    mean: float
    median: float
    scores: list[float]
    tests: list[TestStat]
    students: list[StudentLine]
    misconceptions: list[Misconception]
    similar_pairs: list[SimilarPair]
    similarity_note: str = ""


@dataclass
class Persistence:
    id: str
    sentence: str
    students: dict[str, list[str]]    # 학생 → 그 오개념을 보인 과제들 (둘 이상)


@dataclass
class ClassReport:
    course: str
    assignments: list[AssignmentStats]
    persistent: list[Persistence]
    threshold: float = SIMILARITY_THRESHOLD
    generated: str = ""


# ---------------------------------------------------------------------------
# numbers
# ---------------------------------------------------------------------------

def pearson(xs: list[float], ys: list[float]) -> float | None:
    """표본 상관계수. 어느 한쪽의 분산이 0이거나 값이 둘보다 적으면 None."""
    if len(xs) < 2 or len(xs) != len(ys):
        return None
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    if sxx <= 1e-12 or syy <= 1e-12:
        return None
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / math.sqrt(sxx * syy)


def item_analysis(points: dict[str, float], matrix: dict[str, dict[str, float]]) -> list[TestStat]:
    """``matrix``: 학생 → grade_id → 받은 점수. 테스트마다 난이도와 보정된 문항-총점 상관(점이연 상관)."""
    students = sorted(matrix)
    totals = {s: sum(matrix[s].values()) for s in students}
    stats = []
    for grade_id, top in points.items():
        passes = [1.0 if top <= 0 or matrix[s].get(grade_id, 0.0) >= top - 1e-9 else 0.0 for s in students]
        rest = [totals[s] - matrix[s].get(grade_id, 0.0) for s in students]
        difficulty = sum(passes) / len(passes) if passes else None
        discrimination = pearson(passes, rest)
        flags = []
        if difficulty is not None and difficulty >= EASY:
            flags.append("거의 모두 통과")
        if discrimination is None:
            flags.append("변별도를 정할 수 없음")
        elif discrimination < LOW_DISCRIMINATION:
            flags.append("변별력 낮음")
        stats.append(TestStat(grade_id, top, _round(difficulty), _round(discrimination), int(sum(passes)),
                              len(students), flags))
    return stats


def _round(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(value, digits)


# ---------------------------------------------------------------------------
# misconceptions
# ---------------------------------------------------------------------------

_PREFIXES = ("Feedback: ", "AssertionError: ", "ValueError: ", "GradingError: ")
_SHAPES = re.compile(r"\(\s*-?\d*(?:\s*,\s*-?\d+)*\s*,?\s*\)")
_NUMBERS = re.compile(r"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?")
_QUOTED = re.compile(r"'[^'\n]{0,80}'|\"[^\"\n]{0,80}\"|\[[^\]\n]{0,200}\]")


def clean_message(message: object) -> str:
    """채점 기록의 메시지에서 보여 줄 한 줄 (제어 문자 없이, 접두어 없이, 잘라서)."""
    text = strip_controls(message, keep_newlines=False)
    for prefix in _PREFIXES:
        if text.startswith(prefix):
            text = text[len(prefix):]
    return text[:MAX_MESSAGE]


def normalise(message: str) -> str:
    """같은 실수를 같은 문장으로: 형상, 숫자, 따옴표·대괄호 안의 값을 지웁니다."""
    text = _QUOTED.sub("…", clean_message(message))
    text = _SHAPES.sub("(…)", text)
    text = _NUMBERS.sub("#", text)
    return " ".join(text.split())


def message_id(message: str) -> str:
    return "m-" + hashlib.sha256(normalise(message).encode("utf-8")).hexdigest()[:8]


def diagnosis_of(message: str) -> tuple[str, str]:
    """메시지의 (진단 id, 보고서에 쓸 문장): 진단 목록에 있으면 그 id와 틀의 문장, 없으면 해시 id와 메시지.

    감싸는 틀(형상이 틀림 등)만 맞으면 id는 그 틀의 것입니다 (틀 뒤의 설명은 익명의 예시 메시지에 보입니다)."""
    from ..checks.diagnoses import identify, sentence

    key = identify(message)
    return (key, sentence(key)) if key else (message_id(message), message)


MAX_OUTPUT_LINES, MAX_OUTPUT = 8, 600


def _output_text(cell) -> str:
    """셀 하나의 출력을 글로 (stream, 결과의 text/plain, 오류의 이름과 값; 그림은 "(그림)")."""
    parts = []
    for output in cell.get("outputs", [])[:20]:
        kind = output.get("output_type")
        if kind == "stream":
            parts.append(_joined(output.get("text", "")))
        elif kind in ("execute_result", "display_data"):
            data = output.get("data", {}) if isinstance(output.get("data"), dict) else {}
            if "text/plain" in data and not any(key.startswith("image/") for key in data):
                parts.append(_joined(data["text/plain"]))
            elif any(key.startswith("image/") for key in data):
                parts.append("(그림)")
        elif kind == "error":
            parts.append(f"{output.get('ename', '')}: {output.get('evalue', '')}")
    return "\n".join(part.rstrip("\n") for part in parts if part)


def tried_outputs(nb, function: str | None) -> str:
    """학생 자신의 셀 가운데 채점 함수 ``function``을 부른 셀(잠기지 않고 점수가 없는 셀)의 저장된 출력."""
    if nb is None or not function:
        return ""
    pattern = re.compile(rf"\b{re.escape(function)}\s*\(")
    texts = []
    for cell in nb.cells[:MAX_CELLS]:
        meta = _meta(cell)
        if cell.get("cell_type") != "code" or meta.get("grade") or meta.get("solution") or meta.get("locked"):
            continue
        if pattern.search(_joined(cell.get("source", ""))):
            text = _output_text(cell)
            if text:
                texts.append(text)
    lines = strip_controls("\n".join(texts)).split("\n")
    text = "\n".join(lines[:MAX_OUTPUT_LINES]) + ("\n…" if len(lines) > MAX_OUTPUT_LINES else "")
    return text[:MAX_OUTPUT]


# ---------------------------------------------------------------------------
# reading the course
# ---------------------------------------------------------------------------

def _state(course: Course, assignment: str, student: str) -> dict:
    """채점 상태 파일 (:class:`.state.StateStore`; 없거나 읽을 수 없으면 빈 dict)."""
    from .state import StateStore

    return StateStore(course.state_dir).load(assignment, student) or {}


def _notebook(path: Path):
    """채점된(또는 배포된) 노트북 하나를 크기 한도 안에서 링크를 따라가지 않고 읽습니다. 못 읽으면 None."""
    import nbformat

    from .safecopy import read_bytes

    try:
        data = read_bytes(path, MAX_NOTEBOOK)
        return nbformat.reads(data.decode("utf-8"), as_version=4)
    except Exception:  # noqa: BLE001 - 학생이 만든 파일: 어떤 모양이든 건너뜁니다
        return None


def _meta(cell) -> dict:
    meta = cell.get("metadata", {}) if isinstance(cell, dict) else {}
    meta = meta.get("nbgrader", {}) if isinstance(meta, dict) else {}
    return meta if isinstance(meta, dict) else {}


def _joined(value) -> str:
    return "".join(str(part) for part in value) if isinstance(value, list) else str(value or "")


def _hidden_failures(nb, test_sources: dict[str, str]) -> dict[str, bool]:
    """채점된 노트북에서 실패한 테스트 셀마다 실패가 숨은 테스트 구역에서 났는지."""
    from .feedback_page import failed_in_hidden

    result = {}
    for cell in (nb.cells[:MAX_CELLS] if nb is not None else []):
        grade_id = _meta(cell).get("grade_id")
        if grade_id not in test_sources:
            continue
        for output in cell.get("outputs", [])[:20]:
            if output.get("output_type") == "error":
                result[grade_id] = failed_in_hidden(output, test_sources[grade_id])
                break
    return result


def _own_code(nb, release_lines: set[str]) -> str:
    """학생 자신의 코드: 해답 셀과 학생이 더한 코드 셀에서 배포본·강사 해답에 있는 줄을 뺀 것."""
    if nb is None:
        return ""
    parts, size = [], 0
    for cell in nb.cells[:MAX_CELLS]:
        if cell.get("cell_type") != "code":
            continue
        meta = _meta(cell)
        if meta.get("locked") or (meta.get("grade") and not meta.get("solution")):
            continue
        lines = [line for line in _joined(cell.get("source", "")).split("\n")
                 if line.strip() and line.strip() not in release_lines]
        text = "\n".join(lines)
        parts.append(text[: MAX_CODE - size])
        size += len(parts[-1])
        if size >= MAX_CODE:
            break
    return strip_controls("\n".join(p for p in parts if p))


def _reference_lines(course: Course, assignment: str, notebook: str) -> tuple[set[str], str]:
    """배포본의 모든 코드 줄과 강사 해답 셀의 줄 (공백을 뗀 것), 그리고 그 코드 전체 (copydetect의 상용구)."""
    texts = []
    for folder in ("release", "source"):
        nb = _notebook(course.root / folder / assignment / f"{notebook}.ipynb")
        for cell in (nb.cells if nb is not None else []):
            if cell.get("cell_type") != "code":
                continue
            meta = _meta(cell)
            if folder == "source" and not meta.get("solution"):
                continue
            texts.append(_joined(cell.get("source", "")))
    lines = {line.strip() for text in texts for line in text.split("\n") if line.strip()}
    return lines, "\n".join(texts)


# ---------------------------------------------------------------------------
# copied work (copydetect)
# ---------------------------------------------------------------------------

def _fingerprint(code: str, boilerplate=None):
    from copydetect.detector import CodeFingerprint

    return CodeFingerprint("submission.py", NOISE, GUARANTEE - NOISE + 1, boilerplate=boilerplate,
                           language="python", fp=io.StringIO(code))


def _marked_lines(code: str, slices) -> list[tuple[str, bool]]:
    """코드를 줄로 나누고, copydetect가 겹친다고 한 글자 구간에 걸친 줄에 표시합니다."""
    starts = [int(x) for x in slices[0]] if len(slices) else []
    ends = [int(x) for x in slices[1]] if len(slices) else []
    result, offset = [], 0
    for line in code.split("\n")[:MAX_VIEW_LINES]:
        end = offset + len(line)
        hit = any(s < end and e > offset and line.strip() for s, e in zip(starts, ends))
        result.append((line, hit))
        offset = end + 1
    return result


def similar_pairs(assignment: str, codes: dict[str, str], boilerplate_code: str, *,
                  threshold: float = SIMILARITY_THRESHOLD, min_shared: int = MIN_SHARED,
                  budget: float = SIMILARITY_SECONDS) -> tuple[list[SimilarPair], str]:
    """학생 → 자기 코드에서 비슷한 쌍들. 지문을 하나라도 나눈 쌍만 비교합니다 (역색인)."""
    from copydetect.detector import compare_files

    started, note = time.monotonic(), ""
    try:
        boilerplate = _fingerprint(boilerplate_code).hashes if boilerplate_code.strip() else None
    except Exception:  # noqa: BLE001
        boilerplate = None
    boilerplate = list(boilerplate) if boilerplate else None
    prints = {}
    for student, code in sorted(codes.items()):
        if time.monotonic() - started > budget:
            note = "시간 한도 때문에 일부 제출물만 비교했습니다."
            break
        if len(code.strip()) < min_shared:
            continue
        try:
            fp = _fingerprint(code[:MAX_CODE], boilerplate)
        except Exception:  # noqa: BLE001 - 토큰화할 수 없는 코드는 건너뜁니다
            continue
        if len(fp.filtered_code) >= min_shared and fp.hashes:
            prints[student] = fp
    index: dict[int, list[str]] = defaultdict(list)
    for student, fp in prints.items():
        for value in fp.hashes:
            index[value].append(student)
    common = max(3, len(prints) // 2)   # 반의 절반 넘게 가진 지문은 상용구로 보고 짝을 만들지 않음
    candidates = set()
    for owners in index.values():
        if 2 <= len(owners) <= common:
            for i, first in enumerate(owners):
                for second in owners[i + 1:]:
                    candidates.add((min(first, second), max(first, second)))
    pairs = []
    for first, second in sorted(candidates):
        if time.monotonic() - started > budget:
            note = "시간 한도 때문에 일부 쌍만 비교했습니다."
            break
        shared, (sim1, sim2), (slices1, slices2) = compare_files(prints[first], prints[second])
        score = float(max(sim1, sim2))
        if shared >= min_shared and score >= threshold:
            pairs.append(SimilarPair(assignment, [first, second], round(score, 4), int(shared),
                                     _marked_lines(prints[first].raw_code, slices1),
                                     _marked_lines(prints[second].raw_code, slices2)))
    pairs.sort(key=lambda p: (-p.score, p.students))
    return pairs, note


# ---------------------------------------------------------------------------
# the report
# ---------------------------------------------------------------------------

def assignment_stats(course: Course, assignment: str, *, threshold: float = SIMILARITY_THRESHOLD,
                     min_shared: int = MIN_SHARED) -> AssignmentStats | None:
    from nbgrader.api import MissingEntry

    with course.gradebook() as gb:
        try:
            record = gb.find_assignment(assignment)
        except MissingEntry:
            return None
        points, test_sources, notebooks = {}, {}, []
        for notebook in record.notebooks:
            notebooks.append(notebook.name)
            sources = {c.name: c.source for c in notebook.source_cells}
            for cell in notebook.grade_cells:
                if cell.cell_type == "code":
                    points[cell.name] = float(cell.max_score or 0.0)
                    test_sources[cell.name] = sources.get(cell.name, "")
        truths = list(grade_rows(gb, assignments=[assignment]))
        earned: dict[str, dict[str, float]] = {}
        for submission in record.submissions:
            earned[submission.student.id] = {grade.name: float(grade.score or 0.0)
                                             for nb in submission.notebooks for grade in nb.grades
                                             if grade.name in points}
        max_score = float(record.max_score)
    autograded = course.root / course.coursedir.autograded_directory
    references = {name: _reference_lines(course, assignment, name) for name in notebooks}
    release_lines = set().union(*(lines for lines, _ in references.values())) if references else set()
    boilerplate = "\n".join(text for _, text in references.values())
    lines, groups, codes = [], {}, {}
    for truth in truths:
        student = truth.student
        state = _state(course, assignment, student) if truth.submitted else {}
        tests = ({gid: (earned.get(student, {}).get(gid, 0.0) / top if top else 1.0) for gid, top in points.items()}
                 if truth.submitted else {gid: None for gid in points})
        lines.append(StudentLine(
            student, truth.status, truth.score, truth.raw_score, truth.penalty, truth.seconds_late, tests,
            [{"kind": strip_controls(f.get("kind", ""))[:40], "detail": clean_message(f.get("detail", ""))}
             for f in state.get("flags", [])[:20] if isinstance(f, dict)],
            strip_controls(state.get("status", ""))[:40], [clean_message(r) for r in state.get("reasons", [])[:10]],
            state.get("seconds") if isinstance(state.get("seconds"), (int, float)) else None))
        if not truth.submitted:
            continue
        own = []
        for name in notebooks:
            nb = _notebook(autograded / student / assignment / f"{name}.ipynb")
            hidden = _hidden_failures(nb, test_sources)
            own.append(_own_code(nb, release_lines))
            failed = {gid: top for gid, top in points.items()
                      if top > 0 and earned.get(student, {}).get(gid, 0.0) < top - 1e-9}
            _group_failures(groups, student, nb, state, failed, hidden)
        codes[student] = "\n".join(part for part in own if part)
    submitted = [line for line in lines if line.status != "미제출"]
    matrix = {line.student: {gid: earned.get(line.student, {}).get(gid, 0.0) for gid in points} for line in submitted}
    scores = [line.score for line in lines]
    pairs, note = similar_pairs(assignment, codes, boilerplate, threshold=threshold, min_shared=min_shared)
    misconceptions = sorted(groups.values(), key=lambda m: (-m.count, m.id))
    return AssignmentStats(assignment, max_score, len(lines), len(submitted),
                           round(statistics.fmean(scores), 4) if scores else 0.0,
                           round(statistics.median(scores), 4) if scores else 0.0, scores,
                           item_analysis(points, matrix), lines, misconceptions, pairs, note)


def _group_failures(groups: dict, student: str, nb, state: dict, failed: dict, hidden: dict) -> None:
    """한 학생의 실패한 테스트들을 진단 id로 묶습니다 (``groups``: id → :class:`Misconception`)."""
    recorded = state.get("tests", {}) if isinstance(state.get("tests"), dict) else {}
    for gid in failed:
        entry = recorded.get(gid) if isinstance(recorded.get(gid), dict) else {}
        message = clean_message(entry.get("message", ""))
        if hidden.get(gid, False) or not message:
            key, sentence, is_hidden = f"hidden:{gid}" if message else f"silent:{gid}", \
                (HIDDEN_SENTENCE if message else "메시지 없이 실패했습니다 (채점 실패 또는 실행되지 않음)."), True
        else:
            (key, sentence), is_hidden = diagnosis_of(message), False
        group = groups.get(key)
        if group is None:
            group = groups[key] = Misconception(key, sentence, [], [], is_hidden)
            if not is_hidden:   # 익명의 예시: 이 진단을 처음 받은 학생의 메시지와 그 학생 셀의 출력
                group.example = message
                function = entry.get("function")
                group.output = tried_outputs(nb, function if isinstance(function, str) else None)
        if gid not in group.tests:
            group.tests.append(gid)
        if student not in group.students:
            group.students.append(student)


def persistence(assignments: list[AssignmentStats]) -> list[Persistence]:
    """같은 학생이 둘 이상의 과제에서 보인 오개념."""
    seen: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    sentences = {}
    for stats in assignments:
        for item in stats.misconceptions:
            if item.id.startswith("silent:"):
                continue
            sentences.setdefault(item.id, item.sentence)
            for student in item.students:
                if stats.assignment not in seen[item.id][student]:
                    seen[item.id][student].append(stats.assignment)
    result = []
    for key, by_student in seen.items():
        repeated = {s: names for s, names in sorted(by_student.items()) if len(names) >= 2}
        if repeated:
            result.append(Persistence(key, sentences[key], repeated))
    result.sort(key=lambda p: (-len(p.students), p.id))
    return result


def build_class_report(course: Course, assignments: list[str], *, threshold: float = SIMILARITY_THRESHOLD,
                       min_shared: int = MIN_SHARED) -> ClassReport:
    from datetime import datetime, timezone

    stats = [s for s in (assignment_stats(course, name, threshold=threshold, min_shared=min_shared)
                         for name in assignments) if s is not None]
    return ClassReport(course.root.name, stats, persistence(stats), threshold,
                       datetime.now(timezone.utc).isoformat(timespec="seconds"))


# ---------------------------------------------------------------------------
# JSON
# ---------------------------------------------------------------------------

SCHEMA_PATH = Path(__file__).with_name("report_schema.json")


def to_json(report: ClassReport) -> dict:
    """보고서의 수를 데이터로 (스키마: ``report_schema.json``)."""
    return {
        "schema": "ctxcourse-class-report-1",
        "course": report.course,
        "generated": report.generated,
        "similarity_threshold": report.threshold,
        "assignments": [{
            "assignment": s.assignment,
            "max_score": s.max_score,
            "roster": s.roster,
            "submitted": s.submitted,
            "mean": s.mean,
            "median": s.median,
            "tests": [asdict(t) for t in s.tests],
            "misconceptions": [{"id": m.id, "count": m.count, "students": list(m.students), "tests": list(m.tests),
                                "hidden": m.hidden, "sentence": m.sentence, "example": m.example, "output": m.output}
                               for m in s.misconceptions],
            "similar_pairs": [{"students": list(p.students), "assignment": p.assignment, "score": p.score,
                               "shared": p.shared} for p in s.similar_pairs],
            "students": [{"student": line.student, "status": line.status, "score": line.score,
                          "raw_score": line.raw_score, "penalty": line.penalty, "seconds_late": line.seconds_late,
                          "tests": line.tests, "flags": [f["kind"] for f in line.flags],
                          "grading_status": line.grading_status, "reasons": line.reasons,
                          "grading_seconds": line.grading_seconds} for line in s.students],
        } for s in report.assignments],
        "persistent_misconceptions": [{"id": p.id, "sentence": p.sentence, "students": p.students}
                                      for p in report.persistent],
    }


def schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


# ---------------------------------------------------------------------------
# figures
# ---------------------------------------------------------------------------

def _label(text: object, limit: int = 24) -> str:
    """그림에 쓸 글: 제어 문자를 지우고, matplotlib의 수식 표기($)를 막고, 자릅니다."""
    text = strip_controls(text, keep_newlines=False)
    text = text if len(text) <= limit else text[: limit - 1] + "…"
    return text.replace("$", r"\$")


def _png(fig) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def figures(stats: AssignmentStats) -> dict[str, str]:
    """과제 하나의 그림들 (PNG data URI): 점수 분포, 난이도·변별도, 오개념, 학생 × 테스트 히트맵."""
    from ..fonts import setup_korean_font

    setup_korean_font()
    result = {"histogram": _histogram(stats)}
    if stats.tests:
        result["items"] = _items_figure(stats)
    if stats.misconceptions:
        result["misconceptions"] = _misconceptions_figure(stats)
    submitted = [line for line in stats.students if line.status != "미제출"][:80]
    if submitted and stats.tests:
        result["heatmap"] = _heatmap_figure(stats, submitted)
    return result


def _histogram(stats: AssignmentStats) -> str:
    import numpy as np
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6.4, 3.2), layout="constrained")
    ax = fig.subplots()
    top = max(stats.max_score, 1.0)
    ax.hist(stats.scores, bins=np.linspace(0, top, min(11, int(top) + 2)), color="#3b528b", edgecolor="white")
    ax.axvline(stats.mean, color="#fde725", linestyle="--", linewidth=2, label=f"평균 {stats.mean:.2f}")
    ax.axvline(stats.median, color="#21918c", linestyle=":", linewidth=2, label=f"중앙값 {stats.median:.2f}")
    ax.set_xlabel(f"최종 점수 (만점 {stats.max_score:g}점)")
    ax.set_ylabel("학생 수")
    ax.set_title("점수 분포 (명단 전체, 미제출은 0점)")
    ax.legend()
    return _png(fig)


def _items_figure(stats: AssignmentStats) -> str:
    import numpy as np
    from matplotlib.figure import Figure

    fig = Figure(figsize=(7.5, 0.9 + 0.45 * len(stats.tests)), layout="constrained")
    ax = fig.subplots()
    y = np.arange(len(stats.tests))
    difficulty = [t.difficulty if t.difficulty is not None else 0.0 for t in stats.tests]
    discrimination = [t.discrimination if t.discrimination is not None else 0.0 for t in stats.tests]
    ax.barh(y - 0.2, difficulty, height=0.4, color="#21918c", label="난이도 (통과 비율)")
    ax.barh(y + 0.2, discrimination, height=0.4, color="#440154", label="변별도 (나머지 점수와의 상관)")
    ax.axvline(LOW_DISCRIMINATION, color="gray", linestyle=":", linewidth=1)
    ax.axvline(EASY, color="gray", linestyle="--", linewidth=1)
    ax.set_yticks(y)
    ax.set_yticklabels([_label(t.grade_id, 32) for t in stats.tests])
    ax.invert_yaxis()
    ax.set_xlim(-1, 1.05)
    ax.set_xlabel("값")
    ax.set_title("테스트별 난이도와 변별도")
    ax.legend(loc="lower left", fontsize=8)
    return _png(fig)


def _misconceptions_figure(stats: AssignmentStats) -> str:
    import numpy as np
    from matplotlib.figure import Figure

    shown = stats.misconceptions[:12]
    fig = Figure(figsize=(7.5, 0.9 + 0.4 * len(shown)), layout="constrained")
    ax = fig.subplots()
    y = np.arange(len(shown))
    ax.barh(y, [m.count for m in shown], color=["#5ec962" if not m.hidden else "#31688e" for m in shown])
    ax.set_yticks(y)
    ax.set_yticklabels([f"{i + 1}. " + _label(m.id, 34) for i, m in enumerate(shown)])   # 안정된 진단 id (문장은 아래 표)
    ax.invert_yaxis()
    ax.set_xlabel("학생 수")
    ax.set_title("오개념별 학생 수 (번호는 아래 표)")
    ax.xaxis.get_major_locator().set_params(integer=True)
    return _png(fig)


def _heatmap_figure(stats: AssignmentStats, submitted: list) -> str:
    import numpy as np
    from matplotlib.figure import Figure

    from ..plotting import CMAP, show_heatmap

    data = np.array([[line.tests.get(t.grade_id) or 0.0 for t in stats.tests] for line in submitted])
    fig = Figure(figsize=(min(1.8 + 0.7 * len(stats.tests), 7.5), min(1.6 + 0.32 * len(submitted), 30)),
                 layout="constrained")
    ax = fig.subplots()
    show_heatmap(data, ax=ax, title="학생 × 테스트 (받은 점수의 비율)", xlabel="테스트", ylabel="학생",
                 xticklabels=[_label(t.grade_id.removeprefix("test_"), 22) for t in stats.tests],
                 yticklabels=[_label(line.student, 20) for line in submitted], vmin=0, vmax=1, cmap=CMAP,
                 annotate=data.size <= 120, fmt=".1f", colorbar_label="비율")
    for tick in ax.get_xticklabels():
        tick.set_rotation(40)
        tick.set_horizontalalignment("right")
    return _png(fig)


# ---------------------------------------------------------------------------
# HTML
# ---------------------------------------------------------------------------

def render_html(report: ClassReport) -> str:
    """보고서를 한 장의 한국어 HTML로 (그림은 PNG data URI, 스크립트 없음, CSP)."""
    import jinja2

    from .feedback_page import CSP

    environment = jinja2.Environment(loader=jinja2.PackageLoader("ctxcourse.grading", "templates"),
                                     autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True,
                                     lstrip_blocks=True)
    environment.filters["clean"] = lambda value: strip_controls(value, keep_newlines=False)
    environment.filters["clean_lines"] = lambda value: strip_controls(value)   # 줄바꿈은 남김 (<pre> 안)
    environment.filters["code"] = lambda value: strip_controls(value).replace("\n", " ")   # 들여쓰기는 남김
    environment.filters["number"] = lambda value, digits=2: "—" if value is None else f"{value:.{digits}f}"
    pictures = {s.assignment: figures(s) for s in report.assignments}
    return environment.get_template("class_report.html.j2").render(
        report=report, figures=pictures, csp=CSP, easy=EASY, low=LOW_DISCRIMINATION)


def write_text(path: Path, text: str) -> Path:
    path = Path(path)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(path)
    return path
