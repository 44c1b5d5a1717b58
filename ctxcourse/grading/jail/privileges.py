"""샌드박스 안에서 가장 먼저 하는 일: 자원 한도, uid 내려놓기, 작업 폴더와 커널 설정 준비."""

from __future__ import annotations

import json
import os
import resource
import shutil
import sys

from .namespaces import drop_capabilities, load_seccomp, no_new_privileges, not_dumpable

KERNEL_NAME = "ctxgrade-python3"   # 디버거 없이 ipykernel을 띄우는 kernelspec (prepare_home이 만듦)


def drop_privileges(job: dict) -> None:
    """자원 한도를 걸고, 지정된 uid/gid로 바꾸고, 새 권한을 얻지 못하게 합니다."""
    for name, value in job.get("limits", {}).items():
        soft, hard = (value, value) if not isinstance(value, list) else value
        resource.setrlimit(getattr(resource, name), (int(soft), int(hard)))
    uid, gid = job.get("uid"), job.get("gid")
    if uid is not None and os.getuid() == 0:
        os.setgroups([])
        os.setresgid(gid, gid, gid)
        os.setresuid(uid, uid, uid)
        if os.getuid() == 0 or os.geteuid() == 0:
            raise RuntimeError("권한을 내려놓지 못했습니다")
    if sys.platform.startswith("linux"):
        no_new_privileges()
        not_dumpable()
    if job.get("seccomp"):
        # 미리 불러 둔 프로세스(zygote)에서 갈라져 나온 실행기: bwrap이 아니라 여기서 권한 능력을 버리고 필터를 겁니다.
        from .. import seccomp

        drop_capabilities()
        program = seccomp.program()
        if program:
            load_seccomp(program)


def _copy_submission(files_dir: str, work: str) -> None:
    os.makedirs(work, exist_ok=True)
    for name in os.listdir(files_dir):
        source = os.path.join(files_dir, name)
        target = os.path.join(work, name)
        if os.path.isdir(source):
            shutil.copytree(source, target, dirs_exist_ok=True)
        else:
            shutil.copyfile(source, target)


def kernel_spec() -> dict:
    """채점 커널의 kernelspec (:data:`KERNEL_NAME`): 디버거 없는 ipykernel (:mod:`.kernel`)을 실행기가 fork로
    시작합니다 (:mod:`.forkkernel`의 provisioner; ``argv``는 jupyter_client가 명령을 만들 때만 씁니다)."""
    return {"argv": [sys.executable, "-m", "ctxcourse.grading.jail.kernel", "-f", "{connection_file}"],
            "display_name": "Python 3 (채점)", "language": "python",
            "metadata": {"debugger": False, "kernel_provisioner": {"provisioner_name": "ctxgrade-fork-provisioner"}}}


def _write_kernelspec(data_dir: str) -> None:
    spec_dir = os.path.join(data_dir, "kernels", KERNEL_NAME)
    os.makedirs(spec_dir, exist_ok=True)
    with open(os.path.join(spec_dir, "kernel.json"), "w", encoding="utf-8") as handle:
        json.dump(kernel_spec(), handle)


def copy_mpl_cache(cache: str, target: str) -> None:
    """채점기가 만들어 둔 matplotlib 글꼴 캐시(읽기 전용)를 쓸 수 있는 설정 폴더로 복사합니다."""
    if not os.path.isdir(cache):
        return
    os.makedirs(target, exist_ok=True)
    for name in os.listdir(cache):
        if name.endswith(".json"):
            shutil.copyfile(os.path.join(cache, name), os.path.join(target, name))


def prepare_home(job: dict) -> None:
    """작업 폴더에 제출 파일을 복사하고, 커널이 쓸 폴더들과 kernelspec을 만듭니다."""
    _copy_submission(job["files_dir"], job["workdir"])
    for key in ("MPLCONFIGDIR", "IPYTHONDIR", "JUPYTER_RUNTIME_DIR", "JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR"):
        if os.environ.get(key):
            os.makedirs(os.environ[key], exist_ok=True)
    if job.get("mpl_cache") and os.environ.get("MPLCONFIGDIR"):
        copy_mpl_cache(job["mpl_cache"], os.environ["MPLCONFIGDIR"])
    os.makedirs(job["records_dir"], exist_ok=True)
    if os.environ.get("JUPYTER_DATA_DIR"):
        _write_kernelspec(os.environ["JUPYTER_DATA_DIR"])
