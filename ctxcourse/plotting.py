"""가중치 히트맵과 형상 그림: 강의와 도구가 같은 모양의 그림을 쓰도록 한 곳에 모았습니다.

그림 규칙(강좌 설계): 작은 배열은 칸마다 값을 적고, 색 막대(colour bar)를 달고, 축 이름에
뜻(시각 t, 은닉 차원 h)을 적고, 가중치는 ``vmin=0, vmax=1``로, 색약 친화 색상표(viridis)를 씁니다.
"""

from __future__ import annotations

from typing import Sequence

import matplotlib.pyplot as plt
import numpy as np

from .fonts import setup_korean_font

CMAP = "viridis"          # 색약 친화(colour-blind-safe) 색상표
DIVERGING_CMAP = "RdBu_r"  # 부호가 있는 값(은닉 상태 등)에 쓰는 색상표
ANNOTATE_MAX_CELLS = 64    # 이보다 칸이 적으면 칸마다 값을 적습니다
MAX_WIDTH = 7.5            # 그림의 최대 너비(인치): 노트북 한 단(약 750 px)에 들어가고 390 px 화면에서도 읽힙니다
SHORT_LABEL = 6            # 이보다 짧은 색 막대 이름은 눕히지 않고 막대 위에 가로로 적습니다


def label_colorbar(bar, text: str) -> None:
    """색 막대에 이름을 붙입니다. 짧은 한국어 이름은 옆으로 눕히지 않고 막대 위에 가로로 적습니다."""
    if not text:
        return
    if len(text) <= SHORT_LABEL:
        bar.ax.set_title(text, fontsize=9, pad=6)
    else:
        bar.set_label(text)


def show_heatmap(
    matrix,
    *,
    ax=None,
    title: str = "",
    xlabel: str = "",
    ylabel: str = "",
    xticklabels: Sequence[str] | None = None,
    yticklabels: Sequence[str] | None = None,
    vmin: float | None = None,
    vmax: float | None = None,
    cmap: str = CMAP,
    fmt: str = ".2f",
    annotate: bool | None = None,
    colorbar_label: str = "",
):
    """2차원 배열 하나를 히트맵으로 그리고 ``(fig, ax)``를 돌려줍니다.

    1차원 배열은 한 행짜리 (1, T) 히트맵으로 그립니다. ``annotate``를 주지 않으면
    칸이 ``ANNOTATE_MAX_CELLS``개 이하일 때만 칸마다 값을 적습니다.
    """
    setup_korean_font()
    data = np.asarray(matrix, dtype=float)
    if data.ndim == 1:
        data = data.reshape(1, -1)
    if data.ndim != 2:
        raise ValueError(f"show_heatmap은 1차원 또는 2차원 배열만 그립니다. 받은 형상: {data.shape}")
    if ax is None:
        rows, cols = data.shape
        fig, ax = plt.subplots(figsize=(min(1.6 + 0.9 * cols, MAX_WIDTH), min(1.6 + 0.6 * rows, 6.5)),
                               layout="constrained")
    else:
        fig = ax.figure
    image = ax.imshow(data, cmap=cmap, vmin=vmin, vmax=vmax, aspect="auto")
    bar = fig.colorbar(image, ax=ax)
    label_colorbar(bar, colorbar_label)
    if annotate is None:
        annotate = data.size <= ANNOTATE_MAX_CELLS
    if annotate:
        _annotate_on(ax, data, fmt, image)
    ax.set_xticks(range(data.shape[1]))
    ax.set_yticks(range(data.shape[0]))
    if xticklabels is not None:
        ax.set_xticklabels(list(xticklabels))
    if yticklabels is not None:
        ax.set_yticklabels(list(yticklabels))
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    return fig, ax


def show_weights(a, labels: Sequence[str] | None = None, *, ax=None, title: str = "가중치 a"):
    """가중치 벡터 a (T,)를 한 행짜리 히트맵으로 그립니다 (``vmin=0, vmax=1``)."""
    a = np.asarray(a, dtype=float).ravel()
    return show_heatmap(
        a.reshape(1, -1), ax=ax, title=title, xlabel="시각 t", ylabel="",
        xticklabels=labels if labels is not None else [str(t) for t in range(a.size)],
        yticklabels=["a"], vmin=0.0, vmax=1.0, colorbar_label="가중치",
    )


