"""06_attention_layer 과제의 일부러 틀린 풀이 모음 (형식은 :mod:`ctxcourse.mistakes` 참고).

해답 셀 ``WeightSum``, ``AttentionWeight``, ``Attention`` 가운데 하나를 학생이 흔히 하는 실수로 바꿉니다.
바꾸지 않은 해답 셀은 강사용 해답 그대로 둡니다. ``Attention``은 학생 자신의 ``WeightSum``과
``AttentionWeight``를 쓰므로, 앞 계층의 실수는 ``Attention``의 테스트에서도 점수를 잃습니다 (``lost``에 적음).
"""

from __future__ import annotations

from ctxcourse.mistakes import Mistake

WS_FORWARD = "test_WeightSum_forward"
WS_BACKWARD = "test_WeightSum_backward"
AW_FORWARD = "test_AttentionWeight_forward"
AW_BACKWARD = "test_AttentionWeight_backward"
AT_FORWARD = "test_Attention_forward"
AT_BACKWARD = "test_Attention_backward"
INPUTS = "test_Attention_inputs"

WEIGHT_SUM = '''\
class WeightSum:
    """WeightSum 계층: 어텐션 가중치로 은닉 상태의 가중합(맥락 벡터)을 구합니다.

    forward(hs, a): 은닉 상태 hs (N, T, H), 가중치 a (N, T) → 맥락 벡터 c (N, H)
    backward(dc):   c의 기울기 dc (N, H) → 튜플 (dhs (N, T, H), da (N, T))
    """

    def __init__(self):
        self.params, self.grads = [], []
        self.cache = None

    def forward(self, hs, a):
        N, T, H = hs.shape
        ar = a.reshape(N, T, 1)
        c = np.sum(hs * ar, axis=1)
        self.cache = (hs, ar)
        return c

    def backward(self, dc):
        hs, ar = self.cache
        N, T, H = hs.shape
        dt = np.repeat(dc.reshape(N, 1, H), T, axis=1)
        dhs = dt * ar
        da = np.sum(dt * hs, axis=2)
        return dhs, da
'''

ATTENTION_WEIGHT = '''\
class AttentionWeight:
    """AttentionWeight 계층: 쿼리 h와 각 시각의 은닉 상태의 내적 점수에 소프트맥스를 적용합니다.

    forward(hs, h): 은닉 상태 hs (N, T, H), 쿼리 h (N, H) → 어텐션 가중치 a (N, T)
    backward(da):   a의 기울기 da (N, T) → 튜플 (dhs (N, T, H), dh (N, H))
    """

    def __init__(self):
        self.params, self.grads = [], []
        self.cache = None

    def forward(self, hs, h):
        N, T, H = hs.shape
        hr = h.reshape(N, 1, H)
        s = np.sum(hs * hr, axis=2)
        e = np.exp(s - np.max(s, axis=1, keepdims=True))
        a = e / np.sum(e, axis=1, keepdims=True)
        self.cache = (hs, hr, a)
        return a

    def backward(self, da):
        hs, hr, a = self.cache
        N, T, H = hs.shape
        ds = a * (da - np.sum(a * da, axis=1, keepdims=True))
        dt = ds.reshape(N, T, 1)
        dhs = dt * hr
        dh = np.sum(dt * hs, axis=1)
        return dhs, dh
'''

ATTENTION = '''\
class Attention:
    """Attention 계층: AttentionWeight와 WeightSum을 이어 맥락 벡터를 구합니다.

    forward(hs, h): hs (N, T, H), 쿼리 h (N, H) → 맥락 벡터 c (N, H); 가중치 (N, T)를 self.attention_weight에 남김
    backward(dc):   dc (N, H) → 튜플 (dhs (N, T, H), dh (N, H))
    """

    def __init__(self):
        self.params, self.grads = [], []
        self.attention_weight_layer = AttentionWeight()
        self.weight_sum_layer = WeightSum()
        self.attention_weight = None

    def forward(self, hs, h):
        a = self.attention_weight_layer.forward(hs, h)
        c = self.weight_sum_layer.forward(hs, a)
        self.attention_weight = a
        return c

    def backward(self, dc):
        dhs0, da = self.weight_sum_layer.backward(dc)
        dhs1, dh = self.attention_weight_layer.backward(da)
        dhs = dhs0 + dhs1
        return dhs, dh
'''


def _change(code: str, old: str, new: str) -> str:
    if old not in code:
        raise ValueError(f"실수 모음의 바꿀 글귀가 해답에 없습니다: {old!r}")
    return code.replace(old, new)


