"""채점 엔진 (the grading engine behind ``course autograde``).

- :mod:`.course`   강좌 폴더와 nbgrader 설정
- :mod:`.engine`   nbgrader Autograde 위의 병렬 채점 (성적부는 부모만 씀)
- :mod:`.sandbox`  bubblewrap 샌드박스와 자원 한도
- :mod:`.seccomp`  샌드박스의 seccomp 필터 (새 사용자 이름공간, ptrace, mount 등 금지)
- :mod:`.runner`   샌드박스 안의 노트북 실행기
- :mod:`.kernel`   채점용 IPython 커널 시작점 (디버거 없이)
- :mod:`.recorder` 학생 커널 안의 채점 함수 호출 녹화기
- :mod:`.serial`   녹화 기록의 평범한 데이터 직렬화
- :mod:`.replay`   깨끗한 프로세스에서 테스트 셀을 다시 실행해 판정
- :mod:`.scan`     수상한 코드 표시
- :mod:`.report`   반 전체 요약 (학생별·문제별 표, 흔한 실패)
"""
