"""반 전체 보고서(``course report --html/--json``) 테스트: 손으로 계산한 수, 베낀 제출물, JSON 스키마, 브라우저.

작은 반 하나를 두 과제(``00_mini``와 그 사본 ``00_mini2``)로 채점합니다. 반에는 정답, 빈 제출, 흔한 실수,
길고 틀린 풀이를 변수 이름을 바꾸고 함수 순서를 바꿔 베낀 두 학생(``p_copy_a``, ``p_copy_b``), 따로 쓴
긴 풀이(``p_own_long``), 모두가 똑같이 쓰는 짧은 정답(``s_short_1``, ``s_short_2``)이 있습니다.
"""

from __future__ import annotations

import copy
import json
import shutil
import statistics
import sys
from pathlib import Path

import nbformat
import pytest

sys.modules.setdefault("rfc3987_syntax", None)

from tests.hostile.bank import BY_KEY, Entry, build_notebook  # noqa: E402
from tests.hostile.harness import course_cmd, released_minicourse  # noqa: E402
from tests.hostile.minicourse import ASSIGNMENT, POINTS  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
ARTIFACTS = REPO / "artifacts" / "report"
SECOND = "00_mini2"

LONG_WRONG = '''def _column(weights, count):
    """가중치를 열로 세웁니다."""
    col = []
    for value in weights:
        col.append([value])
    return np.array(col) * np.ones((1, count))

def context_vector(hs, a):
    """가중합을 구합니다."""
    T, H = hs.shape
    total = np.zeros(H)
    for t in range(T):
        row = hs[t]
        for h in range(H):
            total[h] = total[h] + row[h] * a[h % T]
    total = total / T
    return total'''

# 같은 풀이: 변수와 함수 이름을 바꾸고, 도우미 함수를 뒤로 옮기고, 주석을 붙였습니다.
LONG_WRONG_COPY = '''def context_vector(states, w):
    """맥락 벡터."""
    # 시각마다 더합니다
    n_time, n_hidden = states.shape
    acc = np.zeros(n_hidden)
    for i in range(n_time):
        vec = states[i]
        for j in range(n_hidden):
            acc[j] = acc[j] + vec[j] * w[j % n_time]
    acc = acc / n_time
    return acc

def make_col(ws, k):
    """열 만들기."""
    out = []
    for v in ws:
        out.append([v])
    return np.array(out) * np.ones((1, k))'''

# 따로 쓴 긴 풀이 (역시 틀림: 은닉 차원 축으로 평균).
OWN_LONG = '''def context_vector(hs, a):
    """맥락 벡터를 구합니다."""
    weights = np.asarray(a, dtype=float)
    if weights.ndim != 1:
        raise ValueError("가중치는 1차원이어야 합니다")
    pieces = {}
    for index, vector in enumerate(hs):
        pieces[index] = float(np.mean(vector)) * weights[index]
    result = np.array(list(pieces.values()))
    assert result.shape == weights.shape
    return result[: hs.shape[1]]'''

SHORT_CORRECT = '''def context_vector(hs, a):
    """맥락 벡터."""
    return np.asarray(a) @ hs'''

PLANTED = {"p_copy_a": {"context_vector": LONG_WRONG}, "p_copy_b": {"context_vector": LONG_WRONG_COPY},
           "p_own_long": {"context_vector": OWN_LONG},
           "s_short_1": {"context_vector": SHORT_CORRECT}, "s_short_2": {"context_vector": SHORT_CORRECT}}

FIRST_CLASS = ["correct", "blank", "cv_mean", "rw_no_axis", "rw_hardcoded", *PLANTED]
SECOND_CLASS = ["correct", "cv_mean", "rw_no_axis", "s_short_1", "p_copy_a"]   # rw_no_axis, cv_mean: 같은 실수가 다시


def _entry(key: str) -> Entry:
    if key in PLANTED:
        return Entry(key, key, PLANTED[key])
    return BY_KEY[key]


