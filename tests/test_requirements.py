"""고정 버전은 requirements.txt 한 곳에서 정합니다: 학생 이미지용 hub/requirements-student.txt의 줄은 그것과 같아야 합니다."""

from __future__ import annotations

from conftest import REPO


def _pins(path) -> dict[str, str]:
    pins = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if "==" in line:
            pins.setdefault(line.split("==", 1)[0].strip().lower().replace("_", "-"), []).append(line)
    return pins


def test_student_image_pins_are_the_course_pins():
    course, student = _pins(REPO / "requirements.txt"), _pins(REPO / "hub" / "requirements-student.txt")
    assert student, "hub/requirements-student.txt에 고정 버전이 없습니다"
    drift = {name: (lines, course.get(name)) for name, lines in student.items() if not set(lines) <= set(course.get(name, []))}
    assert not drift, f"requirements.txt와 다른 학생용 고정 버전: {drift}"
