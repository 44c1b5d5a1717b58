"""nbgrader의 안쪽에 닿는 유일한 곳 (the one module that touches nbgrader's internals).

확인한 nbgrader 버전: 0.9.6 (requirements.txt에 고정). nbgrader를 올릴 때는 이 파일만 확인하면 됩니다.
여기서 쓰는 nbgrader의 공개 API 밖의 것:

- ``Autograde``의 흐름을 나누어 부르기 (``init_assignment``, ``convert_single_notebook``, ``_sanitizing``,
  ``exporter._preprocessors``를 다시 채우기) — 학생 코드를 실행하는 ``Execute`` 단계만 샌드박스 실행 결과로 바꾸려고.
- ``nbgrader.api.create_engine``과 ``Base.metadata.create_all``을 한 프로세스에서 나눠 쓰고, ``Gradebook.__init__``의
  테이블 목록 읽기(``nbgrader.api.inspect``)를 엔진마다 한 번으로 (성능).
- 새 성적부에 적는 alembic 판(``nbgrader.api.get_alembic_version``)을 ``alembic heads`` 하위 프로세스 대신 같은
  프로세스에서 alembic의 공개 API(``ScriptDirectory.get_current_head``)로 읽기 (같은 값, 성능:
  :func:`read_alembic_head_in_process`).
- ``nbgrader.nbgraderformat.common``이 셀마다 부르는 ``jsonschema.validate``를 스키마마다 한 번 만든 검사기로
  바꾸기 (같은 판정, 성능: :func:`cache_metadata_validation`).
- 성적부 ORM의 칸(``auto_score``, ``needs_manual_grade``)에 직접 0점 쓰기 (빠지거나 거절한 노트북).
- ``nbgrader.utils.determine_grade``로 셀 출력의 점수를 내기 (nbgrader와 같은 규칙).
- 마무리에서 nbgrader의 ``SaveAutoGrades``와 ``AssignLatePenalties``가 여는 ``Gradebook``(각 모듈의 전역 이름)을
  엔진이 연 성적부 하나로 잠시 바꾸기 — 제출물 하나의 점수를 한 트랜잭션으로 쓰려고 (:func:`lend_gradebook`).
"""

from __future__ import annotations

import contextlib
import os
import threading

import nbformat
from nbgrader import utils as nbutils
from nbgrader.api import InvalidEntry, MissingEntry
from nbgrader.converters import Autograde
from nbgrader.converters.base import BaseConverter
from nbgrader.preprocessors import Execute, NbGraderPreprocessor, OverwriteCells
from nbgrader.preprocessors import latesubmissions, saveautogrades

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

    def finish(self, assignment: str, student: str, notebook: str, grading: dict, gradebook=None) -> None:
        """nbgrader의 채점 전처리기들로 노트북 하나를 채점해 성적부에 씁니다. ``gradebook``을 주면 거기에 쓰고
        커밋은 부른 쪽이 합니다 (:func:`lend_gradebook`)."""
        self._sanitizing = False
        self._init_preprocessors()
        self.grading_resources = grading
        lent = lend_gradebook(gradebook) if gradebook is not None else contextlib.nullcontext()
        try:
            with lent, nbutils.setenv(NBGRADER_EXECUTION="autograde"):
                BaseConverter.convert_single_notebook(self, self.autograded_notebook(assignment, student, notebook))
        finally:
            self.grading_resources = None
            self._sanitizing = True


