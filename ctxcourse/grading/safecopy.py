"""제출물은 데이터이지 링크가 아닙니다 (a submission is data, never a link).

채점기가 학생 폴더를 읽거나 복사하는 모든 곳(채점, 샌드박스 입력, 피드백)은 이 모듈을 씁니다:

- 심볼릭 링크, 이름이 둘 이상인 하드 링크, 장치 파일, FIFO, 소켓은 거절합니다 (이유를 한국어로).
- 파일은 ``O_NOFOLLOW``로 열고, 연 뒤에 ``fstat``으로 보통 파일인지, 링크 수가 1인지 다시 확인합니다
  (검사와 열기 사이에 바꿔치기해도 소용없습니다).
- 제출물 하나에서 읽는 바이트와 파일 수에 한도가 있습니다.

nbgrader 0.9의 ``Autograde``와 ``collect``는 ``shutil.copytree``로 링크를 따라가므로, 채점 엔진은 nbgrader가
복사하기 전에 :func:`inspect_tree`로 제출 폴더를 검사하고, 문제가 있으면 복사하지 않고 0점과 이유를 남깁니다.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

MAX_BYTES = 64 * 1024 ** 2      # 제출물 하나의 전체 크기
MAX_FILES = 2000                # 제출물 하나의 파일 수
MAX_DEPTH = 16
IGNORED = {".ipynb_checkpoints", "__pycache__"}


class UnsafeSubmission(RuntimeError):
    """제출 폴더에 링크나 특수 파일이 있거나 너무 큽니다 (메시지는 강사와 학생이 읽을 한국어)."""


@dataclass
class Inspection:
    files: list[str] = field(default_factory=list)       # 폴더 기준 상대 경로 (보통 파일)
    size: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _kind(mode: int) -> str:
    if stat.S_ISLNK(mode):
        return "심볼릭 링크"
    if stat.S_ISFIFO(mode):
        return "FIFO(이름 있는 파이프)"
    if stat.S_ISSOCK(mode):
        return "소켓"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "장치 파일"
    return "특수 파일"


def inspect_tree(folder: str | os.PathLike, *, max_bytes: int = MAX_BYTES, max_files: int = MAX_FILES) -> Inspection:
    """링크를 따라가지 않고 폴더를 훑어 보통 파일 목록과 문제를 돌려줍니다 (폴더 자체가 링크여도 문제)."""
    folder = Path(folder)
    result = Inspection()
    try:
        top = os.lstat(folder)
    except OSError as error:
        result.problems.append(f"제출 폴더를 읽을 수 없습니다 ({error.strerror}).")
        return result
    if not stat.S_ISDIR(top.st_mode):
        result.problems.append(f"제출 폴더가 폴더가 아니라 {_kind(top.st_mode)}입니다.")
        return result
    stack = [(folder, "", 0)]
    while stack:
        path, prefix, depth = stack.pop()
        if depth > MAX_DEPTH:
            result.problems.append(f"폴더가 너무 깊습니다 ({prefix}).")
            continue
        try:
            entries = sorted(os.scandir(path), key=lambda e: e.name)
        except OSError as error:
            result.problems.append(f"{prefix or '.'}를 읽을 수 없습니다 ({error.strerror}).")
            continue
        for entry in entries:
            relative = f"{prefix}{entry.name}"
            info = entry.stat(follow_symlinks=False)
            if stat.S_ISDIR(info.st_mode):
                if entry.name not in IGNORED:
                    stack.append((entry.path, relative + "/", depth + 1))
                continue
            if not stat.S_ISREG(info.st_mode):
                result.problems.append(f"{relative}: {_kind(info.st_mode)}는 낼 수 없습니다. 파일 자체를 내야 합니다.")
                continue
            if info.st_nlink > 1:
                result.problems.append(f"{relative}: 다른 이름이 있는 하드 링크는 낼 수 없습니다. 파일 자체를 내야 합니다.")
                continue
            result.files.append(relative)
            result.size += info.st_size
            if len(result.files) > max_files:
                result.problems.append(f"파일이 너무 많습니다 ({max_files}개 넘음).")
                return result
            if result.size > max_bytes:
                result.problems.append(f"제출물이 너무 큽니다 ({max_bytes // 1024 // 1024}MB 넘음).")
                return result
    return result


def open_regular(path: str | os.PathLike) -> int:
    """링크를 따라가지 않고 보통 파일(링크 수 1)만 엽니다. 파일 설명자를 돌려줍니다."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as error:
        raise UnsafeSubmission(f"{Path(path).name}를 열 수 없습니다 (링크이거나 읽을 수 없음: {error.strerror}).") from None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode) or info.st_nlink > 1:
        os.close(fd)
        raise UnsafeSubmission(f"{Path(path).name}는 보통 파일이 아닙니다 ({_kind(info.st_mode)} 또는 하드 링크).")
    return fd


def read_bytes(path: str | os.PathLike, limit: int = MAX_BYTES) -> bytes:
    """:func:`open_regular`로 열어 ``limit`` 바이트까지 읽습니다 (넘으면 :class:`UnsafeSubmission`)."""
    fd = open_regular(path)
    with os.fdopen(fd, "rb") as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise UnsafeSubmission(f"{Path(path).name}가 너무 큽니다 ({limit // 1024 // 1024}MB 넘음).")
    return data


def copy_tree(src: str | os.PathLike, dst: str | os.PathLike, *, max_bytes: int = MAX_BYTES) -> Inspection:
    """``src``의 보통 파일만 ``dst``로 복사합니다. 링크나 특수 파일이 하나라도 있으면 아무것도 복사하지 않고
    :class:`UnsafeSubmission`을 냅니다."""
    inspection = inspect_tree(src, max_bytes=max_bytes)
    if not inspection.ok:
        raise UnsafeSubmission(" ".join(inspection.problems[:3]))
    src, dst = Path(src), Path(dst)
    dst.mkdir(parents=True, exist_ok=True)
    budget = max_bytes
    for relative in inspection.files:
        data = read_bytes(src / relative, budget)
        budget -= len(data)
        target = dst / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
    return inspection