def _write(course: Path, assignment: str, keys) -> None:
    release = nbformat.read(course / "release" / assignment / f"{assignment}.ipynb", as_version=4)
    for key in keys:
        folder = course / "submitted" / key / assignment
        folder.mkdir(parents=True, exist_ok=True)
        nbformat.write(build_notebook(release, _entry(key)), folder / f"{assignment}.ipynb")


def build_class(dest: Path) -> Path:
    """두 과제를 배포하고 반의 제출물을 쓰고 채점한 강좌 폴더."""
    course = released_minicourse(dest)
    source = course / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    (course / "source" / SECOND).mkdir()
    shutil.copy2(source, course / "source" / SECOND / f"{SECOND}.ipynb")
    course_cmd(course, "release", SECOND)
    _write(course, ASSIGNMENT, FIRST_CLASS)
    _write(course, SECOND, SECOND_CLASS)
    course_cmd(course, "autograde", "--all", "--jobs", "2")
    return course


# ---------------------------------------------------------------------------
# fast: numbers and similarity without a course
# ---------------------------------------------------------------------------

def test_item_analysis_by_hand():
    """작은 행렬에서 난이도와 보정된 문항-총점 상관을 손으로 계산한 값과 비교합니다."""
    from ctxcourse.grading.class_report import item_analysis

    points = {"t1": 1.0, "t2": 2.0, "t3": 1.0}
    matrix = {"a": {"t1": 1, "t2": 2, "t3": 1}, "b": {"t1": 1, "t2": 0, "t3": 1},
              "c": {"t1": 0, "t2": 0, "t3": 1}, "d": {"t1": 1, "t2": 2, "t3": 1}}
    stats = {t.grade_id: t for t in item_analysis(points, matrix)}
    # t1: 통과 (1,1,0,1), 나머지 점수 (3,1,1,3) → 평균 0.75, 2; 공분산 합 0.25+(-0.25)+0.75+0.25 = 1
    # sxx = 3·0.0625+0.5625 = 0.75, syy = 1+1+1+1 = 4 → r = 1/√3
    assert stats["t1"].difficulty == 0.75 and stats["t1"].discrimination == round(1 / 3 ** 0.5, 4)
    # t2: 통과 (1,0,0,1), 나머지 (2,2,1,2) → r = 0.5/√(1·0.75) = 0.5774
    assert stats["t2"].difficulty == 0.5 and stats["t2"].discrimination == round(0.5 / 0.75 ** 0.5, 4)
    # t3: 모두 통과 → 변별도 없음, 두 표시
    assert stats["t3"].difficulty == 1.0 and stats["t3"].discrimination is None
    assert stats["t3"].flags == ["거의 모두 통과", "변별도를 정할 수 없음"]
    assert stats["t1"].flags == [] and stats["t2"].passed == 2 and stats["t2"].students == 4


def test_message_ids_ignore_numbers_and_shapes():
    from ctxcourse.grading.class_report import message_id, normalise

    first = "Feedback: repeat_weights()의 결과 형상이 (20,)입니다. 기대한 형상은 (5, 4)입니다. np.repeat에 axis를 주었나요?"
    second = "repeat_weights()의 결과 형상이 (21,)입니다. 기대한 형상은 (7, 3)입니다. np.repeat에 axis를 주었나요?"
    assert message_id(first) == message_id(second)
    assert "(…)" in normalise(first) and "20" not in normalise(first)
    assert message_id(first) != message_id("context_vector()의 값이 기대와 다릅니다.")


def test_similarity_finds_renamed_copy_not_short_or_honest():
    """이름을 바꾸고 순서를 바꾼 긴 풀이는 찾고, 똑같은 짧은 정답과 따로 쓴 긴 풀이는 짝짓지 않습니다."""
    from ctxcourse.grading.class_report import similar_pairs

    codes = {"p_copy_a": LONG_WRONG, "p_copy_b": LONG_WRONG_COPY, "p_own_long": OWN_LONG,
             "s_short_1": SHORT_CORRECT, "s_short_2": SHORT_CORRECT, "s_short_3": SHORT_CORRECT}
    pairs, note = similar_pairs("x", codes, "def context_vector(hs, a):\n    raise NotImplementedError")
    assert [p.students for p in pairs] == [["p_copy_a", "p_copy_b"]] and not note
    assert pairs[0].score >= 0.8 and any(hit for _, hit in pairs[0].left) and any(hit for _, hit in pairs[0].right)
    assert similar_pairs("x", codes, "", threshold=1.01)[0] == []


