"""The public API as editors and type checkers see it: both packages ship py.typed, every public function and
method has explicit, annotated parameters (no *args/**kwargs facades) and a docstring, and mypy passes."""

from __future__ import annotations

import dataclasses
import importlib
import importlib.util
import inspect
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from .conftest import REPO

#: The modules users import from (README, docstrings): their public names are the API.
PUBLIC_MODULES = ("normalizer", "normalizer.dask", "gazetteer", "gazetteer.progress")


def _own(obj: Any, package: str) -> bool:
    return (getattr(obj, "__module__", "") or "").split(".")[0] == package


def public_callables() -> Iterator[tuple[str, Callable[..., Any]]]:
    """(qualified name, function) of every public function and method of PUBLIC_MODULES."""
    seen: set[int] = set()
    for module_name in PUBLIC_MODULES:
        module = importlib.import_module(module_name)
        declared = getattr(module, "__all__", None)
        names = declared or [n for n, v in vars(module).items()
                             if not n.startswith("_") and getattr(v, "__module__", None) == module_name]
        for name in names:
            obj = getattr(module, name)
            if id(obj) in seen or not _own(obj, module_name.split(".")[0]):
                continue
            seen.add(id(obj))
            if inspect.isfunction(obj):
                yield f"{module_name}.{name}", obj
            elif inspect.isclass(obj):
                yield from _methods(f"{module_name}.{name}", obj)


def _methods(qualified: str, cls: type) -> Iterator[tuple[str, Callable[..., Any]]]:
    generated_init = (dataclasses.is_dataclass(cls) or issubclass(cls, tuple) or issubclass(cls, BaseException)
                      or getattr(cls, "_is_protocol", False))
    for klass in cls.__mro__:
        if not _own(klass, cls.__module__.split(".")[0]):
            continue
        for name, member in vars(klass).items():
            if name.startswith("_") and not (name == "__call__" or (name == "__init__" and not generated_init)):
                continue
            function = member.fget if isinstance(member, property) else member
            function = getattr(function, "__func__", function)  # classmethods, staticmethods
            if inspect.isfunction(function):
                yield f"{qualified}.{name}", function


def test_both_packages_ship_py_typed() -> None:
    for package in ("normalizer", "gazetteer"):
        spec = importlib.util.find_spec(package)
        assert spec is not None and spec.origin is not None
        assert (Path(spec.origin).parent / "py.typed").is_file(), package
    pyproject = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    assert pyproject.count('"py.typed"') == 2  # in both packages' package-data


def test_the_public_surface_is_large_enough_to_mean_something() -> None:
    names = {name for name, _ in public_callables()}
    for expected in ("normalizer.clean", "normalizer.annotate", "normalizer.normalize", "normalizer.dask.clean",
                     "normalizer.Normalizer.resolve", "normalizer.Normalizer.__init__", "gazetteer.Gazetteer.open",
                     "gazetteer.Gazetteer.search", "gazetteer.progress.Reporter.__call__"):
        assert expected in names, expected


@pytest.mark.parametrize("name, function", sorted(public_callables(), key=lambda item: item[0]),
                         ids=lambda value: value if isinstance(value, str) else "")
def test_explicit_annotated_signature_and_a_docstring(name: str, function: Callable[..., Any]) -> None:
    signature = inspect.signature(function)
    variadic = [p.name for p in signature.parameters.values()
                if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) and not name.endswith("__exit__")]
    assert not variadic, f"{name} takes *{variadic}: editors show no parameters"
    unannotated = [p.name for p in signature.parameters.values()
                   if p.name not in ("self", "cls") and p.annotation is inspect.Parameter.empty]
    assert not unannotated, f"{name}: parameters without a type: {unannotated}"
    assert signature.return_annotation is not inspect.Signature.empty or name.endswith("__init__"), \
        f"{name}: no return type"
    assert (function.__doc__ or "").strip() or name.endswith(("__enter__", "__exit__", "__contains__", "__len__")), \
        f"{name}: no docstring"


def test_mypy_passes(tmp_path: Path) -> None:
    """The type check CI runs (`python -m mypy`, configured in [tool.mypy]), from the repository's root."""
    pytest.importorskip("mypy")
    done = subprocess.run([sys.executable, "-m", "mypy", "--cache-dir", str(tmp_path / "cache")], cwd=REPO,
                          capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "Success: no issues found" in done.stdout
