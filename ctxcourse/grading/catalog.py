"""과제 목록: 성적부에서 읽은 과제·노트북·테스트 셀 정보와 그 서명 (the assignments as the gradebook knows them).

서명(signature)은 엔진 판, 테스트 셀과 배점, 시간 제한, 샌드박스 여부를 담습니다. 이것이 바뀌면 이미 채점한
제출물도 다시 채점합니다 (:meth:`.engine.GradingEngine.fingerprint`).
"""

from __future__ import annotations

import hashlib

from nbgrader.api import MissingEntry

from . import releases
from .course import Course, CourseError
from .graded import defines_function, test_function
from .intake import strip_hidden
from .models import ENGINE_VERSION, AssignmentInfo, NotebookInfo, TestCell


class Catalog:
    """과제 이름 → :class:`AssignmentInfo` (한 번 읽으면 기억합니다)."""

    def __init__(self, course: Course, cell_timeout: int, sandboxed: bool):
        self.course = course
        self.cell_timeout = cell_timeout
        self.sandboxed = sandboxed
        self._infos: dict[str, AssignmentInfo] = {}

    def get(self, name: str) -> AssignmentInfo:
        if name not in self._infos:
            with self.course.gradebook() as gb:
                try:
                    assignment = gb.find_assignment(name)
                except MissingEntry:
                    raise CourseError(f"과제 '{name}'가 성적부(gradebook.db)에 없습니다. 먼저 'course release {name}'를 "
                                      f"실행하세요. (run 'course release {name}' first)") from None
                digest = hashlib.sha256(ENGINE_VERSION.encode())
                notebooks = {nb.name: self._notebook_info(name, nb, digest)
                             for nb in sorted(assignment.notebooks, key=lambda n: n.name)}
            digest.update(f"timeout={self.cell_timeout}|sandbox={self.sandboxed}".encode())
            if not notebooks:
                raise CourseError(f"과제 '{name}'에 노트북이 없습니다. 'course release {name}'를 다시 실행하세요.")
            self._infos[name] = AssignmentInfo(name, notebooks, digest.hexdigest())
        return self._infos[name]

    def _notebook_info(self, assignment: str, notebook, digest) -> NotebookInfo:
        sources = {cell.name: cell for cell in notebook.source_cells}
        solutions = {cell.name for cell in notebook.solution_cells}
        graded = [name for name in sorted(solutions) if name in sources and defines_function(sources[name].source, name)]
        tests, points, release = [], {}, {}
        for cell in notebook.grade_cells:
            points[cell.name] = float(cell.max_score)
            if cell.cell_type == "code" and cell.name not in solutions and cell.name in sources:
                source = sources[cell.name].source
                tests.append(TestCell(cell.name, source, float(cell.max_score), test_function(cell.name, graded)))
                release[cell.name] = strip_hidden(source)
        for cell in sorted(notebook.source_cells, key=lambda c: c.name):
            digest.update(f"{notebook.name}|{cell.name}|{cell.checksum}|".encode())
        for grade_id, value in sorted(points.items()):
            digest.update(f"{grade_id}={value}|".encode())
        earlier_sources, earlier_points = releases.earlier(self.course, assignment, notebook.name)
        return NotebookInfo(notebook.name, tests, graded, release, points, earlier_sources, earlier_points)
