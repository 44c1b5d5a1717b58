"""채점용 IPython 커널 시작점 (``python -m ctxcourse.grading.kernel -f CONNECTION_FILE``).

ipykernel의 ``ipykernel_launcher``와 같지만 디버거(debugpy)를 불러오지 않습니다. 채점에는 디버거가 필요 없고,
불러오는 데 제출물마다 0.1~0.2초가 듭니다. 실행기(:mod:`.runner`)가 샌드박스 안에 이 커널의 kernelspec을 만듭니다.
"""

import sys
from pathlib import Path

if __name__ == "__main__":
    sys.modules.setdefault("debugpy", None)
    # ipykernel_launcher처럼: 불러오는 동안 현재 폴더를 sys.path에서 뺍니다 (IPython이 나중에 다시 넣습니다).
    if sys.path and (sys.path[0] == "" or Path(sys.path[0]) == Path.cwd()):
        del sys.path[0]
    from ipykernel import kernelapp

    kernelapp.launch_new_instance()
