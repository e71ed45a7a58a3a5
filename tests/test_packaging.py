"""How crimestats installs: its dependencies and extras, the abi3 build, the README's set-up.

The wheel itself, installed into fresh virtualenvs without Rust, is checked by
``make wheel-test`` (tests/installed_wheel.py), which ``make test`` runs.
"""

from __future__ import annotations

import ast
import importlib
import re
import sys
from pathlib import Path

import pytest
import tomllib

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "python" / "crimestats"
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
CARGO = tomllib.loads((ROOT / "Cargo.toml").read_text(encoding="utf-8"))
README = (ROOT / "README.md").read_text(encoding="utf-8")
# The module each runtime extra's distribution is imported as.
EXTRA_MODULES = {"plot": "matplotlib", "dask": "dask"}


def _imported_modules() -> set[str]:
    """The top-level modules that the package's own code imports, anywhere in it."""
    found = set()
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module.split(".")[0])
    return found


def test_runtime_extras_are_imported_by_the_package() -> None:
    extras = {name for name in PROJECT["optional-dependencies"] if name != "dev"}
    assert extras == set(EXTRA_MODULES), "an extra without a module to check, or one gone"
    imported = _imported_modules()
    for extra in extras:
        assert EXTRA_MODULES[extra] in imported, f"the {extra} extra installs what nothing imports"


def test_the_ons_reader_is_in_the_core_install() -> None:
    """Reading ONS workbooks is the package's main job: pandas' calamine engine needs
    python-calamine, so it is a dependency, not an extra (and pandas new enough to have it)."""
    core = {re.split(r"[<>=\[ ]", spec)[0]: spec for spec in PROJECT["dependencies"]}
    assert "python-calamine" in core
    assert re.search(r">=\s*2\.2", core["pandas"]), core["pandas"]  # engine="calamine" since 2.2
    readers = "".join(path.read_text(encoding="utf-8") for path in PACKAGE.rglob("*.py"))
    assert 'engine="calamine"' in readers


@pytest.mark.parametrize(
    ("extra", "blocked", "attempt"),
    [
        ("dask", ("dask", "dask.dataframe"), "import crimestats.dask"),
        ("plot", ("matplotlib", "matplotlib.figure"), "crimestats.plot.funnel_plot(frame)"),
    ],
)
def test_a_missing_extra_names_itself(
    extra: str, blocked: tuple[str, ...], attempt: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without the extra's package, the error says which extra to install."""
    import pandas as pd

    import crimestats.plot

    for module in blocked:
        monkeypatch.setitem(sys.modules, module, None)  # import of it raises ImportError
    monkeypatch.delitem(sys.modules, "crimestats.dask", raising=False)
    frame = pd.DataFrame(
        {"count": [30, 50], "population": [9_000, 12_000], "area_name": ["a", "b"]}
    )
    with pytest.raises(ImportError, match=re.escape(f"pip install 'crimestats[{extra}]'")):
        exec(attempt, {"crimestats": crimestats, "frame": frame})
    monkeypatch.delitem(sys.modules, "crimestats.dask", raising=False)


def test_every_extra_is_named_in_the_readme() -> None:
    for extra in EXTRA_MODULES:
        assert f"pip install 'crimestats[{extra}]'" in README, extra


def test_one_abi3_wheel_serves_every_supported_python() -> None:
    """PyO3's abi3 feature for the oldest Python that pyproject.toml allows."""
    oldest = re.fullmatch(r">=\s*3\.(\d+)", PROJECT["requires-python"])
    assert oldest is not None
    features = CARGO["dependencies"]["pyo3"]["features"]
    assert f"abi3-py3{oldest.group(1)}" in features, features
    core = importlib.import_module("crimestats._core")
    assert core.__file__ is not None and core.__file__.endswith(".abi3.so"), core.__file__


def test_the_readme_has_two_setup_commands() -> None:
    """`make demo` and `make test`, and it says where the package is (not yet) published."""
    setup = README.split("## Set up", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"^```sh\n(.*?)^```", setup, re.DOTALL | re.MULTILINE)
    commands = [line.split("#")[0].strip() for block in blocks for line in block.splitlines()]
    assert [c for c in commands if c] == ["make demo", "make test"]
    assert "not yet published on PyPI" in setup
    assert "pip install dist/crimestats-*.whl" in setup


def test_every_extra_is_named_in_the_help(capsys: pytest.CaptureFixture[str]) -> None:
    from crimestats.cli import main

    with pytest.raises(SystemExit):
        main(["--help"])
    shown = " ".join(capsys.readouterr().out.split())  # argparse wraps the lines
    for extra in EXTRA_MODULES:
        assert f"pip install 'crimestats[{extra}]'" in shown, extra
