"""감옥: 학생의 uid로, 샌드박스 안에서 도는 코드만 모은 곳 (the code that runs as the student's user).

- :mod:`.runner`     샌드박스 안의 노트북 실행기 (``python -m ctxcourse.grading.jail.runner JOB.json``)
- :mod:`.privileges` 자원 한도, uid 내려놓기, 작업 폴더 준비
- :mod:`.client`     nbclient 위의 채점용 노트북 클라이언트 (nbclient·jupyter_client 내부를 건드리는 유일한 곳)
- :mod:`.calls`      테스트 셀 하나 동안 학생 커널 안에서 도는 호출 고리와 이어지는 유닉스 소켓
- :mod:`.strays`     하위 프로세스·포크 폭탄 정리 (psutil)
- :mod:`.kernel`     채점용 IPython 커널 시작점 (출력 상한)
- :mod:`.recorder`   학생 커널 안에서 채점 함수 호출을 하나씩 실행하고 기록 (호출 고리 ``serve_loop``)

여기의 코드는 nbgrader를 import 하지 않습니다 (``tests/test_grading_layout.py``가 확인합니다). 채점기와 주고받는
메시지의 모양은 :mod:`ctxcourse.grading.protocol` 한 곳에 있습니다. 샌드박스를 만드는 쪽(bubblewrap 명령, seccomp
필터)은 강사 쪽 코드이므로 :mod:`ctxcourse.grading.sandbox`, :mod:`ctxcourse.grading.seccomp`에 있습니다.
"""
