"""브라우저 테스트 도구: 학생이 보는 JupyterLab을 임시 폴더에서 띄우고 headless Chromium으로 다룹니다.

- :mod:`browser.course`  학생에게 보이는 강좌(notebooks/, release/)의 임시 사본과 nbgrader exchange
- :mod:`browser.lab`     저장소 가상환경의 JupyterLab 서버 (빈 포트, 토큰, 임시 설정 폴더)
- :mod:`browser.student` 학생이 하는 일 (노트북 열기, 모두 실행, 해답 쓰기, Validate, Assignments 패널)
"""
