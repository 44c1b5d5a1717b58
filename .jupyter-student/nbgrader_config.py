"""학생용 nbgrader 설정: Assignment List 패널이 강좌의 exchange 폴더에서 과제를 받고 제출합니다.

``make lab`` (``python -m ctxcourse.studentlab.lab``)이 강좌의 ``nbgrader_config.py``에서 읽은 exchange 폴더와
강좌 ID를 환경 변수 ``CTXCOURSE_EXCHANGE``, ``CTXCOURSE_COURSE_ID``로, 학생 폴더를 ``CTXCOURSE_STUDENT``로 넘겨
줍니다. 없으면 이 저장소의 값(학생 폴더는 JupyterLab을 연 폴더)을 씁니다.
이 설정은 학생 폴더(``student/``)의 JupyterLab이 읽으며, 강사의 설정(해답용 빈칸 문구 등)은 담지 않습니다.
"""

import os

c = get_config()  # noqa: F821  (nbgrader가 주입합니다)

COURSE_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
c.CourseDirectory.course_id = os.environ.get("CTXCOURSE_COURSE_ID") or "attention-context-vector"
c.Exchange.root = os.environ.get("CTXCOURSE_EXCHANGE") or os.path.join(COURSE_ROOT, "exchange")
# 학생의 제출 기록(nbgrader의 cache)은 학생 폴더 안에: 이 기계의 다른 실행(다른 학생 폴더, 테스트)이 낸 제출이
# 과제 목록의 '제출한 과제'에 섞이지 않습니다. 기본값(~/.local/share/jupyter/nbgrader_cache)은 사용자 전체가 함께 씁니다.
c.Exchange.cache = os.path.join(os.environ.get("CTXCOURSE_STUDENT") or os.getcwd(), ".nbgrader_cache")

# 제출 시각은 nbgrader 기본대로 exchange에 UTC로 적습니다 (강사 쪽 collect가 '+'로 이름을 나누므로 '+0900' 같은
# 오프셋은 쓸 수 없습니다). 학생 화면의 과제 목록은 ctxcourse.studentlab이 브라우저의 시간대로 바꾸어 보여 줍니다.

# Validate 결과: 실패한 테스트의 traceback 전체 대신 마지막 줄(한국어 설명)만 (nbgrader 자체의 Validate에도 적용).
# 학생 화면의 '과제 확인' 창(ctxcourse.studentlab)도 같은 설정으로 노트북을 실행합니다.
c.Validator.Execute.extra_arguments = ["--InteractiveShell.xmode=Minimal"]
