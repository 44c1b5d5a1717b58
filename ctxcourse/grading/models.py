"""채점 엔진의 데이터 (the grading engine's data): 과제·노트북·테스트의 정보와 제출물 하나의 채점 기록.

부모 프로세스 안에서 엔진, 실행자(:mod:`.executor`), 설명(:mod:`.messages`), 상태 저장소(:mod:`.state`)가 함께
씁니다. 프로세스 사이의 메시지는 :mod:`.protocol`에 있습니다.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

ENGINE_VERSION = "ctxgrade-1"

MAX_NOTEBOOK_BYTES = 20 * 1024 * 1024



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
    worker: str = ""                             # 채점한 Dask 작업자 ("호스트 tcp://주소"; 이 기계에서 채점하면 빈 문자열)
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



@dataclass
class NotebookJob:
    """샌드박스에서 실행할 노트북 하나: 이름, 테스트 셀 자리(셀 번호 → grade_id), 셀 수."""

    name: str
    tests: dict[int, str]
    cells: int


@dataclass
class Prepared:
    """준비를 마친 제출물 하나 (엔진 → 실행자): 채점 기록, 과제 정보, 실행할 노트북들과 그 파일이 있는 폴더."""

    report: SubmissionReport
    info: AssignmentInfo
    jobs: list[NotebookJob]
    files: dict[str, Path] = field(default_factory=dict)    # 노트북 이름 → 정화된 노트북이 있는 폴더
    started: float = field(default_factory=time.monotonic)


class Progress:
    """엔진이 알리는 진행 상황 (명령줄은 rich로 보여 줍니다). 기본은 아무것도 하지 않습니다."""

    def start(self, total: int, skipped: int) -> None: ...

    def advance(self, report: SubmissionReport) -> None: ...

    def note(self, text: str) -> None: ...

