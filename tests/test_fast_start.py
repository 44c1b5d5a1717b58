"""가상환경의 시작 줄(ctxcourse/fast_start.pth): make setup이 설치하고, 그 가상환경의 새 파이썬 프로세스는 jsonschema를
불러도 rfc3987_syntax(Lark 문법 35개)를 만들지 않으며, jsonschema의 검사는 그대로입니다."""

from __future__ import annotations

import json
import subprocess
import sys
import sysconfig
from pathlib import Path

from conftest import REPO

PROBE = """
import json, sys
import jsonschema
import nbformat
from nbgrader.nbgraderformat.v3 import MetadataValidatorV3
checker = jsonschema.Draft7Validator.FORMAT_CHECKER
schema = {"type": "object", "properties": {"d": {"type": "string", "format": "date"}}}
bad = [e.message for e in jsonschema.Draft7Validator(schema, format_checker=checker).iter_errors({"d": "2026-13-45"})]
MetadataValidatorV3().validate_cell(nbformat.v4.new_code_cell(metadata={"nbgrader": {
    "grade": True, "solution": False, "locked": True, "points": 1, "grade_id": "t", "schema_version": 3}}))
print(json.dumps({"rfc3987_syntax": repr(sys.modules.get("rfc3987_syntax", "absent")), "date_error": bad}))
"""


def test_the_venv_skips_the_unused_iri_parser_and_keeps_validating():
    installed = Path(sysconfig.get_paths()["purelib"]) / "ctxcourse_fast_start.pth"
    assert installed.is_file(), "make setup이 ctxcourse/fast_start.pth를 site-packages에 복사하지 않았습니다"
    assert installed.read_bytes() == (REPO / "ctxcourse" / "fast_start.pth").read_bytes(), "make setup을 다시 실행하세요"
    done = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=120, cwd=REPO)
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout.strip().splitlines()[-1])
    assert answer["rfc3987_syntax"] == "None", answer      # 표시만 있고 불러오지 않았습니다
    assert answer["date_error"], "jsonschema의 형식 검사(date)가 꺼졌습니다"

