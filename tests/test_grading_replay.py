"""녹화(커널 쪽)와 재현(깨끗한 프로세스 쪽), 기록의 직렬화, 수상한 코드 검사를 커널 없이 빠르게 확인합니다."""

from __future__ import annotations

import base64
import io
import json

import numpy as np
import pytest

from ctxcourse.grading import replay, scan, serial
from ctxcourse.grading.jail import recorder
from hostile.minicourse import SOLUTIONS, TESTS


# --- serial ------------------------------------------------------------------------------------

@pytest.mark.parametrize("value", [
    None, True, 3, 2 ** 80, -0.0, float("nan"), 1 + 2j, "맥락 벡터",
    np.arange(6.0).reshape(2, 3), np.array([1, 2], dtype=np.int32), np.array([True, False]), np.float64(1.5),
    np.asfortranarray(np.ones((2, 3))), [np.ones(2), (1, "a")], {"a": [1, 2]}, (5, 4), (),
])
def test_values_survive_the_round_trip_with_their_exact_type(value):
    data = json.loads(json.dumps(serial.encode(value)))
    back = serial.decode(data)
    assert type(back) is type(value)
    if isinstance(value, np.ndarray):
        assert back.dtype == value.dtype and back.shape == value.shape and np.array_equal(back, value)
    elif isinstance(value, float) and value != value:
        assert back != back
    elif isinstance(value, list):
        assert np.array_equal(back[0], value[0]) and back[1] == value[1]
    else:
        assert back == value
    assert serial.call_digest("f", (value,), {}) == serial.call_digest("f", (back,), {})


def test_lying_objects_become_plain_placeholders():
    class Liar(np.ndarray):
        def __eq__(self, other):
            return True

    back = serial.decode(serial.encode(np.zeros(3).view(Liar)))
    assert not isinstance(back, np.ndarray) and type(back).__name__ == "Liar"
    assert isinstance(back, serial.ForeignValue)
    assert serial.decode(serial.encode(object())).type_name == "object"
    assert serial.decode(serial.encode(np.array([object()])))


@pytest.mark.parametrize("value", [
    np.arange(24.0).reshape(2, 3, 4), np.asfortranarray(np.arange(12).reshape(3, 4)), np.array(7.5),
    np.zeros((0, 3)), np.array([1.5, -2.0], dtype=">f8"), np.array([1 + 2j]), np.array(["맥락", "벡터"]),
    np.array([True, False]), np.arange(6, dtype=np.uint8)[::2], np.zeros((2, 2), dtype=[("a", "<i4"), ("b", "<f8")]),
])
def test_arrays_decode_exactly_as_numpy_loads_them(value):
    """해독은 np.load(allow_pickle=False)와 같은 배열을 돌려줍니다: dtype, 형상, 값, 메모리 순서, 쓰기 가능."""
    data = serial.encode(value)
    expected = np.load(io.BytesIO(base64.b64decode(data["npy"])), allow_pickle=False)
    back = serial.decode(data)
    assert back.dtype == expected.dtype and back.shape == expected.shape and np.array_equal(back, expected)
    assert back.flags.f_contiguous == expected.flags.f_contiguous
    assert back.flags.c_contiguous == expected.flags.c_contiguous
    assert back.flags.writeable   # 제 메모리 (base64에서 푼 바이트를 가리키는 읽기 전용 보기가 아님)
    back[...] = back   # 쓰기 가능 (재현기의 검사가 값을 바꿔 봅니다)


def test_truncated_array_data_is_rejected():
    data = serial.encode(np.arange(10.0))
    raw = base64.b64decode(data["npy"])
    with pytest.raises(serial.RecordError, match="크기"):
        serial.decode(_npy(raw[:-8]))
    for shape in ((-1,), (-2, -3), (2, -1)):   # np.load도 거절하는 형상 (-1을 "나머지 전부"로 읽지 않음)
        header = io.BytesIO()
        np.lib.format.write_array_header_1_0(header, {"descr": "<f8", "fortran_order": False, "shape": shape})
        with pytest.raises(serial.RecordError):
            serial.decode(_npy(header.getvalue() + raw[-80:]))


def _npy(array_bytes: bytes) -> dict:
    return {"t": "nd", "npy": base64.b64encode(array_bytes).decode()}


