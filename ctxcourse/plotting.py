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


def _annotate(ax, data: np.ndarray, fmt: str, norm) -> None:
    for (i, j), value in np.ndenumerate(data):
        shade = norm(value) if norm is not None else 0.5
        colour = "black" if 0.35 < shade < 0.8 else "white"
        ax.text(j, i, format(value, fmt), ha="center", va="center", color=colour, fontsize=9)


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
        fig, ax = plt.subplots(figsize=(min(1.6 + 0.9 * cols, 12), min(1.6 + 0.6 * rows, 9)), layout="constrained")
    else:
        fig = ax.figure
    image = ax.imshow(data, cmap=cmap, vmin=vmin, vmax=vmax, aspect="auto")
    bar = fig.colorbar(image, ax=ax)
    if colorbar_label:
        bar.set_label(colorbar_label)
    if annotate is None:
        annotate = data.size <= ANNOTATE_MAX_CELLS
    if annotate:
        _annotate(ax, data, fmt, image.norm)
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

    1차원 배열은 (1, n) 한 행으로 그립니다. ``(fig, axes)``를 돌려줍니다.
    """
    setup_korean_font()
    datas = [np.asarray(x, dtype=float) for x in arrays]
    widths = [max(1, d.reshape(d.shape[0] if d.ndim == 2 else 1, -1).shape[1]) for d in datas]
    fig, axes = plt.subplots(1, len(datas), figsize=(2.2 + 1.1 * sum(widths), 3.6),
                             gridspec_kw={"width_ratios": widths}, squeeze=False, layout="constrained")
    axes = axes[0]
    lo = min(float(d.min()) for d in datas) if vmin is None else vmin
    hi = max(float(d.max()) for d in datas) if vmax is None else vmax
    for ax, data, title in zip(axes, datas, titles):
        shown = data.reshape(1, -1) if data.ndim == 1 else data
        image = ax.imshow(shown, cmap=cmap, vmin=lo, vmax=hi, aspect="auto")
        if shown.size <= ANNOTATE_MAX_CELLS:
            _annotate(ax, shown, fmt, image.norm)
        ax.set_title(f"{title}\n형상 {data.shape}")
        ax.set_xticks(range(shown.shape[1]))
        ax.set_yticks(range(shown.shape[0]))
    fig.colorbar(image, ax=list(axes), shrink=0.8)
    if suptitle:
        fig.suptitle(suptitle)
    return fig, axes


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
    return show_heatmap(data, ax=ax, title=title, xlabel=xlabel, ylabel=ylabel, xticklabels=xlabels,
                        yticklabels=ylabels, vmin=0.0, vmax=1.0, colorbar_label="어텐션 가중치")
