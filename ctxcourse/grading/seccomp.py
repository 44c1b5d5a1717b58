"""샌드박스의 seccomp 필터 (x86_64): 학생 코드가 부를 이유가 없는 위험한 시스템 호출을 막습니다.

bubblewrap의 ``--seccomp FD``에 넘기는 BPF 프로그램을 직접 만듭니다 (flatpak이 하는 것과 같은 방식):

- 새 사용자 이름공간 만들기 (``unshare``/``clone``의 ``CLONE_NEWUSER``) → EPERM. root로 채점할 때는
  bwrap의 ``--disable-userns``를 쓸 수 없으므로 이것으로 막습니다.
- ``clone3`` → ENOSYS (인자를 검사할 수 없으므로; glibc는 ``clone``으로 되돌아갑니다).
- ptrace, mount 계열, 커널 키링, bpf, perf, userfaultfd, io_uring, 모듈·재부팅 등 → EPERM.
- memfd_create, memfd_secret, shmget, shmat → EPERM: 메모리 한도(RLIMIT_AS)에 잡히지 않는 메모리를 막습니다
  (tmpfs인 /tmp와 작업 폴더는 크기가 제한되어 있고, /dev/shm에는 쓸 수 없습니다).

x86_64가 아닌 기계에서는 필터를 쓰지 않습니다 (:func:`program`이 None).
"""

from __future__ import annotations

import platform
import struct

AUDIT_ARCH_X86_64 = 0xC000003E
CLONE_NEWUSER = 0x10000000
RET_ALLOW = 0x7FFF0000
RET_ERRNO = 0x00050000
EPERM, ENOSYS = 1, 38

LD_W_ABS, JEQ_K, JSET_K, RET_K = 0x20, 0x15, 0x45, 0x06

SYSCALLS_X86_64 = {
    "ptrace": 101, "mount": 165, "umount2": 166, "pivot_root": 155, "chroot": 161, "setns": 308,
    "keyctl": 250, "add_key": 248, "request_key": 249, "bpf": 321, "perf_event_open": 298, "userfaultfd": 323,
    "kexec_load": 246, "kexec_file_load": 320, "init_module": 175, "finit_module": 313, "delete_module": 176,
    "open_by_handle_at": 304, "name_to_handle_at": 303, "swapon": 167, "swapoff": 168, "reboot": 169,
    "acct": 163, "iopl": 172, "ioperm": 173, "io_uring_setup": 425, "io_uring_enter": 426,
    "io_uring_register": 427, "open_tree": 428, "move_mount": 429, "fsopen": 430, "fsconfig": 431,
    "fsmount": 432, "fspick": 433, "mount_setattr": 442, "quotactl": 179, "syslog": 103,
    # 메모리 한도(RLIMIT_AS)를 피해 가는 길: memfd(파일 설명자 수만큼 얼마든지)와 SysV 공유 메모리.
    "memfd_create": 319, "memfd_secret": 447, "shmget": 29, "shmat": 30,
}
UNSHARE, CLONE, CLONE3 = 272, 56, 435


def program() -> bytes | None:
    """BPF 프로그램 (struct sock_filter 배열의 바이트). x86_64가 아니면 None."""
    if platform.machine() not in ("x86_64", "AMD64"):
        return None
    denied = sorted(SYSCALLS_X86_64.values())
    # 명령 목록: (code, jt, jf, k). 점프 대상은 이름표로 적고 나중에 상대 위치로 바꿉니다.
    code: list[tuple] = [
        (LD_W_ABS, 0, 0, 4),                       # arch
        (JEQ_K, 0, "allow", AUDIT_ARCH_X86_64),
        (LD_W_ABS, 0, 0, 0),                       # syscall number
        (JEQ_K, "flags", 0, UNSHARE),
        (JEQ_K, "flags", 0, CLONE),
        (JEQ_K, "enosys", 0, CLONE3),
    ]
    code += [(JEQ_K, "eperm", 0, number) for number in denied]
    labels = {}
    code.append("allow")
    code.append((RET_K, 0, 0, RET_ALLOW))
    code.append("flags")
    code.append((LD_W_ABS, 0, 0, 16))              # args[0]의 아래 32비트 (flags)
    code.append((JSET_K, "eperm", 0, CLONE_NEWUSER))
    code.append((RET_K, 0, 0, RET_ALLOW))
    code.append("eperm")
    code.append((RET_K, 0, 0, RET_ERRNO | EPERM))
    code.append("enosys")
    code.append((RET_K, 0, 0, RET_ERRNO | ENOSYS))
    instructions = []
    for item in code:
        if isinstance(item, str):
            labels[item] = len(instructions)
        else:
            instructions.append(item)
    packed = []
    for index, (op, jt, jf, k) in enumerate(instructions):
        def offset(target):
            if isinstance(target, str):
                distance = labels[target] - index - 1
                if not 0 <= distance < 256:
                    raise ValueError("seccomp 점프가 너무 멉니다")
                return distance
            return target
        packed.append(struct.pack("=HBBI", op, offset(jt), offset(jf), k))
    return b"".join(packed)
