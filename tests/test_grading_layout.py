"""채점 엔진의 집 구조 (issue "One house for the grading engine"): 규칙이 깨지면 여기서 바로 보입니다.

- 학생 uid로 도는 코드(``grading/jail``)는 nbgrader를 import 하지 않습니다.
- nbgrader의 내부를 건드리는 곳은 ``grading/nbgrader_glue.py``, nbclient의 내부는 ``grading/jail/client.py`` 한 곳.
- 실행기 출력 줄의 종류는 ``grading/protocol.py``에서만 정의됩니다.
- ``grading/``의 함수는 60줄을 넘지 않고, ``engine.py``는 400줄 아래입니다.
- 채점 한도는 ``nbgrader_config.py``의 ``c.GradingLimits``로 바꿀 수 있고, 명령줄 값이 그 위에 덮어씁니다.
"""

from __future__ import annotations

import ast
import os
import re
from pathlib import Path

from traitlets.config import Config

from ctxcourse.grading.config import GradingLimits, limits_for
from ctxcourse.grading.sandbox import Limits

GRADING = Path(__file__).resolve().parents[1] / "ctxcourse" / "grading"


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_the_jail_never_imports_nbgrader():
    jail = sorted((GRADING / "jail").glob("*.py"))
    assert len(jail) >= 6
    for path in jail:
        assert not {n for n in _imports(path) if n.split(".")[0] == "nbgrader"}, path.name


def test_private_internals_of_nbgrader_and_nbclient_are_touched_in_one_fenced_file_each():
    fences = {"nbgrader_glue.py": r"_preprocessors|_sanitizing|create_engine\s*=|_init_preprocessors|nbgraderformat",
              "jail/client.py": r"_async_poll_for_reply|nbbase\.validate\s*=|_handle_kernel_info_reply|_kernel_spec\s*="}
    for path in GRADING.rglob("*.py"):
        relative = path.relative_to(GRADING).as_posix()
        for fence, pattern in fences.items():
            if relative != fence:
                assert not re.search(pattern, path.read_text(encoding="utf-8")), f"{relative}: {pattern}"
    assert "0.9.6" in (GRADING / "nbgrader_glue.py").read_text(encoding="utf-8")
    assert "nbclient 0.11.0" in (GRADING / "jail" / "client.py").read_text(encoding="utf-8")


def test_runner_line_types_are_defined_only_in_the_protocol():
    for path in GRADING.rglob("*.py"):
        if path.name == "protocol.py":
            continue
        text = path.read_text(encoding="utf-8")
        assert not re.search(r'"type":\s*"(start|kernel_ready|cell|event|done|fatal)"', text), path.name


def test_functions_stay_short_and_the_engine_small():
    long = []
    for path in GRADING.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.end_lineno - node.lineno + 1 > 60:
                long.append(f"{path.relative_to(GRADING)}:{node.name} ({node.end_lineno - node.lineno + 1}줄)")
    assert not long
    assert len((GRADING / "engine.py").read_text(encoding="utf-8").splitlines()) < 400


def test_limits_come_from_the_course_config_and_flags_win():
    assert limits_for(Config(), 60) == Limits().with_cell_timeout(60)
    config = Config()
    config.GradingLimits.memory_mb = 2048
    config.GradingLimits.grace = 1
    config.GradingLimits.cell_timeout = 20
    limits = limits_for(config, 60)
    assert (limits.memory, limits.grace, limits.cell_timeout) == (2048 * 1024 ** 2, 1, 20)
    limits = limits_for(config, 60, timeout=7, memory_mb=512, wall_timeout=900)
    assert (limits.cell_timeout, limits.memory, limits.wall_timeout, limits.grace) == (7, 512 * 1024 ** 2, 900, 1)
    assert "c.Execute.timeout" in GradingLimits.class_get_help()


