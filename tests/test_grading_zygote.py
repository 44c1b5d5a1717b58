"""미리 불러 둔 채점 프로세스(zygote)의 격리: 한 슬롯의 zygote에서 차례로 실행한 제출물들이 서로를 볼 수 없고,
학생 코드는 권한 능력 없이 seccomp 필터 아래에서 돌며, zygote가 죽거나 잘못되면 새로 뜹니다.

노트북 두 개를 같은 슬롯에서 실행합니다 (:meth:`Sandbox.run`, 채점기가 쓰는 그대로): 첫째는 /tmp와 작업 폴더에
표시를 남기고 끝나지 않는 프로세스를 띄우고, SysV 메시지 큐를 만들고, 둘째는 그것들을 찾습니다."""

from __future__ import annotations

import json
import os
import signal
import time

import nbformat
import pytest

from ctxcourse.grading.sandbox import Limits, Sandbox

pytestmark = pytest.mark.slow

LEAVE = r'''
import os, subprocess, sys, ctypes
open("/tmp/left-by-first", "w").write("x")
open("/home/student/left-by-first", "w").write("x")
subprocess.Popen([sys.executable, "-c", "import os, time; os.setsid(); time.sleep(600)"], start_new_session=True)
libc = ctypes.CDLL(None, use_errno=True)
queue = libc.msgget(0x5eed, 0o1666)
import socket
server = socket.socket()
server.bind(("127.0.0.1", 47321))
server.listen()
client = socket.create_connection(("127.0.0.1", 47321))
accepted, _ = server.accept()
client.close()       # 먼저 닫은 쪽이 TIME_WAIT로 60초 남습니다 (커널의 것이라 프로세스를 끝내도 남음)
accepted.close()
waiting = [l for l in open("/proc/net/tcp") if ":B8D9 " in l.upper() and l.split()[3] == "06"]
print(json.dumps({"queue": queue, "time_wait": len(waiting)}))
'''

PROBE = r'''
import ctypes, json, os, socket
status = dict(line.split(":\t", 1) for line in open("/proc/self/status").read().splitlines() if ":\t" in line)
pids = sorted(int(p) for p in os.listdir("/proc") if p.isdigit())
names = {p: open(f"/proc/{p}/comm").read().strip() for p in pids if os.path.exists(f"/proc/{p}/comm")}
try:
    socket.create_connection(("1.1.1.1", 53), timeout=2).close()
    net = "open"
except OSError as error:
    net = type(error).__name__
libc = ctypes.CDLL(None, use_errno=True)
print(json.dumps({
    "cap_eff": status["CapEff"].strip(), "cap_prm": status["CapPrm"].strip(), "cap_amb": status["CapAmb"].strip(),
    "seccomp": status["Seccomp"].strip(), "no_new_privs": status["NoNewPrivs"].strip(),
    "names": sorted(names.values()), "net": net,
    "tmp": sorted(os.listdir("/tmp")), "home": sorted(os.listdir("/home/student")),
    "jobs": sorted(os.listdir("/ctxgrade/jobs")) if os.path.isdir("/ctxgrade/jobs") else None,
    "job": sorted(os.listdir("/ctxgrade/job")),
    "queue": libc.msgget(0x5eed, 0o666),
    "mount": libc.mount(b"none", b"/tmp", b"tmpfs", 0, None),
    "random": __import__("numpy").random.random(),
    "port_seen": [l.split()[1:3] for l in open("/proc/net/tcp") if ":B8D9 " in l.upper()],
    "dev_ro": any(l.split()[4] == "/dev" and "ro" in l.split()[5].split(",") for l in open("/proc/self/mountinfo")),
}))
'''


def _job(root, name: str, code: str):
    job_dir = root / name
    (job_dir / "files").mkdir(parents=True)
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("import json"), nbformat.v4.new_code_cell(code)])
    nbformat.write(nb, job_dir / "files" / "probe.ipynb")
    os.chmod(job_dir, 0o700)
    return job_dir