class _LentGradebook:
    """빌려준 성적부: nbgrader 전처리기의 ``commit``은 ``flush``가 되고 ``close``는 아무것도 하지 않습니다."""

    def __init__(self, gradebook):
        self._gradebook = gradebook
        self.db = _FlushOnly(gradebook.db)

    def __getattr__(self, name):
        return getattr(self._gradebook, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        return None

    def close(self) -> None:
        return None


class _FlushOnly:
    def __init__(self, session):
        self._session = session

    def commit(self) -> None:
        self._session.flush()

    def __getattr__(self, name):
        return getattr(self._session, name)


@contextlib.contextmanager
def lend_gradebook(gradebook):
    """nbgrader의 ``SaveAutoGrades``(칸마다 커밋)와 ``AssignLatePenalties``가 새 ``Gradebook``을 여는 대신
    ``gradebook``에 쓰게 합니다. 커밋은 부른 쪽이 제출물 하나에 한 번 하므로, 도중에 성적부와의 연결이 끊기면 그
    제출물의 점수는 하나도 쓰이지 않습니다 (반쯤 쓴 제출물이 없음). 부모의 주 스레드에서만 부릅니다."""
    modules = (saveautogrades, latesubmissions)
    originals = [module.Gradebook for module in modules]
    for module in modules:
        module.Gradebook = lambda *args, **kwargs: _LentGradebook(gradebook)
    try:
        yield
    finally:
        for module, original in zip(modules, originals):
            module.Gradebook = original


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

def ensure_student(course, student: str) -> None:
    """학생 기록이 있게 합니다. 여러 기계가 한 성적부에 쓸 때 둘이 같은 학생을 같은 순간에 처음 보면 한쪽의 INSERT가
    중복 키 오류가 됩니다 (nbgrader의 ``update_or_create_student``는 찾아보고 없으면 만듭니다). 그때는 먼저 만든
    쪽의 기록을 씁니다."""
    with course.gradebook() as gb:
        try:
            gb.find_student(student)
        except MissingEntry:
            try:
                gb.add_student(student)
            except InvalidEntry:
                gb.find_student(student)   # 다른 기계가 만들었으면 있습니다 (없으면 MissingEntry: 진짜 오류)


def register_without_notebooks(course, assignment: str, student: str, timestamp=None) -> None:
    """노트북 없이 제출 기록을 만들고 모든 칸을 0점(수동 채점 대기 아님)으로 적습니다."""
    ensure_student(course, student)
    with course.gradebook() as gb:
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


def zero_notebook(gb, assignment: str, student: str, name: str) -> None:
    """노트북 하나의 모든 칸을 0점으로 (빠졌거나, 비었거나, 읽을 수 없거나, 실행하지 못한 노트북).
    ``gb``는 마무리가 연 성적부이고, 커밋은 마무리가 끝에 한 번 합니다."""
    try:
        submission = gb.find_submission_notebook(name, assignment, student)
    except MissingEntry:
        return
    for grade in submission.grades:
        grade.auto_score = 0
        grade.needs_manual_grade = False
    gb.db.flush()


def zero_tests(gb, assignment: str, student: str, name: str, grade_ids: list[str]) -> None:
    """채점된 노트북에 없는 테스트 칸(지워졌고 되살릴 수 없었던 것)을 0점으로 (커밋은 마무리가)."""
    for grade_id in grade_ids:
        grade = gb.find_grade(grade_id, name, assignment, student)
        grade.auto_score = 0
        grade.needs_manual_grade = False
    gb.db.flush()


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

    # Gradebook.__init__은 열 때마다 테이블 목록을 읽어(inspect) 성적부가 새것인지 봅니다. 위의 create_all이 한 번 돈
    # 엔진은 테이블이 있으므로 (지워지지 않음) 다시 읽지 않습니다. 새 성적부의 첫 열기는 그대로 읽습니다.
    inspect = api.inspect

    class _TablesExist:
        @staticmethod
        def get_table_names():
            return ["alembic_version"]

    def inspect_once(subject, *args, **kwargs):
        if not args and not kwargs and id(subject) in created:
            return _TablesExist()
        return inspect(subject, *args, **kwargs)

    api.inspect = inspect_once


_ALEMBIC_HEAD: list[str] = []


def alembic_head() -> str:
    """nbgrader의 마이그레이션 폴더에서 가장 새 판(head)을 읽습니다. ``alembic heads``가 출력하는 첫 낱말과 같습니다."""
    if not _ALEMBIC_HEAD:
        from alembic.script import ScriptDirectory
        from nbgrader.dbutil import ALEMBIC_DIR

        _ALEMBIC_HEAD.append(ScriptDirectory(ALEMBIC_DIR).get_current_head())
    return _ALEMBIC_HEAD[0]


def read_alembic_head_in_process() -> None:
    """nbgrader는 새 성적부를 만들 때마다 ``alembic heads`` 명령을 하위 프로세스로 실행해 판 번호를 읽습니다 (명령 하나에
    CPU 1~3초). 이 프로세스에서는 같은 값을 :func:`alembic_head`로 한 번 읽어 씁니다."""
    import nbgrader.api as api

    api.get_alembic_version = alembic_head


class _CachedSchemaValidation:
    """``jsonschema.validate(instance, schema)``와 같은 판정(같은 검사기, 같은 ``best_match`` 오류)이지만 스키마마다
    검사기를 한 번만 만듭니다. nbgrader의 셀 메타데이터 검사(``BaseMetadataValidator.validate_cell``)는 셀마다
    ``jsonschema.validate``를 불러, 매번 스키마 자체를 메타스키마로 검사합니다 (강사 프로세스 CPU의 약 9%)."""

    def __init__(self, module):
        self._module = module
        self._validators: dict[int, tuple] = {}

    def validate(self, instance, schema, *args, **kwargs):
        if args or kwargs:
            return self._module.validate(instance, schema, *args, **kwargs)
        entry = self._validators.get(id(schema))
        if entry is None or entry[0] is not schema:
            cls = self._module.validators.validator_for(schema)
            cls.check_schema(schema)
            entry = (schema, cls(schema))
            self._validators[id(schema)] = entry
        error = self._module.exceptions.best_match(entry[1].iter_errors(instance))
        if error is not None:
            raise error
        return None

    def __getattr__(self, name):
        return getattr(self._module, name)


def cache_metadata_validation() -> None:
    """nbgrader 0.9.6의 ``nbgrader.nbgraderformat.common``이 쓰는 ``jsonschema``를 :class:`_CachedSchemaValidation`으로."""
    from nbgrader.nbgraderformat import common

    if not isinstance(common.jsonschema, _CachedSchemaValidation):
        common.jsonschema = _CachedSchemaValidation(common.jsonschema)


def log_gradebook_errors_to(log) -> None:
    """nbgrader의 성적부 코드는 쓰기를 되돌릴 때 traceback을 tornado의 ``app_log``로 남깁니다. 기록 설정이 하나도
    없는 명령줄에서는 그것이 강사의 화면에 나오므로, 강좌의 기록 파일(``log``의 처리기)로 보냅니다 (엔진은 그 오류를
    한국어로 알리거나, 다른 기계와 같은 학생을 함께 만든 경우처럼 스스로 처리합니다)."""
    import logging

    from nbgrader.api import app_log

    configured = app_log.handlers or logging.getLogger("tornado").handlers or logging.getLogger().handlers
    if not configured:
        for handler in log.handlers:
            app_log.addHandler(handler)


def gradebook_unreachable(error: BaseException | None) -> bool:
    """성적부 데이터베이스에 닿을 수 없다는 오류인지 (연결 끊김, 서버 멈춤, 디스크 문제): SQLAlchemy의
    OperationalError/InterfaceError, 또는 그것을 처리하다 난 오류 (nbgrader는 쓰기 오류를 ``InvalidEntry``로 바꿉니다).
    제출물 하나의 문제가 아니므로 엔진은 실행을 멈춥니다."""
    from sqlalchemy import exc

    return _in_chain(error, (exc.OperationalError, exc.InterfaceError))


def database_error(error: BaseException | None) -> bool:
    """성적부 데이터베이스의 오류인지 (그것을 처리하다 난 오류 포함). 그 트랜잭션에 쓴 것은 믿을 수 없습니다."""
    from sqlalchemy import exc

    return _in_chain(error, (exc.SQLAlchemyError,))


def _in_chain(error: BaseException | None, kinds: tuple) -> bool:
    seen = set()
    while error is not None and id(error) not in seen:
        if isinstance(error, kinds):
            return True
        seen.add(id(error))
        error = error.__cause__ or error.__context__
    return False