def test_similarity_budget_on_huge_code():
    """큰 코드는 잘라서 비교하므로 한도 안에서 끝납니다 (시간은 재지 않습니다)."""
    from ctxcourse.grading.class_report import MAX_CODE, similar_pairs

    huge = "x = 1\n" * 200_000
    pairs, _ = similar_pairs("x", {"a": huge, "b": huge}, "")
    assert len(pairs) == 1 and len(pairs[0].left) <= 120 and len(huge) > MAX_CODE


# ---------------------------------------------------------------------------
# slow: a graded class
# ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    return build_class(tmp_path_factory.mktemp("class_report") / "course")


@pytest.fixture(scope="module")
def report(graded):
    from ctxcourse.grading.class_report import build_class_report
    from ctxcourse.grading.course import load_course

    return build_class_report(load_course(graded), [ASSIGNMENT, SECOND])


# 00_mini에서 학생마다 실패한 테스트 (bank의 점수와 손으로 맞춘 것)
FAILED = {"correct": set(), "blank": set(POINTS), "cv_mean": {"test_context_vector_values"},
          "rw_no_axis": {"test_repeat_weights_shape", "test_repeat_weights_values"},
          "rw_hardcoded": {"test_repeat_weights_values"}, "p_copy_a": {"test_context_vector_values"},
          "p_copy_b": {"test_context_vector_values"}, "p_own_long": {"test_context_vector_values"},
          "s_short_1": set(), "s_short_2": set()}


@pytest.mark.slow
def test_report_numbers_by_hand(report):
    first = report.assignments[0]
    assert first.assignment == ASSIGNMENT and first.roster == 10 and first.submitted == 10
    totals = {s: sum(p for g, p in POINTS.items() if g not in failed) for s, failed in FAILED.items()}
    assert sorted(line.score for line in first.students) == sorted(totals.values())
    assert first.mean == round(sum(totals.values()) / 10, 4) == 5.9
    assert first.median == statistics.median(totals.values()) == 6.0
    for test in first.tests:
        passes = [0.0 if test.grade_id in FAILED[s] else 1.0 for s in sorted(FAILED)]
        rest = [totals[s] - (0 if test.grade_id in FAILED[s] else POINTS[test.grade_id]) for s in sorted(FAILED)]
        assert test.difficulty == sum(passes) / 10
        assert test.discrimination == round(statistics.correlation(passes, rest), 4)
    by_id = {t.grade_id: t for t in first.tests}
    assert by_id["test_context_vector_values"].difficulty == 0.5
    assert "변별력 낮음" in by_id["test_context_vector_values"].flags
    # 두 번째 과제: 명단 10명 중 5명 제출, 나머지는 미제출 0점
    second = report.assignments[1]
    assert second.roster == 10 and second.submitted == 5
    assert sum(line.status == "미제출" for line in second.students) == 5
    assert second.mean == round((8 + 6 + 5 + 8 + 6) / 10, 4)
    unchanged = {t.grade_id: t for t in second.tests}["test_repeat_weights_unchanged"]
    assert unchanged.difficulty == 1.0 and unchanged.discrimination is None and "거의 모두 통과" in unchanged.flags
    assert all(line.grading_seconds and line.grading_seconds > 0 for line in first.students)


