"""ctxcourse.plotting의 형상 그림 도구 (1-3강): show_shapes, show_broadcast, show_sum."""

import io
import warnings

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from ctxcourse.plotting import show_broadcast, show_shapes, show_sum  # noqa: E402
from ctxcourse.seed import seed_data  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def image_data(ax) -> np.ndarray:
    (image,) = ax.images
    return np.asarray(image.get_array(), dtype=float)


def render_without_warnings(fig) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig.savefig(io.BytesIO(), format="png")


def test_show_shapes_draws_each_array_at_its_shape_with_one_colour_bar():
    _, a = seed_data()
    column = a.reshape(5, 1)
    fig, axes = show_shapes([a, column, column.repeat(4, axis=1)], ["a", "세로", "복제"], vmin=0, vmax=1,
                            suptitle="가중치 복제")
    assert len(axes) == 3
    np.testing.assert_array_equal(image_data(axes[0]), a.reshape(1, 5))  # 1차원은 한 행
    np.testing.assert_array_equal(image_data(axes[1]), column)
    np.testing.assert_array_equal(image_data(axes[2]), column.repeat(4, axis=1))
    assert "형상 (5,)" in axes[0].get_title() and "형상 (5, 4)" in axes[2].get_title()
    assert (axes[0].images[0].norm.vmin, axes[0].images[0].norm.vmax) == (0, 1)
    assert len(fig.axes) == 4 and axes[2].images[0].colorbar is not None  # 색 막대 하나
    # 칸 크기가 같다: (5, 1) 그림의 높이는 (5,) 그림의 다섯 배, (5, 4) 그림의 너비는 (5, 1) 그림의 네 배
    boxes = [ax.get_position() for ax in axes]
    assert boxes[1].height == pytest.approx(5 * boxes[0].height)
    assert boxes[2].width == pytest.approx(4 * boxes[1].width)
    assert len(axes[2].texts) == 20  # 작은 배열은 칸마다 값을 적습니다
    assert list(axes[0].get_yticks()) == [] and list(axes[1].get_yticks()) == [0, 1, 2, 3, 4]  # (5,)에는 행 축이 없음
    render_without_warnings(fig)


@pytest.mark.parametrize("arrays, titles, needle", [
    ([np.zeros((2, 2, 2))], ["x"], "1차원 또는 2차원"),
    ([np.zeros(3), np.zeros(3)], ["x"], "제목"),
])
def test_show_shapes_rejects_bad_input(arrays, titles, needle):
    with pytest.raises(ValueError, match=needle):
        show_shapes(arrays, titles)


def test_show_broadcast_stretches_operands_and_hatches_virtual_cells():
    hs, a = seed_data()
    fig, axes = show_broadcast(hs, a.reshape(5, 1), names=("hs", "a.reshape(T, 1)"))
    np.testing.assert_array_equal(image_data(axes[0]), hs)
    np.testing.assert_array_equal(image_data(axes[1]), np.broadcast_to(a.reshape(5, 1), (5, 4)))
    np.testing.assert_allclose(image_data(axes[2]), hs * a.reshape(5, 1))
    assert all(ax.images[0].colorbar is not None for ax in axes)
    assert len(axes[0].patches) == 0                    # hs는 늘어나지 않았습니다
    assert len(axes[1].patches) == 5 * 3                # 열 0만 저장, 나머지 15칸은 빗금
    assert "늘려서 (5, 4)" in axes[1].get_title()
    render_without_warnings(fig)


def test_show_broadcast_one_dimensional_weights_stretch_down_the_rows():
    hs, a = seed_data()
    fig, axes = show_broadcast(hs, a[:4], names=("hs", "w"), op="+")
    np.testing.assert_array_equal(image_data(axes[1]), np.broadcast_to(a[:4], (5, 4)))
    np.testing.assert_allclose(image_data(axes[2]), hs + a[:4])
    assert len(axes[1].patches) == 4 * 4                # 행 0만 저장
    assert "hs + w" in axes[2].get_title()


