"""ctxcourse.predict.check: 예측이 비어 있으면 안내만 하고, 적으면 확인합니다 (예외는 내지 않습니다)."""

from __future__ import annotations

import numpy as np

from ctxcourse.predict import ASK, check


def test_empty_prediction_asks_and_checks_nothing(capsys):
    called = []
    assert check({"my_shape": None}, [(lambda: called.append(1) or True, "")]).ok is None
    assert ASK in capsys.readouterr().out and not called


def test_right_prediction_passes(capsys):
    my_shape = (4,)
    assert check({"my_shape": my_shape}, [(lambda: np.ones((5, 4)).sum(axis=0).shape == my_shape, "")]).ok is True
    assert "맞았습니다" in capsys.readouterr().out


def test_wrong_prediction_explains_without_raising(capsys):
    assert check({"my_shape": (5,)}, [(lambda: (4,) == (5,), "더한 축이 빠집니다.")]).ok is False
    out = capsys.readouterr().out
    assert "아직 아닙니다" in out and "더한 축이 빠집니다" in out and "맞았습니다" not in out


def test_a_prediction_of_the_wrong_type_is_explained(capsys):
    assert check({"my_axis": "영"}, [(lambda: (5, 4)[["영"]] == 5, "축 번호는 정수입니다.")]).ok is False
    assert "TypeError" in capsys.readouterr().out


def test_the_verdict_prints_nothing_more_as_the_last_line_of_a_cell(capsys):
    """셀의 마지막 줄이 check(...)이면 Jupyter가 돌려준 값을 Out[n]으로 보이므로, True/False가 찍히지 않아야 합니다."""
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    shell.run_cell("from ctxcourse.predict import check\ncheck({'x': 1}, [(lambda: True, '')])")
    out = capsys.readouterr().out
    assert "맞았습니다" in out and "True" not in out and "Verdict" not in out


def test_common_format_slips_are_named(capsys):
    assert check({"my_size": "160"}, [(lambda: "160" == 160, "원소 수는 정수입니다.")]).ok is False
    assert "따옴표 없이" in capsys.readouterr().out
    assert check({"my_shape": [5, 4]}, [(lambda: [5, 4] == (5, 4), "형상을 확인하세요.")]).ok is False
    assert "튜플" in capsys.readouterr().out