@pytest.mark.slow
def test_misconceptions_and_persistence(report):
    first = report.assignments[0]
    hidden = next(m for m in first.misconceptions if m.id == "hidden:test_context_vector_values")
    assert sorted(hidden.students) == ["cv_mean", "p_copy_a", "p_copy_b", "p_own_long"] and hidden.hidden
    # 숨은 테스트에서 난 실패의 메시지(기준값의 힌트)는 보고서에 없습니다
    assert all("축 0으로" not in m.sentence for s in report.assignments for m in s.misconceptions)
    # 작은 강좌의 테스트는 진단 목록의 틀(형상이 틀림)에 강사가 쓴 설명을 붙입니다: id는 그 틀의 것
    axis = next(m for m in first.misconceptions if m.id == "shape_wrong")
    assert "rw_no_axis" in axis.students and axis.sentence.endswith("기대한 형상은 …입니다.")
    assert "형상이" in axis.example and axis.output   # 익명의 예시: 받은 메시지와 학생 셀의 틀린 출력
    assert all(student not in axis.example + axis.output for student in FAILED)
    persistent = {p.id: p.students for p in report.persistent}
    assert persistent[axis.id] == {"rw_no_axis": [ASSIGNMENT, SECOND]}
    assert set(persistent["hidden:test_context_vector_values"]) == {"cv_mean", "p_copy_a"}


@pytest.mark.slow
def test_planted_copies_found_honest_not(report):
    first, second = report.assignments
    assert [p.students for p in first.similar_pairs] == [["p_copy_a", "p_copy_b"]]
    assert first.similar_pairs[0].score >= 0.8
    assert second.similar_pairs == []


@pytest.mark.slow
def test_cli_json_matches_schema(graded, tmp_path):
    import jsonschema

    from ctxcourse.grading.class_report import schema

    done = course_cmd(graded, "report", "--json", str(tmp_path / "r.json"), "--html", str(tmp_path / "r.html"))
    assert "비슷한 코드 쌍 1개" in done.stdout
    data = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    jsonschema.validate(data, schema())
    first = data["assignments"][0]
    assert first["similar_pairs"] == [{"students": ["p_copy_a", "p_copy_b"], "assignment": ASSIGNMENT,
                                       "score": first["similar_pairs"][0]["score"], "shared": first["similar_pairs"][0]["shared"]}]
    assert {t["grade_id"]: t["difficulty"] for t in first["tests"]}["test_context_vector_values"] == 0.5
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**data, "assignments": [{**first, "tests": [{"grade_id": 1}]}]}, schema())
    # 터미널 보고서는 그대로
    assert "학생별·문제별 점수" in course_cmd(graded, "report").stdout


@pytest.mark.slow
def test_html_escapes_and_renders_without_missing_glyphs(report):
    import warnings

    from ctxcourse.grading.class_report import ClassReport, render_html

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        html = render_html(report)
    assert not [w for w in caught if "Glyph" in str(w.message) or "missing from" in str(w.message)]
    assert "<script" not in html and "Content-Security-Policy" in html
    assert html.count('src="data:image/png;base64,') == html.count("<img") == 8
    evil = copy.deepcopy(report.assignments[0])
    evil.misconceptions[0].sentence = '<script>alert(1)</script>\x1b[31m'
    page = render_html(ClassReport("x", [evil], []))
    assert "<script>" not in page and "&lt;script&gt;" in page and "\x1b" not in page


@pytest.mark.slow
def test_html_in_chromium(report, tmp_path):
    """헤드리스 Chromium에서: 모든 그림이 읽히고, file:/data: 밖의 요청이 없고, 스크린샷을 남깁니다."""
    from playwright.sync_api import sync_playwright

    from ctxcourse.grading.class_report import render_html

    page_file = tmp_path / "report.html"
    page_file.write_text(render_html(report), encoding="utf-8")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    requests = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run"])
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="ko-KR")
            page.on("request", lambda request: requests.append(request.url))
            page.goto(page_file.as_uri())
            page.wait_for_load_state("load")
            sizes = page.eval_on_selector_all("img", "images => images.map(i => [i.complete, i.naturalWidth])")
            text = page.inner_text("body")
            page.screenshot(path=str(ARTIFACTS / "class_report.png"), full_page=True)
            page.screenshot(path=str(ARTIFACTS / "class_report_top.png"))
        finally:
            browser.close()
    assert len(sizes) >= 7 and all(done and width > 0 for done, width in sizes)
    assert all(url.startswith(("file:", "data:")) for url in requests), requests
    assert "반 전체 보고서" in text and "베낀 것으로 보이는 제출물" in text and "p_copy_a ↔ p_copy_b" in text


