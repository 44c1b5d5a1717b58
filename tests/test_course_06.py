"""강의 06과 과제 06_attention_layer (캡스톤: 책의 WeightSum, AttentionWeight, Attention 클래스).

강의는 강의의 모양을 갖추고 과제의 해답 코드를 담지 않습니다. 과제를 ``course autograde``(샌드박스, 녹화와 재현)로
채점하면 정답은 만점, 빈 제출과 0을 돌려주는 풀이는 0점, 실수 모음의 각 실수는 적힌 테스트에서만 점수를 잃고 적힌
한국어 글귀를 보여 줍니다. 한 번씩만 하는 다른 확인: 강의를 새 커널에서 실행해 오류·경고가 없고 예측 칸이 비어(None)
있는지는 tests/test_lessons.py, release가 source에서 만든 것과 바이트까지 같은지는 tests/test_pipeline.py, 해답·숨은
테스트·기준값이 없는지는 tests/test_release.py가 봅니다.
"""

from __future__ import annotations

import re

import nbformat
import pytest

from conftest import REPO, copy_course
from ctxcourse.grading.graded import graded_kind
from ctxcourse.mistakes import mistakes_for
from hostile.harness import course_cmd, grade_scores, state

ASSIGNMENT = "06_attention_layer"
LESSON = REPO / "notebooks" / "06_attention_layer.ipynb"
SOURCE = REPO / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
CLASSES = ("WeightSum", "AttentionWeight", "Attention")
SOLUTION = re.compile(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", re.S)


def _cells(path):
    return nbformat.read(path, as_version=4).cells


def _meta(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def _tests() -> dict[str, float]:
    return {_meta(c)["grade_id"]: float(_meta(c)["points"]) for c in _cells(SOURCE)
            if _meta(c).get("grade") and not _meta(c).get("solution")}


# --- lesson 06 (실행한 강의의 확인은 tests/test_lessons.py가 강의마다 한 번 실행한 것으로) -----------------

def test_lesson_06_has_the_shape_of_a_lesson():
    cells = _cells(LESSON)
    markdown = "\n".join(c.source for c in cells if c.cell_type == "markdown")
    code = [c.source for c in cells if c.cell_type == "code"]
    assert "확인해 보기" in markdown and "## 정리" in markdown and "## 열린 질문" in markdown
    assert 2 <= markdown.count("<details>") <= 3
    assert markdown.count("$") >= 20, "수식($...$)이 너무 적습니다"
    for word in ("dhs_0 + dhs_1", "params", "grads", "역전파", "소프트맥스", "쿼리", "show_attention_map"):
        assert word in markdown + "\n".join(code), word
    for banned in ("시간 축", "표본", "질의", "넘침", "씨앗"):
        assert banned not in markdown, f"용어집에 없는 말: {banned}"
    assert sum(c.cell_type == "markdown" for c in cells) >= len(code)
    assert max(len(src.splitlines()) for src in code) <= 15
    assert all(not c.outputs and not c.execution_count for c in cells if c.cell_type == "code"), "출력을 지우세요"


def test_lesson_06_contains_no_line_of_the_assignments_solution():
    solution_lines = {line.strip() for cell in _cells(SOURCE) for body in SOLUTION.findall(cell.source)
                      for line in body.splitlines() if line.strip() and not line.strip().startswith("#")}
    assert len(solution_lines) >= 15
    lesson_lines = {line.strip() for c in _cells(LESSON) if c.cell_type == "code" for line in c.source.splitlines()}
    assert not solution_lines & lesson_lines, sorted(solution_lines & lesson_lines)


# --- assignment 06: source, release --------------------------------------------------------------

def test_assignment_06_grades_three_classes_with_the_book_api():
    solutions = {_meta(c)["grade_id"]: c.source for c in _cells(SOURCE) if _meta(c).get("solution")}
    assert set(solutions) == set(CLASSES)
    for name, source in solutions.items():
        assert graded_kind(source, name) == "class"
        for member in ("self.params, self.grads = [], []", "def forward(self", "def backward(self"):
            assert member in source, (name, member)
    tests = _tests()
    assert all(re.fullmatch(r"test_(WeightSum|AttentionWeight|Attention)_[a-z]+", gid) for gid in tests), tests
    assert sum(tests.values()) == 17
    for cell in _cells(SOURCE):
        if _meta(cell).get("grade") and not _meta(cell).get("solution"):
            assert cell.source.startswith('"""') and "### BEGIN HIDDEN TESTS" in cell.source or \
                _meta(cell)["grade_id"] == "test_Attention_inputs", _meta(cell)["grade_id"]


# --- assignment 06 under course autograde (sandbox, record and replay) ---------------------------

ZEROS = {
    "WeightSum": '''class WeightSum:
    def __init__(self):
        self.params, self.grads = [], []
    def forward(self, hs, a):
        N, T, H = hs.shape
        self.shape = (N, T, H)
        return np.zeros((N, H))
    def backward(self, dc):
        N, T, H = self.shape
        return np.zeros((N, T, H)), np.zeros((N, T))''',
    "AttentionWeight": '''class AttentionWeight:
    def __init__(self):
        self.params, self.grads = [], []
    def forward(self, hs, h):
        N, T, H = hs.shape
        self.shape = (N, T, H)
        return np.zeros((N, T))
    def backward(self, da):
        N, T, H = self.shape
        return np.zeros((N, T, H)), np.zeros((N, H))''',
    "Attention": '''class Attention:
    def __init__(self):
        self.params, self.grads = [], []
        self.attention_weight = None
    def forward(self, hs, h):
        N, T, H = hs.shape
        self.shape = (N, T, H)
        self.attention_weight = np.zeros((N, T))
        return np.zeros((N, H))
    def backward(self, dc):
        N, T, H = self.shape
        return np.zeros((N, T, H)), np.zeros((N, H))''',
}


def _solutions() -> dict[str, str]:
    return {_meta(c)["grade_id"]: "\n".join(line for line in c.source.splitlines() if "### " not in line)
            for c in _cells(SOURCE) if _meta(c).get("solution")}


@pytest.fixture(scope="module")
def graded06(tmp_path_factory):
    course = copy_course(tmp_path_factory.mktemp("c06") / "course")
    course_cmd(course, "release", ASSIGNMENT)
    release = nbformat.read(course / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    kinds = {"correct": _solutions(), "blank": {}, "zeros": ZEROS}
    for mistake in mistakes_for(ASSIGNMENT):
        kinds[mistake.key] = {**_solutions(), **mistake.cells}
    for student, codes in kinds.items():
        nb = nbformat.from_dict(release)
        for cell in nb.cells:
            if _meta(cell).get("solution") and _meta(cell)["grade_id"] in codes:
                cell.source = codes[_meta(cell)["grade_id"]]
        folder = course / "submitted" / student / ASSIGNMENT
        folder.mkdir(parents=True)
        nbformat.write(nb, folder / f"{ASSIGNMENT}.ipynb")
    course_cmd(course, "autograde", ASSIGNMENT, "--jobs", "2", timeout=3000)
    return course


def _lost(course, student) -> set:
    scores = grade_scores(course)
    return {gid for gid, points in _tests().items() if scores[(student, gid)] < points}


@pytest.mark.slow
def test_06_solution_gets_full_marks_blank_and_zeros_get_nothing(graded06):
    scores = grade_scores(graded06)
    tests = _tests()
    assert {gid: scores[("correct", gid)] for gid in tests} == tests
    assert sum(scores[("blank", gid)] for gid in tests) == 0
    assert sum(scores[("zeros", gid)] for gid in tests) == 0
    report = state(graded06, "correct", ASSIGNMENT)
    assert report["score"] == 17 and not report["flags"], report["flags"]
    assert {t["function"] for t in report["tests"].values()} == set(CLASSES)


@pytest.mark.slow
@pytest.mark.parametrize("key", [m.key for m in mistakes_for(ASSIGNMENT)])
def test_06_each_banked_mistake_loses_exactly_what_it_states(graded06, key):
    mistake = next(m for m in mistakes_for(ASSIGNMENT) if m.key == key)
    assert _lost(graded06, key) == set(mistake.lost)
    report = state(graded06, key, ASSIGNMENT)
    for grade_id, phrase in mistake.messages.items():
        assert phrase in report["tests"][grade_id]["message"], report["tests"][grade_id]["message"]
    assert report["score"] == sum(p for gid, p in _tests().items() if gid not in mistake.lost)


def test_06_has_at_least_five_banked_mistakes_with_korean_messages():
    bank = mistakes_for(ASSIGNMENT)
    assert len(bank) >= 5
    for mistake in bank:
        assert mistake.lost and set(mistake.lost) <= set(_tests()) and mistake.messages
        assert set(mistake.cells) <= set(CLASSES)
        assert all(any("\uac00" <= ch <= "\ud7a3" for ch in phrase) for phrase in mistake.messages.values())
