"""리눅스 이름공간·마운트·권한 능력·seccomp를 다루는 작은 도구들 (libc를 ctypes로 부릅니다; Python 3.11에는
``os.unshare``가 없습니다).

미리 불러 둔 채점 프로세스(:mod:`.zygote`)가 제출물마다 새 PID·마운트·IPC 이름공간을 만들고, 그 안에 새 /proc와
크기가 제한된 새 tmpfs(/tmp, 작업 폴더)를 올리는 데 씁니다. 학생 코드가 돌기 전에 실행기가 권한 능력을 모두
버리고 seccomp 필터를 겁니다 (:func:`drop_capabilities`, :func:`load_seccomp`).
"""

from __future__ import annotations

import ctypes
import os

CLONE_NEWNS = 0x00020000
CLONE_NEWIPC = 0x08000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000
SIOCGIFFLAGS, SIOCSIFFLAGS, IFF_UP = 0x8913, 0x8914, 0x1
MS_NOSUID, MS_NODEV, MS_NOEXEC = 2, 4, 8
MS_RDONLY, MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 1, 32, 4096, 16384, 1 << 18
PR_SET_NAME = 15
PR_SET_DUMPABLE = 4
PR_SET_NO_NEW_PRIVS = 38
PR_SET_SECCOMP, SECCOMP_MODE_FILTER = 22, 2
PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL = 47, 4
LINUX_CAPABILITY_VERSION_3 = 0x20080522

_libc = ctypes.CDLL(None, use_errno=True)


def _check(result: int, what: str) -> None:
    if result != 0:
        number = ctypes.get_errno()
        raise OSError(number, f"{what}: {os.strerror(number)}")


def unshare(flags: int) -> None:
    _check(_libc.unshare(ctypes.c_int(flags)), "unshare")


def mount(source: str, target: str, fstype: str | None, flags: int, data: str | None = None) -> None:
    _check(_libc.mount(source.encode(), target.encode(), fstype.encode() if fstype else None,
                       ctypes.c_ulong(flags), data.encode() if data else None), f"mount {target}")


def prctl(option: int, value, *rest: int) -> None:
    args = [ctypes.c_ulong(x) for x in rest] + [ctypes.c_ulong(0)] * (3 - len(rest))
    _check(_libc.prctl(ctypes.c_int(option), value, *args), f"prctl({option})")


def set_name(name: str) -> None:
    """이 프로세스의 이름(/proc/PID/comm, 15바이트까지)을 바꿉니다: 부모가 psutil로 실행기를 알아봅니다."""
    prctl(PR_SET_NAME, ctypes.c_char_p(name.encode()[:15]))


def no_new_privileges() -> None:
    """이 프로세스와 자식들이 exec로 새 권한(setuid, 파일 권한 능력)을 얻지 못하게 합니다 (seccomp 필터의 전제)."""
    prctl(PR_SET_NO_NEW_PRIVS, ctypes.c_ulong(1))


def not_dumpable() -> None:
    """같은 uid의 다른 프로세스가 이 프로세스의 메모리(/proc/PID/mem)를 읽지 못하게 합니다."""
    prctl(PR_SET_DUMPABLE, ctypes.c_ulong(0))


def loopback_up() -> None:
    """새 네트워크 이름공간의 루프백(lo)을 켭니다 (커널과 실행기가 127.0.0.1로 이야기합니다). CAP_NET_ADMIN이 필요합니다."""
    import fcntl
    import socket
    import struct

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        request = struct.pack("16sH", b"lo", 0)
        flags = struct.unpack("16sH", fcntl.ioctl(sock, SIOCGIFFLAGS, request)[:18])[1]
        fcntl.ioctl(sock, SIOCSIFFLAGS, struct.pack("16sH", b"lo", flags | IFF_UP))


