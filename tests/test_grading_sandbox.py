"""bubblewrap 샌드박스의 성질을 직접 확인합니다: 네트워크 없음, 읽기 전용 시스템, 나만의 /tmp, 강좌 폴더와
저장소 루트가 보이지 않음, 전용 uid와 자원 한도; 그리고 벽시계 제한, 샌드박스를 쓸 수 없을 때의 분명한 오류,
``--no-sandbox``."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from ctxcourse.grading.sandbox import Limits, Sandbox, SandboxUnavailable
from hostile.bank import BY_KEY, Entry, write_class
from hostile.harness import BIN, course_cmd, env, released_minicourse, state, totals
from hostile.minicourse import ASSIGNMENT, REPO

PROBE = r'''
import json, os, resource, socket, sys, time
from ctxcourse.grading.jail.privileges import drop_privileges
job = json.loads(sys.argv[1])
drop_privileges(job)
out = {"uid": os.getuid(), "euid": os.geteuid()}
try:
    socket.create_connection(("1.1.1.1", 53), timeout=2).close()
    out["net"] = "open"
except OSError as error:
    out["net"] = type(error).__name__
out["visible"] = {path: os.path.exists(path) for path in job["paths"]}
def can_write(path):
    try:
        with open(path, "w") as handle:
            handle.write("x")
        return True
    except OSError:
        return False
out["write"] = {path: can_write(path) for path in ["/usr/ctx_x", "/ctx_x", "/tmp/ctx_x", "/home/student/ctx_x",
                                                    "/ctxgrade/job/ctx_x", job["repo"] + "/ctx_x"]}
import ctxcourse.feedback
out["import"] = True
try:
    blob = bytearray(1536 * 1024 * 1024)
    out["memory"] = "allocated"
except MemoryError:
    out["memory"] = "MemoryError"
children = []
for _ in range(60):
    try:
        pid = os.fork()
    except OSError:
        break
    if pid == 0:
        time.sleep(3)
        os._exit(0)
    children.append(pid)
out["forks"] = len(children)
for pid in children:
    os.kill(pid, 9)
import ctypes
libc = ctypes.CDLL(None, use_errno=True)
out["new_userns"] = libc.unshare(0x10000000) == 0
print(json.dumps(out))
'''


@pytest.fixture(scope="module")
def sandbox():
    box = Sandbox(Limits())
    box.check()
    return box


def test_sandbox_isolates_the_student(sandbox, tmp_path):
    course = tmp_path / "course"
    (course / "source").mkdir(parents=True)
    (course / "gradebook.db").write_text("secret")
    marker = Path("/tmp") / f"ctxgrade-host-marker-{os.getpid()}"
    marker.write_text("host")
    job_dir = tmp_path / "job"
    job_dir.mkdir()
    try:
        job = {"limits": {"RLIMIT_AS": 1024 ** 3, "RLIMIT_NPROC": 25}, "repo": str(REPO),
               "paths": [str(course), str(course / "gradebook.db"), str(REPO / "source"), str(REPO / "nbgrader_config.py"),
                         str(marker), str(Path.home()), str(REPO / "ctxcourse" / "feedback.py")]}
        if sandbox.root_mode:
            job["uid"] = job["gid"] = sandbox.uid_for(7)
            os.chown(job_dir, sandbox.uid_for(7), sandbox.uid_for(7))
        else:
            job["limits"]["RLIMIT_NPROC"] = sandbox.job_limits()["RLIMIT_NPROC"]
        process = sandbox.spawn(job_dir, [sandbox.python, "-I", "-c", PROBE, json.dumps(job)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        stdout, stderr = process.communicate(timeout=120)
        assert process.returncode == 0, stderr
        out = json.loads(stdout.strip().splitlines()[-1])
    finally:
        marker.unlink()
    assert out["net"] != "open", "샌드박스 안에서 네트워크가 열려 있습니다"
    visible = out["visible"]
    assert not visible[str(course)] and not visible[str(course / "gradebook.db")], "강좌 폴더가 보입니다"
    assert not visible[str(REPO / "source")] and not visible[str(REPO / "nbgrader_config.py")], "저장소 루트가 보입니다"
    assert not visible[str(marker)], "호스트의 /tmp가 보입니다"
    assert visible[str(REPO / "ctxcourse" / "feedback.py")] and out["import"], "ctxcourse 패키지를 쓸 수 없습니다"
    write = out["write"]
    assert write["/tmp/ctx_x"] and write["/home/student/ctx_x"], "작업 폴더나 /tmp에 쓸 수 없습니다"
    assert not any(write[p] for p in ("/usr/ctx_x", "/ctx_x", "/ctxgrade/job/ctx_x", str(REPO) + "/ctx_x")), write
    assert not (job_dir / "ctx_x").exists() and not Path("/tmp/ctx_x").exists()
    assert out["memory"] == "MemoryError"
    assert not out["new_userns"], "샌드박스 안에서 새 사용자 이름공간을 만들 수 있습니다 (seccomp/--disable-userns)"
    if sandbox.root_mode:
        assert out["uid"] == out["euid"] == sandbox.uid_for(7) != 0
        assert out["forks"] < 25, f"프로세스 수 한도가 걸리지 않았습니다 ({out['forks']}개를 만들었습니다)"


def test_sandbox_refuses_to_run_unprotected_when_bwrap_is_missing():
    broken = Sandbox(Limits(), bwrap="/nonexistent/bwrap")
    with pytest.raises(SandboxUnavailable, match="bubblewrap"):
        broken.check()
    missing = Sandbox(Limits())
    missing.bwrap = None
    with pytest.raises(SandboxUnavailable, match="apt-get install bubblewrap"):
        missing.check()


@pytest.mark.slow
def test_cli_without_bwrap_fails_clearly_and_grades_nothing(tmp_path):
    course = released_minicourse(tmp_path / "course")
    write_class(course, [BY_KEY["correct"]])
    no_bwrap = {**env(), "PATH": str(BIN)}
    done = subprocess.run([str(BIN / "course"), "autograde", "--all"], cwd=course, env=no_bwrap, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 3, done.stdout + done.stderr
    assert "bubblewrap" in done.stdout and "--no-sandbox" in done.stdout
    assert not (course / "autograded" / "correct").exists()
    assert not (course / ".course_state" / "grading").exists()


@pytest.mark.slow
def test_wall_clock_limit_and_no_sandbox_mode(tmp_path):
    course = released_minicourse(tmp_path / "course")
    slow = Entry("slow", "느린 셀이 많음", extra=tuple(("start", "import time\ntime.sleep(3)") for _ in range(6)))
    write_class(course, [slow, BY_KEY["correct"]])
    done = course_cmd(course, "autograde", ASSIGNMENT, "--student", "slow", "--timeout", "5", "--wall-timeout", "10")
    report = state(course, "slow")
    assert any("전체의 실행 시간 제한(10초)" in reason for reason in report["reasons"]), report["reasons"]
    assert report["score"] == 0
    assert "slow" in done.stdout

    unprotected = course_cmd(course, "autograde", ASSIGNMENT, "--student", "correct", "--no-sandbox")
    assert "--no-sandbox" in unprotected.stdout and "경고" in unprotected.stdout
    assert totals(course)["correct"] == 8
    assert state(course, "correct")["sandbox"] is False