def show_arrays(arrays: Sequence, titles: Sequence[str], *, suptitle: str = "", vmin=None, vmax=None,
                cmap: str = CMAP, fmt: str = ".2f"):
    """배열 여러 개를 나란히 그려 형상이 어떻게 바뀌는지 보여 줍니다. 제목에 형상을 덧붙입니다.

    칸의 크기가 모든 그림에서 같으므로 (1, 4) 한 행은 납작한 한 줄로, (5, 1) 한 열은 가는 한 줄로
    실제 비율대로 보입니다 (:func:`show_shapes`와 같은 그림). 1차원 배열은 (1, n) 한 행으로 그립니다.
    ``(fig, axes)``를 돌려줍니다.
    """
    return show_shapes(arrays, titles, suptitle=suptitle, vmin=vmin, vmax=vmax, cmap=cmap, fmt=fmt)


def show_attention_map(weights, xlabels: Sequence[str], ylabels: Sequence[str], *, ax=None,
                       title: str = "어텐션 가중치", xlabel: str = "인코더 시각 (입력 단어)",
                       ylabel: str = "디코더 시각 (출력 단어)"):
    """(디코더 시각 × 인코더 시각) 어텐션 가중치 지도를 단어 눈금과 함께 그리고 ``(fig, ax)``를 돌려줍니다.

    책(밑바닥부터 시작하는 딥러닝 2, 8장)의 어텐션 그림처럼 행 i는 디코더가 i번째로 내놓는 단어,
    열 t는 인코더에 t번째로 들어간 단어이고, 칸 (i, t)는 그 디코더 시각의 어텐션 가중치 a[t]입니다.
    가중치이므로 색 범위를 ``vmin=0, vmax=1``로 고정합니다.

    weights: (T_dec, T_enc) 배열, 각 값은 0 이상 1 이하.
    xlabels: 인코더 단어 T_enc개 (열 눈금), ylabels: 디코더 단어 T_dec개 (행 눈금).
    """
    data = np.asarray(weights, dtype=float)
    if data.ndim != 2:
        raise ValueError(f"show_attention_map은 (디코더 시각, 인코더 시각) 2차원 배열을 그립니다. 받은 형상: "
                         f"{data.shape}. 디코더 시각마다 구한 가중치 (T_enc,)들을 np.stack으로 쌓아 주세요.")
    rows, cols = data.shape
    xlabels, ylabels = list(xlabels), list(ylabels)
    if len(xlabels) != cols or len(ylabels) != rows:
        raise ValueError(f"눈금 이름의 개수가 가중치 형상 {data.shape}와 맞지 않습니다: xlabels {len(xlabels)}개"
                         f"(인코더 단어, {cols}개여야 함), ylabels {len(ylabels)}개(디코더 단어, {rows}개여야 함).")
    if not np.all(np.isfinite(data)) or data.min() < -1e-9 or data.max() > 1 + 1e-9:
        raise ValueError("어텐션 가중치는 0과 1 사이의 유한한 값이어야 합니다. 점수(내적)를 그대로 넘기지 말고 "
                         "소프트맥스를 거친 가중치를 넘겨 주세요 (nan이라면 최댓값 빼기를 잊었는지 확인하세요).")
    fig, ax = show_heatmap(data, ax=ax, title=title, xlabel=xlabel, ylabel=ylabel, xticklabels=xlabels,
                           yticklabels=ylabels, vmin=0.0, vmax=1.0, colorbar_label="가중치",
                           annotate=False)
    if data.size <= ANNOTATE_MAX_CELLS:  # 칸 색의 밝기에 맞춰 글씨 색을 고릅니다 (밝은 노랑 위에는 검은 글씨)
        _annotate_on(ax, data, ".2f", ax.images[-1])
    return fig, ax


def _annotate_on(ax, data: np.ndarray, fmt: str, image) -> None:
    """칸마다 값을 적되, 칸 색의 밝기를 보고 검은 글씨와 흰 글씨 중 읽기 쉬운 쪽을 고릅니다."""
    for (i, j), value in np.ndenumerate(data):
        red, green, blue, _ = image.cmap(image.norm(value))
        colour = "black" if 0.299 * red + 0.587 * green + 0.114 * blue > 0.5 else "white"
        ax.text(j, i, format(value, fmt), ha="center", va="center", color=colour, fontsize=9)


def _padded_2d(shape: tuple, ndim: int) -> tuple:
    return (1,) * (ndim - len(shape)) + tuple(shape)


