"""어텐션의 맥락 벡터 강좌의 공용 패키지.

- :mod:`ctxcourse.fonts`    한글 글꼴 설정 (matplotlib)
- :mod:`ctxcourse.plotting` 가중치 히트맵과 형상 그림
- :mod:`ctxcourse.seed`     기준 예제의 데이터 (hs, a)
- :mod:`ctxcourse.feedback` 과제 테스트가 쓰는 한국어 피드백 도구
- :mod:`ctxcourse.cli`      강사용 명령 ``course``
"""

__version__ = "0.1.0"
