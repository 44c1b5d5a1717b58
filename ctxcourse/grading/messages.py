"""채점 엔진이 강사에게 하는 말 (the engine's Korean explanations).

샌드박스 실행에서 일어난 일(시간 초과, 죽은 커널, 포크 폭탄, 출력 넘침 ...)을 채점 기록의 이유와 의심 표시로
바꾸고, 재현기가 판정을 내지 못했을 때의 테스트 출력을 만듭니다. 엔진의 한국어 문장은 여기에 모읍니다
(제출 폴더와 노트북의 문제는 :mod:`.intake`, 재현기의 설명은 :mod:`.replay`).
"""

from __future__ import annotations

from .models import SubmissionReport

NO_RESULT = {"output_type": "error", "ename": "GradingError",
             "evalue": "채점 재현기가 이 테스트의 결과를 내지 못했습니다.", "traceback": []}
BAD_RESULT = {"output_type": "error", "ename": "GradingError",
              "evalue": "채점 결과의 형식이 잘못되었습니다.", "traceback": []}
REFUSED = ("이 제출물은 링크나 특수 파일이 있어(또는 너무 커서) 채점하지 않고 0점으로 기록합니다. "
           "학생에게 노트북 파일 자체를 다시 내게 하세요.")


def unreadable(name: str, error: Exception) -> str:
    return (f"{name}.ipynb를 읽거나 정리할 수 없습니다 ({type(error).__name__}: {str(error)[:200]}). "
            f"노트북 파일이 깨졌습니다; 학생에게 다시 내게 하세요.")


def unexpected(step: str, error: Exception, log_path) -> str:
    return (f"{step} 중 예상하지 못한 오류: {type(error).__name__}: {str(error)[:300]}. 자세한 기록: {log_path}. "
            f"다시 실행하면 이 제출물을 다시 채점합니다.")


def replay_error(error: str) -> str:
    return (f"채점 재현기 오류: {error}. 재현기가 판정하지 못한 테스트는 0점이고, 그 전에 판정한 테스트의 점수는 "
            f"그대로입니다. 학생 코드가 재현기를 멈추게 했을 수 있습니다 (상태 파일의 기록을 보세요); 다시 실행하면 "
            f"이 제출물을 다시 채점합니다.")


def nbgrader_error(error: Exception) -> str:
    return f"nbgrader 채점 단계 오류: {type(error).__name__}: {str(error)[:300]}"


def internal_error(error: str) -> str:
    return f"채점 중 내부 오류: {error}"


def error_message(outputs: list[dict]) -> str:
    for output in outputs:
        if output.get("output_type") == "error":
            return f"{output.get('ename', '')}: {output.get('evalue', '')}".strip(": ")
    for output in outputs:
        if output.get("output_type") == "stream" and output.get("name") == "stderr":
            return "표준 오류 출력: " + str(output.get("text", ""))[:300]
    return ""


def explain(report: SubmissionReport, outcome: dict, limits) -> None:
    """실행 중에 일어난 일을 강사가 읽을 한국어 이유와 표시로 바꿉니다."""
    report.events.extend({k: (v[-1500:] if isinstance(v, str) else v) for k, v in event.items()}
                         for event in outcome["events"][:50])
    order = sorted(outcome["cells"].items())
    for index, cell in order:
        if cell["status"] == "timeout":
            report.reasons.append(f"셀 {index}이 시간 제한({limits.cell_timeout}초)을 넘겨 중단했습니다 (무한 루프?).")
        elif cell["status"] == "output_limit" or cell["truncated"]:
            report.reasons.append(f"셀 {index}의 출력이 너무 많아 잘랐습니다.")
    for event in outcome["events"]:
        kind = event.get("kind")
        where = f"셀 {event.get('index')}" if event.get("index") is not None else ""
        if kind == "kernel_died":
            detail = f" ({event.get('detail')})" if event.get("detail") else ""
            report.reasons.append(f"{where}에서 커널이 죽었습니다{detail}. 그 뒤의 테스트는 실행되지 않아 0점입니다.")
        elif kind == "unresponsive":
            report.reasons.append(f"{where}이 시간 제한을 넘기고 중단 신호에도 멈추지 않아 커널을 끝냈습니다. "
                                  f"그 뒤의 테스트는 0점입니다.")
        elif kind == "fork_bomb":
            report.reasons.append(f"{where}에서 프로세스를 끝없이 만들어(포크 폭탄) 커널을 끝냈습니다.")
            report.flag("subprocess", f"{where}: 포크 폭탄")
        elif kind == "strays_killed":
            report.flag("subprocess", f"하위 프로세스 {event.get('count')}개를 끝냈습니다 (채점 중에는 하위 프로세스를 쓸 수 없습니다)")
        elif kind == "recorder_failed":
            report.flag("recorder_blocked", f"{event.get('test')}: 테스트 셀 {event.get('detail')} 단계에서 채점 기록기가 실패했습니다 "
                                            "(입력 변환기·import 가로채기 등)")
        elif kind == "client_error":
            report.reasons.append(f"{where}: 실행기 오류 {event.get('detail')}")
    stopped = outcome["stopped"]
    if stopped == "wall_timeout":
        report.reasons.append(f"제출물 전체의 실행 시간 제한({limits.wall_timeout}초)을 넘겨 실행을 끝냈습니다.")
    elif stopped == "overflow":
        report.reasons.append("노트북 실행 결과가 너무 커서(출력 한도) 실행을 끝냈습니다.")
    elif stopped == "runner_stopped":
        report.reasons.append("학생 코드가 채점 실행기를 멈췄습니다(SIGSTOP). 더 기다리지 않고 끝냈으며, 그 뒤의 테스트는 "
                              "0점입니다.")
        report.flag("sandbox", "채점 실행기를 멈춤 (SIGSTOP)")
    elif stopped == "sandbox_error":
        detail = outcome["fatal"] or outcome["stderr"].strip().splitlines()[-1:] or [f"exit {outcome['returncode']}"]
        detail = detail if isinstance(detail, str) else detail[0]
        report.reasons.append(f"채점 샌드박스가 비정상 종료했습니다 ({str(detail)[:300]}). 실행되지 않은 테스트는 0점입니다.")
        report.flag("sandbox", f"샌드박스 비정상 종료: {str(detail)[:300]}")
    if outcome["bad_lines"]:
        report.flag("sandbox", f"실행기 출력 중 {outcome['bad_lines']}줄이 형식에 맞지 않았습니다")
    if outcome["declared"] is not None and outcome["declared"] != outcome["expected_cells"]:
        report.flag("sandbox", "실행기가 보고한 셀 수가 노트북과 다릅니다")


def gradebook_unreachable(db_url: str, error: BaseException) -> str:
    """성적부에 닿을 수 없어 채점을 멈출 때의 설명 (주소의 비밀번호는 가림)."""
    shown = db_url.split("@")[-1] if "@" in db_url else db_url
    return (f"성적부({shown})에 쓸 수 없어 채점을 멈췄습니다: {type(error).__name__}. 데이터베이스 서버와 연결을 "
            f"확인한 뒤 같은 명령을 다시 실행하면 끝낸 제출물은 건너뛰고 이어서 채점합니다. "
            f"(the gradebook database is unreachable; fix it and rerun to resume)")