def fresh_submission_mounts(workdir: str, tmp_size: int, job_source: str, job_target: str, hide: str,
                            keep: list[str] = ()) -> None:
    """새 마운트 이름공간 안에서 (새 PID 이름공간의 1번 프로세스가 부릅니다): 마운트를 바깥과 끊고, 새 /proc,
    크기가 제한된 새 /tmp와 작업 폴더, 이 제출물의 작업 폴더만 읽기 전용으로 ``job_target``에 올리고, 모든 작업이
    모인 ``hide``는 빈 tmpfs로 덮습니다 (다른 제출물의 작업을 볼 수 없도록). ``keep``: 새 tmpfs가 덮는 곳 아래에
    있던 읽기 전용 폴더들 (예: /tmp 아래의 가상환경): 덮기 전에 열어 두었다가 새 tmpfs 위에 다시 읽기 전용으로 올립니다."""
    mount("none", "/", None, MS_REC | MS_PRIVATE)
    mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    # bwrap의 /dev는 zygote의 모든 제출물이 함께 보는 tmpfs입니다 (사용자 이름공간 모드에서는 쓸 수도 있음): 제출물의
    # 이름공간에서는 읽기 전용으로 (장치는 그대로 열리고, 파일을 남기거나 /dev/fd 같은 링크를 바꿀 수 없음).
    remount_read_only("/dev")
    held = [(path, os.open(path, os.O_PATH | os.O_DIRECTORY)) for path in keep]
    for path in ("/tmp", workdir):
        mount("tmpfs", path, "tmpfs", MS_NOSUID | MS_NODEV, f"size={int(tmp_size)},mode=1777")
    for path, fd in held:
        _make_dirs(path)
        mount(f"/proc/self/fd/{fd}", path, None, MS_BIND | MS_REC)
        remount_read_only(path)
        os.close(fd)
    mount(job_source, job_target, None, MS_BIND | MS_REC)
    remount_read_only(job_target)
    mount("tmpfs", hide, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RDONLY, "size=4096,mode=0755")


# statvfs의 f_flag → mount(2)의 플래그 (사용자 이름공간에서는 바깥에서 건 nosuid·nodev 등이 잠겨 있어, 다시 올릴 때
# 빠뜨리면 EPERM입니다: 지금 걸린 것을 모두 그대로 두고 읽기 전용만 더합니다)
_KEPT_FLAGS = ((os.ST_NOSUID, MS_NOSUID), (os.ST_NODEV, MS_NODEV), (os.ST_NOEXEC, MS_NOEXEC),
               (os.ST_NOATIME, 1024), (os.ST_NODIRATIME, 2048), (os.ST_RELATIME, 1 << 21))


def remount_read_only(path: str) -> None:
    """``path``의 마운트를 (이 마운트 이름공간에서만) 읽기 전용으로 다시 올립니다. 지금의 다른 플래그는 그대로."""
    current = os.statvfs(path).f_flag
    flags = MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV
    for st_flag, ms_flag in _KEPT_FLAGS:
        if current & st_flag:
            flags |= ms_flag
    mount("none", path, None, flags)


def _make_dirs(path: str) -> None:
    """``path``까지의 폴더를 0755로 만듭니다 (새 tmpfs 안에서; 학생 uid가 지나갈 수 있되 쓸 수는 없게)."""
    current = "/"
    for part in [p for p in path.split("/") if p]:
        current = os.path.join(current, part)
        if not os.path.isdir(current):
            os.mkdir(current)
            os.chmod(current, 0o755)


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32), ("inheritable", ctypes.c_uint32)]


def drop_capabilities() -> None:
    """권한 능력을 모두 버립니다 (effective, permitted, inheritable, ambient). 사용자 이름공간 모드에서 미리 불러 둔
    프로세스는 CAP_SYS_ADMIN을 가지고 있으므로, 학생 코드를 돌리는 프로세스는 반드시 이것을 부릅니다."""
    prctl(PR_CAP_AMBIENT, ctypes.c_ulong(PR_CAP_AMBIENT_CLEAR_ALL))
    header = _CapHeader(LINUX_CAPABILITY_VERSION_3, 0)
    data = (_CapData * 2)()
    _check(_libc.capset(ctypes.byref(header), ctypes.byref(data)), "capset")


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


def load_seccomp(program: bytes) -> None:
    """seccomp BPF 프로그램(:func:`ctxcourse.grading.seccomp.program`)을 이 프로세스에 겁니다. 뒤에 만드는 모든
    하위 프로세스가 물려받고, 풀 수 없습니다. no_new_privs가 먼저 켜져 있어야 합니다 (drop_privileges)."""
    buffer = ctypes.create_string_buffer(program, len(program))
    fprog = _SockFprog(len(program) // 8, ctypes.cast(buffer, ctypes.c_void_p))
    prctl(PR_SET_SECCOMP, ctypes.c_ulong(SECCOMP_MODE_FILTER), ctypes.addressof(fprog))