def _printed(run) -> dict:
    for line in run.lines:
        if line.get("type") == "cell" and line.get("index") == 1:
            for output in line["outputs"]:
                if output.get("name") == "stdout":
                    return json.loads(output["text"].strip().splitlines()[-1])
    raise AssertionError(f"셀 출력이 없습니다: {run.lines} {run.stderr}")


@pytest.fixture
def sandbox(tmp_path):
    box = Sandbox(Limits())
    box.check()
    yield box
    box.close()


def _run(sandbox, job_dir, slot=3):
    job = {"notebook_name": "probe.ipynb", "tests": {}, "graded": [], "kernel_name": "python3"}
    return sandbox.run(job_dir, job, slot)


def test_submissions_on_one_zygote_see_nothing_of_each_other(sandbox, tmp_path):
    root = tmp_path / "jobs"
    root.mkdir()
    os.chmod(root, 0o711)
    first = _run(sandbox, _job(root, "first", LEAVE))
    assert first.finished, first.stderr
    zygote = sandbox._zygotes[3].process.pid
    left = _printed(first)
    assert left["queue"] >= 0 and left["time_wait"] >= 1, f"첫 제출물이 흔적을 남기지 못했습니다 (시험이 뜻이 없음): {left}"
    other = _job(root, "other-student", "print(1)")
    second = _run(sandbox, _job(root, "second", PROBE))
    third = _run(sandbox, _job(root, "third", PROBE))
    assert sandbox._zygotes[3].process.pid == zygote, "제출물마다 zygote를 새로 띄웠습니다"
    seen, again = _printed(second), _printed(third)
    assert "left-by-first" not in seen["tmp"] and "left-by-first" not in seen["home"], "앞 제출물의 파일이 보입니다"
    assert seen["home"] == ["probe.ipynb"], seen["home"]
    assert seen["jobs"] == [], f"다른 제출물의 작업 폴더가 보입니다: {seen['jobs']} ({other.name})"
    assert seen["job"] == ["files", "job.json"]
    assert seen["queue"] == -1, "앞 제출물의 SysV 메시지 큐가 남아 있습니다"
    assert seen["names"] == ["ctxgrade-init", "ctxgrade-kernel", "ctxgrade-runner"], \
        f"앞 제출물의 프로세스나 zygote가 보입니다: {seen['names']}"
    assert int(seen["cap_eff"], 16) == int(seen["cap_prm"], 16) == int(seen["cap_amb"], 16) == 0, seen
    assert seen["seccomp"] == "2" and seen["no_new_privs"] == "1", seen
    assert seen["mount"] == -1, "학생 코드가 mount를 부를 수 있습니다"
    assert seen["net"] != "open"
    assert seen["port_seen"] == [], f"앞 제출물의 TCP 소켓(TIME_WAIT)이 보입니다: 네트워크 이름공간을 함께 씁니다 {seen['port_seen']}"
    assert seen["dev_ro"], "/dev가 읽기 전용이 아닙니다 (zygote의 제출물들이 함께 보는 tmpfs)"
    assert seen["random"] != again["random"], "fork한 커널들이 같은 numpy 난수를 냅니다"


def test_a_dead_or_wedged_zygote_is_replaced(sandbox, tmp_path):
    root = tmp_path / "jobs"
    root.mkdir()
    os.chmod(root, 0o711)
    assert _run(sandbox, _job(root, "a", "print(json.dumps({'ok': 1}))")).finished
    old = sandbox._zygotes[3]
    os.killpg(old.process.pid, signal.SIGKILL)
    old.process.wait(timeout=30)
    run = _run(sandbox, _job(root, "b", "print(json.dumps({'ok': 2}))"))
    assert run.finished and _printed(run) == {"ok": 2}, run.stderr
    assert sandbox._zygotes[3] is not old
    # 벽시계 제한에 걸린 제출물: zygote째 끝내고, 다음 제출물은 새 zygote에서 정상으로 돕니다.
    short = Sandbox(Limits(wall_timeout=8, cell_timeout=60))
    short.check()
    try:
        stuck = short.run(_job(root, "c", "import time\ntime.sleep(60)"), {"notebook_name": "probe.ipynb", "tests": {},
                          "graded": [], "kernel_name": "python3"}, 3)
        assert stuck.wall_timeout and not stuck.finished
        after = short.run(_job(root, "d", "print(json.dumps({'ok': 3}))"), {"notebook_name": "probe.ipynb", "tests": {},
                          "graded": [], "kernel_name": "python3"}, 3)
        assert after.finished and _printed(after) == {"ok": 3}, after.stderr
    finally:
        short.close()


