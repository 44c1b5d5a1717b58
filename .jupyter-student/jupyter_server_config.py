"""학생용 JupyterLab 설정. ``make lab``은 이 폴더를 ``JUPYTER_CONFIG_DIR``로 씁니다.

- 메뉴와 대화 상자를 한국어로: 언어 팩 jupyterlab-language-pack-ko-KR + labconfig/default_setting_overrides.json
- nbgrader Validate 결과 창의 긴 한국어 메시지를 줄바꿈: custom/custom.css (아래 custom_css)
- 강사용 도구(Formgrader, Create Assignment)는 학생 화면에서 숨김: labconfig/page_config.json
- 닫힌 네트워크에서도 조용하도록 JupyterLab 소식과 업데이트 확인을 끔
학생이 바꾼 JupyterLab 설정과 작업 공간은 lab/ 아래에 저장되며 git에는 올리지 않습니다.
"""

c = get_config()  # noqa: F821  (Jupyter가 주입합니다)

c.LabApp.custom_css = True  # 이 폴더의 custom/custom.css를 불러옵니다
c.LabApp.news_url = None
c.LabApp.check_for_updates_class = "jupyterlab.handlers.announcements.NeverCheckForUpdate"
