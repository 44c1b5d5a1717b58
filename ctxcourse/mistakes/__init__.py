"""일부러 틀린 풀이 모음 (the bank of deliberately wrong solutions).

테스트와 강사용 데모 반(``course demo``)이 함께 씁니다. 과제마다 모듈이 하나 있고
(``instructor/mistakes/<모듈>.py``), 모듈마다 ``MISTAKES: list[Mistake]``가 있습니다.
실수 모음은 정답과 한 글자만 다른 코드도 담고 있으므로 설치되는 패키지(학생도 받는 ``ctxcourse``)에
넣지 않고, 강사용 저장소의 ``instructor/`` 폴더에만 둡니다.
각 실수는 학생용 노트북의 해답 셀(grade_id → 코드)을 바꾼 제출물을 만들며, 정확히
``lost``에 적힌 테스트 셀에서 점수를 잃고, 그 셀의 출력에 ``messages``의 글귀가 나와야 하며,
그 셀의 진단 id(:mod:`ctxcourse.checks.diagnoses`)가 ``ids``에 적힌 것이어야 합니다.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass, field
from pathlib import Path

BANK_FOLDER = Path("instructor") / "mistakes"   # 강좌 폴더(강사용 저장소) 안의 자리
_chosen: list[Path] = []


def use_bank(folder: Path) -> None:
    """실수 모음 폴더를 정합니다 (``course demo``는 실제 강좌 폴더의 ``instructor/mistakes``를 줍니다)."""
    _chosen[:] = [Path(folder)]


def bank_dir() -> Path:
    """실수 모음 폴더: :func:`use_bank`로 정한 곳, 아니면 현재 폴더나 그 위의 ``instructor/mistakes``.

    실수 모음은 강좌의 데이터(source/ 옆)이지 설치되는 패키지의 일부가 아니므로, 패키지가 어디에 설치되었든
    (편집 모드든 아니든) 강좌 폴더에서 찾습니다."""
    if _chosen:
        return _chosen[0]
    for folder in (Path.cwd(), *Path.cwd().parents):
        if (folder / BANK_FOLDER).is_dir():
            return folder / BANK_FOLDER
    raise FileNotFoundError(
        f"실수 모음 폴더({BANK_FOLDER})를 찾을 수 없습니다. 강사용 저장소(강좌 폴더) 안에서 실행하세요. "
        f"(the mistake bank lives in the instructor's repository: run from the course folder)")

# 과제 이름 → 실수 모음 모듈 이름
MODULES = {
    "01_repeat": "repeat",
    "02_broadcasting": "broadcasting",
    "03_axis_sum": "axis_sum",
    "04_weight_sum": "weight_sum",
    "05_attention_weights": "attention_weights",
    "06_attention_layer": "attention_layer",
}


@dataclass(frozen=True)
class Mistake:
    """일부러 틀린 풀이 하나.

    key: 짧은 영문 이름 (데모 학생 ID에 쓰입니다), title: 한국어 설명,
    cells: 해답 셀 grade_id → 학생이 쓴 코드 (해답 셀 전체를 바꿉니다),
    lost: 점수를 잃어야 하는 테스트 셀 grade_id들 (정확히 이것들만),
    messages: 테스트 셀 grade_id → 그 셀의 출력에 나와야 하는 한국어 글귀,
    ids: 잃는 테스트마다 나와야 하는 진단 id (문자열 하나면 잃는 모든 테스트에서 그 id; dict면 grade_id → id).
    """

    key: str
    title: str
    cells: dict[str, str]
    lost: frozenset[str]
    messages: dict[str, str] = field(default_factory=dict)
    ids: str | dict[str, str] = ""

    def expected_ids(self) -> dict[str, str]:
        """잃는 테스트 grade_id → 그 테스트가 내야 하는 진단 id."""
        if isinstance(self.ids, str):
            return dict.fromkeys(sorted(self.lost), self.ids) if self.ids else {}
        return dict(self.ids)


def planted_for(assignment: str) -> list[Mistake]:
    """과제 하나의 데모 반에 심을 제출물 (``PLANTED``: 베낀 것과 스스로 쓴 짧은 정답; 없으면 빈 목록)."""
    return list(getattr(_bank(assignment), "PLANTED", []))


def mistakes_for(assignment: str) -> list[Mistake]:
    """과제 하나의 실수 모음 (``instructor/mistakes/<모듈>.py``의 ``MISTAKES``)."""
    return list(_bank(assignment).MISTAKES)


def _bank(assignment: str):
    name = MODULES.get(assignment)
    if name is None:
        raise KeyError(f"모르는 과제입니다: {assignment}")
    path = bank_dir() / f"{name}.py"
    if not path.exists():
        raise FileNotFoundError(
            f"실수 모음 {path}가 없습니다. 실수 모음은 강사용 저장소(instructor/)에만 있습니다 "
            f"(the mistake bank ships with the instructor's repository only).")
    spec = importlib.util.spec_from_file_location(f"ctxcourse_mistake_bank_{name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
