"""Fixtures for the tests of the `presend` command.

The binary under test comes from the PRESEND_BIN environment variable (ctest
sets it to the built target). Every test gets its own directory holding its
own configuration file and store, and runs the command there.
"""

import os
import shutil
import subprocess

import pytest

from presend_cli import EXIT_OK, Presend, transactional


def pytest_sessionstart(session):
    # test_store.py makes store files immutable (chattr +i) and undoes it when
    # the test ends; a run killed in between would leave files that pytest can
    # no longer delete when it clears --basetemp for the next run.
    base = session.config.option.basetemp
    if base and os.path.isdir(base) and os.geteuid() == 0 and shutil.which("chattr"):
        subprocess.run(["chattr", "-R", "-i", base], capture_output=True)


@pytest.fixture(scope="session")
def presend_bin():
    path = os.environ.get("PRESEND_BIN")
    if not path:
        pytest.fail("PRESEND_BIN is not set: it must name the presend binary under test")
    if not os.access(path, os.X_OK):
        pytest.fail(f"PRESEND_BIN={path} is not an executable")
    return path


@pytest.fixture
def cli(presend_bin, tmp_path):
    return Presend(presend_bin, tmp_path)


@pytest.fixture
def seeded(cli):
    """A store holding a consent record and one sent recipient."""
    cli.run("consent", "grant", "kept@example.org", "--list", "weekly", expect=EXIT_OK)
    cli.check(transactional("sent@example.org"), expect=EXIT_OK)
    return cli