def test_read_only_folders_under_tmp_stay_visible(tmp_path, monkeypatch):
    """clone이나 가상환경이 /tmp 아래에 있으면 (예: CI의 새 clone) 제출물마다 새로 올리는 /tmp tmpfs가 그것을 가립니다.
    zygote는 그런 폴더를 새 tmpfs 위에 다시 읽기 전용으로 올립니다 (외부 레드팀 7차: /tmp의 clone은 채점을 못 했음)."""
    from ctxcourse.grading import sandbox as sandbox_module

    shelf = tmp_path / "venv-like"
    (shelf / "pkg").mkdir(parents=True)
    (shelf / "pkg" / "marker.txt").write_text("kept")
    for path in (tmp_path, shelf, shelf / "pkg"):
        os.chmod(path, 0o755)
    original = sandbox_module._venv_paths
    monkeypatch.setattr(sandbox_module, "_venv_paths", lambda: [*original(), str(shelf)])
    box = Sandbox(Limits())
    box.check()
    try:
        root = tmp_path / "jobs"
        root.mkdir()
        os.chmod(root, 0o711)
        code = (f"import os\nmarker = open({str(shelf / 'pkg' / 'marker.txt')!r}).read()\n"
                f"try:\n    open({str(shelf / 'new.txt')!r}, 'w')\n    writable = True\n"
                "except OSError:\n    writable = False\n"
                "print(json.dumps({'marker': marker, 'writable': writable, 'tmp': sorted(os.listdir('/tmp'))}))")
        seen = _printed(_run(box, _job(root, "k", code)))
    finally:
        box.close()
    assert str(shelf).startswith("/tmp/"), "시험이 뜻이 없습니다: tmp_path가 /tmp 아래가 아닙니다"
    assert seen["marker"] == "kept" and seen["writable"] is False, seen


def test_closing_a_replay_worker_ends_every_process_of_its_sandbox(tmp_path):
    """재현기는 bubblewrap이 새 세션으로 띄웁니다: 닫으면 바깥 bwrap만이 아니라 안쪽 프로세스까지 모두 끝나야 합니다
    (C 반복에 걸린 재현기가 채점이 끝난 뒤에도 CPU를 쓰던 일; 레드팀 8차)."""
    import psutil

    from ctxcourse.grading.executor import LocalExecutor

    executor = LocalExecutor(Limits())
    executor.start(tmp_path / "state")
    try:
        worker = executor._replay_worker()
        assert worker.run({"tests": [], "graded": [], "records": {}}).get("tests") == {}
        inside = psutil.Process(worker.process.pid).children(recursive=True)
        assert any("ctxcourse.grading.replay" in " ".join(p.cmdline()) for p in inside), inside
        # 신호를 보지 않는 C 반복 하나에 묶인 재현기 (표준 입력의 끝도 보지 못합니다)
        busy = {"tests": [{"grade_id": "t", "source": "sum(range(10 ** 13))"}], "graded": [], "records": {}}
        worker.process.stdin.write((json.dumps(busy) + "\n").encode())
        worker.process.stdin.flush()
        replay = next(p for p in inside if "ctxcourse.grading.replay" in " ".join(p.cmdline()) and p.name() != "bwrap")
        deadline = time.monotonic() + 30
        while replay.cpu_times().user < 0.5 and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        executor.close()
    gone, alive = psutil.wait_procs(inside, timeout=30)
    for process in alive:   # 실패한 테스트도 CPU를 쓰는 프로세스를 남기지 않습니다
        process.kill()
    assert not alive, [(p.pid, p.cmdline()) for p in alive]
