"""강사용 데모 반 (demo class): 정답, 빈 제출, 흔한 실수를 섞은 제출물을 만듭니다.

제출물은 학생이 받는 것과 같은 ``release/`` 노트북에서 시작해 해답 셀만 채웁니다.
정답은 ``source/``의 해답(### BEGIN/END SOLUTION 줄을 지운 코드), 실수는
:mod:`ctxcourse.mistakes`의 코드입니다. 각 제출물은 점수를 잃어야 할 테스트 셀과 그 테스트가 낼 진단 id를
함께 가집니다 (:func:`check_diagnoses`가 채점 기록과 비교합니다).

반에는 심어 둔 학생도 있습니다 (:data:`PLANTED_NAMES`, 실수 모음의 ``PLANTED``): 길고 틀린 풀이 하나와 그것을
변수 이름을 바꾸고 함수 순서를 바꿔 베낀 두 학생, 그리고 서로 똑같은 짧은 정답을 스스로 쓴 두 학생입니다.
반 전체 보고서의 베낀 제출물 찾기는 앞의 셋만 짝지어야 합니다 (:data:`EXPECTED_PAIRS`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import nbformat

from .mistakes import MODULES, Mistake, mistakes_for, planted_for

ASSIGNMENTS = tuple(MODULES)
SURNAMES = ("kim", "lee", "park", "choi", "jung", "kang", "cho", "yoon", "jang", "lim",
            "han", "oh", "seo", "shin", "kwon", "hwang", "ahn", "song", "jeon", "hong")
PLANTED_NAMES = ("baek", "nam", "moon", "yang", "koo")   # 심어 둔 학생 (실수 모음의 PLANTED 순서)
DEMO_PREFIX = "demo-"          # 실제 학생 ID와 겹치지 않도록 (데모는 언제나 따로 만든 강좌 폴더에서 돕니다)
_DELIMITER = re.compile(r"^\s*### (BEGIN|END) SOLUTION\s*$")


@dataclass(frozen=True)
class DemoSubmission:
    """데모 반의 제출물 하나와 그 기대 결과."""

    student: str
    assignment: str
    kind: str                    # "correct", "blank" 또는 실수의 key
    title: str                   # 한국어 설명
    expected_lost: frozenset[str]
    path: Path
    expected_ids: tuple[tuple[str, str], ...] = ()    # (grade_id, 진단 id): 잃는 테스트마다 기록되어야 하는 id


def grade_cells(nb) -> list:
    """nbgrader 메타데이터가 있는 셀들."""
    return [cell for cell in nb.cells if cell.get("metadata", {}).get("nbgrader")]


def test_ids(nb) -> list[str]:
    """점수가 있는 테스트 셀들의 grade_id (노트북 순서)."""
    return [cell.metadata.nbgrader["grade_id"] for cell in grade_cells(nb)
            if cell.metadata.nbgrader.get("grade") and cell.cell_type == "code"]


def solution_code(source_nb) -> dict[str, str]:
    """source 노트북의 해답 셀 grade_id → 해답 코드 (구분 줄만 지운 것)."""
    solutions = {}
    for cell in grade_cells(source_nb):
        meta = cell.metadata.nbgrader
        if meta.get("solution") and cell.cell_type == "code":
            lines = [line for line in cell.source.splitlines() if not _DELIMITER.match(line)]
            solutions[meta["grade_id"]] = "\n".join(lines)
    return solutions


def fill_solutions(release_nb, cells: dict[str, str]):
    """release 노트북의 해답 셀을 ``cells``의 코드로 채운 사본을 돌려줍니다."""
    nb = nbformat.from_dict(release_nb)
    unknown = set(cells) - {c.metadata.nbgrader["grade_id"] for c in grade_cells(nb)}
    if unknown:
        raise KeyError(f"release 노트북에 없는 해답 셀입니다: {sorted(unknown)}")
    for cell in grade_cells(nb):
        grade_id = cell.metadata.nbgrader["grade_id"]
        if grade_id in cells:
            cell.source = cells[grade_id]
    return nb


def notebook_path(course_dir: Path, folder: str, assignment: str, student: str | None = None) -> Path:
    """``<folder>/[<student>/]<assignment>/<assignment>.ipynb`` 경로."""
    base = Path(course_dir) / folder
    if student is not None:
        base = base / student
    return base / assignment / f"{assignment}.ipynb"


def plan_class(assignments=ASSIGNMENTS, size: int | None = None,
               planted: bool = True) -> list[tuple[str, dict[str, Mistake | str]]]:
    """학생 ID → 과제별 제출 종류. 첫 학생은 모두 정답, 둘째는 빈 제출, 그다음 학생 k는 과제마다
    k번째 실수를 냅니다 (실수가 모자라면 정답). ``size``를 주면 그 수만큼 학생을 돌려 가며 만듭니다.
    ``planted``면 그 뒤에 베낀 코드를 심은 학생들(과제마다 몇 명, 다른 과제는 정답)을 더합니다."""
    banks = {name: mistakes_for(name) for name in assignments}
    longest = max((len(bank) for bank in banks.values()), default=0)
    size = size or longest + 2
    plan = []
    for index in range(size):
        slot = index % (longest + 2)
        student = DEMO_PREFIX + SURNAMES[index % len(SURNAMES)] + (
            f"{index // len(SURNAMES) + 1}" if index >= len(SURNAMES) else "")
        kinds: dict[str, Mistake | str] = {}
        for name, bank in banks.items():
            if slot == 0:
                kinds[name] = "correct"
            elif slot == 1:
                kinds[name] = "blank"
            else:
                kinds[name] = bank[slot - 2] if slot - 2 < len(bank) else "correct"
        plan.append((student, kinds))
    if not planted:
        return plan
    for name in banks:        # 심어 둔 학생: 그 과제만 PLANTED의 코드, 나머지는 정답
        for surname, code in zip(PLANTED_NAMES, planted_for(name)):
            plan.append((DEMO_PREFIX + surname, {other: (code if other == name else "correct") for other in banks}))
    return plan


def expected_pairs(assignments=ASSIGNMENTS) -> set[tuple[str, str, str]]:
    """데모 반에서 베낀 것으로 찾아야 하는 (과제, 학생, 학생) 쌍: 같은 과제에 심은 ``copy_*`` 제출물끼리."""
    pairs = set()
    for name in assignments:
        copies = [DEMO_PREFIX + surname for surname, planted in zip(PLANTED_NAMES, planted_for(name))
                  if planted.key.startswith("copy_")]
        pairs |= {(name, *sorted((first, second))) for i, first in enumerate(copies) for second in copies[i + 1:]}
    return pairs


def check_diagnoses(course, submissions) -> list[str]:
    """채점 기록(``.course_state/grading``)의 실패 메시지에서 찾은 진단 id가 제출물마다 기대한 id인지 확인합니다.

    틀린 것마다 한 줄의 설명을 돌려줍니다 (모두 맞으면 빈 목록)."""
    from .checks.diagnoses import identify
    from .grading.state import StateStore

    store, problems = StateStore(Path(course.state_dir)), []
    for sub in submissions:
        if not sub.expected_ids:
            continue
        tests = (store.load(sub.assignment, sub.student) or {}).get("tests", {})
        got = {grade_id: identify((tests.get(grade_id) or {}).get("message", "")) for grade_id, _ in sub.expected_ids}
        if got != dict(sub.expected_ids):
            problems.append(f"{sub.student}/{sub.assignment} ({sub.kind}): 진단 id {got}, 기대 {dict(sub.expected_ids)}")
    return problems


def build_demo_class(course_dir, assignments=ASSIGNMENTS, size: int | None = None,
                     planted: bool = True) -> list[DemoSubmission]:
    """``submitted/<학생>/<과제>/<과제>.ipynb``를 만들고 제출물 목록을 돌려줍니다 (``size``, ``planted``는 :func:`plan_class`).

    ``release/``가 먼저 있어야 합니다 (``course release --all``).
    """
    course_dir = Path(course_dir)
    releases, solutions = {}, {}
    for name in assignments:
        release_file = notebook_path(course_dir, "release", name)
        if not release_file.exists():
            raise FileNotFoundError(f"{release_file}가 없습니다. 먼저 'course release {name}'를 실행하세요.")
        releases[name] = nbformat.read(release_file, as_version=4)
        solutions[name] = solution_code(nbformat.read(notebook_path(course_dir, "source", name), as_version=4))
    submissions = []
    for student, kinds in plan_class(assignments, size, planted):
        for name, kind in kinds.items():
            tests = frozenset(test_ids(releases[name]))
            if kind == "correct":
                nb, title, lost, key = fill_solutions(releases[name], solutions[name]), "정답", frozenset(), "correct"
            elif kind == "blank":
                nb, title, lost, key = nbformat.from_dict(releases[name]), "빈 제출", tests, "blank"
            else:
                cells = {**solutions[name], **kind.cells}
                nb, title, lost, key = fill_solutions(releases[name], cells), kind.title, kind.lost, kind.key
            ids = tuple(sorted(kind.expected_ids().items())) if isinstance(kind, Mistake) else ()
            if kind == "blank":
                ids = tuple((grade_id, "not_implemented") for grade_id in sorted(tests))
            path = notebook_path(course_dir, "submitted", name, student)
            path.parent.mkdir(parents=True, exist_ok=True)
            nbformat.write(nb, path)
            submissions.append(DemoSubmission(student, name, key, title, frozenset(lost), path, ids))
    return submissions


def available_assignments(course_dir) -> list[str]:
    """``source/``에 노트북이 있는 과제들 (강좌 순서)."""
    return [name for name in ASSIGNMENTS if notebook_path(Path(course_dir), "source", name).exists()]
