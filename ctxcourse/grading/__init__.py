"""채점 엔진 (the grading engine behind ``course autograde``).

- :mod:`.course`   강좌 폴더와 nbgrader 설정
- :mod:`.engine`   nbgrader Autograde 위의 병렬 채점 (성적부는 부모만 씀)
- :mod:`.sandbox`  bubblewrap 샌드박스와 자원 한도
- :mod:`.seccomp`  샌드박스의 seccomp 필터 (새 사용자 이름공간, ptrace, mount 등 금지)
- :mod:`.jail`     학생의 uid로 샌드박스 안에서 도는 코드 (실행기, 커널, 녹화기; nbgrader를 import 하지 않음)
- :mod:`.protocol` 프로세스 사이의 메시지 (실행기 작업과 출력 줄, 호출 요청과 답, 멈춘 이유)
- :mod:`.serial`   녹화 기록의 평범한 데이터 직렬화
- :mod:`.replay`   깨끗한 프로세스에서 테스트 셀을 다시 실행해 판정
- :mod:`.scan`     수상한 코드 표시
- :mod:`.report`   반 전체 요약 (학생별·문제별 표, 흔한 실패)
"""

import sys as _sys

# jsonschema는 import 될 때 형식 검사용 선택 모듈들을 모두 불러옵니다 (rfc3987_syntax는 문법을 만드느라 1~4초).
# 채점은 노트북의 URI·날짜 형식을 검사하지 않으므로 이것들을 막아 시작 시간을 줄입니다. ``ctxcourse.grading``의 어느
# 모듈을 import 해도 이 패키지가 먼저 실행되므로, 이 설정은 여기 한 곳에만 있습니다. (make setup으로 만든 가상환경은
# ctxcourse/fast_start.pth가 모든 프로세스에서 rfc3987_syntax를 이미 막습니다; 여기는 그 줄이 없는 설치를 위한 것입니다.)
SLOW_OPTIONAL_MODULES = ("rfc3987_syntax", "rfc3987", "rfc3339_validator", "rfc3986_validator", "webcolors",
                         "jsonpointer", "uri_template", "isoduration", "fqdn")


def block_slow_optional_modules(names=SLOW_OPTIONAL_MODULES) -> None:
    """``names``를 '없는 모듈'로 표시합니다 (이미 불러온 모듈은 그대로)."""
    for name in names:
        _sys.modules.setdefault(name, None)


block_slow_optional_modules(("rfc3987_syntax",))
