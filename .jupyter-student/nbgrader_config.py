"""학생용 nbgrader 설정: Assignment List 패널이 강좌의 exchange 폴더에서 과제를 받고 제출합니다.

강사의 ``nbgrader_config.py``와 같은 강좌 ID, 같은 exchange 폴더를 씁니다.
"""

import os

c = get_config()  # noqa: F821  (nbgrader가 주입합니다)

c.CourseDirectory.course_id = "attention-context-vector"
c.Exchange.root = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "exchange")
