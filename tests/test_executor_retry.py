"""실행자의 다시 하기: 앞서 다른 제출물을 실행한 zygote에서 실행기가 done 없이 곧바로 끝나면 (앞 제출물이 zygote에
무언가를 남겼을 수 있음) 새 zygote에서 한 번 더 실행합니다. 시간 한도에 걸린 실행은 다시 하지 않습니다 (빠른 묶음)."""

from __future__ import annotations

import nbformat

from ctxcourse.grading import executor as executor_module
from ctxcourse.grading.executor import LocalExecutor
from ctxcourse.grading.models import AssignmentInfo, NotebookInfo, NotebookJob, Prepared, SubmissionReport
from ctxcourse.grading.sandbox import Limits, RunResult


def _prepared(tmp_path):
    files = tmp_path / "files"
    files.mkdir(exist_ok=True)
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")]), files / "nb.ipynb")
    info = NotebookInfo("nb", [], [], {}, {})
    return Prepared(SubmissionReport("a1", "s1"), AssignmentInfo("a1", {"nb": info}, "sig"),
                    [NotebookJob("nb", {}, 1)], {"nb": files})


def _executor(tmp_path, runs, monkeypatch):
    executor = LocalExecutor(Limits(), sandbox=False)
    executor.work_root = tmp_path / "work"
    executor.work_root.mkdir(exist_ok=True)
    calls = []

    def fake_run(job_dir, job, info, slot, worker):
        calls.append(job_dir)
        return runs[len(calls) - 1], None

    monkeypatch.setattr(executor, "_sandbox_run", fake_run)
    monkeypatch.setattr(executor, "_replay_worker", lambda: None)
    monkeypatch.setattr(executor_module, "replay_rest", lambda worker, conversation, info, outcome: {"tests": {}})
    return executor, calls


def _done() -> dict:
    return {"type": "done", "elapsed": 0.1, "stopped": None}


def test_a_quick_failure_on_a_reused_zygote_runs_once_more(tmp_path, monkeypatch):
    failed = RunResult(lines=[{"type": "fatal", "detail": "OSError: [Errno 98] Address already in use"}], reused=True)
    good = RunResult(lines=[{"type": "start", "cells": 1}, _done()], finished=True)
    executor, calls = _executor(tmp_path, [failed, good], monkeypatch)
    outcome = executor.execute(_prepared(tmp_path))["nb"]
    assert len(calls) == 2 and outcome["fatal"] is None and outcome["stopped"] is None


def test_no_second_run_for_a_fresh_zygote_or_a_timeout(tmp_path, monkeypatch):
    fresh = RunResult(lines=[{"type": "fatal", "detail": "boom"}], reused=False)
    executor, calls = _executor(tmp_path, [fresh], monkeypatch)
    assert executor.execute(_prepared(tmp_path))["nb"]["fatal"] == "boom" and len(calls) == 1
    slow = RunResult(lines=[], reused=True, wall_timeout=True)
    executor, calls = _executor(tmp_path, [slow], monkeypatch)
    assert executor.execute(_prepared(tmp_path))["nb"]["stopped"] == "wall_timeout" and len(calls) == 1
