"""과제 배포의 역사 (every release of an assignment, so a changed test is not mistaken for tampering).

``course release``를 할 때마다 테스트 셀마다 학생이 받은 코드(숨은 테스트를 뺀 것)의 해시와 배점을
``.course_state/releases/<과제>.json``에 적습니다. 채점할 때 제출된 테스트 셀이 지금 버전과 다르더라도
예전에 배포한 버전과 같으면, 학생이 고친 것이 아니라 강사가 바꾼 것입니다 ("강사가 바꾼 테스트", 의심 표시
아님). 어느 배포 버전과도 다를 때만 테스트 셀을 바꾼 것으로 봅니다.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timezone

from .course import Course


def normal(source: str) -> str:
    return "\n".join(line.rstrip() for line in source.strip().splitlines())


def digest(source: str) -> str:
    return hashlib.sha256(normal(source).encode("utf-8")).hexdigest()


def _path(course: Course, assignment: str):
    return course.state_dir / "releases" / f"{assignment}.json"


def history(course: Course, assignment: str) -> list[dict]:
    """배포 버전들 (오래된 것부터): {"version", "released_at", "tests": {grade_id: {"source": 해시, "points": 배점}}}."""
    try:
        data = json.loads(_path(course, assignment).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    return data if isinstance(data, list) else []


def record_release(course: Course, assignment: str) -> tuple[int, bool]:
    """성적부에 막 등록된 배포본을 역사에 적습니다. (버전 번호, 앞 버전과 달라졌는지)."""
    from .intake import strip_hidden

    tests = {}
    with course.gradebook() as gb:
        record = gb.find_assignment(assignment)
        for notebook in record.notebooks:
            sources = {c.name: c.source for c in notebook.source_cells}
            solutions = {c.name for c in notebook.solution_cells}
            for cell in notebook.grade_cells:
                if cell.cell_type == "code" and cell.name not in solutions and cell.name in sources:
                    tests[f"{notebook.name}/{cell.name}"] = {"source": digest(strip_hidden(sources[cell.name])),
                                                             "points": float(cell.max_score)}
    versions = history(course, assignment)
    if versions and versions[-1]["tests"] == tests:
        return versions[-1]["version"], False
    version = (versions[-1]["version"] + 1) if versions else 1
    versions.append({"version": version, "released_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                     "tests": tests})
    path = _path(course, assignment)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(versions, ensure_ascii=False, indent=1), encoding="utf-8")
    temporary.replace(path)
    return version, len(versions) > 1


def earlier(course: Course, assignment: str, notebook: str) -> tuple[dict[str, set], dict[str, set]]:
    """예전 배포 버전들의 (grade_id → 코드 해시들, grade_id → 배점들)."""
    sources: dict[str, set] = {}
    points: dict[str, set] = {}
    prefix = f"{notebook}/"
    for version in history(course, assignment):
        for key, test in version.get("tests", {}).items():
            if key.startswith(prefix):
                grade_id = key[len(prefix):]
                sources.setdefault(grade_id, set()).add(test.get("source"))
                points.setdefault(grade_id, set()).add(test.get("points"))
    return sources, points
