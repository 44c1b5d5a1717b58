"""과제마다 일부러 틀린 풀이 모음 (형식: :class:`ctxcourse.mistakes.Mistake`). 테스트와 ``course demo``가 씁니다."""
