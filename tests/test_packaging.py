import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.version import Version

PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"


def test_build_requires_a_setuptools_that_reads_an_spdx_license_string():
    pyproject = tomllib.loads(PYPROJECT.read_text())
    assert isinstance(pyproject["project"]["license"], str)
    setuptools = next(
        Requirement(r)
        for r in pyproject["build-system"]["requires"]
        if Requirement(r).name == "setuptools"
    )
    # PEP 639 license expressions arrived in setuptools 77; older ones reject the string.
    assert not setuptools.specifier.contains(Version("76.9"))
