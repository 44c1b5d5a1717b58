"""병렬·샌드박스·위조 불가 채점 엔진 (the parallel, sandboxed, tamper-proof autograder), nbgrader 위에 세운 것.

nbgrader의 ``Autograde`` 변환기를 그대로 쓰되, 학생 코드를 실행하는 유일한 단계인 ``Execute`` 전처리기를
:class:`ApplyGradingResults`로 바꿉니다. 한 제출물의 흐름:

1. (부모, 주 스레드) nbgrader ``Autograde.init_assignment``: 학생·제출 기록, 타임스탬프, 파일 복사,
   빠진 노트북 0점. 그리고 nbgrader의 정화(sanitize) 전처리기들(ClearOutput, DeduplicateIds, OverwriteKernelspec,
   OverwriteCells, CheckCellMetadata)로 ``autograded/``에 정화된 노트북을 씁니다. 제출된 노트북에서 바뀐 테스트
   셀과 수상한 코드를 찾아 둡니다.
2. (작업 스레드) 정화된 노트북을 bubblewrap 샌드박스에서 실행하며 테스트 셀마다 채점 함수 호출을 녹화합니다
   (:mod:`.sandbox`, :mod:`.runner`, :mod:`.recorder`). 그다음 학생 코드를 실행한 적이 없는 재현기 프로세스가
   성적부에 있는 강사의 테스트 셀 코드를 녹화된 기록에 대고 다시 실행해 판정합니다 (:mod:`.replay`).
3. (부모, 주 스레드) nbgrader의 채점 전처리기들(IgnorePattern, ClearMetadata, LimitOutput, SaveAutoGrades,
   AssignLatePenalties, CheckCellMetadata)을 돌립니다. 이때 ``Execute`` 자리의 :class:`ApplyGradingResults`가
   셀 출력을 샌드박스의 출력으로, 테스트 셀 출력을 재현기의 판정(한국어 메시지)으로 채우므로 nbgrader의
   ``SaveAutoGrades``가 성적부에 쓰는 점수는 재현기의 판정입니다. 마지막으로 상태 파일을 씁니다.

성적부에 쓰는 것은 부모의 주 스레드뿐이라 "database is locked"나 잃어버린 행이 없습니다. 작업 스레드는
실행만 합니다. 이미 채점했고 입력이 그대로인 제출물은 건너뜁니다 (``force``로 다시 채점).
"""

from __future__ import annotations

import sys

sys.modules.setdefault("rfc3987_syntax", None)

import concurrent.futures as futures  # noqa: E402
import contextlib  # noqa: E402
import fcntl  # noqa: E402
import hashlib  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import re  # noqa: E402
import shutil  # noqa: E402
import signal  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
from collections import deque  # noqa: E402
from dataclasses import asdict, dataclass, field  # noqa: E402
from datetime import datetime, timezone  # noqa: E402
from pathlib import Path  # noqa: E402

import nbformat  # noqa: E402
from nbgrader import utils as nbutils  # noqa: E402
from nbgrader.api import MissingEntry  # noqa: E402
from nbgrader.converters import Autograde  # noqa: E402
from nbgrader.converters.base import BaseConverter  # noqa: E402
from nbgrader.preprocessors import Execute, NbGraderPreprocessor, OverwriteCells  # noqa: E402
from traitlets.config import Config  # noqa: E402

from . import releases, safecopy, scan  # noqa: E402
from .conversation import Conversation  # noqa: E402
from .course import Course, CourseError  # noqa: E402
from .replay import STOP_REASONS, ReplayWorker  # noqa: E402
from .sandbox import Limits, Sandbox  # noqa: E402

ENGINE_VERSION = "ctxgrade-1"
MAX_NOTEBOOK_BYTES = 20 * 1024 * 1024


# ---------------------------------------------------------------------------
# data
# ---------------------------------------------------------------------------

@dataclass
class TestCell:
    grade_id: str
    source: str
    points: float
    function: str | None


@dataclass
class NotebookInfo:
    name: str
    tests: list[TestCell]
    graded: list[str]
    release_sources: dict[str, str]   # 테스트 grade_id → 학생이 받은 코드 (숨은 테스트를 뺀 것)
    points: dict[str, float]          # 모든 채점 셀 grade_id → 배점
    earlier_sources: dict = field(default_factory=dict)   # grade_id → 예전 배포본의 코드 해시들
    earlier_points: dict = field(default_factory=dict)    # grade_id → 예전 배포본의 배점들


@dataclass
class AssignmentInfo:
    name: str
    notebooks: dict[str, NotebookInfo]
    signature: str

    @property
    def max_score(self) -> float:
        return sum(sum(nb.points.values()) for nb in self.notebooks.values())


@dataclass
class TestResult:
    grade_id: str
    function: str | None
    score: float
    max_score: float
    passed: bool
    kernel_passed: bool | None
    message: str
    kernel_message: str = ""


@dataclass
class SubmissionReport:
    """제출물 하나의 채점 기록 (상태 파일과 요약에 쓰입니다)."""

    assignment: str
    student: str
    status: str = "graded"           # graded, skipped, no_notebook, unreadable, error
    score: float = 0.0
    max_score: float = 0.0
    reasons: list[str] = field(default_factory=list)
    flags: list[dict] = field(default_factory=list)
    tests: dict[str, dict] = field(default_factory=dict)
    fingerprint: str = ""
    graded_at: str = ""
    seconds: float = 0.0
    engine: str = ENGINE_VERSION
    sandbox: bool = True
    timing: dict = field(default_factory=dict)   # 단계별 시간(초): prepare, sandbox, kernel_start, cells, replay, finish
    events: list = field(default_factory=list)   # 샌드박스 실행기가 알린 사건 (진단용; 커널 로그 끝부분 포함)

    def flag(self, kind: str, detail: str) -> None:
        entry = {"kind": kind, "detail": detail[:500]}
        if entry not in self.flags:
            self.flags.append(entry)


FLAG_TITLES = {
    "verdict_mismatch": "커널 안의 판정과 재현 판정이 다름",
    "test_cell_changed": "테스트 셀을 바꾸거나 지움",
    "suspicious_code": "수상한 코드",
    "records_tampered": "채점 기록 위조·손상",
    "recorder_blocked": "채점 기록을 막음",
    "subprocess": "하위 프로세스·포크 폭탄",
    "sandbox": "샌드박스 이상",
}


# ---------------------------------------------------------------------------
# nbgrader: the Autograde converter with Execute replaced
# ---------------------------------------------------------------------------

