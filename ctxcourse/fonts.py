"""한글 글꼴 설정: 모든 그림이 같은 글꼴을 쓰도록 한 곳에서 정합니다.

koreanize-matplotlib 패키지가 나눔고딕(NanumGothic) 글꼴 파일을 함께 배포하므로
시스템에 한글 글꼴이 없는 새 기계에서도 글자가 네모(□)로 깨지지 않습니다.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import matplotlib
from matplotlib import font_manager

FONT_FAMILY = "NanumGothic"
_done = False


def font_files() -> list[Path]:
    """koreanize-matplotlib이 배포하는 나눔고딕 글꼴 파일들의 경로.

    그 패키지를 import 하면 오래된 버전 비교 코드가 DeprecationWarning을 내므로,
    import 하지 않고 설치 위치에서 글꼴 파일만 찾아 matplotlib에 등록합니다.
    """
    spec = importlib.util.find_spec("koreanize_matplotlib")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(
            "한글 글꼴 패키지 koreanize-matplotlib이 없습니다. 'make setup'으로 의존성을 설치하세요. "
            "(koreanize-matplotlib is missing: run 'make setup')"
        )
    files = sorted(Path(spec.submodule_search_locations[0], "fonts").glob("NanumGothic*.ttf"))
    if not files:
        raise RuntimeError("koreanize-matplotlib 안에서 NanumGothic 글꼴 파일을 찾지 못했습니다.")
    return files


def setup_korean_font() -> str:
    """matplotlib에 한글 글꼴을 등록하고 기본 글꼴로 정한 뒤 글꼴 이름을 돌려줍니다.

    여러 번 불러도 안전합니다. 음수 부호(−)가 깨지지 않도록 ``axes.unicode_minus``도 끕니다.
    """
    global _done
    if not _done:
        for path in font_files():
            font_manager.fontManager.addfont(str(path))
        _done = True
    matplotlib.rcParams["font.family"] = FONT_FAMILY
    matplotlib.rcParams["axes.unicode_minus"] = False
    return FONT_FAMILY