def test_terminal_report_fits_80_columns_with_whole_headers():
    """긴 함수 이름(weight_sum_forward 등)이 있어도 80열 안에 들고, 열 머리가 단어 중간에서 끊기지 않습니다."""
    from rich.console import Console

    from ctxcourse.grading.report import AssignmentReport, StudentRow, render

    questions = ["weight_sum_forward", "weight_sum_backward", "attention_weights", "masked_softmax"]
    rows = [StudentRow(f"demo-student-with-a-long-id-{i}", {q: (float(i % 3), 3.0) for q in questions}, 7.0, 12.0,
                       flags=[{"kind": "hardcoded_output"}] if i == 1 else [], standing="늦음" if i == 2 else "제출",
                       penalty=1.0 if i == 2 else 0.0) for i in range(4)]
    report = AssignmentReport("04_weight_sum", questions, rows,
                              [("test_weight_sum_backward_gradient", 3, "weight_sum_backward()의 dhs가 수치 미분으로 "
                                "구한 기울기와 다릅니다. " * 3)], [("출력을 적어 넣음", 1)], 12.0)
    console = Console(width=80, record=True, color_system=None, force_terminal=False)
    render(report, console)
    text = console.export_text()
    lines = text.splitlines()
    from rich.cells import cell_len   # 한글은 두 칸: 글자 수가 아니라 화면의 칸 수로 잽니다

    assert max(cell_len(line) for line in lines) <= 80, max(lines, key=cell_len)
    header = next(line for line in lines if "학생" in line and "문1" in line)
    assert all(f"문{i}" in header for i in range(1, 5)) and "합계" in header and "상태" in header
    for question in questions:      # 뜻은 한 줄에 통째로
        assert any(line.strip() == f"문{questions.index(question) + 1} = {question}" for line in lines), question
    assert "weight_sum_forwar\n" not in text and not any(line.strip() in ("d", "rd") for line in lines)


def test_demo_class_planted_copies_found_and_no_honest_pair(tmp_path):
    """데모 반(course demo의 제출물)에서: 심어 둔 세 베낀 제출물은 모두 짝지어지고, 다른 쌍(정답들, 똑같은 짧은 정답
    둘, 실수 모음의 제출물)은 하나도 짝지어지지 않습니다. 채점 없이 제출 노트북의 학생 코드로 비교합니다."""
    from types import SimpleNamespace

    from ctxcourse.demo import available_assignments, build_demo_class, expected_pairs
    from ctxcourse.grading.class_report import _notebook, _own_code, _reference_lines, similar_pairs

    for folder in ("source", "release"):
        shutil.copytree(REPO / folder, tmp_path / folder)
    names = available_assignments(tmp_path)
    submissions = build_demo_class(tmp_path, names)
    course = SimpleNamespace(root=tmp_path)
    found = set()
    for name in names:
        release_lines, boilerplate = _reference_lines(course, name, name)
        codes = {sub.student: _own_code(_notebook(sub.path), release_lines) for sub in submissions if sub.assignment == name}
        pairs, note = similar_pairs(name, codes, boilerplate)
        assert not note
        found |= {(name, *pair.students) for pair in pairs}
        assert all(pair.score >= 0.8 for pair in pairs)
    assert found == expected_pairs(names) and len(found) == 3, found
    kinds = {sub.student: sub.kind for sub in submissions if sub.assignment == "03_axis_sum"}
    assert {kinds[s] for _, first, second in found for s in (first, second)} == {
        "copy_source", "copy_renamed", "copy_renamed_again"}
    assert {"short_own", "short_own_same"} <= set(kinds.values())
