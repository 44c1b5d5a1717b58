"""학생용 JupyterLab 설정. ``make lab`` (``python -m ctxcourse.studentlab.lab``)은 이 폴더를 ``JUPYTER_CONFIG_DIR``로 씁니다.

- 메뉴와 대화 상자를 한국어로: 언어 팩 jupyterlab-language-pack-ko-KR + labconfig/default_setting_overrides.json
- 과제 확인(Validate)과 제출 전 확인: 서버 확장과 미리 빌드한 JupyterLab 확장 ``ctxcourse.studentlab``
  (한국어 결과 창, 문제별 점수, 명령 팔레트의 '과제 확인 (Validate)', Alt+Shift+V)
- 강사용 도구는 학생 화면에 없습니다: nbgrader의 formgrader·course_list 서버 확장을 끄고(아래),
  Formgrader·Create Assignment·Course List와 nbgrader 자체의 영어 Validate 단추는 labconfig/page_config.json에서 끕니다.
- 닫힌 네트워크에서도 조용하도록 JupyterLab 소식과 업데이트 확인을 끔
학생이 바꾼 JupyterLab 설정과 작업 공간은 lab/ 아래에 저장되며 git에는 올리지 않습니다.
"""

import ctxcourse.studentlab

c = get_config()  # noqa: F821  (Jupyter가 주입합니다)

c.ServerApp.jpserver_extensions = {
    "ctxcourse.studentlab": True,
    "nbgrader.server_extensions.formgrader": False,
    "nbgrader.server_extensions.course_list": False,
}
# 강좌 패키지 안의 미리 빌드한 JupyterLab 확장 (소스: ctxcourse/studentlab/js)
c.LabApp.extra_labextensions_path = [str(ctxcourse.studentlab.LABEXTENSIONS)]

c.LabApp.custom_css = True  # 이 폴더의 custom/custom.css를 불러옵니다
c.LabApp.news_url = None
c.LabApp.check_for_updates_class = "jupyterlab.handlers.announcements.NeverCheckForUpdate"