class ApplyGradingResults(NbGraderPreprocessor):
    """``Execute`` 자리에 들어가는 전처리기: 샌드박스의 셀 출력과 재현기의 테스트 판정을 노트북에 넣습니다.

    테스트 셀의 출력은 재현기의 출력으로 바뀌므로(통과: 오류 없음, 실패: 한국어 메시지를 담은 오류),
    뒤따르는 nbgrader ``SaveAutoGrades``가 이 판정을 성적부에 씁니다.
    """

    def preprocess(self, nb, resources):
        grading = resources.get("ctxgrade")
        if grading is None:
            raise RuntimeError("채점 결과가 없습니다 (ApplyGradingResults는 course autograde 안에서만 씁니다)")
        cells = grading["cells"]
        tests = grading["tests"]
        for index, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            meta = cell.metadata.get("nbgrader", {})
            grade_id = meta.get("grade_id")
            ran = cells.get(index)
            cell.outputs = [nbformat.from_dict(o) for o in ran["outputs"]] if ran else []
            cell.execution_count = ran.get("execution_count") if ran else None
            if nbutils.is_grade(cell) and not nbutils.is_solution(cell) and grade_id in tests:
                cell.outputs = [nbformat.from_dict(o) for o in tests[grade_id]]
        return nb, resources


