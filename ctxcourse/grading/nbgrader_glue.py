"""nbgrader의 안쪽에 닿는 유일한 곳 (the one module that touches nbgrader's internals).

확인한 nbgrader 버전: 0.9.6 (requirements.txt에 고정). nbgrader를 올릴 때는 이 파일만 확인하면 됩니다.
여기서 쓰는 nbgrader의 공개 API 밖의 것:

- ``Autograde``의 흐름을 나누어 부르기 (``init_assignment``, ``convert_single_notebook``, ``_sanitizing``,
  ``exporter._preprocessors``를 다시 채우기) — 학생 코드를 실행하는 ``Execute`` 단계만 샌드박스 실행 결과로 바꾸려고.
- ``nbgrader.api.create_engine``과 ``Base.metadata.create_all``을 한 프로세스에서 나눠 쓰기 (성능).
- 성적부 ORM의 칸(``auto_score``, ``needs_manual_grade``)에 직접 0점 쓰기 (빠지거나 거절한 노트북).
- ``nbgrader.utils.determine_grade``로 셀 출력의 점수를 내기 (nbgrader와 같은 규칙).
"""

from __future__ import annotations

import os
import threading

import nbformat
from nbgrader import utils as nbutils
from nbgrader.api import MissingEntry
from nbgrader.converters import Autograde
from nbgrader.converters.base import BaseConverter
from nbgrader.preprocessors import Execute, NbGraderPreprocessor, OverwriteCells

from .course import CourseError


# ---------------------------------------------------------------------------
# the Autograde converter with Execute replaced
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
# scores and outputs by nbgrader's rules
# ---------------------------------------------------------------------------

def cell_score(outputs: list[dict], points: float) -> float:
    """nbgrader의 ``determine_grade``로 셀 출력의 점수를 냅니다 (같은 규칙: 오류나 stderr면 0)."""
    cell = nbformat.from_dict({"cell_type": "code", "source": "", "metadata": {"nbgrader": {
        "grade": True, "solution": False, "grade_id": "x", "points": points}}, "outputs": outputs,
        "execution_count": None})
    score, _ = nbutils.determine_grade(cell)
    return float(score or 0.0)


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


# ---------------------------------------------------------------------------
# gradebook rows nbgrader has no command for
# ---------------------------------------------------------------------------

def register_without_notebooks(course, assignment: str, student: str, timestamp=None) -> None:
    """노트북 없이 제출 기록을 만들고 모든 칸을 0점(수동 채점 대기 아님)으로 적습니다."""
    with course.gradebook() as gb:
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


def zero_notebook(course, assignment: str, student: str, name: str) -> None:
    """노트북 하나의 모든 칸을 0점으로 (빠졌거나, 비었거나, 읽을 수 없거나, 실행하지 못한 노트북)."""
    with course.gradebook() as gb:
        try:
            submission = gb.find_submission_notebook(name, assignment, student)
        except MissingEntry:
            return
        for grade in submission.grades:
            grade.auto_score = 0
            grade.needs_manual_grade = False
        gb.db.commit()


def zero_tests(course, assignment: str, student: str, name: str, grade_ids: list[str]) -> None:
    """채점된 노트북에 없는 테스트 칸(지워졌고 되살릴 수 없었던 것)을 0점으로."""
    if not grade_ids:
        return
    with course.gradebook() as gb:
        for grade_id in grade_ids:
            grade = gb.find_grade(grade_id, name, assignment, student)
            grade.auto_score = 0
            grade.needs_manual_grade = False
        gb.db.commit()


def submission_score(course, assignment: str, student: str, default_max: float) -> tuple[float, float]:
    with course.gradebook() as gb:
        try:
            submission = gb.find_submission(assignment, student)
        except MissingEntry:
            return 0.0, default_max
        return float(submission.score), float(submission.max_score)


def test_cell_indices(nb, known: set[str]) -> dict[int, str]:
    """정화된 노트북에서 채점할 테스트 셀의 자리 (셀 번호 → grade_id)."""
    tests = {}
    for index, cell in enumerate(nb.cells):
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if (cell.cell_type == "code" and nbutils.is_grade(cell) and not nbutils.is_solution(cell)
                and meta.get("grade_id") in known):
            tests[index] = meta["grade_id"]
    return tests


def remove_tree(path: str) -> None:
    if os.path.exists(path):
        nbutils.rmtree(path)


# ---------------------------------------------------------------------------
# one SQLAlchemy engine per gradebook in this process
# ---------------------------------------------------------------------------

_ENGINES: dict = {}
_ENGINE_LOCK = threading.Lock()


def share_gradebook_engines() -> None:
    """nbgrader의 ``Gradebook``은 열 때마다 SQLAlchemy 엔진을 새로 만들어 SQL을 매번 다시 컴파일합니다
    (제출물 하나에 Gradebook을 열 번 넘게 엽니다). 이 프로세스에서는 같은 주소의 엔진을 하나만 만들어
    나눠 씁니다. 성적부에 쓰는 것은 여전히 nbgrader의 코드이고, 쓰는 스레드는 부모의 주 스레드 하나입니다."""
    import nbgrader.api as api

    if getattr(api.create_engine, "_ctxcourse_shared", False):
        return
    original = api.create_engine

    def shared_create_engine(url, *args, **kwargs):
        key = (str(url), args, tuple(sorted(kwargs.items())))
        with _ENGINE_LOCK:
            engine = _ENGINES.get(key)
            if engine is None:
                engine = _ENGINES[key] = original(url, *args, **kwargs)
            return engine

    shared_create_engine._ctxcourse_shared = True
    api.create_engine = shared_create_engine

    # 테이블은 한 번 만들면 그대로 있으므로, 같은 엔진에서는 create_all을 한 번만 합니다.
    metadata = api.Base.metadata
    create_all = metadata.create_all
    created: set = set()

    def create_all_once(bind=None, **kwargs):
        if bind is not None and id(bind) in created and not kwargs:
            return None
        result = create_all(bind=bind, **kwargs)
        if bind is not None:
            created.add(id(bind))
        return result

    metadata.create_all = create_all_once


def gradebook_unreachable(error: BaseException) -> bool:
    """성적부 데이터베이스에 닿을 수 없다는 오류인지 (연결 끊김, 서버 멈춤, 디스크 문제): SQLAlchemy의
    OperationalError/InterfaceError. 제출물 하나의 문제가 아니므로 엔진은 실행을 멈춥니다."""
    from sqlalchemy import exc

    return isinstance(error, (exc.OperationalError, exc.InterfaceError))

