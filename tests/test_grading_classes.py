"""채점 클래스(책의 계층 API: params, grads, forward, backward)의 녹화와 재현.

앞부분은 커널 없이 빠르게: 녹화기(recorder)로 테스트 셀을 실행해 기록을 만들고, 재현기(replay)가 같은
테스트 셀을 그 기록에 대고 다시 실행합니다. 뒷부분(slow)은 클래스 과제 ``00_layer``의 악의적인 제출물
모음(tests/hostile/classcourse.py)을 ``course autograde``로 실제 샌드박스에서 채점합니다.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from ctxcourse.grading import graded, replay
from ctxcourse.grading.jail import recorder
from hostile import classcourse
from hostile.harness import course_cmd, grade_scores, state, totals


def _student(code: str) -> dict:
    namespace = {"np": np}
    exec(code, namespace)  # noqa: S102  (테스트가 만든 학생 코드)
    return namespace


def _record(tmp_path, objects: dict, source: str, test: str = "t1") -> tuple[str, BaseException | None]:
    """``source``를 녹화기로 감싼 ``objects``(이름 → 클래스 또는 함수)와 함께 실행하고 (기록, 커널 쪽 예외)."""
    path = tmp_path / f"rec-{test}.jsonl"
    path.write_text("", encoding="utf-8")
    recorder._state.update({"test": test, "nonce": "n1", "path": str(path), "depth": 0, "seq": 0, "instances": 0})
    namespace = {"__name__": "__main__"}
    for name, obj in objects.items():
        namespace[name] = recorder._wrap_class(name, obj) if isinstance(obj, type) else recorder._wrap(name, obj)
    error = None
    try:
        exec(compile(source, "<test>", "exec"), namespace)  # noqa: S102
    except Exception as caught:  # noqa: BLE001
        error = caught
    finally:
        recorder._state.update({"test": None, "nonce": None, "depth": 0})
    return path.read_text(encoding="utf-8"), error


def _replay(text: str, names: list, source: str, test: str = "t1") -> dict:
    job = {"tests": [{"grade_id": test, "source": source}], "graded": names,
           "records": {test: {"text": text, "nonce": "n1"}}, "status": {test: "ok"}}
    return replay.replay_job(job)


def _verdict(answer: dict, test: str = "t1") -> str:
    outputs = answer["tests"][test]["outputs"]
    errors = [o for o in outputs if o["output_type"] == "error"]
    return "" if not errors else f"{errors[-1]['ename']}: {errors[-1]['evalue']}"


def _kinds(text: str) -> list:
    return [json.loads(line)["kind"] for line in text.splitlines() if line.strip()]


CORRECT = _student(classcourse.CORRECT)["WeightSum"]
TEST_SOURCES = {gid: src for gid, _, src in classcourse.TESTS}


# --- graded.py -----------------------------------------------------------------------------------

def test_graded_kind_finds_functions_and_classes_named_like_the_grade_id():
    assert graded.graded_kind("def f(x):\n    return x", "f") == "function"
    assert graded.graded_kind(classcourse.SOLUTION, "WeightSum") == "class"
    assert graded.graded_kind(classcourse.SOLUTION, "forward") is None       # 메서드는 채점 대상이 아닙니다
    assert graded.graded_kind("x = 1\nclass Other:\n    pass", "WeightSum") is None
    assert graded.graded_kind("class WeightSum:\n    def forward(self\n", "WeightSum") == "class"  # 문법 오류
    assert graded.graded_kind("def g(:\n", "f") is None
    assert graded.defines_function(classcourse.SOLUTION, "WeightSum")
    from ctxcourse.grading import catalog, report
    assert catalog.defines_function is graded.defines_function and report.test_function is graded.test_function


def test_test_function_maps_test_ids_to_the_longest_graded_name():
    names = ["Attention", "AttentionWeight", "WeightSum", "softmax", "masked_softmax"]
    assert graded.test_function("test_AttentionWeight_backward", names) == "AttentionWeight"
    assert graded.test_function("test_Attention_backward", names) == "Attention"
    assert graded.test_function("test_WeightSum", names) == "WeightSum"
    assert graded.test_function("test_masked_softmax_rows", names) == "masked_softmax"
    assert graded.test_function("test_inputs_unchanged", names) is None


# --- record in the kernel, replay in a clean process --------------------------------------------

@pytest.mark.parametrize("grade_id", list(TEST_SOURCES))
def test_a_correct_class_passes_every_test_on_replay(tmp_path, grade_id):
    text, error = _record(tmp_path, {"WeightSum": CORRECT}, TEST_SOURCES[grade_id], grade_id)
    assert error is None, error
    answer = _replay(text, ["WeightSum"], TEST_SOURCES[grade_id], grade_id)
    assert _verdict(answer, grade_id) == "" and not answer["notes"]
    assert answer["tests"][grade_id]["used"] > 0 and answer["tests"][grade_id]["missing"] == 0


def test_records_hold_construction_reads_and_method_calls_in_order(tmp_path):
    source = "layer = WeightSum()\nc = layer.forward(np.ones((1, 2, 3)), np.full((1, 2), 0.5))\np = layer.params"
    text, _ = _record(tmp_path, {"WeightSum": CORRECT, "np": np}, "import numpy as np\n" + source)
    lines = [json.loads(line) for line in text.splitlines()]
    assert [line["kind"] for line in lines] == ["new", "get", "mcall", "get"]
    assert lines[1]["value"] == {"t": "method"} and lines[2]["method"] == "forward"
    assert lines[3]["attr"] == "params" and lines[3]["value"] == {"t": "list", "items": []}
    assert len({line["instance"] for line in lines}) == 1


def test_replay_fails_clearly_on_a_call_that_was_not_recorded_or_had_other_inputs(tmp_path):
    recorded = "import numpy as np\nlayer = WeightSum()\nc = layer.forward(np.ones((1, 2, 3)), np.full((1, 2), 0.5))"
    text, _ = _record(tmp_path, {"WeightSum": CORRECT}, recorded)
    other_input = recorded.replace("0.5", "0.25")
    verdict = _verdict(_replay(text, ["WeightSum"], other_input))
    assert verdict.startswith("GradingRecordMissing") and "다른 입력" in verdict
    extra = recorded + "\nlayer.backward(np.ones((1, 3)))"
    verdict = _verdict(_replay(text, ["WeightSum"], extra))
    assert "기록되지 않았습니다" in verdict and "backward" in verdict
    other_order = "import numpy as np\nlayer = WeightSum()\np = layer.grads"
    assert "forward 읽기가 기록" in _verdict(_replay(text, ["WeightSum"], other_order))
    second = recorded + "\nlayer2 = WeightSum()"
    assert _verdict(_replay(text, ["WeightSum"], second)).startswith("GradingRecordMissing")


def test_a_mismatch_breaks_the_instance_for_the_rest_of_the_cell(tmp_path):
    recorded = "import numpy as np\nlayer = WeightSum()\nc = layer.forward(np.ones((1, 2, 3)), np.full((1, 2), 0.5))\np = layer.params"
    text, _ = _record(tmp_path, {"WeightSum": CORRECT}, recorded)
    source = recorded.replace("c = layer.forward", "try:\n    layer.grads\nexcept Exception:\n    pass\nc = layer.forward")
    assert _verdict(_replay(text, ["WeightSum"], source)).startswith("GradingRecordMissing")


def test_exceptions_from_the_constructor_methods_and_attributes_are_replayed(tmp_path):
    student = _student('''class Broken:
    def __init__(self, fail=False):
        if fail:
            raise ValueError("생성 실패")
    def forward(self, x):
        raise NotImplementedError
    @property
    def params(self):
        raise KeyError("params")''')["Broken"]
    source = '''import numpy as np
seen = []
for step in (lambda: Broken(True), lambda: Broken().forward(np.ones(2)), lambda: Broken().params,
             lambda: Broken().nothing):
    try:
        step()
    except Exception as error:
        seen.append(type(error).__name__)
assert seen == ["ValueError", "NotImplementedError", "KeyError", "AttributeError"], seen'''
    text, error = _record(tmp_path, {"Broken": student}, source)
    assert error is None, error
    assert _verdict(_replay(text, ["Broken"], source)) == ""


def test_lying_results_reach_the_test_as_plain_placeholders(tmp_path):
    liar = _student(classcourse.LIAR)["WeightSum"]
    source = TEST_SOURCES["test_WeightSum_forward"]
    text, kernel_error = _record(tmp_path, {"WeightSum": liar}, source, "t")
    verdict = _verdict(_replay(text, ["WeightSum"], source, "t"), "t")
    assert verdict.startswith("Feedback") and "Liar" in verdict


def test_getattr_tricks_get_method_placeholders_not_values(tmp_path):
    trick = _student(classcourse.GETATTR)["WeightSum"]
    for grade_id, source in TEST_SOURCES.items():
        text, _ = _record(tmp_path, {"WeightSum": trick}, source, grade_id)
        assert _verdict(_replay(text, ["WeightSum"], source, grade_id), grade_id) != "", grade_id
    source = "layer = WeightSum()\nlen(layer.params)"
    text, _ = _record(tmp_path, {"WeightSum": trick}, source, "x")
    assert "TypeError" in _verdict(_replay(text, ["WeightSum"], source, "x"), "x")


def test_state_is_read_when_the_test_reads_it_and_side_effects_stay_in_the_kernel(tmp_path):
    student = _student('''class Counter:
    def __init__(self):
        self.reads = 0
        self.params, self.grads = [], []
    @property
    def attention_weight(self):
        self.reads += 1
        self.params.append(self.reads)
        return np.full(2, float(self.reads))''')["Counter"]
    source = '''layer = Counter()
first, second = layer.attention_weight, layer.attention_weight
assert list(first) == [1.0, 1.0] and list(second) == [2.0, 2.0]
assert layer.params == [1, 2] and layer.reads == 2'''
    text, error = _record(tmp_path, {"Counter": student}, source)
    assert error is None, error
    assert _verdict(_replay(text, ["Counter"], source)) == ""


def test_nested_graded_classes_inside_student_code_are_not_recorded(tmp_path):
    ns = _student(classcourse.CORRECT + '''

class Outer:
    def __init__(self):
        self.params, self.grads = [], []
        self.inner = WeightSum()
    def forward(self, hs, a):
        return self.inner.forward(hs, a)''')
    objects = {"WeightSum": ns["WeightSum"], "Outer": ns["Outer"]}
    ns["WeightSum"] = recorder._wrap_class("WeightSum", ns["WeightSum"])   # 학생 이름공간도 바뀐 것처럼
    source = "import numpy as np\nc = Outer().forward(np.ones((1, 2, 3)), np.full((1, 2), 0.5))\nassert c.shape == (1, 3)"
    text, error = _record(tmp_path, objects, source)
    assert error is None, error
    assert [json.loads(line)["function"] for line in text.splitlines()] == ["Outer"] * 3
    assert _verdict(_replay(text, ["WeightSum", "Outer"], source)) == ""


def test_private_names_and_assignment_are_refused_on_both_sides(tmp_path):
    for source in ("layer = WeightSum()\nlayer._cache", "layer = WeightSum()\nlayer.params = [1]"):
        text, error = _record(tmp_path, {"WeightSum": CORRECT}, source)
        assert isinstance(error, AttributeError)
        assert "AttributeError" in _verdict(_replay(text, ["WeightSum"], source))
    assert _kinds(text) == ["new"]


def test_in_place_changes_to_method_inputs_are_restored_on_replay(tmp_path):
    mutating = _student(classcourse.INPUT_MUTATION)["WeightSum"]
    source = '''import numpy as np
hs = np.ones((1, 2, 3))
layer = WeightSum()
layer.forward(hs, np.full((1, 2), 0.5))
assert np.allclose(hs, 0.5), hs'''
    text, error = _record(tmp_path, {"WeightSum": mutating}, source)
    assert error is None, error
    assert _verdict(_replay(text, ["WeightSum"], source)) == ""


def test_forged_class_records_are_noted_and_ignored(tmp_path):
    text, _ = _record(tmp_path, {"WeightSum": CORRECT}, "import numpy as np\nlayer = WeightSum()\nlayer.params")
    new, get = [json.loads(line) for line in text.splitlines()]
    forged = [{**get, "attr": "__class__", "seq": 10}, {**get, "instance": "0", "seq": 11},
              {**get, "value": "not a dict", "seq": 12},
              {**new, "kind": "mcall", "method": "forward", "seq": 13, "digest": "0" * 64}]
    lines = [json.dumps(new), json.dumps(get)] + [json.dumps(item) for item in forged]
    calls, _, notes = replay.parse_records("\n".join(lines), "t1", "n1", ["WeightSum"], False)
    assert len(notes) == 4, notes
    assert len(calls) == 3   # 요약이 틀린 mcall은 메모를 남기고 그대로 둡니다 (그 요약으로는 아무 호출도 맞지 않습니다)


# --- the hostile class bank under course autograde (sandboxed) -----------------------------------

@pytest.fixture(scope="module")
def class_graded(tmp_path_factory):
    course = classcourse.build_classcourse(tmp_path_factory.mktemp("classes") / "course")
    course_cmd(course, "release", "--all")
    classcourse.write_class(course)
    done = course_cmd(course, "autograde", "--all", "--jobs", "2", "--timeout", "20", "--memory", "1536")
    return {"course": course, "output": done.stdout + done.stderr}


@pytest.mark.slow
@pytest.mark.parametrize("key", [entry.key for entry in classcourse.ENTRIES])
def test_each_class_submission_gets_exactly_what_it_earned(class_graded, key):
    entry = classcourse.BY_KEY[key]
    course = class_graded["course"]
    total = totals(course).get(key)
    assert total == entry.score, f"{key} ({entry.title}): {total}점, 기대 {entry.score}점"
    report = state(course, key, classcourse.ASSIGNMENT)
    kinds = {flag["kind"] for flag in report["flags"]}
    assert entry.flags <= kinds, f"{key}: 의심 표시 {sorted(kinds)}에 {sorted(entry.flags - kinds)}가 없습니다"
    if entry.message:
        grade_id, phrase = entry.message
        assert phrase in report["tests"][grade_id]["message"], report["tests"][grade_id]
    if key in ("correct", "blank"):
        assert not report["flags"], report["flags"]


@pytest.mark.slow
def test_class_tests_are_attributed_to_the_class(class_graded):
    report = state(class_graded["course"], "correct", classcourse.ASSIGNMENT)
    assert {t["function"] for t in report["tests"].values()} == {"WeightSum"}
    scores = grade_scores(class_graded["course"])
    assert sum(scores[("correct", gid)] for gid in classcourse.POINTS) == classcourse.MAX_SCORE
    assert Path(class_graded["course"], "autograded", "correct", classcourse.ASSIGNMENT).is_dir()