def show_broadcast(x, y, *, names: Sequence[str] = ("x", "y"), op: str = "*", cmap: str = DIVERGING_CMAP,
                   fmt: str = ".2f"):
    """두 배열의 브로드캐스팅을 그림으로 보여 주고 ``(fig, axes)``를 돌려줍니다.

    세 칸을 나란히 그립니다: 결과 형상으로 늘린 ``x``, 늘린 ``y``, 그리고 ``x op y``의 결과.
    메모리에 실제로 있는 칸은 그대로, 브로드캐스팅으로 늘어나기만 한 칸(복사되지 않은 칸)은
    빗금을 쳐서 구별합니다. 각 그림은 0을 가운데 둔 자기 색 눈금과 색 막대를 씁니다. ``op``는 ``"*"`` 또는 ``"+"``이고, 결과는 2차원 이하여야 합니다.
    형상이 맞지 않으면 numpy와 같은 이유를 한국어로 설명하는 ``ValueError``를 냅니다.
    """
    setup_korean_font()
    operations = {"*": np.multiply, "+": np.add}
    if op not in operations:
        raise ValueError(f"op는 '*' 또는 '+'여야 합니다. 받은 값: {op!r}")
    xs, ys = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    try:
        shape = np.broadcast_shapes(xs.shape, ys.shape)
    except ValueError as error:
        raise ValueError(f"형상 {xs.shape}와 {ys.shape}는 브로드캐스팅할 수 없습니다 ({error}). "
                         f"뒤쪽 축부터 크기가 같거나 한쪽이 1인지 확인하세요.") from None
    if len(shape) > 2 or len(shape) == 0:
        raise ValueError(f"show_broadcast는 결과가 1차원 또는 2차원인 경우만 그립니다. 결과 형상: {shape}")
    grid = _padded_2d(shape, 2)
    result = operations[op](xs, ys)
    panels = [(data, f"{name}\n형상 {data.shape}" + ("" if data.shape == shape else f", 늘려서 {shape}"))
              for data, name in ((xs, names[0]), (ys, names[1]))]
    panels.append((result, f"결과\n{names[0]} {op} {names[1]}\n형상 {shape}"))
    fig, axes = plt.subplots(1, 3, figsize=(min(3.2 + 2.4 * grid[1], MAX_WIDTH), 1.9 + 0.55 * grid[0]), layout="constrained")
    for index, (ax, (data, title)) in enumerate(zip(axes, panels)):
        shown = np.broadcast_to(data, shape).reshape(grid)
        bound = max(float(np.abs(shown).max()), 1e-12)
        image = ax.imshow(shown, cmap=cmap, vmin=-bound, vmax=bound, aspect="auto")
        fig.colorbar(image, ax=ax, shrink=0.9)
        _annotate_on(ax, shown, fmt, image)
        if index < 2:
            stored = _padded_2d(data.shape, 2)
            for (i, j), _ in np.ndenumerate(shown):
                if (stored[0] == 1 and i > 0) or (stored[1] == 1 and j > 0):
                    ax.add_patch(plt.Rectangle((j - 0.5, i - 0.5), 1, 1, facecolor="white", alpha=0.45,
                                               hatch="//", edgecolor="grey", linewidth=0))
        ax.set_title(title, fontsize=9)
        ax.set_xticks(range(grid[1]))
        ax.set_yticks(range(grid[0]))
    fig.suptitle("빗금 칸: 메모리에 없고 브로드캐스팅으로 늘어나기만 한 칸")
    return fig, axes


def show_sum(x, axis: int, *, name: str = "x", xlabel: str = "은닉 차원 h", ylabel: str = "시각 t",
             cmap: str = DIVERGING_CMAP, fmt: str = ".2f"):
    """2차원 배열 ``x``와 ``x.sum(axis=axis)``를 함께 그려 어느 축이 사라지는지 보여 줍니다.

    ``axis=0``이면 합(한 행)을 ``x`` 아래에 열을 맞춰, ``axis=1``이면 합(한 열)을 ``x`` 오른쪽에
    행을 맞춰 그립니다. 두 그림은 같은 색 눈금을 쓰고 색 막대 하나를 공유합니다.
    ``(fig, (ax_x, ax_sum))``을 돌려줍니다.
    """
    setup_korean_font()
    data = np.asarray(x, dtype=float)
    if data.ndim != 2:
        raise ValueError(f"show_sum은 2차원 배열만 그립니다. 받은 형상: {data.shape}")
    if axis not in (0, 1, -1, -2):
        raise ValueError(f"2차원 배열의 축은 0 또는 1입니다. 받은 axis: {axis!r}")
    axis = axis % 2
    total = data.sum(axis=axis)
    shown = total.reshape(1, -1) if axis == 0 else total.reshape(-1, 1)
    rows, cols = data.shape
    lo, hi = min(data.min(), total.min()), max(data.max(), total.max())
    bound = max(abs(lo), abs(hi)) if cmap == DIVERGING_CMAP else None
    vmin, vmax = (-bound, bound) if bound is not None else (lo, hi)
    if axis == 0:
        fig, (ax_x, ax_sum) = plt.subplots(2, 1, figsize=(min(1.8 + 0.9 * cols, MAX_WIDTH), 2.6 + 0.55 * rows),
                                           gridspec_kw={"height_ratios": [rows, 1.4]}, layout="constrained")
    else:
        fig, (ax_x, ax_sum) = plt.subplots(1, 2, figsize=(min(3.2 + 0.9 * cols, MAX_WIDTH), 1.6 + 0.55 * rows),
                                           gridspec_kw={"width_ratios": [cols, 1.4]}, layout="constrained")
    for ax, values in ((ax_x, data), (ax_sum, shown)):
        image = ax.imshow(values, cmap=cmap, vmin=vmin, vmax=vmax, aspect="auto")
        _annotate_on(ax, values, fmt, image)
        ax.set_xticks(range(values.shape[1]))
        ax.set_yticks(range(values.shape[0]))
    ax_x.set_title(f"{name}  형상 {data.shape}")
    ax_x.set_xlabel(xlabel)
    ax_x.set_ylabel(ylabel)
    direction = "세로(시각 방향)로 더함" if axis == 0 else "가로로 더함"
    ax_sum.set_title(f"{name}.sum(axis={axis}): {direction}\n형상 {total.shape}")
    # 합은 1차원이므로 사라진 축에는 눈금을 달지 않습니다
    ax_sum.set_yticks([] if axis == 0 else range(rows))
    ax_sum.set_xticks(range(cols) if axis == 0 else [])
    fig.colorbar(image, ax=[ax_x, ax_sum], shrink=0.8)
    return fig, (ax_x, ax_sum)


