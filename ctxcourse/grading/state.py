"""채점 상태 저장소: 제출물마다 ``.course_state/grading/<과제>/<학생>.json`` (채점 기록, 이유, 표시, 시간).

엔진이 쓰고, 이어 하기(바뀌지 않은 제출물 건너뛰기), ``course report``, 피드백이 읽습니다.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict
from pathlib import Path


class StateStore:
    def __init__(self, state_dir: Path):
        self.root = Path(state_dir) / "grading"

    def path(self, assignment: str, student: str) -> Path:
        return self.root / assignment / f"{student}.json"

    def load(self, assignment: str, student: str) -> dict | None:
        try:
            data = json.loads(self.path(assignment, student).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) else None

    def write(self, report) -> None:
        """:class:`.models.SubmissionReport` 하나를 원자적으로 씁니다."""
        path = self.path(report.assignment, report.student)
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".tmp")
        temporary.write_text(json.dumps(asdict(report), ensure_ascii=False, indent=1), encoding="utf-8")
        os.replace(temporary, path)

    def remove(self, assignment: str, student: str) -> None:
        try:
            self.path(assignment, student).unlink()
        except OSError:
            pass
