"""pyproject.toml e environment.yml descrevem o mesmo ambiente."""

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _pyproject():
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def _environment():
    return yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))


def test_environment_python_satisfies_requires_python():
    deps = _environment()["dependencies"]
    python = next(d for d in deps if isinstance(d, str) and d.startswith("python"))
    version = tuple(int(p) for p in python.split("=")[-1].split("."))
    minimum = re.search(r">=\s*(\d+)\.(\d+)", _pyproject()["project"]["requires-python"])
    assert version >= (int(minimum[1]), int(minimum[2]))


def test_environment_installs_this_package_with_dev_extra():
    deps = _environment()["dependencies"]
    assert "pip" in deps
    pip_section = next(d["pip"] for d in deps if isinstance(d, dict) and "pip" in d)
    assert any(re.fullmatch(r"-e\s+\"?\.\[dev\]\"?", line.strip()) for line in pip_section), pip_section
    assert "dev" in _pyproject()["project"]["optional-dependencies"]


def test_torch_ranges_admit_the_local_wheels():
    """torch 2.14.1 / torchvision 0.29.1 (os do disco local) satisfazem as faixas declaradas."""
    from packaging.specifiers import SpecifierSet

    deps = {re.split(r"[<>=!~\s\[]", d, maxsplit=1)[0]: d for d in _pyproject()["project"]["dependencies"]}
    for name, version in (("torch", "2.14.1"), ("torchvision", "0.29.1")):
        spec = SpecifierSet(deps[name][len(name):])
        assert version in spec, (name, deps[name])
        assert "==" not in deps[name], "use faixas, não versões fixas"


def test_notebook_dependencies_are_declared():
    declared = {re.split(r"[<>=!~\s\[]", d, maxsplit=1)[0].lower()
                for d in _pyproject()["project"]["dependencies"]}
    for name in ("numpy", "torch", "torchvision", "scikit-learn", "matplotlib", "tqdm",
                 "ipywidgets", "jupyterlab"):
        assert name in declared, name
    extras = _pyproject()["project"]["optional-dependencies"]
    dev = " ".join(extras["dev"])
    assert "pytest" in dev and "nbval" in dev
    assert "hw08[export]" in extras["dev"]  # make setup instala .[dev]: o exportador vem junto


def test_exporter_dependencies_are_an_extra():
    """hw08-export (nbconvert, nbclient, nbformat, pypdf) é o extra hw08[export], fora do núcleo."""
    core = {re.split(r"[<>=!~\s\[]", d, maxsplit=1)[0].lower()
            for d in _pyproject()["project"]["dependencies"]}
    export = {re.split(r"[<>=!~\s\[]", d, maxsplit=1)[0].lower()
              for d in _pyproject()["project"]["optional-dependencies"]["export"]}
    assert {"nbconvert", "nbclient", "nbformat", "pypdf"} <= export
    assert not export & core
    import ast

    for module in ("export.py", "export_latex.py"):
        tree = ast.parse((ROOT / "hw08" / module).read_text(encoding="utf-8"))
        top = {a.name.split(".")[0] for node in tree.body if isinstance(node, ast.Import)
               for a in node.names} | {node.module.split(".")[0] for node in tree.body
                                       if isinstance(node, ast.ImportFrom) and node.module}
        assert not top & export, f"imports do extra no topo de hw08/{module}: sem o extra, nem --help roda"


def _lock():
    pins = {}
    for line in (ROOT / "requirements-lock.txt").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, version = line.partition("==")
            assert version, f"linha sem versão exata no lock: {line!r}"
            pins[name.lower().replace("_", "-")] = version
    return pins


def test_lock_pins_the_versions_that_generated_the_outputs():
    pins = _lock()
    for name in ("torch", "torchvision", "numpy", "scikit-learn", "pandas", "matplotlib", "nbval",
                 "nbconvert", "ipykernel", "jupyterlab", "scipy"):
        assert name in pins, name


def _declared_requirements():
    """dependencies + dev; a auto-referência ``hw08[export]`` do dev vira as dependências do extra."""
    from packaging.requirements import Requirement

    project = _pyproject()["project"]
    extras = project["optional-dependencies"]
    todo, seen, out = list(project["dependencies"]) + list(extras["dev"]), set(), []
    while todo:
        req = Requirement(todo.pop(0))
        if req.name.lower() == project["name"].lower():  # hw08[...]: o próprio pacote, não está no lock
            for extra in sorted(req.extras - seen):
                seen.add(extra)
                todo.extend(extras[extra])
            continue
        out.append(req)
    return out


def test_lock_satisfies_the_pyproject_ranges():
    pins = _lock()
    reqs = _declared_requirements()
    names = {req.name.lower() for req in reqs}
    assert {"nbconvert", "nbclient", "nbformat", "pypdf", "pytest"} <= names, names  # extra export expandido
    assert "hw08" not in names
    for req in reqs:
        name = req.name.lower().replace("_", "-")
        assert name in pins, f"{name} falta no requirements-lock.txt (make lock)"
        assert pins[name] in req.specifier, (name, pins[name], str(req.specifier))


def test_setup_and_conda_install_with_the_lock():
    assert "-c requirements-lock.txt" in (ROOT / "Makefile").read_text(encoding="utf-8")
    deps = _environment()["dependencies"]
    pip_section = next(d["pip"] for d in deps if isinstance(d, dict) and "pip" in d)
    assert any(line.split("#")[0].strip() == "-c requirements-lock.txt" for line in pip_section)
