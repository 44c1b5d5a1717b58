"""진단 id: 목록(ctxcourse/checks/diagnoses.py)의 틀마다 id가 되찾아지고, 실수 모음의 실수마다 적힌 id가 나옵니다.

노트북의 코드 셀을 한 이름공간에서 차례로 실행합니다 (커널, nbgrader 없이; 진짜 채점 파이프라인에서 기록된
메시지로 id를 확인하는 것은 tests/test_class_report.py의 데모 반 테스트입니다).
"""

from __future__ import annotations

import string

import matplotlib
import pytest

from source_cells import failing_tests
from ctxcourse.checks.diagnoses import ID_PATTERN, REGISTRY, identify, say, sentence
from ctxcourse.feedback import Feedback
from ctxcourse.mistakes import MODULES, mistakes_for, planted_for

matplotlib.use("Agg")


def _sample(diagnosis_id: str) -> str:
    fields = {name for _, name, _, _ in string.Formatter().parse(REGISTRY[diagnosis_id].template) if name}
    values = {name: ("softmax" if name == "name" else "softmax()가" if name == "called" else f"<{name}>")
              for name in fields}
    return say(diagnosis_id, **values)


def test_registry_ids_are_readable_and_every_template_finds_itself():
    assert len(REGISTRY) > 100
    for key, diagnosis in REGISTRY.items():
        assert ID_PATTERN.match(key), key
        assert any("\uac00" <= ch <= "\ud7a3" for ch in diagnosis.template), key
        text = _sample(key)
        assert identify(text) == key, (key, identify(text))
        assert identify(f"Feedback: {text}") == key   # 채점 기록의 메시지 꼴 ("Feedback: ...")
        assert "…" in sentence(key) or "{" not in diagnosis.template


def test_a_specific_diagnosis_wins_over_its_frame():
    message = (say("shape_wrong", call="context_vector()", got=(1, 4), expected=(4,)) + " "
               + say("keepdims_left_on", axis="합한 축이") + " keepdims를 빼세요.")
    assert identify(message) == "keepdims_left_on"
    assert identify(say("shape_wrong", call="f()", got=(3,), expected=(4,))) == "shape_wrong"
    assert identify("아무 진단도 아닌 문장입니다.") is None and identify(None) is None
    error = Feedback(message)
    assert error.id == "keepdims_left_on" and str(error) == message   # 학생이 보는 문장에는 id가 붙지 않습니다


BANKED = [(assignment, mistake) for assignment in MODULES
          for mistake in mistakes_for(assignment) + planted_for(assignment)]


def test_every_banked_mistake_states_registered_ids_for_exactly_its_lost_tests():
    for assignment, mistake in BANKED:
        expected = mistake.expected_ids()
        assert set(expected) == set(mistake.lost), (assignment, mistake.key)
        assert set(expected.values()) <= set(REGISTRY), (assignment, mistake.key, expected)


@pytest.mark.parametrize("assignment", list(MODULES))
def test_each_banked_mistake_raises_the_ids_it_states(assignment):
    problems = []
    for mistake in mistakes_for(assignment) + planted_for(assignment):   # 데모 반에 심은 제출물도
        failed = failing_tests(assignment, mistake.cells)
        got = {grade_id: identify(f"{type(error).__name__}: {error}") for grade_id, error in failed.items()}
        in_process = {grade_id: getattr(error, "id", None) for grade_id, error in failed.items()}
        if got != mistake.expected_ids():
            problems.append(f"{mistake.key}: 나온 id {got}, 적힌 id {mistake.expected_ids()}")
        if in_process != got:
            problems.append(f"{mistake.key}: Feedback.id {in_process}와 메시지에서 찾은 id {got}가 다릅니다")
    assert not problems, "\n".join(problems)


def test_numpy_broadcasting_has_one_id_however_it_is_noticed():
    """채점 엔진에서는 numpy를 바꿔 끼울 수 없어 70차원 형상의 numpy 오류로 알아챕니다: 그래도 같은 id입니다."""
    import numpy as np

    from ctxcourse.checks import broadcasting

    many = (1,) * 69 + (3,)
    got = broadcasting.outcome(lambda s1, s2: np.broadcast_shapes(s1, s2), many, (2, 1))
    with pytest.raises(Feedback) as engine_way:
        broadcasting.check_by_hand(many, (2, 1), got, (1,) * 68 + (2, 3))
    with pytest.raises(Feedback) as patched_way:
        broadcasting.check_by_hand((2,), (3,), RuntimeError(broadcasting.MARKER), (2,))
    assert engine_way.value.id == patched_way.value.id == "used_numpy_broadcasting"



def test_identify_has_no_ambiguous_field_and_reads_long_student_text():
    """진단 틀의 자리가 모두 ``.+?``였을 때 학생이 낸 2,000자 예외 글 하나에 51초가 걸렸습니다 (외부 레드팀 6차).
    이제 자리는 다음 글귀를 담지 않으므로 끊을 곳이 하나뿐이고 (``.+?``는 끝에만), 긴 메시지도 끝까지 읽습니다."""
    from ctxcourse.checks import diagnoses

    for key in REGISTRY:
        pattern = diagnoses._pattern(key).pattern
        assert ".+?" not in pattern[:-3], (key, pattern)
    hostile = ("a b" + "을 따라 합이 1입니다: 소프트맥스를 " + "c ") * 200
    assert identify(hostile) is None
    long_shape = tuple([1] * 80 + [3])
    message = say("shape_wrong", call="broadcast_shape()", got=long_shape, expected=long_shape[:-1] + (2,))
    assert len(message) > 500 and identify("Feedback: " + message) == "shape_wrong"
