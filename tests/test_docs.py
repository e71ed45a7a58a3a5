"""Every Python block of docs/*.md runs as written, page by page, blocks in order.

The pages read the real ONS tables as ``data/...``, so the blocks run from the folder that holds
``data/`` (``../shared`` beside the checkout); a page whose blocks read them is skipped when they
are not there.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from conftest import DATA, SHARED

DOCS = Path(__file__).resolve().parents[1] / "docs"
BLOCK = re.compile(r"^```python\n(.*?)^```", re.DOTALL | re.MULTILINE)
PAGES = sorted(DOCS.glob("*.md"))


def test_every_page_is_in_the_contents() -> None:
    contents = (DOCS / "index.md").read_text(encoding="utf-8")
    for page in PAGES:
        if page.name != "index.md":
            assert f"({page.name})" in contents, page.name


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_python_blocks_run(page: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocks = BLOCK.findall(page.read_text(encoding="utf-8"))
    if not blocks:
        pytest.skip("no Python blocks")
    if any('"data/' in block for block in blocks):
        if not DATA.exists():
            pytest.skip("the ONS tables are not beside this checkout")
        monkeypatch.chdir(SHARED)
    monkeypatch.setenv("MPLBACKEND", "Agg")
    namespace: dict[str, object] = {"__name__": f"docs.{page.stem}"}
    for number, block in enumerate(blocks, 1):
        code = compile(block, f"{page.name} block {number}", "exec")
        exec(code, namespace)
    if "matplotlib.pyplot" in sys.modules:
        import matplotlib.pyplot as plt

        plt.close("all")


@pytest.mark.parametrize("name", ["ons.md", "getting-started.md"])
def test_the_files_a_page_names_exist(name: str) -> None:
    # every "data/..." workbook is one of the ONS files in ../shared/data, and every file of the
    # repository the page points at is there
    text = (DOCS / name).read_text(encoding="utf-8")
    named = re.findall(r"data/([\w().-]+\.(?:xlsx|ods|csv))", text)
    assert named, "the page names no ONS file"
    if DATA.exists():
        missing = [n for n in named if not (DATA / n).exists()]
        assert missing == [], missing
    root = DOCS.parent
    for path in re.findall(r"`((?:examples|docs|tests|python)/[\w./-]+)`", text):
        assert (root / path).exists(), path
    for page in re.findall(r"\]\(([\w-]+\.md)\)", text):
        assert (DOCS / page).exists(), page