def test_crafted_records_are_rejected():
    buffer = io.BytesIO()
    np.save(buffer, np.array([1, None], dtype=object), allow_pickle=True)
    with pytest.raises(serial.RecordError):
        serial.decode(_npy(buffer.getvalue()))
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(header, {"descr": "<f8", "fortran_order": False, "shape": (10 ** 12,)})
    with pytest.raises(serial.RecordError, match="크기"):
        serial.decode(_npy(b"\x93NUMPY\x01\x00" + header.getvalue()[8:]))
    for bad in ({"t": "mystery"}, [], {"t": "list", "items": "x"}, {"t": "nd", "npy": "not base64!"}):
        with pytest.raises(serial.RecordError):
            serial.decode(bad)


# --- record in one place, replay in another ----------------------------------------------------

def _record(tmp_path, function, calls):
    """recorder의 포장 함수로 ``calls``를 실행하고 기록 텍스트와 nonce를 돌려줍니다."""
    path = tmp_path / "rec.jsonl"
    recorder._state.update({"test": "t1", "nonce": "n1", "path": str(path), "depth": 0, "seq": 0})
    wrapped = recorder._wrap(function.__name__, function)
    results = []
    for args in calls:
        try:
            results.append(wrapped(*args))
        except Exception as error:  # noqa: BLE001
            results.append(error)
    recorder._state.update({"test": None, "nonce": None})
    return path.read_text(encoding="utf-8"), results


def test_replay_returns_what_the_student_function_returned_and_restores_mutation(tmp_path):
    def repeat_weights(a, H):
        a.sort()
        print("hello")
        return np.repeat(a.reshape(-1, 1), H, axis=1)

    w = np.array([0.5, 0.25, 0.125])
    text, (kernel_result,) = _record(tmp_path, repeat_weights, [(w.copy(), 2)])
    calls, undefined, notes = replay.parse_records(text, "t1", "n1", ["repeat_weights"], False)
    assert not notes and not undefined and len(calls) == 1
    fake = replay.ReplayFunction("repeat_weights", calls, False, "없음")
    live = np.array([0.5, 0.25, 0.125])
    out = io.StringIO()
    import contextlib
    with contextlib.redirect_stdout(out):
        result = fake(live, 2)
    assert np.array_equal(result, kernel_result) and type(result) is np.ndarray
    assert np.array_equal(live, [0.125, 0.25, 0.5]), "호출 뒤 인자 상태(제자리 정렬)가 되살아나지 않았습니다"
    assert out.getvalue() == "hello\n"
    with pytest.raises(replay.GradingRecordMissing, match="없음"):
        fake(np.array([1.0, 2.0]), 2)


def test_replay_reraises_the_students_exceptions(tmp_path):
    class MyError(Exception):
        pass

    def broadcast_shape(shape1, shape2):
        if shape1 == (1,):
            raise MyError("직접 만든 예외")
        raise ValueError("shape mismatch: objects cannot be broadcast")

    text, _ = _record(tmp_path, broadcast_shape, [((5, 4), (5,)), ((1,), (2,))])
    calls, _, _ = replay.parse_records(text, "t1", "n1", ["broadcast_shape"], False)
    fake = replay.ReplayFunction("broadcast_shape", calls, False, "없음")
    with pytest.raises(ValueError, match="cannot be broadcast"):
        fake((5, 4), (5,))
    with pytest.raises(serial.StudentRaised) as caught:
        fake((1,), (2,))
    assert type(caught.value).__name__ == "MyError"


def test_forged_or_foreign_records_are_noted(tmp_path):
    def f(x):
        return x + 1

    text, _ = _record(tmp_path, f, [(np.ones(2),)])
    good = text.strip()
    forged = [json.dumps({**json.loads(good), "nonce": "guess", "seq": 99}),
              json.dumps({**json.loads(good), "function": "os.system", "seq": 100}),
              "{not json", json.dumps({**json.loads(good), "digest": "0" * 64, "seq": 101})]
    calls, _, notes = replay.parse_records("\n".join([good, *forged]), "t1", "n1", ["f"], False)
    assert len(notes) == 4, notes
    assert any("nonce" in note for note in notes) and any("요약" in note for note in notes)


def test_run_test_reports_like_nbgrader():
    ok = replay.run_test("t", "x = 1", {})
    assert ok == []
    failed = replay.run_test("t", "from ctxcourse import feedback\nfeedback.fail('가중합이 틀렸습니다')", {})
    assert failed[-1]["output_type"] == "error" and failed[-1]["ename"] == "Feedback"
    assert failed[-1]["evalue"] == "가중합이 틀렸습니다"
    assert replay.run_test("t", "import sys\nprint('x', file=sys.stderr)", {})[0]["name"] == "stderr"
    assert replay.run_test("t", "1.5", {})[0]["data"]["text/plain"] == "1.5"


