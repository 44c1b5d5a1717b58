"""이 강좌의 nbgrader 설정 (course settings for nbgrader).

강좌 폴더(이 파일이 있는 폴더)에서 nbgrader 명령이나 `course` 명령을 실행하면 읽힙니다.
"""

import os

c = get_config()  # noqa: F821  (nbgrader가 주입합니다)
COURSE_ROOT = os.path.dirname(os.path.abspath(__file__))

c.CourseDirectory.course_id = "attention-context-vector"
c.CourseDirectory.db_url = "sqlite:///" + os.path.join(COURSE_ROOT, "gradebook.db")
# 한 기계에서 쓰는 강좌: 배포와 제출이 오가는 exchange 폴더는 강좌 폴더 안에 둡니다
# (학생용 JupyterLab 설정 .jupyter-student/nbgrader_config.py도 같은 곳을 가리킵니다).
c.Exchange.root = os.path.join(COURSE_ROOT, "exchange")
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

# Validate 버튼(과 `nbgrader validate`)의 결과 창: 실패한 테스트의 traceback 전체 대신 마지막 줄
# ("Feedback: <한국어 설명>")만 보여 줍니다. Validator 아래의 Execute에만 적용되므로 채점(autograde)의
# 출력은 그대로입니다. (학생용 설정 .jupyter-student/nbgrader_config.py에도 같은 설정이 있고, 학생 화면은
# tests/test_browser.py가 확인합니다.)
c.Validator.Execute.extra_arguments = ["--InteractiveShell.xmode=Minimal"]

# 성적 내보내기 (`nbgrader export`, `course export`): 따옴표를 제대로 치고 수식처럼 보이는 값을 글자로 바꾸는
# CSV 플러그인. nbgrader의 기본 플러그인은 쉼표나 줄바꿈이 든 학생 ID로 행을 위조할 수 있습니다.
c.ExportApp.plugin_class = "ctxcourse.grading.export.SafeCsvExportPlugin"

# `nbgrader generate_feedback`을 직접 쓸 때도 피드백에 숨은 테스트·기준값·학생의 HTML/스크립트가 들어가지
# 않도록 합니다 (`course feedback`은 같은 규칙으로 한국어 페이지를 따로 만듭니다).
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    "ctxcourse.grading.feedback_page.StripForFeedback",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]
