"""과제 source 노트북(해답과 숨은 테스트)의 코드 셀을 커널 없이 이 프로세스에서 차례로 실행하는 테스트 도구."""

from __future__ import annotations

import contextlib
import io
import warnings

import matplotlib.pyplot as plt
import nbformat

from conftest import REPO


def failing_tests(assignment: str, replace: dict[str, str] | None = None) -> dict[str, Exception]:
    """해답 셀을 ``replace``(grade_id → 코드)로 바꾸어 실행하고, 실패한 테스트 셀의 grade_id → 예외를 돌려줍니다."""
    cells = nbformat.read(REPO / "source" / assignment / f"{assignment}.ipynb", as_version=4).cells
    namespace: dict = {"__name__": "__main__"}
    failed = {}
    for cell in cells:
        if cell.cell_type != "code":
            continue
        meta = cell.metadata.get("nbgrader", {})
        source = (replace or {}).get(meta.get("grade_id"), cell.source)
        try:
            with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
                warnings.simplefilter("ignore")
                exec(compile(source, meta.get("grade_id", "cell"), "exec"), namespace)  # noqa: S102
        except Exception as error:  # noqa: BLE001
            if meta.get("grade"):
                failed[meta["grade_id"]] = error
    plt.close("all")
    return failed
