"""학생용 JupyterLab 도우미 (Jupyter 서버 확장 + 미리 빌드한 JupyterLab 확장).

서버 쪽 (이 모듈)
    ``POST /ctxcourse/validate``  ``{"path": 노트북}`` → 한국어 과제 확인 요약 (:mod:`.validate`, 따로 된 프로세스)
    ``GET  /ctxcourse/submission-check?assignment=<과제>`` → 받은 과제 폴더의 노트북마다 아직 채우지 않은
    해답 셀(``raise NotImplementedError``)의 grade_id
브라우저 쪽 (``labextensions/ctxcourse-studentlab``; 소스는 ``js/``, ``make labextension``으로 다시 빌드)
    명령 팔레트의 '과제 확인 (Validate)' (Alt+Shift+V)와 노트북 도구 막대의 '과제 확인' 단추, 스크롤되는
    한국어 결과 창, Submit 전 확인 창, Assignment List의 한국어 빈 목록 문구, 좁은 화면에서 사이드바 닫기.

채점이나 해답 코드는 없습니다. 학생용 설정 ``.jupyter-student/jupyter_server_config.py``가 켭니다.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path

LABEXTENSIONS = Path(__file__).resolve().parent / "labextensions"
VALIDATE_TIMEOUT = 900  # 초: 노트북 전체를 새 커널에서 실행하는 시간의 상한
STUB = "raise NotImplementedError"


def _jupyter_server_extension_points():
    return [{"module": "ctxcourse.studentlab"}]


def _jupyter_labextension_paths():
    return [{"src": "labextensions/ctxcourse-studentlab", "dest": "ctxcourse-studentlab"}]


def find_stubs(folder: Path) -> list[dict]:
    """``folder``의 노트북마다 아직 ``raise NotImplementedError``가 남은 해답 셀의 grade_id."""
    import nbformat

    found = []
    for path in sorted(folder.glob("*.ipynb")):
        if path.is_symlink() or not path.is_file():
            continue
        try:
            nb = nbformat.read(path, as_version=nbformat.NO_CONVERT)
        except Exception:  # noqa: BLE001  (읽을 수 없는 노트북은 건너뜁니다)
            continue
        stubs = [cell.metadata.get("nbgrader", {}).get("grade_id", "")
                 for cell in nb.cells
                 if cell.cell_type == "code" and cell.metadata.get("nbgrader", {}).get("solution")
                 and STUB in cell.source]
        found.append({"path": path.name, "stubs": stubs})
    return found


def _handlers():
    from jupyter_server.base.handlers import APIHandler
    from tornado import web

    class ValidateHandler(APIHandler):
        """노트북 하나를 :mod:`ctxcourse.studentlab.validate`로 확인합니다 (서버를 막지 않도록 따로 된 프로세스)."""

        @web.authenticated
        async def post(self):
            body = self.get_json_body() or {}
            relative = str(body.get("path", ""))
            root = Path(self.settings["server_root_dir"]).expanduser().resolve()
            target = (root / relative).resolve()
            if not relative.endswith(".ipynb") or not target.is_relative_to(root) or not target.is_file():
                raise web.HTTPError(400, "노트북 경로가 올바르지 않습니다.")
            process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "ctxcourse.studentlab.validate", str(target),
                cwd=os.getcwd(), stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
            try:
                out, err = await asyncio.wait_for(process.communicate(), VALIDATE_TIMEOUT)
            except asyncio.TimeoutError:
                process.kill()
                await process.wait()
                self.finish(json.dumps({"error": f"과제 확인이 {VALIDATE_TIMEOUT // 60}분 안에 끝나지 않았습니다. "
                                                 "무한 루프가 없는지 보세요."}, ensure_ascii=False))
                return
            if err:
                self.log.debug("ctxcourse validate: %s", err.decode(errors="replace")[-2000:])
            try:
                result = json.loads(out.decode())
            except ValueError:
                result = {"error": "과제를 확인하지 못했습니다. 서버 기록을 보세요."}
                self.log.error("ctxcourse validate failed: %s", err.decode(errors="replace")[-4000:])
            self.finish(json.dumps(result, ensure_ascii=False))

    class SubmissionCheckHandler(APIHandler):
        """받은 과제 ``<root>/<과제>/``의 노트북에 아직 빈칸(NotImplementedError)이 있는지."""

        @web.authenticated
        def get(self):
            assignment = self.get_argument("assignment", "")
            root = Path(self.settings["server_root_dir"]).expanduser().resolve()
            folder = (root / assignment).resolve()
            if not assignment or "/" in assignment or not folder.is_relative_to(root):
                raise web.HTTPError(400, "과제 이름이 올바르지 않습니다.")
            notebooks = find_stubs(folder) if folder.is_dir() else []
            self.finish(json.dumps({"assignment": assignment, "notebooks": notebooks}, ensure_ascii=False))

    return [("/ctxcourse/validate", ValidateHandler), ("/ctxcourse/submission-check", SubmissionCheckHandler)]


def _load_jupyter_server_extension(server_app):
    from jupyter_server.utils import url_path_join

    web_app = server_app.web_app
    base_url = web_app.settings["base_url"]
    web_app.add_handlers(".*$", [(url_path_join(base_url, pattern), handler) for pattern, handler in _handlers()])
    server_app.log.info("ctxcourse.studentlab: 과제 확인(/ctxcourse/validate)과 제출 전 확인을 켰습니다.")


load_jupyter_server_extension = _load_jupyter_server_extension
