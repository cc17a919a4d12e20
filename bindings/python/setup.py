"""Builds libpresend with CMake from the enclosing repository and bundles it
into the package, unless PRESEND_PYTHON_SKIP_BUNDLE=1 (then the package uses
PRESEND_LIBRARY or a libpresend installed on the system)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from setuptools import Distribution, setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
SKIP = os.environ.get("PRESEND_PYTHON_SKIP_BUNDLE") == "1"


class BuildWithLibrary(build_py):
    def run(self) -> None:
        super().run()
        if SKIP:
            return
        source = Path(os.environ.get("PRESEND_SOURCE_DIR", HERE.parents[1]))
        build = Path(os.environ.get("PRESEND_CMAKE_BUILD_DIR", HERE / "build" / "cmake"))
        subprocess.check_call(["cmake", "-S", str(source), "-B", str(build), "-G", "Ninja",
                               "-DCMAKE_BUILD_TYPE=Release", "-DPRESEND_BUILD_TESTS=OFF",
                               "-DPRESEND_BUILD_BENCH=OFF"])
        subprocess.check_call(["cmake", "--build", str(build), "--target", "presend",
                               "-j", os.environ.get("PRESEND_BUILD_JOBS", "2")])
        lib = next(build.rglob("libpresend.so.1"))
        target = Path(self.build_lib) / "presend" / "libpresend.so.1"
        shutil.copy2(lib.resolve(), target)


class BinaryDistribution(Distribution):
    def has_ext_modules(self) -> bool:
        return not SKIP


setup(cmdclass={"build_py": BuildWithLibrary}, distclass=BinaryDistribution)