def test_a_gradebook_that_cannot_be_reached_stops_the_run_instead_of_failing_everyone():
    import contextlib
    from types import SimpleNamespace

    import pytest
    from sqlalchemy.exc import OperationalError

    from ctxcourse.grading.course import CourseError
    from ctxcourse.grading.engine import GradingEngine

    fake = SimpleNamespace(course=SimpleNamespace(coursedir=SimpleNamespace(db_url="postgresql://kim:secret@db:5432/x")),
                           _discard_on_interrupt=lambda a, s: contextlib.nullcontext(), _failed=None)

    def lost(assignment, student):
        raise OperationalError("INSERT", {}, Exception("server closed the connection unexpectedly"))

    with pytest.raises(CourseError) as stopped:
        GradingEngine._step(fake, "마무리", "01_repeat", "kim", [], lost)
    assert "다시 실행" in str(stopped.value) and "secret" not in str(stopped.value)
    reports: list = []
    fake._failed = lambda a, s, step, error: f"{s}: {type(error).__name__}"
    assert GradingEngine._step(fake, "마무리", "01_repeat", "kim", reports, lambda a, s: 1 / 0) is None
    assert reports == ["kim: ZeroDivisionError"]     # 제출물 하나의 오류는 기록하고 다음으로


def test_cached_metadata_validation_judges_exactly_like_jsonschema():
    """nbgrader의 셀 메타데이터 검사를 스키마마다 한 번 만든 검사기로 바꾸어도 판정과 오류 글은 그대로입니다."""
    import jsonschema
    from nbgrader.nbgraderformat.v3 import MetadataValidatorV3

    from ctxcourse.grading.nbgrader_glue import _CachedSchemaValidation

    schema = MetadataValidatorV3().schema
    cached = _CachedSchemaValidation(jsonschema)
    cells = [{"grade": True, "solution": False, "locked": True, "points": 2, "grade_id": "t", "schema_version": 3},
             {"grade": "yes", "solution": False, "locked": True, "grade_id": "t", "schema_version": 3},
             {"solution": True, "grade": False, "schema_version": 3},
             {"grade": True, "solution": False, "locked": True, "points": -1, "grade_id": "", "schema_version": 3,
              "extra": 1}]
    for cell in cells:
        outcomes = []
        for validate in (jsonschema.validate, cached.validate):
            try:
                validate(cell, schema)
                outcomes.append("ok")
            except jsonschema.ValidationError as error:
                outcomes.append(error.message)
        assert outcomes[0] == outcomes[1], (cell, outcomes)
    assert any(o != "ok" for cell in cells[1:] for o in [_judge(cached, cell, schema)])


def _judge(cached, cell, schema) -> str:
    import jsonschema

    try:
        cached.validate(cell, schema)
        return "ok"
    except jsonschema.ValidationError as error:
        return error.message


def test_a_new_gradebook_gets_the_same_alembic_head_without_a_subprocess(tmp_path, monkeypatch):
    """새 성적부의 alembic 판은 nbgrader가 하위 프로세스(``alembic heads``)로 읽는 값과 같고, 강사 프로세스에서는
    하위 프로세스 없이 읽습니다."""
    import subprocess
    import sys

    import nbgrader.api as api
    from sqlalchemy import text

    from ctxcourse.grading.nbgrader_glue import alembic_head, read_alembic_head_in_process

    monkeypatch.setenv("PATH", f"{Path(sys.prefix) / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}")
    upstream = api.get_alembic_version()                                   # nbgrader 0.9.6: alembic heads 하위 프로세스
    assert upstream and alembic_head() == upstream
    monkeypatch.setattr(api, "get_alembic_version", api.get_alembic_version)   # 테스트가 끝나면 되돌립니다
    read_alembic_head_in_process()

    def no_subprocess(*args, **kwargs):
        raise AssertionError(f"하위 프로세스를 실행했습니다: {args}")

    monkeypatch.setattr(subprocess, "Popen", no_subprocess)
    with api.Gradebook(f"sqlite:///{tmp_path / 'gradebook.db'}") as gb:
        stamped = gb.db.execute(text("SELECT version_num FROM alembic_version")).scalar()
    assert stamped == upstream
