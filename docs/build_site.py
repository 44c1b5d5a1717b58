"""강의를 실행해 정적 웹사이트로 만듭니다: ``build/site/index.html``과 강의마다 HTML 한 쪽.

    .venv/bin/python docs/build_site.py            # 모든 강의 (notebooks/NN_*.ipynb)
    .venv/bin/python docs/build_site.py --out DIR  # 다른 폴더에

강의 노트북을 새 커널에서 처음부터 끝까지 실행하고(그림 포함), nbconvert의 HTML 내보내기로 한 쪽씩 만듭니다.
그림은 HTML 안에 들어가므로(base64) 폴더째 옮기거나 휴대전화에서 열어도 됩니다. 수식은 MathJax로 그립니다.
휴대전화 너비에서도 읽히도록 그림은 화면 너비에 맞춰 줄어듭니다.
"""

from __future__ import annotations

import argparse
import html
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbconvert import HTMLExporter

REPO = Path(__file__).resolve().parents[1]
EXTRA_CSS = """
<style>
  img, svg { max-width: 100%; height: auto; }
  .jp-Notebook { padding: 0 8px; }
  @media (max-width: 600px) { .jp-InputPrompt, .jp-OutputPrompt { display: none; } }
</style>
"""


def lessons(root: Path = REPO) -> list[Path]:
    """강의 노트북들 (번호 순서)."""
    return sorted((root / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def title_of(nb) -> str:
    """첫 마크다운 셀의 첫 제목 줄 (없으면 빈 문자열)."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return ""


def render(path: Path, out: Path) -> tuple[str, str]:
    """강의 하나를 실행해 ``out/<이름>.html``로 씁니다. (파일 이름, 제목)을 돌려줍니다."""
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    exporter = HTMLExporter(template_name="lab")
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": title_of(nb) or path.stem}})
    body = body.replace("</head>", EXTRA_CSS + "</head>", 1)
    name = f"{path.stem}.html"
    (out / name).write_text(body, encoding="utf-8")
    return name, title_of(nb) or path.stem


def index_page(pages: list[tuple[str, str]]) -> str:
    items = "\n".join(f'    <li><a href="{html.escape(name)}">{html.escape(title)}</a></li>' for name, title in pages)
    return f"""<!DOCTYPE html>
<html lang="ko">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>어텐션의 맥락 벡터: 강의</title>
  <style>body {{ font-family: sans-serif; max-width: 40em; margin: 1em auto; padding: 0 1em; line-height: 1.6; }}</style>
</head>
<body>
  <h1>어텐션의 맥락 벡터: numpy로 익히는 가중합</h1>
  <p>실행한 강의 노트북입니다. 과제는 JupyterLab에서 Assignment List의 Fetch로 받아 풉니다.</p>
  <ol>
{items}
  </ol>
</body>
</html>
"""


def build(out: Path, paths: list[Path] | None = None) -> Path:
    """``out``에 강의 쪽들과 ``index.html``을 만들고 index의 경로를 돌려줍니다."""
    out.mkdir(parents=True, exist_ok=True)
    pages = []
    for path in paths if paths is not None else lessons():
        print(f"실행하고 그리는 중: {path.name}", flush=True)
        pages.append(render(path, out))
    index = out / "index.html"
    index.write_text(index_page(pages), encoding="utf-8")
    return index


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="강의를 실행해 정적 웹사이트(build/site)로 만듭니다.")
    parser.add_argument("--out", type=Path, default=REPO / "build" / "site", help="만들 폴더 (기본: build/site)")
    args = parser.parse_args(argv)
    index = build(args.out)
    print(f"완성: {index}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
