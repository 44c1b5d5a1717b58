"""강사용 저장소의 자료 (the instructor's side of the repository).

``ctxcourse``에 기대지만 ``ctxcourse``는 이 폴더를 import 하지 않습니다: 실수 모음(:mod:`instructor.mistakes`)은
강좌의 데이터로서 ``ctxcourse.mistakes.bank_dir``가 강좌 폴더에서 파일로 찾아 읽습니다. 학생이 받는 패키지에는
들어가지 않습니다 (정답과 한 글자만 다른 코드가 있으므로).
"""
