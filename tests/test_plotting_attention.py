"""ctxcourse.plotting.show_attention_map: 5강의 (디코더 시각 × 인코더 시각) 어텐션 지도 그림."""

import io
import warnings

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from ctxcourse.feedback import figure_facts  # noqa: E402
from ctxcourse.plotting import show_attention_map  # noqa: E402

ENC = ["나는", "검은", "고양이를", "정말", "좋아해"]
DEC = ["I", "really", "like", "black", "cats"]


@pytest.fixture
def weights():
    rng = np.random.default_rng(0)
    scores = rng.normal(size=(5, 5)) + 4 * np.eye(5)[[0, 3, 4, 1, 2]]
    e = np.exp(scores - scores.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_draws_weights_with_word_ticks_and_colour_bar(weights):
    fig, ax = show_attention_map(weights, ENC, DEC)
    facts = figure_facts(fig)
    assert facts["colorbars"] == 1
    (axis,) = facts["axes"]
    np.testing.assert_allclose(axis["layers"][0], weights)
    assert axis["xticklabels"] == ENC
    assert axis["yticklabels"] == DEC
    assert axis["xlabel"] == "인코더 시각 (입력 단어)"
    assert axis["ylabel"] == "디코더 시각 (출력 단어)"
    assert len(axis["texts"]) == weights.size  # 작은 배열이라 칸마다 값을 적습니다
    image = ax.images[0]
    assert (image.norm.vmin, image.norm.vmax) == (0.0, 1.0)


def test_korean_labels_render_without_glyph_warnings(weights):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig, _ = show_attention_map(weights, ENC, DEC, title="장난감 번역의 어텐션")
        fig.savefig(io.BytesIO(), format="png")


def test_draws_into_a_given_axes(weights):
    fig, axes = plt.subplots(1, 2)
    returned_fig, ax = show_attention_map(weights[:3], ENC, DEC[:3], ax=axes[1])
    assert returned_fig is fig and ax is axes[1]
    assert len(ax.images) == 1 and len(axes[0].images) == 0


@pytest.mark.parametrize(
    "data, xlabels, ylabels, needle",
    [
        (np.full(5, 0.2), ENC, DEC, "2차원"),
        (np.full((5, 5), 0.2), ENC[:4], DEC, "눈금 이름의 개수"),
        (np.full((5, 5), 0.2), ENC, DEC[:4], "눈금 이름의 개수"),
        (np.full((5, 5), 3.0), ENC, DEC, "소프트맥스"),
        (np.full((5, 5), np.nan), ENC, DEC, "최댓값 빼기"),
    ],
)
def test_rejects_wrong_input_with_a_korean_hint(data, xlabels, ylabels, needle):
    with pytest.raises(ValueError, match=needle):
        show_attention_map(data, xlabels, ylabels)


def test_annotations_stay_readable_on_bright_cells(weights):
    _, ax = show_attention_map(weights, ENC, DEC)
    colours = {text.get_text(): text.get_color() for text in ax.texts}
    brightest = format(weights.max(), ".2f")
    darkest = format(weights.min(), ".2f")
    assert colours[brightest] == "black"  # viridis의 밝은 노랑 위
    assert colours[darkest] == "white"    # viridis의 어두운 보라 위
