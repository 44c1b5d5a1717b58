"""기준 예제의 데이터: 강의, 과제, 테스트가 모두 이 한 곳에서 가져갑니다.

``np.random.seed(100)`` 뒤의 ``np.random.randn(5, 4)``는 numpy 버전과 무관하게 같은 값을 줍니다
(legacy seeding).
"""

from __future__ import annotations

import numpy as np

SEED = 100
T, H = 5, 4
WEIGHTS = (0.8, 0.1, 0.03, 0.05, 0.02)
WORDS = ("나는", "고양이", "를", "정말", "좋아해")


def seed_data() -> tuple[np.ndarray, np.ndarray]:
    """기준 예제의 은닉 상태 ``hs`` (T, H) = (5, 4)와 가중치 ``a`` (T,) = (5,)를 새로 만들어 돌려줍니다."""
    rng = np.random.RandomState(SEED)
    hs = rng.randn(T, H)
    a = np.array(WEIGHTS)
    return hs, a
