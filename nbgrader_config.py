"""이 강좌의 nbgrader 설정 (course settings for nbgrader).

강좌 폴더(이 파일이 있는 폴더)에서 nbgrader 명령이나 `course` 명령을 실행하면 읽힙니다.
"""

c = get_config()  # noqa: F821  (nbgrader가 주입합니다)

c.CourseDirectory.course_id = "attention-context-vector"
c.CourseDirectory.db_url = "sqlite:///gradebook.db"
# release/로 복사하지 않을 파일 (체크포인트, 캐시)
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback"]

# 학생용 빈칸: 해답 부분을 한국어 안내로 바꿉니다.
c.ClearSolutions.code_stub = {
    "python": "# 여기에 코드를 작성하세요\nraise NotImplementedError(\"아직 작성하지 않았습니다\")",
}
c.ClearSolutions.text_stub = "여기에 답을 쓰세요."

# 채점할 때 한 셀이 너무 오래 걸리면 멈춥니다 (무한 루프 대비).
c.Execute.timeout = 60
c.Execute.interrupt_on_timeout = True

# 출력이 너무 긴 셀은 잘라서 저장합니다.
c.LimitOutput.max_lines = 200
c.LimitOutput.max_traceback = 50