def show_shapes(arrays: Sequence, titles: Sequence[str], *, suptitle: str = "", vmin=None, vmax=None,
                cmap: str = CMAP, fmt: str = ".2f", cell: float = 0.5):
    """배열 여러 개를 칸 크기가 같은 정사각형 칸으로 나란히 그려 형상을 눈으로 비교하게 합니다.

    :func:`show_arrays`와 달리 칸의 크기가 모든 그림에서 같으므로 (5,) 한 행, (5, 1) 한 열,
    (5, 4) 표가 실제 비율대로 보입니다. 1차원 배열은 한 행으로 그리고, 제목 아래에 형상을 적습니다.
    모든 그림이 한 색 눈금과 색 막대 하나를 씁니다. ``cell``은 칸 한 변의 길이(인치)입니다.
    ``(fig, axes)``를 돌려줍니다.
    """
    setup_korean_font()
    datas = [np.asarray(x, dtype=float) for x in arrays]
    if len(datas) != len(titles):
        raise ValueError(f"배열 {len(datas)}개에 제목 {len(titles)}개를 받았습니다. 배열마다 제목을 하나씩 주세요.")
    for data in datas:
        if data.ndim not in (1, 2):
            raise ValueError(f"show_shapes는 1차원 또는 2차원 배열만 그립니다. 받은 형상: {data.shape}")
    shown = [d.reshape(1, -1) if d.ndim == 1 else d for d in datas]
    lo = min(float(d.min()) for d in datas) if vmin is None else vmin
    hi = max(float(d.max()) for d in datas) if vmax is None else vmax
    gap, top, bottom, bar = 0.7, 0.75 + (0.35 if suptitle else 0), 0.45, 0.9
    fixed = 0.5 + gap * (len(shown) - 1) + bar
    cell = max(0.1, min(cell, (MAX_WIDTH - fixed) / max(1, sum(s.shape[1] for s in shown))))   # 한 단에 들어가게
    width = fixed + sum(s.shape[1] * cell for s in shown)
    bar_height = max(max(s.shape[0] for s in shown) * cell, 1.2)
    height = top + bottom + bar_height
    fig = plt.figure(figsize=(max(width, 3.0), height))
    axes, left = [], 0.5
    for data, values, title in zip(datas, shown, titles):
        w, h = values.shape[1] * cell, values.shape[0] * cell
        ax = fig.add_axes((left / fig.get_figwidth(), 1 - (top + h) / height, w / fig.get_figwidth(), h / height))
        image = ax.imshow(values, cmap=cmap, vmin=lo, vmax=hi, aspect="auto")
        if values.size <= ANNOTATE_MAX_CELLS and cell >= 0.35:   # 칸이 너무 작으면 숫자를 적지 않습니다
            _annotate_on(ax, values, fmt, image)
        ax.set_title(f"{title}\n형상 {data.shape}", fontsize=10)
        ax.set_xticks(range(values.shape[1]))
        ax.set_yticks(range(values.shape[0]) if data.ndim == 2 else [])  # 1차원에는 행 축이 없습니다
        ax.tick_params(labelsize=8)
        axes.append(ax)
        left += w + gap
    bar_ax = fig.add_axes(((left - gap + 0.3) / fig.get_figwidth(), 1 - (top + bar_height) / height,
                           0.15 / fig.get_figwidth(), bar_height / height))
    fig.colorbar(image, cax=bar_ax)
    if suptitle:
        fig.suptitle(suptitle, y=1 - 0.3 / height)
    return fig, axes
