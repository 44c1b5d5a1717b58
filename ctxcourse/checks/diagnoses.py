"""진단 목록 (diagnosis registry): 테스트가 낼 수 있는 한국어 진단마다 안정된 id와 문장 틀 하나.

검사 도구(:mod:`ctxcourse.feedback`, :mod:`ctxcourse.checks`)는 학생에게 보일 문장을 여기의 틀로만
만듭니다: ``say("keepdims_left_on", axis="합한 축이")``. 틀은 ``str.format``의 ``{이름}`` 자리를 가집니다.
같은 실수는 과제가 달라도 같은 id입니다 (반 전체 보고서가 과제를 건너 남아 있는 오개념을 찾습니다).

채점 엔진은 실패한 테스트의 메시지만 기록합니다. :func:`identify`는 그 메시지를 틀들과 맞추어 id를
되찾으므로 id를 따로 실어 나를 필요가 없고, 학생이 보는 문장에 군더더기가 붙지 않습니다.
한 메시지에 틀이 여럿 들어 있으면 (예: "…의 결과 형상이 (1, 4)입니다. … keepdims=True 때문에 …")
``frame``이 아닌 구체적인 진단이 이기고, 그중에서는 메시지에서 먼저 나온 것이 이깁니다. ``frame``은
다른 진단을 감싸는 문장(형상이 틀림, 호출 중 오류 등)이며, 안에 구체적인 진단이 없을 때의 id입니다.

정답 구현이나 정답 값은 여기에 없습니다.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True)
class Diagnosis:
    id: str
    template: str
    frame: bool = False


_ENTRIES = [
    # ---------------------------------------------------------------- 모든 과제 (ctxcourse.feedback)
    ("not_implemented", "{called} 아직 NotImplementedError를 냅니다. '# 여기에 코드를 작성하세요' 부분을 채우세요."),
    ("call_error", "{called} 부르자 오류가 났습니다 ({error}).", True),
    ("returned_list", "{name}()의 반환값이 파이썬 {type}입니다. 파이썬 리스트가 아니라 numpy 배열(np.ndarray)을 돌려주세요: "
                      ".tolist()나 리스트 내포를 쓰지 말고 numpy 연산의 결과를 그대로 돌려주면 됩니다."),
    ("returned_none", "{called} None을 돌려주었습니다. 함수 끝에 return 문이 있는지 확인하세요."),
    ("not_ndarray", "{called} {type} 객체를 돌려주었습니다. np.ndarray를 돌려주세요."),
    ("not_numeric", "{called} 돌려준 배열의 자료형이 {dtype}입니다. 숫자(실수) 배열을 돌려주세요."),
    ("shape_wrong", "{call}의 결과 형상이 {got}입니다. 기대한 형상은 {expected}입니다.", True),
    ("part_shape_wrong", "{call}의 {label} 형상이 {got}입니다. 기대한 형상은 {expected}입니다.", True),
    ("values_wrong", "{name}()의 값이 기대와 다릅니다.", True),
    ("shape_ok_values_wrong", "{call}의 형상은 맞지만 값이 틀립니다.", True),
    ("seed_values_wrong", "{name}()의 값이 기준 예제의 기대값과 다릅니다. 처음 다른 곳은 {where}입니다: "
                          "결과 {got}, 기대 {expected}.", True),
    ("digest_differs", "{name}()의 결과가 기준 예제의 기대와 다릅니다 (형상이나 값).", True),
    ("input_mutated", "{called} 입력 {what}를 제자리에서 바꾸었습니다."),
    ("hardcoded_answer", "{called} 입력이 달라도 똑같은 결과를 돌려줍니다. 기준 예제의 답을 코드에 적어 넣지 말고, "
                         "받은 입력으로 계산해서 돌려주세요."),
    ("hardcoded_note", "이런 풀이는 기준 예제의 테스트는 통과해도 새 입력으로 검사하는 테스트에서는 틀립니다.", True),
    ("pair_returned_none", "{called} None을 돌려주었습니다. 함수 끝에 return {first}, {second} 를 쓰세요."),
    ("pair_not_tuple", "{called} {type} 하나를 돌려주었습니다. 두 값을 튜플로 돌려주세요: return {first}, {second}"),
    ("pair_count", "{called} 값 {count}개를 돌려주었습니다. 정확히 두 값을 돌려주세요: return {first}, {second}"),
    ("pair_item_list", "{called} 돌려준 {label}가 파이썬 {type}입니다. 리스트가 아니라 numpy 배열(np.ndarray)을 "
                       "돌려주세요. 예: .tolist()를 쓰지 말고 numpy 연산의 결과를 그대로 돌려줍니다."),
    ("pair_item_type", "{called} 돌려준 {label}가 {type}입니다. np.ndarray를 돌려주세요."),
    ("pair_swapped", "{called} 돌려준 두 값의 순서가 바뀌었습니다"),
    ("not_finite", "{subject}에 nan 또는 inf가 있습니다.", True),
    ("reshape_size_mismatch", "reshape에 넘긴 형상의 원소 수가 {what} 같아야 합니다."),
    ("keepdims_left_on", "keepdims=True 때문에 {axis} 길이 1로 남았습니다."),
    ("summed_all_axes", "axis를 주지 않아 모든 원소를 더해 숫자 하나가 되었습니다."),
    ("returned_scalar", "{called} 숫자 하나({type})를 돌려주었습니다.", True),
    ("weights_not_summed", "가중치를 곱하기만 하고 더하지 않았습니다."),
    ("not_summed_over_time", "가중치를 곱한 뒤 시각 축(축 1)으로 합하지 않았습니다."),
    ("summed_over_batch", "미니배치 축(축 0)으로 합했습니다."),
    ("summed_batch_too", "미니배치 축까지 합했습니다."),
    ("summed_two_axes", "{what} 한꺼번에 합했습니다."),
    ("axis_swapped", "은닉 차원 축{hidden}으로 합했습니다"),
    ("forgot_weights", "가중치를 곱하지 않고 {what}"),
    ("first_step_only", "{called} 첫 시각의 은닉 상태 hs[:, 0]을 그대로 돌려줍니다. 모든 시각의 가중합을 구하세요."),
    ("dot_not_summed", "hs와 h를 곱하기만 하고 은닉 차원 축(축 2)으로 더하지 않았습니다. 내적은 곱한 뒤 더한 값입니다."),
    ("scores_summed_over_time", "내적 점수를 시각 축(축 1)으로 합했습니다."),
    ("hs_is_3d", "{what}는 3차원 (N, T, H) 배열입니다. N, T, H = hs.shape로 크기를 읽으세요."),
    ("gradient_needs_forward", "기울기를 수치 미분으로 확인하려면 {name}()가 먼저 맞아야 합니다.", True),
    ("forward_constant", "{name}()의 결과가 입력{what} 바꾸어도 변하지 않습니다 (수치 기울기가 0). 답을 코드에 적어 넣지 "
                         "말고 받은 입력으로 계산하세요."),
    ("gradient_differs", "{name}()의 {label}가 수치 미분으로 구한 기울기와 다릅니다."),
    ("returned_shape_wrong", "{called} 돌려준 {label}의 형상이 {got}입니다. 기대한 형상은 {expected}입니다.", True),
    ("repeat_missing_in_backward", "dc를 reshape만 하고 시각 축으로 {how}하지 않았습니다."),
    ("backward_returned_dc", "dc를 그대로 돌려주었습니다."),
    ("da_summed_over_time", "da를 시각 축(축 1)으로 합했습니다."),
    ("da_not_summed", "da를 축 2로 합하지 않았습니다."),
    ("backward_forgot_weights", "{name}()의 dhs가 dc를 시각 축으로 복제하기만 한 값입니다: 가중치{what} 곱하지 않았습니다."),
    ("da_forgot_upstream", "{name}()의 da가 hs를 축 2로 합하기만 한 값입니다: 위에서 흘러온 기울기 dc를 곱하지 않았습니다."),
    # ---------------------------------------------------------------- 01_repeat
    ("repeat_no_axis1", "a는 1차원 (T,) 배열이라 축 1(axis=1)이 없습니다. 먼저 a.reshape(T, 1)로 (T, 1) 2차원 배열을 "
                        "만든 뒤 axis=1로 복제하세요 (reshape 빠짐)."),
    ("repeat_no_axis", "repeat에 axis를 주지 않으면 배열이 1차원으로 펼쳐집니다. 열 방향으로 복제하도록 axis=1을 주세요."),
    ("tile_instead_of_repeat", "np.tile은 a 전체를 통째로 이어 붙입니다 (a0 a1 ... a0 a1 ...). 원소마다 H번씩 복제하려면 "
                               "tile이 아니라 repeat을 쓰세요."),
    ("rows_are_weights", "각 행이 a가 되었습니다. a를 (1, T)로 두고 axis=0으로 쌓거나 np.tile(a, (H, 1))을 쓰면 "
                         "행과 열이 바뀝니다. a를 (T, 1)로 reshape 하고 axis=1로 복제해 각 열이 a가 되게 하세요."),
    ("repeat_wrong_axis", "axis=0으로 복제해서 행만 늘어났습니다 (축이 틀림). 가로(열) 방향으로 H번 복제하려면 axis=1을 쓰세요."),
    ("reshape_not_repeated", "reshape만 하고 복제하지 않았습니다. repeat(H, axis=1)로 열 방향으로 H번 복제하세요."),
    ("still_1d", "1차원 (T,) 그대로입니다. a.reshape(T, 1)로 2차원으로 바꾼 뒤 axis=1로 복제하세요."),
    ("rows_constant_wrong", "각 행이 한 값으로 채워졌지만 그 값이 a와 다릅니다. t번째 행은 a[t]로 채워져야 합니다."),
    ("input_shape_changed", "{called} 입력 a의 형상을 제자리에서 바꾸었습니다 ({before} → {after}). a.shape = ... 이나 "
                            "a.resize(...)는 받은 배열 자체를 바꿉니다. 새 배열을 돌려주는 a.reshape(...)를 쓰세요."),
    # ---------------------------------------------------------------- 02_broadcasting
    ("reshape_missing_column", "{what} a를 a.reshape(T, 1)로 (T, 1) 열 벡터로 바꾸어 곱하세요 (reshape 빠짐)."),
    ("summed_too_early", "이미 시각 축으로 합했습니다. weight_rows는 합하기 전의 (T, H) 배열(가중치를 곱한 은닉 상태)을 돌려줍니다."),
    ("rows_summed_over_hidden", "은닉 차원 축으로 합했습니다. weight_rows는 합하지 않은 (T, H) 배열을 돌려줍니다."),
    ("rows_transposed", "행과 열이 바뀌었습니다. hs의 형상 (T, H) 그대로, t번째 행에 a[t]를 곱하세요."),
    ("reshape_3d", "a를 (T, 1)이 아니라 다른 형상으로 바꾸어 3차원으로 퍼졌습니다. a.reshape(T, 1)을 쓰세요."),
    ("rows_unweighted", "결과가 hs와 똑같습니다: 가중치를 곱하지 않았습니다."),
    ("weights_on_columns", "a가 행이 아니라 열마다 곱해졌습니다. T == H이면 hs * a가 오류 없이 틀린 값을 냅니다"),
    ("broadcast_must_refuse", "{pair}은 ValueError를 내야 하는데 {what}", True),
    ("broadcast_wrong_exception", "assert나 다른 예외 대신 raise ValueError(\"...\")를 쓰세요 (numpy도 ValueError를 냅니다)."),
    ("broadcast_none_instead_of_error", "{pair}은 브로드캐스팅할 수 없는 형상인데 None을 돌려주었습니다. print로 알리고 끝내지 말고 "
                                        "raise ValueError(\"...\")로 오류를 내세요."),
    ("broadcast_from_left", "형상을 앞쪽부터 맞춘 것 같습니다: 브로드캐스팅은 뒤쪽(오른쪽) 축부터 짝지어 비교합니다."),
    ("broadcast_accepts_mismatch", "짝지은 두 축의 크기가 다르고 어느 쪽도 1이 아니면 브로드캐스팅할 수 없습니다."),
    ("broadcast_refused_valid", "{pair}은 {expected}인데 ValueError를 냈습니다 ({error}).", True),
    ("broadcast_no_padding", "뒤쪽(오른쪽) 축부터 짝지어 비교하세요: 길이가 짧은 형상은 앞쪽에 크기 1인 축이 있는 것으로 봅니다."),
    ("broadcast_size_one", "크기가 1인 축은 상대의 크기로 늘어나므로 브로드캐스팅할 수 있습니다."),
    ("broadcast_call_error", "{pair}을 부르자 오류가 났습니다 ({error}). 기대한 결과는 {expected}입니다.", True),
    ("shape_as_list", "{pair}이 리스트 {got}를 돌려주었습니다. 형상은 numpy처럼 튜플로 돌려주세요: tuple(...)."),
    ("shape_not_int_tuple", "{pair}이 {got}을 돌려주었습니다. 정수로 된 튜플(예: {expected})을 돌려주세요."),
    ("broadcast_shape_wrong", "{pair}이 {got}를 돌려주었습니다. 기대한 형상은 {expected}입니다.", True),
    ("broadcast_rank_wrong", "결과의 길이(차원 수)는 두 형상 중 긴 쪽의 길이입니다: 짧은 형상의 앞쪽을 크기 1인 축으로 채운 "
                             "것처럼 비교하세요."),
    ("broadcast_zero_axis", "크기 0인 축과 크기 1인 축을 맞추면 결과는 0입니다 (1이 아닌 쪽을 고릅니다; max를 쓰면 1이 됩니다)."),
    # 알아챈 방법(numpy를 바꿔 끼움, 또는 채점 엔진처럼 바꿀 수 없으면 70차원 형상에서 numpy의 오류)과 상관없이 같은 진단
    ("used_numpy_broadcasting", "이 과제는 규칙을 직접 구현하는 것입니다: 두 형상을 뒤쪽 축부터 짝지어 크기를 비교하세요."),
    # ---------------------------------------------------------------- 03_axis_sum
    ("max_row_only", "가중치가 가장 큰 시각의 은닉 상태 한 행만 골랐습니다. 기준 예제에서는 c가 hs[0]과 비슷하지만 같지는 "
                     "않습니다: 모든 행에 가중치를 곱해 더하세요 (가중합)."),
    ("both_axes_wrong", "은닉 차원 축(axis=1)으로 합했고 keepdims=True도 남았습니다. 시각 축(axis=0)으로, keepdims 없이 합하세요."),
    ("matmul_wrong_side", "hs @ a는 은닉 차원 쪽으로 곱해 더합니다. 시각 축으로 더하려면 a @ hs (또는 hs.T @ a)입니다."),
    ("weighted_wrong_axis", "축 {axis}가 아니라 축 {other}를 따라 합했습니다 (축이 틀림)."),
    ("weighted_last_axis", "w가 axis가 아니라 마지막 축에 곱해졌습니다: x * w는 w를 마지막 축에 맞춥니다 (뒤쪽 축부터). "
                           "w를 axis 자리에 세운 형상으로 바꾸어 곱하세요 (reshape)."),
    ("weighted_broadcast_last", "w를 x와 그대로 곱하면 브로드캐스팅이 w를 마지막 축에 맞춥니다 (뒤쪽 축부터)."),
    ("negative_axis", "축 번호가 x의 차원 수를 벗어났습니다. 음수 축(axis=-1은 마지막 축)도 받을 수 있어야 합니다: "
                      "axis % x.ndim으로 0 이상의 번호로 바꾸어 쓰세요."),
    ("error_not_korean", "{called} 길이가 맞지 않는 w에 ValueError를 냈지만 메시지가 한국어가 아닙니다"),
    ("error_wrong_type", "{called} 길이가 맞지 않는 w에 ValueError가 아니라 {ename}를 냈습니다."),
    ("length_not_checked", "{call}가 오류 없이 결과를 돌려주었습니다. w의 길이 {length}가 x의 축 {axis} 크기 {size}와 다르면 "
                           "브로드캐스팅이 조용히 틀린 값을 낼 수 있으니, 먼저 길이를 비교해 raise ValueError(\"...\")로 "
                           "알려 주세요."),
    ("plot_needs_labels", "plot_weights(a, labels=None)처럼 labels 인자를 받으세요."),
    ("plot_imshow_1d", "imshow에는 2차원 배열을 넘기세요: a.reshape(1, T)."),
    ("plot_returned_none", "{called} None을 돌려주었습니다. plt.show()로 끝내지 말고 fig, ax = plt.subplots()로 만든 "
                           "그림을 return fig로 돌려주세요."),
    ("plot_returned_tuple", "{called} 튜플을 돌려주었습니다. (fig, ax)가 아니라 Figure 하나(return fig)를 돌려주세요."),
    ("plot_returned_axes", "{called} Axes(ax)를 돌려주었습니다. 그림 전체인 Figure를 돌려주세요: return fig."),
    ("plot_not_figure", "{called} {type}을 돌려주었습니다. matplotlib Figure를 돌려주세요: fig, ax = plt.subplots() ... "
                        "return fig."),
    ("plot_no_heatmap", "{name}()의 그림에 히트맵이 없습니다. 막대나 선 그래프가 아니라 ax.imshow(...) 또는 "
                        "ax.pcolormesh(...)로 가중치를 색으로 그리세요."),
    ("plot_wrong_values", "{name}()의 히트맵에 그린 값(형상 {shapes})이 가중치 a(형상 {shape})와 다릅니다. 다른 배열을 "
                          "그리지 말고, 받은 a 자체를 (1, T) 형상으로 바꾸어 그리세요: ax.imshow(a.reshape(1, T), ...)."),
    ("plot_no_colorbar", "{name}()의 그림에 색 막대(colorbar)가 없습니다. 색이 어떤 값인지 읽을 수 있도록 "
                         "image = ax.imshow(...) 다음에 fig.colorbar(image, ax=ax)를 부르세요."),
    ("plot_no_korean", "{name}()의 그림에 한국어 제목이나 축 이름이 없습니다. 예: ax.set_title('어텐션 가중치'), "
                       "ax.set_xlabel('시각 t'). (한글이 네모로 깨지면 setup_korean_font()를 먼저 부르세요.)"),
    ("plot_wrong_ticks", "{name}(a, labels)의 눈금 이름이 labels {wanted}와 다릅니다 (지금 눈금: {seen}). "
                         "ax.set_xticks(range(T), labels)로 시각마다 단어를 적으세요."),
    # ---------------------------------------------------------------- 04_weight_sum
    ("batch_matmul", "a @ hs는 a (N, T)를 행렬 하나로 보고 모든 문장의 hs에 곱해 (N, N, H)가 됩니다."),
    ("reshape_for_batch", "가중치 a (N, T)를 a.reshape(N, T, 1)로 바꾸면 hs (N, T, H)와 브로드캐스팅됩니다."),
    ("dhs_is_weights", "{name}()의 dhs가 가중치 a를 H개로 복제하기만 한 값입니다: 위에서 흘러온 기울기 dc를 곱하지 않았습니다."),
    ("dhs_wrong_part", "dhs 자리에 (N, T) 배열이 있습니다. dhs는 hs와 같은 형상 (N, T, H)여야 합니다."),
    # ---------------------------------------------------------------- 05_attention_weights
    ("softmax_no_max", "큰 점수(예: 1000)에서 np.exp가 오버플로를 일으켰거나 모든 값이 0이 되어 0으로 나눈 것입니다."),
    ("softmax_negative", "{subject}에 음수가 있습니다: 소프트맥스를 거치지 않은 점수 같습니다."),
    ("softmax_wrong_axis", "{subject} {where}을 따라 합이 1입니다: 소프트맥스를 {where}을 따라 계산했습니다."),
    ("reshape_query_and_weights", "h (N, H)는 h.reshape(N, 1, H)로, 가중치 a (N, T)는 a.reshape(N, T, 1)로 바꾸면 "
                                  "hs (N, T, H)와 브로드캐스팅됩니다."),
    ("softmax_global_sum", "{subject} 모든 원소의 합이 1입니다: 배열 전체의 합으로 나누었습니다."),
    ("softmax_not_normalised", "{subject} 마지막 축을 따라 합해도 1이 되지 않습니다."),
    ("softmax_needs_keepdims", "합으로 나눌 때 np.sum(..., axis=-1, keepdims=True)처럼 keepdims=True를 써야 "
                               "마지막 축이 길이 1로 남아 브로드캐스팅됩니다."),
    ("softmax_axis_from_front", "axis=1처럼 축 번호를 앞에서부터 세면 차원 수가 다른 입력에서 틀립니다. 마지막 축은 "
                                "axis=-1로 쓰세요."),
    ("softmax_returned_sum", "마지막 축을 합한 값만 돌려주었습니다."),
    ("softmax_returned_keepdims_sum", "keepdims=True로 구한 합(또는 최댓값)을 돌려주었습니다. 지수를 그 합으로 나눈 배열을 "
                                      "돌려주세요."),
    ("result_flattened", "결과가 1차원으로 펴졌습니다 (flatten, ravel). 입력과 같은 형상을 돌려주세요."),
    ("matmul_core_mismatch", "행렬곱(@)의 형상이 맞지 않습니다. 원소별 곱 hs * h.reshape(N, 1, H)를 은닉 차원 축(축 2)으로 "
                             "합하면 내적이 됩니다."),
    ("weights_extra_axis", "가중치가 (N, 1, T)입니다. reshape 없이 (N, T)로 돌려주세요."),
    ("context_not_weighted_sum", "{name}()의 맥락 벡터 c가 은닉 상태의 가중합이 아닙니다: 합이 1인 가중치로 가중합하면 c의 각 "
                                 "원소는 같은 은닉 차원의 hs 값들 사이에 있어야 합니다."),
    ("mask_boolean_index", "마스크는 x와 같은 형상입니다. x[mask]처럼 1차원으로 펼치지 말고 np.where(mask, ..., ...)로 "
                           "같은 형상을 유지하세요."),
    ("mask_shape_broadcast", "마스크는 x와 같은 형상입니다. 합으로 나눌 때는 keepdims=True를 쓰세요."),
    ("mask_zero_score", "가려진 자리(mask가 False)의 가중치가 0이 아닙니다. 가려진 점수를 0으로 바꾸는 것으로는 부족합니다 "
                        "(exp(0) = 1만큼의 무게를 받습니다)."),
    ("mask_inverted", "가중치가 가려진 자리(mask가 False)에만 있습니다: 마스크의 뜻이 거꾸로입니다."),
    ("mask_not_renormalised", "가려진 자리는 0이지만, 남은 자리의 합이 1이 아닙니다: 소프트맥스 뒤에 마스크만 곱하고 "
                              "다시 나누지 않았습니다."),
    ("mask_empty_nan", "전부 가려진 행(마스크가 모두 False)에서 nan이 나왔습니다: 모든 점수가 -inf이면 exp 뒤 0 / 0이 됩니다."),
    ("mask_empty_uniform", "전부 가려진 행(마스크가 모두 False)의 가중치가 0이 아닙니다."),
    ("masked_wrong", "masked_softmax()의 결과가 틀립니다.", True),
    # ---------------------------------------------------------------- 06_attention_layer
    ("layer_missing_method", "{name} 클래스에 {which} 메서드가 없습니다. 책의 계층 API대로 def {which}(self, ...)를 만드세요."),
    ("layer_missing_list", "{name} 객체에 {attr}가 없습니다. __init__에서 self.params, self.grads = [], []로 만드세요."),
    ("layer_lists_not_empty", "{name}.{attr}는 빈 리스트여야 합니다 (이 계층에는 학습할 매개변수가 없습니다)."),
    ("layer_reshape_inputs", "형상을 맞추세요: 가중치 a (N, T)는 a.reshape(N, T, 1), 쿼리 h (N, H)는 h.reshape(N, 1, H), "
                             "기울기 dc (N, H)는 dc.reshape(N, 1, H)로 바꾸면 hs (N, T, H)와 브로드캐스팅됩니다."),
    ("layer_no_cache", "backward는 forward가 self.cache에 저장한 값을 씁니다. forward에서 self.cache = (...)를 잊지 않았는지 "
                       "확인하세요."),
    ("softmax_over_batch", "{name}()의 가중치가 미니배치 축(축 0)을 따라 합이 1입니다: 소프트맥스를 축 0으로 계산했습니다."),
    ("weights_not_normalised", "{name}()의 가중치를 시각 축(축 1)을 따라 합해도 1이 되지 않습니다."),
    ("softmax_backward_missing", "소프트맥스의 역전파를 빠뜨리고 da를 점수의 기울기로 그대로 썼습니다"),
    ("softmax_backward_half", "소프트맥스의 역전파에서 a * da만 하고"),
    ("softmax_backward_diagonal", "소프트맥스의 역전파에서 야코비안의 대각선 a * (1 - a)만 곱하고"),
    ("dh_summed_over_hidden", "dh를 은닉 차원 축으로 합했습니다."),
    ("dh_not_summed", "dh를 시각 축(축 1)으로 합하지 않았습니다."),
    ("attention_dhs_one_branch", "Attention.backward()의 dhs가 {which} 쪽 기울기 {part}뿐입니다."),
    ("attention_weight_not_kept", "Attention.forward()가 self.attention_weight에 어텐션 가중치를 저장하지 않았습니다."),
    ("attention_weight_missing", "Attention 객체에 attention_weight가 없습니다."),
    ("attention_weight_wrong", "Attention.attention_weight는 형상 {shape}의 np.ndarray여야 합니다"),
    ("numeric_needs_forward", "수치 미분을 구하려면 {name}.forward()가 먼저 맞는 형상의 배열을 돌려줘야 합니다."),
]

REGISTRY: dict[str, Diagnosis] = {}
for _entry in _ENTRIES:
    if _entry[0] in REGISTRY:  # pragma: no cover  (목록을 고칠 때 바로 드러나도록)
        raise ValueError(f"진단 id가 두 번 있습니다: {_entry[0]}")
    REGISTRY[_entry[0]] = Diagnosis(*_entry)
del _entry

ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")

# 자리 이름마다 맞출 글: 함수 이름과 "이름()+조사"는 좁게 (메시지의 맨 앞이 아니라 그 이름에서 시작하도록)
_FIELDS = {
    "name": r"[A-Za-z_][\w.]*",
    "called": r"[A-Za-z_][\w.]*\(\)[이가을를은는과와]",
}


def say(diagnosis_id: str, **fields) -> str:
    """진단 ``diagnosis_id``의 문장 (틀의 ``{자리}``를 ``fields``로 채운 것)."""
    return REGISTRY[diagnosis_id].template.format(**fields)


@lru_cache(maxsize=None)
def _pattern(diagnosis_id: str) -> re.Pattern:
    """진단 틀의 정규식. 자리(``{call}`` 등)는 바로 다음 글귀를 담지 않는 가장 짧은 글로 맞춥니다: 자리를 어디서
    끊을지가 하나로 정해지므로 되짚기가 없습니다 (자리마다 ``.+?``이면 학생이 낸 긴 예외 글에서 되짚기가 폭발합니다:
    외부 레드팀 6차, 2,000자에 51초). 첫 글귀 앞의 자리는 "앞에 글자가 하나 이상 있음"으로 봅니다."""
    items = list(string.Formatter().parse(REGISTRY[diagnosis_id].template))
    parts, anchored = [], False
    for index, (literal, field, _, _) in enumerate(items):
        if literal.strip() and not anchored:   # 첫 글귀의 자리가 그 진단이 메시지에서 나온 자리입니다
            parts.append(f"(?P<lit>{re.escape(literal)})")
            anchored = True
        else:
            parts.append(re.escape(literal))
        if field is None:
            continue
        following = items[index + 1][0] if index + 1 < len(items) else ""
        if field in _FIELDS:
            parts.append(f"(?:{_FIELDS[field]})")
        elif not anchored and not parts[-1]:
            parts.append("(?<=.)")
        elif following:
            parts.append(f"(?:(?!{re.escape(following)}).)+?")
        else:
            parts.append(".+?")
    return re.compile("".join(parts), re.S)


@lru_cache(maxsize=None)
def _literal_length(diagnosis_id: str) -> int:
    return sum(len(literal) for literal, _, _, _ in string.Formatter().parse(REGISTRY[diagnosis_id].template))


def identify(message: object) -> str | None:
    """채점 기록의 메시지에서 진단 id를 찾습니다. 어느 틀과도 맞지 않으면 None.

    구체적인 진단이 ``frame``보다 먼저이고, 같은 종류끼리는 메시지에서 먼저 나온 것 (같은 자리면 고정된 글이 긴 틀).
    메시지에는 학생 코드가 낸 예외의 글이 들어 있을 수 있으므로 틀의 정규식은 되짚기 없이 맞춥니다 (:func:`_pattern`).
    """
    text = str(message or "")
    best = None
    for key, diagnosis in REGISTRY.items():
        match = _pattern(key).search(text)
        if match is None:
            continue
        start = match.start("lit") if "lit" in match.re.groupindex else match.start()
        rank = (diagnosis.frame, start, -_literal_length(key))
        if best is None or rank < best[0]:
            best = (rank, key)
    return best[1] if best else None


def sentence(diagnosis_id: str) -> str:
    """보고서에 쓸 진단의 문장: 틀의 자리를 "…"로 둔 것."""
    fields = {name: "…" for _, name, _, _ in string.Formatter().parse(REGISTRY[diagnosis_id].template) if name}
    return say(diagnosis_id, **fields)