class SandboxAutograde(Autograde):
    """nbgrader ``Autograde``: 같은 설정, 같은 정화·채점 전처리기 목록. 다만 ``Execute``는 샌드박스 실행 결과로 바뀝니다."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.grading_resources: dict | None = None

    def open(self) -> None:
        from nbconvert.writers import FilesWriter

        self.writer = FilesWriter(parent=self, config=self.config)
        self.exporter = self.exporter_class(parent=self, config=self.config)

    def _init_preprocessors(self) -> None:
        self.exporter._preprocessors = []
        if self._sanitizing:
            chosen = list(self.sanitize_preprocessors)
        else:
            chosen = [ApplyGradingResults if isinstance(pp, type) and issubclass(pp, Execute) else pp
                      for pp in self.autograde_preprocessors]
            if ApplyGradingResults not in chosen:
                raise CourseError("nbgrader 설정의 Autograde.autograde_preprocessors에 Execute가 없습니다. "
                                  "채점 엔진은 Execute 단계를 샌드박스 실행으로 바꿉니다; 설정을 확인하세요.")
        for pp in chosen:
            self.exporter.register_preprocessor(pp)

    def init_single_notebook_resources(self, notebook_filename: str) -> dict:
        resources = super().init_single_notebook_resources(notebook_filename)
        if not self._sanitizing and self.grading_resources is not None:
            resources["ctxgrade"] = self.grading_resources
        return resources

    def submitted_notebook(self, assignment: str, student: str, notebook: str) -> str:
        return os.path.join(self.coursedir.format_path(self.coursedir.submitted_directory, student, assignment),
                            f"{notebook}.ipynb")

    def autograded_notebook(self, assignment: str, student: str, notebook: str) -> str:
        return os.path.join(self.coursedir.format_path(self.coursedir.autograded_directory, student, assignment),
                            f"{notebook}.ipynb")

    def sanitize(self, assignment: str, student: str, notebook: str, add_missing_cells: bool = True) -> None:
        """nbgrader의 정화 단계. 지워진 테스트 셀은 성적부의 원본으로 되살립니다 (``add_missing_cells``)."""
        self._sanitizing = True
        self._init_preprocessors()
        for pp in self.exporter._preprocessors:
            if isinstance(pp, OverwriteCells):
                pp.add_missing_cells = add_missing_cells
        BaseConverter.convert_single_notebook(self, self.submitted_notebook(assignment, student, notebook))

    def finish(self, assignment: str, student: str, notebook: str, grading: dict) -> None:
        self._sanitizing = False
        self._init_preprocessors()
        self.grading_resources = grading
        try:
            with nbutils.setenv(NBGRADER_EXECUTION="autograde"):
                BaseConverter.convert_single_notebook(self, self.autograded_notebook(assignment, student, notebook))
        finally:
            self.grading_resources = None
            self._sanitizing = True


# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------

from .graded import defines_function, test_function  # noqa: E402  (함수와 클래스; 예전 이름 그대로)


STUDENT_ID = re.compile(r"[^\W_][\w.@-]{0,63}")


def student_id_problem(student: str) -> str | None:
    """학생 ID(= submitted/ 아래 폴더 이름)가 쓸 수 없는 것이면 그 이유 (한국어), 아니면 None.

    ID는 성적부, 표, CSV, 피드백 경로에 그대로 쓰이므로 글자나 숫자로 시작하고 글자·숫자·``. _ - @``로 된
    64자 이하여야 합니다 (쉼표, 줄바꿈, 대괄호, 공백, 제어 문자는 안 됩니다)."""
    if STUDENT_ID.fullmatch(student):
        return None
    return ("학생 ID(폴더 이름)를 쓸 수 없어 채점하지 않았습니다: 글자나 숫자로 시작하고 글자·숫자·. _ - @만 쓴 "
            "64자 이하여야 합니다. 폴더 이름을 학생의 계정 이름으로 바꾸고 다시 채점하세요.")


MAX_NOTEBOOK_CELLS = 3000


def notebook_problem(path: Path) -> str | None:
    """nbgrader에 넘기기 전에 값싸게 보는 노트북의 문제 (셀이 너무 많음, 같은 grade_id가 두 번). 없으면 None.
    JSON이 깨졌으면 None (정화 단계가 '읽을 수 없음'으로 보고합니다)."""
    try:
        nb = json.loads(safecopy.read_bytes(path, MAX_NOTEBOOK_BYTES))
    except (ValueError, safecopy.UnsafeSubmission):
        return None
    cells = nb.get("cells") if isinstance(nb, dict) else None
    if not isinstance(cells, list):
        return None
    if len(cells) > MAX_NOTEBOOK_CELLS:
        return f"셀이 너무 많습니다 ({len(cells):,}개, 한도 {MAX_NOTEBOOK_CELLS:,}개). 빈 셀을 지우고 다시 내게 하세요."
    seen, twice = set(), []
    for cell in cells:
        meta = cell.get("metadata") if isinstance(cell, dict) else None
        grading = meta.get("nbgrader") if isinstance(meta, dict) else None
        grade_id = grading.get("grade_id") if isinstance(grading, dict) else None
        if isinstance(grade_id, str):
            if grade_id in seen and grade_id not in twice:
                twice.append(grade_id)
            seen.add(grade_id)
    if twice:
        names = ", ".join(twice[:5])
        return (f"같은 셀이 두 번 있습니다 ({names}): 테스트 셀이나 답 셀을 복사해 붙여 넣은 것 같습니다. 복사한 셀을 지우고 "
                f"(원래 자리의 셀은 남기고) 다시 내게 하세요. 이대로는 어느 셀을 채점할지 정할 수 없어 0점입니다.")
    return None


def strip_hidden(source: str) -> str:
    lines, hidden = [], False
    for line in source.split("\n"):
        if "### BEGIN HIDDEN TESTS" in line:
            hidden = True
        elif "### END HIDDEN TESTS" in line:
            hidden = False
        elif not hidden:
            lines.append(line)
    return "\n".join(lines)


def _normal(source: str) -> str:
    return "\n".join(line.rstrip() for line in source.strip().splitlines())


def cell_score(outputs: list[dict], points: float) -> float:
    """nbgrader의 ``determine_grade``로 셀 출력의 점수를 냅니다 (같은 규칙: 오류나 stderr면 0)."""
    cell = nbformat.from_dict({"cell_type": "code", "source": "", "metadata": {"nbgrader": {
        "grade": True, "solution": False, "grade_id": "x", "points": points}}, "outputs": outputs,
        "execution_count": None})
    score, _ = nbutils.determine_grade(cell)
    return float(score or 0.0)


def error_message(outputs: list[dict]) -> str:
    for output in outputs:
        if output.get("output_type") == "error":
            return f"{output.get('ename', '')}: {output.get('evalue', '')}".strip(": ")
    for output in outputs:
        if output.get("output_type") == "stream" and output.get("name") == "stderr":
            return "표준 오류 출력: " + str(output.get("text", ""))[:300]
    return ""


ALLOWED_OUTPUTS = {"stream", "display_data", "execute_result", "error"}


def clean_outputs(outputs) -> list[dict]:
    """샌드박스에서 온 (믿을 수 없는) 출력 목록을 nbformat 규칙에 맞는 것만 남깁니다."""
    clean = []
    if not isinstance(outputs, list):
        return clean
    for output in outputs[:500]:
        if not isinstance(output, dict) or output.get("output_type") not in ALLOWED_OUTPUTS:
            continue
        kind = output["output_type"]
        if kind == "stream":
            if output.get("name") in ("stdout", "stderr") and isinstance(output.get("text"), str):
                clean.append({"output_type": "stream", "name": output["name"], "text": output["text"]})
        elif kind == "error":
            tb = output.get("traceback")
            if isinstance(output.get("ename"), str) and isinstance(output.get("evalue"), str) and isinstance(tb, list):
                clean.append({"output_type": "error", "ename": output["ename"], "evalue": output["evalue"],
                              "traceback": [str(line) for line in tb[:200]]})
        else:
            data = output.get("data")
            if not isinstance(data, dict):
                continue
            data = {str(k): v for k, v in data.items()
                    if isinstance(v, (str, dict, list)) and "/" in str(k)}
            item = {"output_type": kind, "data": data,
                    "metadata": output.get("metadata") if isinstance(output.get("metadata"), dict) else {}}
            if kind == "execute_result":
                count = output.get("execution_count")
                item["execution_count"] = count if isinstance(count, int) else None
            clean.append(item)
    def valid(items) -> bool:
        try:
            nbformat.validate(nbformat.from_dict({"cells": [{"id": "x", "cell_type": "code", "source": "", "metadata": {},
                                                              "execution_count": None, "outputs": items}],
                                                   "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
        except Exception:  # noqa: BLE001
            return False
        return True

    if not clean or valid(clean):   # 보통은 한 번에 통과합니다; 아니면 하나씩 걸러 냅니다
        return clean
    return [item for item in clean if valid([item])]


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


# ---------------------------------------------------------------------------
# the engine
# ---------------------------------------------------------------------------

@dataclass
class _Prepared:
    report: SubmissionReport
    info: AssignmentInfo
    jobs: list[dict]           # 노트북마다: name, tests {index: grade_id}, dir
    started: float
    kernel_outputs: dict = field(default_factory=dict)


class Progress:
    """엔진이 알리는 진행 상황 (명령줄은 rich로 보여 줍니다). 기본은 아무것도 하지 않습니다."""

    def start(self, total: int, skipped: int) -> None: ...

    def advance(self, report: SubmissionReport) -> None: ...

    def note(self, text: str) -> None: ...


class GradingEngine:
    """``course autograde``의 엔진."""

    def __init__(self, course: Course, *, jobs: int | None = None, sandbox: bool = True, force: bool = False,
                 limits: Limits | None = None, progress: Progress | None = None, keep_work: bool = False):
        self.course = course
        self.jobs = max(1, jobs or os.cpu_count() or 1)
        self.force = force
        self.limits = limits or Limits().with_cell_timeout(course.cell_timeout())
        self.sandbox = Sandbox(self.limits, enabled=sandbox)
        self.progress = progress or Progress()
        self.keep_work = keep_work
        self._local = threading.local()
        self._slots = iter(range(10_000))
        self._slot_lock = threading.Lock()
        self._workers: list[ReplayWorker] = []
        self._infos: dict[str, AssignmentInfo] = {}
        self.work_root: Path | None = None
        config = Config(course.config)
        self.converter = SandboxAutograde(coursedir=course.coursedir, config=config, log=course.log)
        self.converter.open()

    # -- gradebook information ------------------------------------------------------------------
    def assignment_info(self, name: str) -> AssignmentInfo:
        if name in self._infos:
            return self._infos[name]
        with self.course.gradebook() as gb:
            try:
                assignment = gb.find_assignment(name)
            except MissingEntry:
                raise CourseError(f"과제 '{name}'가 성적부(gradebook.db)에 없습니다. 먼저 'course release {name}'를 "
                                  f"실행하세요. (run 'course release {name}' first)") from None
            notebooks = {}
            digest = hashlib.sha256(ENGINE_VERSION.encode())
            for notebook in sorted(assignment.notebooks, key=lambda n: n.name):
                sources = {cell.name: cell for cell in notebook.source_cells}
                solutions = {cell.name for cell in notebook.solution_cells}
                graded = [name for name in sorted(solutions)
                          if name in sources and defines_function(sources[name].source, name)]
                tests, points, release = [], {}, {}
                for cell in notebook.grade_cells:
                    points[cell.name] = float(cell.max_score)
                    if cell.cell_type == "code" and cell.name not in solutions and cell.name in sources:
                        source = sources[cell.name].source
                        tests.append(TestCell(cell.name, source, float(cell.max_score), test_function(cell.name, graded)))
                        release[cell.name] = strip_hidden(source)
                for cell in sorted(notebook.source_cells, key=lambda c: c.name):
                    digest.update(f"{notebook.name}|{cell.name}|{cell.checksum}|".encode())
                for name, value in sorted(points.items()):
                    digest.update(f"{name}={value}|".encode())
                earlier_sources, earlier_points = releases.earlier(self.course, assignment.name, notebook.name)
                notebooks[notebook.name] = NotebookInfo(notebook.name, tests, graded, release, points,
                                                        earlier_sources, earlier_points)
        digest.update(f"timeout={self.limits.cell_timeout}|sandbox={self.sandbox.enabled}".encode())
        info = AssignmentInfo(name, notebooks, digest.hexdigest())
        if not notebooks:
            raise CourseError(f"과제 '{name}'에 노트북이 없습니다. 'course release {name}'를 다시 실행하세요.")
        self._infos[name] = info
        return info

    # -- finding submissions --------------------------------------------------------------------
    def submissions(self, assignments: list[str], student: str | None = None) -> list[tuple[str, str]]:
        found = []
        submitted = self.course.root / self.course.coursedir.submitted_directory
        for assignment in assignments:
            if not submitted.is_dir():
                break
            for student_dir in sorted(p for p in submitted.iterdir() if p.is_dir() and not p.name.startswith(".")):
                if student is not None and student_dir.name != student:
                    continue
                if (student_dir / assignment).is_dir():
                    found.append((assignment, student_dir.name))
        return found

    def fingerprint(self, assignment: str, student: str) -> str:
        info = self.assignment_info(assignment)
        digest = hashlib.sha256(info.signature.encode())
        folder = Path(self.course.coursedir.format_path(self.course.coursedir.submitted_directory, student, assignment))
        inspection = safecopy.inspect_tree(folder)
        digest.update(f"{folder.parent.is_symlink()}|".encode() + "|".join(inspection.problems).encode())
        if inspection.ok:
            for relative in inspection.files:
                digest.update(relative.encode() + b"\0")
                try:
                    digest.update(safecopy.read_bytes(folder / relative))
                except safecopy.UnsafeSubmission as error:
                    digest.update(str(error).encode())
        return digest.hexdigest()

    def state_path(self, assignment: str, student: str) -> Path:
        return self.course.state_dir / "grading" / assignment / f"{student}.json"

    def load_state(self, assignment: str, student: str) -> dict | None:
        try:
            return json.loads(self.state_path(assignment, student).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def _up_to_date(self, assignment: str, student: str) -> SubmissionReport | None:
        state = self.load_state(assignment, student)
        if not state or state.get("engine") != ENGINE_VERSION:
            return None
        if state.get("fingerprint") != self.fingerprint(assignment, student):
            return None
        info = self.assignment_info(assignment)
        if state.get("status") == "graded":
            for name in info.notebooks:
                if not os.path.exists(self.converter.autograded_notebook(assignment, student, name)):
                    return None
        with self.course.gradebook() as gb:
            try:
                gb.find_submission(assignment, student)
            except MissingEntry:
                return None
        known = {f.name for f in SubmissionReport.__dataclass_fields__.values()}
        report = SubmissionReport(**{k: v for k, v in state.items() if k in known})
        report.status = "skipped"
        return report

    # -- main loop ------------------------------------------------------------------------------
    def grade(self, assignments: list[str], student: str | None = None) -> list[SubmissionReport]:
        """과제들의 제출물을 채점하고 제출물마다 :class:`SubmissionReport`를 돌려줍니다.

        같은 강좌에서 두 채점이 동시에 돌지 않도록 ``.course_state/grading.lock``을 잡습니다."""
        self.course.state_dir.mkdir(parents=True, exist_ok=True)
        with open(self.course.state_dir / "grading.lock", "w") as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                raise CourseError("이 강좌에서 다른 'course autograde'가 이미 실행 중입니다. 그것이 끝난 뒤에 다시 "
                                  "실행하세요. (another autograde is running in this course)") from None
            return self._grade(assignments, student)

    def _grade(self, assignments: list[str], student: str | None) -> list[SubmissionReport]:
        for name in assignments:
            self.assignment_info(name)
        pairs = self.submissions(assignments, student)
        if not pairs:
            where = f"submitted/{student or '<학생>'}/{'|'.join(assignments)}/"
            raise CourseError(f"채점할 제출물이 없습니다: {where} 폴더가 없습니다. 학생 제출물을 "
                              f"submitted/<학생 ID>/<과제>/<과제>.ipynb 에 모으세요. (no submissions found)")
        reports: list[SubmissionReport] = []
        todo = []
        for assignment, who in pairs:
            problem = student_id_problem(who)
            if problem:
                report = SubmissionReport(assignment, who, status="invalid_id", sandbox=self.sandbox.enabled)
                report.reasons.append(problem)
                reports.append(report)
                continue
            skip = None if (self.force or student is not None) else self._up_to_date(assignment, who)
            if skip is not None:
                reports.append(skip)
            else:
                todo.append((assignment, who))
        self.progress.start(len(todo), sum(r.status == "skipped" for r in reports))
        if not todo:
            return reports
        self.progress.note(self.sandbox.check())
        self.work_root = Path(tempfile.mkdtemp(prefix="ctxgrade-"))
        os.chmod(self.work_root, 0o711)
        if self.sandbox.enabled:
            self.sandbox.warm_matplotlib_cache(self.course.state_dir / "mplcache")
        pending = deque(todo)
        inflight: dict[futures.Future, _Prepared] = {}
        pool = futures.ThreadPoolExecutor(max_workers=self.jobs, thread_name_prefix="ctxgrade")
        # Ctrl-C는 깃발만 세우고, 주 루프가 안전한 자리에서 KeyboardInterrupt를 냅니다 (GC 콜백이나 nbgrader 안에서
        # 난 KeyboardInterrupt는 삼켜지거나 성적부를 반쯤 쓴 채로 남길 수 있습니다).
        interrupted = threading.Event()
        previous = None
        if threading.current_thread() is threading.main_thread():
            previous = signal.signal(signal.SIGINT, lambda signum, frame: interrupted.set())
        try:
            while pending or inflight:
                if interrupted.is_set():
                    raise KeyboardInterrupt
                while pending and len(inflight) < self.jobs * 2 and not interrupted.is_set():
                    assignment, who = pending.popleft()
                    try:
                        with self._discard_on_interrupt(assignment, who):
                            prepared = self._prepare(assignment, who)
                            if not prepared.jobs:
                                reports.append(self._finish(prepared, {}))
                                continue
                    except Exception as error:  # noqa: BLE001  (제출물 하나의 문제가 반 전체를 멈추지 않도록)
                        reports.append(self._failed(assignment, who, "준비", error))
                        continue
                    inflight[pool.submit(self._execute, prepared)] = prepared
                if not inflight:
                    continue
                done, _ = futures.wait(list(inflight), timeout=0.5, return_when=futures.FIRST_COMPLETED)
                for future in done:
                    prepared = inflight[future]
                    try:
                        outcomes = future.result()
                    except Exception as error:  # noqa: BLE001
                        outcomes = {"__error__": f"{type(error).__name__}: {error}"}
                    try:
                        with self._discard_on_interrupt(prepared.report.assignment, prepared.report.student):
                            reports.append(self._finish(prepared, outcomes))
                    except Exception as error:  # noqa: BLE001
                        reports.append(self._failed(prepared.report.assignment, prepared.report.student, "마무리", error))
                    del inflight[future]
        except BaseException:
            for future in inflight:
                future.cancel()
            self.sandbox.kill_all()
            for prepared in inflight.values():
                self._discard(prepared.report.assignment, prepared.report.student)
            raise
        finally:
            if previous is not None:
                signal.signal(signal.SIGINT, previous)
            pool.shutdown(wait=True, cancel_futures=True)
            for worker in self._workers:
                worker.close()
            if not self.keep_work:
                shutil.rmtree(self.work_root, ignore_errors=True)
        return reports

    def _discard(self, assignment: str, student: str) -> None:
        """끝내지 못한 제출물의 반쯤 쓴 결과를 지웁니다 (다음에 다시 채점)."""
        dest = self.course.coursedir.format_path(self.course.coursedir.autograded_directory, student, assignment)
        if os.path.exists(dest):
            nbutils.rmtree(dest)
        try:
            os.rmdir(os.path.dirname(dest))  # 비어 있을 때만 지워집니다
        except OSError:
            pass
        try:
            self.state_path(assignment, student).unlink()
        except OSError:
            pass

    def _failed(self, assignment: str, student: str, step: str, error: Exception) -> SubmissionReport:
        """예상하지 못한 오류: 기록을 남기고 (상태 파일은 쓰지 않아 다음 실행에서 다시 시도) 다음 제출물로 갑니다."""
        import traceback

        self.course.log.error("%s/%s %s 중 오류:\n%s", student, assignment, step, traceback.format_exc())
        report = SubmissionReport(assignment, student, status="error", sandbox=self.sandbox.enabled)
        report.reasons.append(f"{step} 중 예상하지 못한 오류: {type(error).__name__}: {str(error)[:300]}. "
                              f"자세한 기록: {self.course.state_dir / 'logs' / 'nbgrader.log'}. 다시 실행하면 이 제출물을 "
                              f"다시 채점합니다.")
        try:
            report.score, report.max_score = self._gradebook_score(assignment, student, self.assignment_info(assignment))
        except Exception:  # noqa: BLE001
            pass
        self.progress.advance(report)
        return report

    @contextlib.contextmanager
    def _discard_on_interrupt(self, assignment: str, student: str):
        """준비나 마무리 도중에 멈추면(Ctrl-C) 그 제출물의 반쯤 쓴 결과를 지웁니다."""
        try:
            yield
        except BaseException:
            self._discard(assignment, student)
            raise

    # -- step 1: prepare (main thread, gradebook writes via nbgrader) ---------------------------
    def _prepare(self, assignment: str, student: str) -> _Prepared:
        info = self.assignment_info(assignment)
        report = SubmissionReport(assignment, student, max_score=info.max_score, sandbox=self.sandbox.enabled)
        report.fingerprint = self.fingerprint(assignment, student)
        prepared = _Prepared(report, info, [], time.monotonic())
        coursedir, conv = self.course.coursedir, self.converter
        coursedir.assignment_id, coursedir.student_id = assignment, student
        dest = coursedir.format_path(coursedir.autograded_directory, student, assignment)
        if os.path.exists(dest):
            nbutils.rmtree(dest)
        try:
            self.state_path(assignment, student).unlink()
        except OSError:
            pass
        folder = Path(coursedir.format_path(coursedir.submitted_directory, student, assignment))
        inspection = safecopy.inspect_tree(folder)
        student_dir = self.course.root / coursedir.submitted_directory / student
        if student_dir.is_symlink():
            inspection.problems.insert(0, "학생 폴더가 심볼릭 링크입니다. 링크는 낼 수 없습니다.")
        if not inspection.ok:
            report.reasons.extend(inspection.problems[:5])
            report.reasons.append("이 제출물은 링크나 특수 파일이 있어(또는 너무 커서) 채점하지 않고 0점으로 기록합니다. "
                                  "학생에게 노트북 파일 자체를 다시 내게 하세요.")
            report.status = "refused"
            conv.notebooks = []
            self._register(assignment, student, conv, timestamp=False)
            return prepared
        present, problems = [], []
        for name in info.notebooks:
            path = folder / f"{name}.ipynb"
            if not path.is_file():
                others = sorted(p.name for p in folder.glob("*.ipynb"))
                hint = (f" 제출된 노트북: {', '.join(others)}. 파일 이름을 {name}.ipynb로 바꿔 다시 내게 하세요."
                        if others else " 학생에게 노트북을 다시 내게 하세요.")
                problems.append(f"{name}.ipynb가 제출 폴더에 없습니다.{hint}")
                continue
            if path.stat().st_size == 0:
                problems.append(f"{name}.ipynb가 빈 파일입니다 (0바이트). 학생에게 저장한 노트북을 다시 내게 하세요.")
                continue
            if path.stat().st_size > MAX_NOTEBOOK_BYTES:
                problems.append(f"{name}.ipynb가 너무 큽니다 ({path.stat().st_size // 1024 // 1024}MB). 출력을 지우고 다시 내게 하세요.")
                continue
            problem = notebook_problem(path)
            if problem:
                problems.append(f"{name}.ipynb: {problem}")
                continue
            present.append(name)
        report.reasons.extend(problems)
        conv.notebooks = [conv.submitted_notebook(assignment, student, name) for name in present]
        conv.run_pre_convert_hook()
        self._register(assignment, student, conv)
        for name in present:
            submitted = conv.submitted_notebook(assignment, student, name)
            self._inspect_submission(report, info.notebooks[name], submitted)
            try:
                self._sanitize(assignment, student, name)
                sanitized = nbformat.read(conv.autograded_notebook(assignment, student, name), as_version=4)
            except Exception as error:  # noqa: BLE001
                report.reasons.append(f"{name}.ipynb를 읽거나 정리할 수 없습니다 ({type(error).__name__}: "
                                      f"{str(error)[:200]}). 노트북 파일이 깨졌습니다; 학생에게 다시 내게 하세요.")
                report.status = "unreadable"
                target = conv.autograded_notebook(assignment, student, name)
                if os.path.exists(target):
                    os.remove(target)
                continue
            tests = {}
            for index, cell in enumerate(sanitized.cells):
                meta = cell.get("metadata", {}).get("nbgrader", {})
                if (cell.cell_type == "code" and nbutils.is_grade(cell) and not nbutils.is_solution(cell)
                        and meta.get("grade_id") in {t.grade_id for t in info.notebooks[name].tests}):
                    tests[index] = meta["grade_id"]
            prepared.jobs.append({"name": name, "tests": tests, "cells": len(sanitized.cells)})
        if not prepared.jobs and report.status == "graded":
            report.status = "no_notebook"
        report.timing["prepare"] = round(time.monotonic() - prepared.started, 3)
        return prepared

    def _register(self, assignment: str, student: str, conv: SandboxAutograde, *, timestamp: bool = True) -> None:
        """nbgrader의 init_assignment (학생·제출 기록, 파일 복사, 빠진 노트북 0점). 노트북이 하나도 없으면 직접.
        ``timestamp=False``: 거절한 제출물의 파일은 (timestamp.txt도) 읽지 않습니다."""
        if conv.notebooks:
            conv.init_assignment(assignment, student)
            return
        coursedir = self.course.coursedir
        src = coursedir.format_path(coursedir.submitted_directory, student, assignment)
        timestamp = coursedir.get_existing_timestamp(src) if timestamp else None
        with self.course.gradebook() as gb:
            gb.update_or_create_student(student)
            if timestamp:
                gb.update_or_create_submission(assignment, student, timestamp=timestamp)
            else:
                gb.update_or_create_submission(assignment, student)
            for notebook in gb.find_assignment(assignment).notebooks:
                submission = gb.find_submission_notebook(notebook.name, assignment, student)
                for grade in submission.grades:
                    grade.auto_score = 0
                    grade.needs_manual_grade = False
            gb.db.commit()

    def _sanitize(self, assignment: str, student: str, name: str) -> None:
        try:
            self.converter.sanitize(assignment, student, name)
        except nbformat.reader.NotJSONError:
            raise
        except Exception:  # noqa: BLE001
            # nbgrader의 add_missing_cells는 지워진 셀 바로 앞의 nbgrader 셀도 지워졌으면 KeyError를 냅니다.
            # 그때는 되살리지 않고 정화합니다 (지워진 테스트는 실행되지 않아 0점).
            self.converter.sanitize(assignment, student, name, add_missing_cells=False)

    def _inspect_submission(self, report: SubmissionReport, info: NotebookInfo, path: str) -> None:
        """제출된 그대로의 노트북에서 바뀐·지워진 테스트 셀과 수상한 코드를 찾습니다 (점수에는 영향 없음)."""
        try:
            nb = nbformat.read(path, as_version=4)
        except Exception:  # noqa: BLE001  (읽을 수 없는 파일은 정화 단계에서 보고합니다)
            return
        seen = set()
        student_cells: list[tuple[int, str]] = []
        for index, cell in enumerate(nb.cells):
            meta = cell.get("metadata", {}).get("nbgrader", {}) if isinstance(cell.get("metadata"), dict) else {}
            grade_id = meta.get("grade_id") if isinstance(meta, dict) else None
            if grade_id in info.release_sources:
                seen.add(grade_id)
                submitted = str(cell.get("source", ""))
                if _normal(submitted) != _normal(info.release_sources[grade_id]):
                    if releases.digest(submitted) in info.earlier_sources.get(grade_id, ()):
                        report.reasons.append(f"강사가 바꾼 테스트: {grade_id} (학생은 예전 배포본을 받았습니다; 지금 버전으로 채점)")
                    else:
                        report.flag("test_cell_changed", f"{grade_id}: 테스트 셀의 코드가 바뀌었습니다 (원본으로 되돌려 채점)")
                try:
                    points = float(meta.get("points")) if meta.get("points") is not None else None
                except (TypeError, ValueError):
                    points = -1.0
                if points is not None and points != info.points.get(grade_id):
                    if points in info.earlier_points.get(grade_id, ()):
                        report.reasons.append(f"강사가 바꾼 배점: {grade_id} (예전 배포본의 배점 {points:g}; 지금 배점으로 채점)")
                    else:
                        report.flag("test_cell_changed", f"{grade_id}: 배점이 바뀌었습니다 (원래 배점으로 채점)")
                continue
            if cell.get("cell_type") == "code":
                student_cells.append((index, str(cell.get("source", ""))))
        hits = scan.scan_cells([source for _, source in student_cells])
        for position, hit in hits:
            report.flag("suspicious_code", f"셀 {student_cells[position][0]}: {hit}")
        for grade_id in info.release_sources:
            if grade_id not in seen:
                report.flag("test_cell_changed", f"{grade_id}: 테스트 셀이 지워졌거나 메타데이터가 없습니다 (원본을 다시 넣어 채점)")

    # -- step 2: execute (worker threads; no gradebook access) ---------------------------------
    def _thread_state(self):
        if not hasattr(self._local, "slot"):
            with self._slot_lock:
                self._local.slot = next(self._slots)
            self._local.replay = None
        return self._local

    def _replay_worker(self, state) -> ReplayWorker:
        if state.replay is None:
            runner = [self.sandbox.python, "-I", "-m", "ctxcourse.grading.replay", "--serve"]
            if self.sandbox.enabled:
                if self.sandbox.root_mode:
                    runner += ["--uid", str(self.sandbox.uid_for(5000 + state.slot))]

                def spawn(**popen):
                    return self.sandbox.spawn(None, runner, **popen)
            else:
                environment = {**os.environ, "MPLBACKEND": "Agg"}

                def spawn(**popen):
                    return subprocess.Popen(runner, env=environment, start_new_session=True, **popen)
            state.replay = ReplayWorker(spawn)
            with self._slot_lock:
                self._workers.append(state.replay)
        return state.replay

    def _execute(self, prepared: _Prepared) -> dict:
        state = self._thread_state()
        report = prepared.report
        outcomes = {}
        for job in prepared.jobs:
            name = job["name"]
            notebook_info = prepared.info.notebooks[name]
            job_dir = self.work_root / f"{report.assignment}-{report.student}-{name}-{state.slot}-{time.monotonic_ns()}"
            files = job_dir / "files"
            source = Path(self.converter.autograded_notebook(report.assignment, report.student, name)).parent
            safecopy.copy_tree(source, files)
            os.chmod(job_dir, 0o700)
            worker = self._replay_worker(state)
            conversation = Conversation(
                worker, dict(job["tests"]), {t.grade_id: t.source for t in notebook_info.tests}, notebook_info.graded,
                call_timeout=self.limits.cell_timeout + self.limits.grace + 30,
                test_timeout=self.limits.wall_timeout)
            run = self.sandbox.run(job_dir, {
                "notebook_name": f"{name}.ipynb", "tests": {str(k): v for k, v in job["tests"].items()},
                "graded": notebook_info.graded, "kernel_name": "python3"}, state.slot,
                conversation=conversation)
            conversation.join()
            outcome = self._digest_run(run, job, notebook_info)
            replay_started = time.monotonic()
            outcome["replay"] = self._replay_rest(worker, conversation, notebook_info, outcome)
            outcome["replay_seconds"] = time.monotonic() - replay_started
            outcomes[name] = outcome
            if not self.keep_work:
                shutil.rmtree(job_dir, ignore_errors=True)
        return outcomes

    @staticmethod
    def _replay_rest(worker, conversation, info: NotebookInfo, outcome: dict) -> dict:
        """대화에서 답한 테스트의 판정에, 실행되지 못한 테스트(앞에서 커널이 죽음 등)의 판정을 더합니다.
        후자는 기록 없이 재현기를 돌려 한국어 이유를 얻습니다."""
        rest = [{"grade_id": t.grade_id, "source": t.source} for t in info.tests if t.grade_id not in conversation.results]
        answer = {"tests": {}, "notes": []}
        if rest:
            answer = worker.run({"tests": rest, "graded": info.graded, "records": {}, "status": outcome["test_status"],
                                 "stopped": outcome["stopped"] or "not_run", "recorder_failed": outcome["recorder_failed"]})
        merged = {"tests": {**(answer.get("tests") or {}), **conversation.results},
                  "notes": list(conversation.notes) + list(answer.get("notes") or [])}
        errors = conversation.errors + ([answer["error"]] if answer.get("error") else [])
        if errors:
            merged["error"] = "; ".join(errors)[:1000]
        return merged

    def _digest_run(self, run, job: dict, info: NotebookInfo) -> dict:
        """실행기의 (믿을 수 없는) 출력 줄들을 정리합니다."""
        cells, events = {}, []
        kernel_start = None
        test_status: dict[str, str] = {}
        recorder_failed: list[str] = []
        done = fatal = None
        declared = None
        for line in run.lines:
            kind = line.get("type")
            if kind == "cell" and isinstance(line.get("index"), int) and 0 <= line["index"] < job["cells"]:
                index = line["index"]
                status = str(line.get("status", ""))[:40]
                cells[index] = {"outputs": clean_outputs(line.get("outputs")), "status": status,
                                "execution_count": line.get("execution_count")
                                if isinstance(line.get("execution_count"), int) else None,
                                "truncated": bool(line.get("truncated"))}
                if index in job["tests"]:
                    test_status[job["tests"][index]] = status
            elif kind == "event":
                events.append({k: (str(v)[:3000] if isinstance(v, str) else v) for k, v in line.items()})
                if line.get("kind") == "recorder_failed" and isinstance(line.get("test"), str):
                    recorder_failed.append(line["test"])
            elif kind == "start":
                declared = line.get("cells")
            elif kind == "kernel_ready" and isinstance(line.get("elapsed"), (int, float)):
                kernel_start = float(line["elapsed"])
            elif kind == "done":
                done = line
            elif kind == "fatal":
                fatal = str(line.get("detail", ""))[:2000]
        stopped = done.get("stopped") if isinstance(done, dict) else None
        if stopped not in STOP_REASONS:
            stopped = None
        if run.wall_timeout:
            stopped = "wall_timeout"
        elif run.overflow:
            stopped = "overflow"
        elif done is None:
            stopped = stopped or "sandbox_error"
        for index, grade_id in job["tests"].items():
            if grade_id not in test_status:
                test_status[grade_id] = "not_run"
        return {"cells": cells, "events": events, "test_status": test_status,
                "recorder_failed": recorder_failed, "stopped": stopped, "fatal": fatal, "declared": declared,
                "returncode": run.returncode, "stderr": run.stderr[-2000:], "bad_lines": run.bad_lines,
                "elapsed": run.elapsed, "tests": job["tests"], "expected_cells": job["cells"],
                "kernel_start": kernel_start}

    # -- step 3: finish (main thread, gradebook writes via nbgrader) ----------------------------
    def _finish(self, prepared: _Prepared, outcomes: dict) -> SubmissionReport:
        report = prepared.report
        assignment, student = report.assignment, report.student
        coursedir, conv = self.course.coursedir, self.converter
        coursedir.assignment_id, coursedir.student_id = assignment, student
        if "__error__" in outcomes:
            report.reasons.append(f"채점 중 내부 오류: {outcomes['__error__']}")
            report.status = "error"
            outcomes = {}
        finish_started = time.monotonic()
        graded_names = {job["name"] for job in prepared.jobs}
        for name in prepared.info.notebooks:
            if name not in graded_names:   # 빠졌거나, 비었거나, 너무 크거나, 읽을 수 없는 노트북: 0점 (수동 채점 대기 아님)
                self._zero_notebook(assignment, student, name)
        for job in prepared.jobs:
            name = job["name"]
            info = prepared.info.notebooks[name]
            outcome = outcomes.get(name)
            if outcome is None:
                self._zero_notebook(assignment, student, name)
                target = conv.autograded_notebook(assignment, student, name)
                if os.path.exists(target):
                    os.remove(target)
                continue
            self._explain(report, outcome)
            for key, value in (("sandbox", outcome["elapsed"]), ("kernel_start", outcome.get("kernel_start")),
                               ("replay", outcome.get("replay_seconds"))):
                if isinstance(value, (int, float)):
                    report.timing[key] = round(report.timing.get(key, 0.0) + value, 3)
            replay = outcome["replay"]
            if replay.get("error"):
                report.reasons.append(f"채점 재현기 오류: {replay['error']}. 이 노트북의 테스트는 0점입니다.")
                report.status = "error"
            replay_tests = replay.get("tests") or {}
            test_outputs = {}
            for test in info.tests:
                outputs = replay_tests.get(test.grade_id, {}).get("outputs")
                if not isinstance(outputs, list):
                    outputs = [{"output_type": "error", "ename": "GradingError",
                                "evalue": "채점 재현기가 이 테스트의 결과를 내지 못했습니다.", "traceback": []}]
                test_outputs[test.grade_id] = clean_outputs(outputs) or (
                    [] if outputs == [] else [{"output_type": "error", "ename": "GradingError",
                                               "evalue": "채점 결과의 형식이 잘못되었습니다.", "traceback": []}])
            for note in replay.get("notes") or []:
                report.flag("records_tampered", str(note))
            grading = {"cells": outcome["cells"], "tests": test_outputs}
            try:
                conv.finish(assignment, student, name, grading)
            except Exception as error:  # noqa: BLE001
                report.reasons.append(f"nbgrader 채점 단계 오류: {type(error).__name__}: {str(error)[:300]}")
                report.status = "error"
                self._zero_notebook(assignment, student, name)
                continue
            self._zero_missing_tests(assignment, student, name, info, job)
            kernel_cells = {job["tests"][i]: c for i, c in outcome["cells"].items() if i in job["tests"]}
            for test in info.tests:
                outputs = test_outputs[test.grade_id]
                score = cell_score(outputs, test.points) if test.grade_id in job["tests"].values() else 0.0
                kernel = kernel_cells.get(test.grade_id)
                kernel_passed, kernel_message = None, ""
                if kernel is not None and kernel["status"] not in ("not_run", "", "served"):   # served: 커널은 판정하지 않음
                    kernel_passed = cell_score(kernel["outputs"], test.points) >= test.points
                    kernel_message = error_message(kernel["outputs"])[:500]
                passed = score >= test.points
                if kernel_passed is True and not passed:
                    report.flag("verdict_mismatch", f"{test.grade_id}: 커널 안에서는 통과로 보였지만 재현 판정은 실패")
                elif kernel_passed is False and passed:
                    report.flag("verdict_mismatch", f"{test.grade_id}: 커널 안에서는 실패로 보였지만 재현 판정은 통과")
                report.tests[test.grade_id] = asdict(TestResult(
                    test.grade_id, test.function, score, test.points, passed, kernel_passed,
                    "" if passed else error_message(outputs), kernel_message))
        try:
            conv.set_permissions(assignment, student)
        except OSError:
            pass
        conv.run_post_convert_hook()
        report.score, report.max_score = self._gradebook_score(assignment, student, prepared.info)
        report.graded_at = _now()
        report.timing["finish"] = round(time.monotonic() - finish_started, 3)
        report.seconds = round(time.monotonic() - prepared.started, 2)
        self._write_state(report)
        self.progress.advance(report)
        return report

    def _explain(self, report: SubmissionReport, outcome: dict) -> None:
        """실행 중에 일어난 일을 강사가 읽을 한국어 이유와 표시로 바꿉니다."""
        report.events.extend({k: (v[-1500:] if isinstance(v, str) else v) for k, v in event.items()}
                             for event in outcome["events"][:50])
        order = sorted(outcome["cells"].items())
        for index, cell in order:
            if cell["status"] == "timeout":
                report.reasons.append(f"셀 {index}이 시간 제한({self.limits.cell_timeout}초)을 넘겨 중단했습니다 (무한 루프?).")
            elif cell["status"] == "output_limit" or cell["truncated"]:
                report.reasons.append(f"셀 {index}의 출력이 너무 많아 잘랐습니다.")
        for event in outcome["events"]:
            kind = event.get("kind")
            where = f"셀 {event.get('index')}" if event.get("index") is not None else ""
            if kind == "kernel_died":
                detail = f" ({event.get('detail')})" if event.get("detail") else ""
                report.reasons.append(f"{where}에서 커널이 죽었습니다{detail}. 그 뒤의 테스트는 실행되지 않아 0점입니다.")
            elif kind == "unresponsive":
                report.reasons.append(f"{where}이 시간 제한을 넘기고 중단 신호에도 멈추지 않아 커널을 끝냈습니다. "
                                      f"그 뒤의 테스트는 0점입니다.")
            elif kind == "fork_bomb":
                report.reasons.append(f"{where}에서 프로세스를 끝없이 만들어(포크 폭탄) 커널을 끝냈습니다.")
                report.flag("subprocess", f"{where}: 포크 폭탄")
            elif kind == "strays_killed":
                report.flag("subprocess", f"하위 프로세스 {event.get('count')}개를 끝냈습니다 (채점 중에는 하위 프로세스를 쓸 수 없습니다)")
            elif kind == "recorder_failed":
                report.flag("recorder_blocked", f"{event.get('test')}: 테스트 셀 {event.get('detail')} 단계에서 채점 기록기가 실패했습니다 "
                                                "(입력 변환기·import 가로채기 등)")
            elif kind == "client_error":
                report.reasons.append(f"{where}: 실행기 오류 {event.get('detail')}")
        stopped = outcome["stopped"]
        if stopped == "wall_timeout":
            report.reasons.append(f"제출물 전체의 실행 시간 제한({self.limits.wall_timeout}초)을 넘겨 실행을 끝냈습니다.")
        elif stopped == "overflow":
            report.reasons.append("노트북 실행 결과가 너무 커서(출력 한도) 실행을 끝냈습니다.")
        elif stopped == "sandbox_error":
            detail = outcome["fatal"] or outcome["stderr"].strip().splitlines()[-1:] or [f"exit {outcome['returncode']}"]
            detail = detail if isinstance(detail, str) else detail[0]
            report.reasons.append(f"채점 샌드박스가 비정상 종료했습니다 ({str(detail)[:300]}). 실행되지 않은 테스트는 0점입니다.")
            report.flag("sandbox", f"샌드박스 비정상 종료: {str(detail)[:300]}")
        if outcome["bad_lines"]:
            report.flag("sandbox", f"실행기 출력 중 {outcome['bad_lines']}줄이 형식에 맞지 않았습니다")
        if outcome["declared"] is not None and outcome["declared"] != outcome["expected_cells"]:
            report.flag("sandbox", "실행기가 보고한 셀 수가 노트북과 다릅니다")

    def _zero_notebook(self, assignment: str, student: str, name: str) -> None:
        with self.course.gradebook() as gb:
            try:
                submission = gb.find_submission_notebook(name, assignment, student)
            except MissingEntry:
                return
            for grade in submission.grades:
                grade.auto_score = 0
                grade.needs_manual_grade = False
            gb.db.commit()

    def _zero_missing_tests(self, assignment: str, student: str, name: str, info: NotebookInfo, job: dict) -> None:
        """채점된 노트북에 없는 테스트 셀(지워졌고 되살릴 수 없었던 것)은 0점으로 적습니다."""
        present = set(job["tests"].values())
        missing = [t.grade_id for t in info.tests if t.grade_id not in present]
        if not missing:
            return
        with self.course.gradebook() as gb:
            for grade_id in missing:
                grade = gb.find_grade(grade_id, name, assignment, student)
                grade.auto_score = 0
                grade.needs_manual_grade = False
            gb.db.commit()

    def _gradebook_score(self, assignment: str, student: str, info: AssignmentInfo) -> tuple[float, float]:
        with self.course.gradebook() as gb:
            try:
                submission = gb.find_submission(assignment, student)
            except MissingEntry:
                return 0.0, info.max_score
            return float(submission.score), float(submission.max_score)

    def _write_state(self, report: SubmissionReport) -> None:
        path = self.state_path(report.assignment, report.student)
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".tmp")
        temporary.write_text(json.dumps(asdict(report), ensure_ascii=False, indent=1), encoding="utf-8")
        os.replace(temporary, path)
