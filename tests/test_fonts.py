"""한글이 그림에서 제대로 보이는지: 글꼴이 등록되고, 글리프 경고 없이 그려집니다."""

import warnings

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib import font_manager  # noqa: E402

from ctxcourse import plotting  # noqa: E402
from ctxcourse.fonts import FONT_FAMILY, setup_korean_font  # noqa: E402
from ctxcourse.seed import WORDS, seed_data  # noqa: E402


def test_korean_font_is_registered_and_used():
    assert setup_korean_font() == FONT_FAMILY
    path = font_manager.findfont(font_manager.FontProperties(family=FONT_FAMILY), fallback_to_default=False)
    assert "NanumGothic" in path
    assert matplotlib.rcParams["axes.unicode_minus"] is False


def _draw_without_warnings(fig):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig.canvas.draw()
    glyph = [str(w.message) for w in caught if "Glyph" in str(w.message) or "missing from font" in str(w.message)]
    assert not glyph, f"한글 글리프 경고: {glyph}"
    plt.close(fig)


def test_heatmaps_draw_korean_without_glyph_warnings():
    hs, a = seed_data()
    fig, _ = plotting.show_weights(a, WORDS)
    _draw_without_warnings(fig)
    fig, _ = plotting.show_heatmap(hs, title="은닉 상태 hs", xlabel="은닉 차원 h", ylabel="시각 t",
                                   cmap=plotting.DIVERGING_CMAP)
    _draw_without_warnings(fig)
    fig, _ = plotting.show_arrays([a.reshape(-1, 1), hs], ["가중치", "은닉 상태"], suptitle="형상 비교")
    _draw_without_warnings(fig)


def test_missing_glyph_would_be_detected():
    """대조군: 한글이 없는 글꼴로 그리면 경고가 나야 이 검사가 의미가 있습니다."""
    fig, ax = plt.subplots()
    ax.set_title("맥락 벡터", family="DejaVu Sans")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig.canvas.draw()
    plt.close(fig)
    assert any("missing from font" in str(w.message) or "Glyph" in str(w.message) for w in caught)


def test_show_weights_holds_the_weights():
    _, a = seed_data()
    fig, ax = plotting.show_weights(a, WORDS)
    np.testing.assert_allclose(ax.images[0].get_array().ravel(), a)
    assert [t.get_text() for t in ax.get_xticklabels()] == list(WORDS)
    assert ax.images[0].norm.vmin == 0 and ax.images[0].norm.vmax == 1
    assert len(fig.axes) == 2  # 히트맵과 색 막대
    plt.close(fig)
