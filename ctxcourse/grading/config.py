"""채점 설정 한 곳 (one configuration for grading): ``nbgrader_config.py``의 ``c.GradingLimits.*``와 명령줄.

기본값은 :class:`.sandbox.Limits` 한 곳에만 있습니다. 강좌의 ``nbgrader_config.py``에서 바꿀 수 있고
(예: ``c.GradingLimits.memory_mb = 2048``, ``c.GradingLimits.grace = 2``), ``course autograde``의 ``--timeout``,
``--memory``, ``--wall-timeout``이 그 위에 덮어씁니다. 셀 시간 제한은 따로 주지 않으면 nbgrader의
``c.Execute.timeout``을 따릅니다 (nbgrader 명령과 같은 값).
"""

from __future__ import annotations

import os
from dataclasses import fields

from traitlets import Int
from traitlets.config import Config, Configurable

from .sandbox import Limits

_DEFAULT = Limits()
MB = 1024 * 1024


def default_jobs() -> int:
    """``--jobs``를 주지 않았을 때 동시에 채점할 제출물 수: CPU 코어 수보다 하나 많이. 제출물 하나는 커널 시작과
    호출을 기다리는 동안 코어를 놓으므로, 코어 수만큼이면 CPU가 4분의 1쯤 놉니다 (2코어, 데모 제출물 42개:
    코어 수만큼 30.6초에 CPU 75%, 하나 더 27.0초에 90%; ``bench/benchmark.py --jobs N``으로 다시 잴 수 있습니다)."""
    return (os.cpu_count() or 1) + 1

# 설정 이름 → (Limits의 필드, 단위 배수, 한국어 설명). 바이트 크기는 MB로 받습니다.
SETTINGS = {
    "cell_timeout": ("cell_timeout", 1, "셀 하나의 시간 제한(초). 0이면 c.Execute.timeout을 따릅니다."),
    "wall_timeout": ("wall_timeout", 1, "제출물 하나 전체의 벽시계 시간 제한(초). 셀 제한의 3배+60초보다 작으면 그 값."),
    "startup_timeout": ("startup_timeout", 1, "커널이 시작되기를 기다리는 시간(초)."),
    "grace": ("grace", 1, "시간을 넘긴 셀에 중단 신호를 보낸 뒤 커널이 답하기를 기다리는 시간(초)."),
    "control_timeout": ("control_timeout", 1, "녹화기를 켜고 끄는 조용한 실행 하나의 시간 제한(초)."),
    "memory_mb": ("memory", MB, "프로세스 하나의 메모리(주소 공간) 한도(MB)."),
    "cpu": ("cpu", 1, "프로세스 하나의 CPU 시간 한도(초)."),
    "nproc": ("nproc", 1, "제출물 하나의 최대 작업(스레드 포함) 수 (root로 채점할 때)."),
    "nproc_margin": ("nproc_margin", 1, "root가 아닐 때 현재 작업 수에 더하는 여유."),
    "fsize_mb": ("fsize", MB, "파일 하나의 최대 크기(MB)."),
    "nofile": ("nofile", 1, "열린 파일 수 한도."),
    "tmpfs_mb": ("tmpfs", MB, "샌드박스의 /tmp와 작업 폴더 크기(MB)."),
    "max_cell_output_kb": ("max_cell_output", 1024, "셀 하나의 출력 한도(KB; 넘으면 버림)."),
    "max_total_output_mb": ("max_total_output", MB, "노트북 전체의 출력 한도(MB)."),
    "flood_output_mb": ("flood_output", MB, "셀 하나가 이만큼 출력하면 그 셀을 중단합니다(MB)."),
    "max_records_mb": ("max_records", MB, "테스트 셀 하나의 호출 기록 한도(MB)."),
    "max_stream_mb": ("max_stream", MB, "실행기 출력 전체의 한도(MB)."),
    "fork_bomb_threshold": ("fork_bomb_threshold", 1, "이만큼 하위 프로세스를 끝내야 했으면 포크 폭탄으로 보고 커널까지 끝냅니다."),
}
assert {field for field, _, _ in SETTINGS.values()} == {f.name for f in fields(Limits)}, "SETTINGS와 Limits가 다릅니다"


class GradingLimits(Configurable):
    """``c.GradingLimits.<이름>``: 제출물 하나의 한도 (기본값은 :class:`.sandbox.Limits`)."""

    locals().update({name: Int(0 if name == "cell_timeout" else getattr(_DEFAULT, field) // unit, help=text).tag(config=True)
                     for name, (field, unit, text) in SETTINGS.items()})

    def limits(self, execute_timeout: int) -> Limits:
        values = {field: getattr(self, name) * unit for name, (field, unit, _) in SETTINGS.items()}
        values["cell_timeout"] = _DEFAULT.cell_timeout
        base = Limits(**values)
        return base.with_cell_timeout(self.cell_timeout or execute_timeout)


def limits_for(config: Config | dict, execute_timeout: int, *, timeout: int | None = None, memory_mb: int | None = None,
               wall_timeout: int | None = None) -> Limits:
    """강좌 설정과 명령줄 값(있으면 우선)으로 :class:`Limits`를 만듭니다."""
    limits = GradingLimits(config=Config(config)).limits(execute_timeout)
    if timeout:
        limits = limits.with_cell_timeout(int(timeout))
    if memory_mb:
        limits.memory = int(memory_mb) * MB
    if wall_timeout:
        limits.wall_timeout = int(wall_timeout)
        limits.cpu = max(limits.cpu, int(wall_timeout))
    return limits