MISTAKES = [
    Mistake(
        key="ws_da_wrong_axis",
        ids={"test_Attention_backward": "layer_reshape_inputs", "test_Attention_inputs": "layer_reshape_inputs", "test_WeightSum_backward": "da_summed_over_time"},
        title="WeightSum.backward에서 da를 은닉 차원 축(축 2) 대신 시각 축(축 1)으로 합함",
        cells={"WeightSum": _change(WEIGHT_SUM, "da = np.sum(dt * hs, axis=2)", "da = np.sum(dt * hs, axis=1)")},
        lost=frozenset({WS_BACKWARD, AT_BACKWARD, INPUTS}),
        messages={WS_BACKWARD: "시각 축(축 1)으로 합했습니다"},
    ),
    Mistake(
        key="ws_forward_no_weights",
        ids={"test_Attention_backward": "digest_differs", "test_Attention_forward": "digest_differs", "test_Attention_inputs": "digest_differs", "test_WeightSum_backward": "digest_differs", "test_WeightSum_forward": "forgot_weights"},
        title="WeightSum.forward에서 가중치를 곱하지 않고 은닉 상태를 시각 축으로 합함",
        cells={"WeightSum": _change(WEIGHT_SUM, "c = np.sum(hs * ar, axis=1)", "c = np.sum(hs, axis=1)")},
        lost=frozenset({WS_FORWARD, WS_BACKWARD, AT_FORWARD, AT_BACKWARD, INPUTS}),
        messages={WS_FORWARD: "가중치를 곱하지 않고"},
    ),
    Mistake(
        key="aw_unstable_softmax",
        ids="softmax_no_max",
        title="AttentionWeight.forward의 소프트맥스에서 최댓값을 빼지 않음 (큰 점수에서 오버플로)",
        cells={"AttentionWeight": _change(ATTENTION_WEIGHT, "e = np.exp(s - np.max(s, axis=1, keepdims=True))",
                                          "e = np.exp(s)")},
        lost=frozenset({AW_FORWARD}),
        messages={AW_FORWARD: "오버플로"},
    ),
    Mistake(
        key="aw_softmax_axis0",
        ids={"test_AttentionWeight_backward": "softmax_over_batch", "test_AttentionWeight_forward": "softmax_over_batch", "test_Attention_backward": "digest_differs", "test_Attention_forward": "digest_differs", "test_Attention_inputs": "digest_differs"},
        title="AttentionWeight.forward의 소프트맥스를 시각 축 대신 미니배치 축(축 0)으로 계산함",
        cells={"AttentionWeight": _change(_change(ATTENTION_WEIGHT, "np.max(s, axis=1, keepdims=True)",
                                                  "np.max(s, axis=0, keepdims=True)"),
                                          "a = e / np.sum(e, axis=1, keepdims=True)", "a = e / np.sum(e, axis=0, keepdims=True)")},
        lost=frozenset({AW_FORWARD, AW_BACKWARD, AT_FORWARD, AT_BACKWARD, INPUTS}),
        messages={AW_FORWARD: "소프트맥스를 축 0으로 계산했습니다"},
    ),
    Mistake(
        key="aw_no_softmax_backward",
        ids={"test_AttentionWeight_backward": "softmax_backward_missing", "test_Attention_backward": "gradient_differs"},
        title="AttentionWeight.backward에서 소프트맥스의 역전파를 빠뜨림 (ds = da)",
        cells={"AttentionWeight": _change(ATTENTION_WEIGHT, "ds = a * (da - np.sum(a * da, axis=1, keepdims=True))",
                                          "ds = da")},
        lost=frozenset({AW_BACKWARD, AT_BACKWARD}),
        messages={AW_BACKWARD: "소프트맥스의 역전파를 빠뜨리고"},
    ),
    Mistake(
        key="aw_softmax_backward_no_sum",
        ids={"test_AttentionWeight_backward": "softmax_backward_half", "test_Attention_backward": "gradient_differs"},
        title="AttentionWeight.backward에서 소프트맥스 역전파의 합 항을 빼지 않음 (ds = a * da)",
        cells={"AttentionWeight": _change(ATTENTION_WEIGHT, "ds = a * (da - np.sum(a * da, axis=1, keepdims=True))",
                                          "ds = a * da")},
        lost=frozenset({AW_BACKWARD, AT_BACKWARD}),
        messages={AW_BACKWARD: "a * da만 하고"},
    ),
    Mistake(
        key="aw_softmax_backward_diagonal",
        ids={"test_AttentionWeight_backward": "softmax_backward_diagonal", "test_Attention_backward": "gradient_differs"},
        title="AttentionWeight.backward에서 소프트맥스 야코비안의 대각선만 씀 (ds = a * (1 - a) * da)",
        cells={"AttentionWeight": _change(ATTENTION_WEIGHT, "ds = a * (da - np.sum(a * da, axis=1, keepdims=True))",
                                          "ds = a * (1 - a) * da")},
        lost=frozenset({AW_BACKWARD, AT_BACKWARD}),
        messages={AW_BACKWARD: "대각선 a * (1 - a)만 곱하고"},
    ),
    Mistake(
        key="at_missing_dhs1",
        ids="attention_dhs_one_branch",
        title="Attention.backward에서 WeightSum 쪽 기울기 dhs0만 돌려줌 (dhs1을 더하지 않음)",
        cells={"Attention": _change(ATTENTION, "dhs = dhs0 + dhs1", "dhs = dhs0")},
        lost=frozenset({AT_BACKWARD}),
        messages={AT_BACKWARD: "dhs0뿐입니다"},
    ),
    Mistake(
        key="at_weight_not_kept",
        ids="attention_weight_not_kept",
        title="Attention.forward가 어텐션 가중치를 self.attention_weight에 남기지 않음",
        cells={"Attention": _change(ATTENTION, "        self.attention_weight = a\n", "")},
        lost=frozenset({AT_FORWARD}),
        messages={AT_FORWARD: "self.attention_weight에 어텐션 가중치를 저장하지 않았습니다"},
    ),
]
