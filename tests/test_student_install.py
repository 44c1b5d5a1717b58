"""학생 런타임은 보통의(편집 모드가 아닌) 패키지로 설치되고, 과제 노트북은 그것만으로 돕니다.

저장소에서 바퀴(wheel)를 만들어 임시 폴더에 설치한 뒤, 저장소가 보이지 않고 nbgrader와 채점 엔진
(``ctxcourse.grading``)을 import 할 수 없는 파이썬에서 과제 노트북(해답이 든 source/)의 코드 셀을 모두
실행합니다. 테스트 셀(숨은 테스트 포함)이 모두 통과해야 하고, 쓰인 ``ctxcourse``는 설치한 사본이어야 합니다.
"""

from __future__ import annotations

import json
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow

RUN = r'''
import sys, json, importlib.abc
target, site, stdlib = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
sys.path[:] = [target, *stdlib, site]      # -S: site의 .pth(편집 모드 설치의 길잡이)는 읽지 않습니다

class Blocker(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] == "nbgrader" or name.startswith("ctxcourse.grading"):
            raise ImportError(f"학생 런타임이 {name}를 import 했습니다")
        return None

sys.meta_path.insert(0, Blocker())
import matplotlib
matplotlib.use("Agg")
import ctxcourse
assert ctxcourse.__file__.startswith(target), ctxcourse.__file__
passed = 0
for path in sys.argv[4:]:
    nb = json.load(open(path, encoding="utf-8"))
    namespace = {"__name__": "__main__"}
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            exec(compile("".join(cell["source"]), path, "exec"), namespace)
            passed += bool(cell.get("metadata", {}).get("nbgrader", {}).get("grade"))
print(json.dumps({"ctxcourse": ctxcourse.__file__, "graded_cells": passed}))
'''


def test_release_notebooks_run_against_a_normal_install_without_the_engine(tmp_path):
    wheels = tmp_path / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "-w", str(wheels),
                    str(REPO)], check=True, capture_output=True, text=True)
    wheel = next(wheels.glob("ctxcourse-*.whl"))
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target), str(wheel)],
                   check=True, capture_output=True, text=True)
    assert not list(target.glob("__editable__*")) and (target / "ctxcourse" / "checks" / "diagnoses.py").exists()
    notebooks = sorted(str(p) for p in (REPO / "source").glob("*/*.ipynb"))
    assert len(notebooks) == 6
    stdlib = [sysconfig.get_paths()["stdlib"], sysconfig.get_paths()["platstdlib"],
              str(Path(sysconfig.get_paths()["stdlib"]) / "lib-dynload")]
    done = subprocess.run([sys.executable, "-S", "-c", RUN, str(target), sysconfig.get_paths()["purelib"],
                           json.dumps(stdlib), *notebooks], cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["ctxcourse"].startswith(str(target)) and result["graded_cells"] >= 40