def test_replay_times_out_a_looping_test(monkeypatch):
    monkeypatch.setattr(replay, "TEST_TIMEOUT", 1)
    outputs = replay.run_test("t", "while True:\n    pass", {})
    assert outputs[-1]["ename"] == "ReplayTimeout"
    # 시간이 다 된 순간에 도는 코드가 예외를 모두 잡아도 (기록 해독, 학생 함수의 오류를 잡는 검사) 테스트는 끝납니다
    swallowing = ("import time\nend = time.monotonic() + 6\nwhile time.monotonic() < end:\n    try:\n"
                  "        sum(range(10 ** 5))\n    except Exception:\n        pass\n'삼켜짐'")
    outputs = replay.run_test("t", swallowing, {})
    assert outputs[-1]["ename"] == "ReplayTimeout"


def test_a_record_with_a_huge_count_of_empty_elements_is_refused_at_once():
    """원소 크기가 0인 dtype과 아주 큰 형상: 바이트 검사를 지나지만 원소마다 도는 복사가 10**15개면 며칠 걸립니다 (레드팀 8차)."""
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(header, {"descr": [("z", "<f8", (0,))], "fortran_order": False,
                                                  "shape": (10 ** 9,)})
    with pytest.raises(serial.RecordError, match="원소|크기가 0"):
        serial.decode(_npy(header.getvalue()))
    nested = io.BytesIO()   # 원소 수는 1이지만 겹친 크기 0 부분 배열이 10**18번 도는 dtype
    np.lib.format.write_array_header_1_0(nested, {"descr": [("a", [("b", [("c", "<f8", (0,))], (10 ** 9,))], (10 ** 9,))],
                                                  "fortran_order": False, "shape": (1,)})
    with pytest.raises(serial.RecordError):
        serial.decode(_npy(nested.getvalue()))


def test_replay_job_grades_a_minicourse_test_from_records(tmp_path):
    namespace = {"np": np}
    exec(SOLUTIONS["repeat_weights"], namespace)  # noqa: S102  (작은 강좌의 정답)
    grade_id, _, source = TESTS["repeat_weights"][1]
    rng = np.random.default_rng(7)
    w = rng.random(7)
    text, _ = _record(tmp_path, namespace["repeat_weights"], [(w, 3)])
    job = {"tests": [{"grade_id": grade_id, "source": source}], "graded": ["repeat_weights"],
           "records": {grade_id: {"text": text.replace('"test": "t1"', f'"test": "{grade_id}"'), "nonce": "n1"}},
           "status": {grade_id: "ok"}}
    answer = replay.replay_job(job)
    assert answer["tests"][grade_id]["outputs"] == [] and not answer["notes"]
    job["records"] = {}
    missing = replay.replay_job(job)["tests"][grade_id]["outputs"]
    assert missing[-1]["ename"] == "Feedback" and "GradingRecordMissing" in missing[-1]["evalue"]


# --- scan ---------------------------------------------------------------------------------------

def test_scan_flags_cheats_but_not_honest_solutions():
    cheats = {
        "import numpy as np\nnp.allclose = lambda *a, **k: True": "원숭이 패치",
        "import ctxcourse.feedback as fb\nfb.check_close = print": "원숭이 패치",
        "get_ipython().input_transformers_post.append(lambda lines: [])": "입력 변환기",
        "ip = get_ipython()\nip.showtraceback = lambda *a: None": "오류 표시",
        "import os\nos._exit(0)": "프로세스",
        "open('../../gradebook.db', 'w')": "강좌 폴더",
    }
    for source, expected in cheats.items():
        hits = scan.scan(source)
        assert any(expected in hit for hit in hits), (source, hits)
    for source in SOLUTIONS.values():
        assert scan.scan(source) == [], source


def test_restore_replays_an_in_place_shape_change():
    """학생 함수가 a.shape = (T, 1)처럼 인자의 형상을 바꾸면, 재현 쪽 인자도 같은 형상이 되어야 합니다."""
    import numpy as np

    live, after = np.arange(5.0), np.arange(5.0).reshape(5, 1) * 2
    replay._restore(live, after)
    assert live.shape == (5, 1)
    assert np.array_equal(live, after)