@pytest.mark.parametrize("x, y, op, needle", [
    (np.zeros((5, 4)), np.zeros(5), "*", "브로드캐스팅할 수 없습니다"),
    (np.zeros((5, 4)), np.zeros(4), "@", "op는"),
    (np.zeros((2, 5, 4)), np.zeros(4), "*", "1차원 또는 2차원"),
])
def test_show_broadcast_rejects_bad_input(x, y, op, needle):
    with pytest.raises(ValueError, match=needle):
        show_broadcast(x, y, op=op)


@pytest.mark.parametrize("axis, expected_shape", [(0, (1, 4)), (1, (5, 1)), (-1, (5, 1))])
def test_show_sum_draws_the_sum_along_the_collapsed_axis(axis, expected_shape):
    hs, a = seed_data()
    t = hs * a.reshape(5, 1)
    fig, (ax_x, ax_sum) = show_sum(t, axis, name="t")
    np.testing.assert_array_equal(image_data(ax_x), t)
    summed = image_data(ax_sum)
    assert summed.shape == expected_shape
    np.testing.assert_allclose(summed.ravel(), t.sum(axis=axis))
    assert ax_sum.images[0].colorbar is not None
    vanished = ax_sum.get_yticks() if axis == 0 else ax_sum.get_xticks()
    assert list(vanished) == []  # 더해서 사라진 축에는 눈금이 없습니다
    assert f"sum(axis={axis % 2})" in ax_sum.get_title()
    assert ax_x.get_xlabel() == "은닉 차원 h" and ax_x.get_ylabel() == "시각 t"
    render_without_warnings(fig)


@pytest.mark.parametrize("x, axis, needle", [(np.zeros(4), 0, "2차원"), (np.zeros((5, 4)), 2, "축은 0 또는 1")])
def test_show_sum_rejects_bad_input(x, axis, needle):
    with pytest.raises(ValueError, match=needle):
        show_sum(x, axis)


def test_figures_fit_a_notebook_column_and_short_colour_bar_labels_lie_flat():
    """그림은 노트북 한 단(최대 7.5인치 ≈ 750 px)에 들어가고, 짧은 한국어 색 막대 이름은 가로로 적힙니다."""
    from ctxcourse import plotting

    wide = np.arange(60.0).reshape(3, 20)
    figures = [plotting.show_heatmap(wide, colorbar_label="값")[0],
               plotting.show_shapes([wide, wide[0], wide[:, :1]], ["a", "b", "c"])[0],
               plotting.show_arrays([np.ones((5, 4))] * 4, ["1", "2", "3", "4"])[0],
               plotting.show_broadcast(np.ones((3, 6)), np.ones((3, 1)))[0],
               plotting.show_sum(wide, 0)[0]]
    for fig in figures:
        assert fig.get_figwidth() <= plotting.MAX_WIDTH + 1e-9, fig.get_figwidth()
    fig, ax = plotting.show_heatmap(wide, colorbar_label="값")
    bar = ax.images[0].colorbar
    assert bar.ax.get_title() == "값" and bar.ax.get_ylabel() == ""
    fig, ax = plotting.show_heatmap(wide, colorbar_label="아주 긴 색 막대 이름")
    assert ax.images[0].colorbar.ax.get_ylabel() == "아주 긴 색 막대 이름"
    plt.close("all")


def test_a_one_row_array_is_drawn_flat():
    """(1, 4) 한 행은 납작하게, (5, 1) 한 열은 가늘게: 칸이 정사각형입니다 (키 큰 블록이 아님)."""
    from ctxcourse import plotting

    fig, axes = plotting.show_arrays([np.ones((1, 4)), np.ones((5, 1))], ["행", "열"])
    fig.canvas.draw()
    row, column = (ax.get_window_extent() for ax in axes)
    assert row.width > 3 * row.height and column.height > 3 * column.width
    plt.close("all")
