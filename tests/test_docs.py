"""Every Python block of docs/*.md runs as written, page by page, blocks in order, and every path
and link that README.md and the pages mention exists.

The blocks run from the checkout's root, as a reader who copies them would; they read the real
ONS tables as ``../shared/data/...``, and a page whose blocks read them is skipped when
``../shared`` is not beside the checkout.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from conftest import DATA

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
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
    if any("../shared/" in block for block in blocks) and not DATA.exists():
        pytest.skip("the ONS tables are not beside this checkout")
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("MPLBACKEND", "Agg")
    namespace: dict[str, object] = {"__name__": f"docs.{page.stem}"}
    for number, block in enumerate(blocks, 1):
        code = compile(block, f"{page.name} block {number}", "exec")
        exec(code, namespace)
    if "matplotlib.pyplot" in sys.modules:
        import matplotlib.pyplot as plt

        plt.close("all")


# What a page may name that is not a file of the checkout: what `make wheel` writes, what the
# fuzzer writes, and what the commands shown write (``--chart funnel.png``).
WRITTEN = ("dist/", "fuzz/crashes/", "funnel.png")
QUOTED = re.compile(r"""(?=[`"']([^`"'\s]+)[`"'])""")  # lookahead: quotes inside backticks too
SHELL = re.compile(r"^```(?:sh|bash|console)\n(.*?)^```", re.DOTALL | re.MULTILINE)
LINK = re.compile(r"\]\(([^)\s]+)\)")
PATH = re.compile(r"^(\.\./)*[\w.()*-]+(/[\w.()*-]+)*/?$")
FILE = re.compile(r"\.(md|py|pyi|rs|toml|ipynb|xlsx|xls|xlsb|ods|csv|json|png|whl|tar\.gz|R)$")


IN_DATA = re.compile(r'DATA / "([^"]+)"')  # the bad-input catalogue's calls name data files so
JOINED = re.compile(r'[\w)\]] / "[^"]+"')  # a name joined to a folder a block makes (a temp dir)


def mentioned_paths(text: str) -> set[str]:
    """The file and folder paths a page names: link targets, quoted or backticked paths, and the
    words of its shell blocks that look like files. A name the bad-input catalogue gives as
    ``DATA / "name"`` is a file of ``../shared/data`` and comes back as that path."""
    found = {f"../shared/data/{name}" for name in IN_DATA.findall(text)}
    text = JOINED.sub("", IN_DATA.sub("DATA", text))
    links = {target.split("#")[0] for target in LINK.findall(text)}
    words = set(QUOTED.findall(text))
    for block in SHELL.findall(text):
        words.update(block.split())
    found |= {link for link in links if link and ":" not in link}  # not a URL, not mailto:
    for word in words:
        if PATH.match(word) and (FILE.search(word) or word.endswith("/")):
            found.add(word)
    return found


def _exists(path: str, page: Path) -> bool:
    if any(path.startswith(prefix) or path == prefix for prefix in WRITTEN):
        return True
    stem = Path(path).stem.split(".")[0]
    if stem.isupper() or stem.startswith("no-such"):  # a placeholder (TABLE.xlsx), a missing file
        return True
    return any(
        (place / path).exists() or ("*" in path and any(place.glob(path)))
        for place in (page.parent, ROOT)
    )


@pytest.mark.parametrize("page", [ROOT / "README.md", *PAGES], ids=lambda p: p.name)
def test_every_path_and_link_exists(page: Path) -> None:
    """A path in the docs resolves from the page or the checkout's root, as a reader who follows
    it would; those in ``../shared`` are checked where it is beside the checkout."""
    paths = mentioned_paths(page.read_text(encoding="utf-8"))
    if not DATA.exists():
        paths = {path for path in paths if not path.startswith("../shared")}
    missing = sorted(path for path in paths if not _exists(path, page))
    assert not missing, f"{page.name} names paths that do not exist: {missing}"


def test_paths_are_found() -> None:
    """The scan finds what a page names, so an empty scan cannot pass the test above."""
    text = (
        'See [the guide](docs/index.md), `bench/dask.py`, `read("../shared/data/x.csv")` and '
        '`read("y.xlsx")`; `read(DATA / "z.ods")` is bad; `tmp / "out.png"` is written.\n'
        "```sh\ncrimestats report ../shared/data/t.xlsx --chart funnel.png\n```\n"
    )
    assert mentioned_paths(text) == {
        "docs/index.md",
        "bench/dask.py",
        "../shared/data/x.csv",
        "y.xlsx",
        "../shared/data/z.ods",
        "../shared/data/t.xlsx",
        "funnel.png",
    }
    assert not _exists("docs/no-page.md", ROOT / "README.md")
    assert _exists("docs/index.md", ROOT / "README.md")
