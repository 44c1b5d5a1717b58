"""정적 웹사이트: docs/build_site.py가 실행한 강의를 HTML로 만들고, 헤드리스 Chromium에서 한 쪽이 그림과 함께 열립니다."""

from __future__ import annotations

import importlib.util
import shutil

import pytest

from conftest import REPO

pytestmark = pytest.mark.slow
CHROMIUM = "/usr/bin/chromium"


def _builder():
    spec = importlib.util.spec_from_file_location("build_site", REPO / "docs" / "build_site.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    builder = _builder()
    out = tmp_path_factory.mktemp("site")
    lesson = REPO / "notebooks" / "05_attention_weights.ipynb"
    return builder.build(out, [lesson])


def test_index_links_every_page(site):
    text = site.read_text(encoding="utf-8")
    assert 'href="05_attention_weights.html"' in text and "5강" in text
    page = (site.parent / "05_attention_weights.html").read_text(encoding="utf-8")
    assert page.count("data:image/png;base64") >= 2, "그림이 HTML에 들어 있지 않습니다"
    assert "예측을 적어 보세요" in page


@pytest.mark.skipif(shutil.which(CHROMIUM) is None, reason="chromium이 없습니다")
def test_a_page_opens_on_a_phone_with_its_figures(site, tmp_path):
    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 390, "height": 844})
        page.goto(site.as_uri())
        page.click("text=5강")
        page.wait_for_load_state("load")
        assert "어텐션 가중치" in page.title() or "어텐션 가중치" in page.inner_text("h1")
        widths = page.eval_on_selector_all("img", "imgs => imgs.map(i => [i.naturalWidth, i.getBoundingClientRect().width])")
        assert len(widths) >= 2 and all(natural > 0 for natural, _ in widths), widths
        assert all(shown <= 390 for _, shown in widths), f"그림이 화면보다 넓습니다: {widths}"
        page.screenshot(path=str(tmp_path / "lesson05_phone.png"))
        browser.close()
