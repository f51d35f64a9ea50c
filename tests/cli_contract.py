"""Running the CLI in-process under its error contract: no traceback, one `uanorm: error:` line, status 1."""

from __future__ import annotations

import pytest

from normalizer.cli import EXIT_BUG, main


def run(capsys: pytest.CaptureFixture[str], argv: list[str]) -> tuple[int, str, str]:
    """(status, stdout, stderr) of main(argv); a failure must be status 1 with exactly one error line."""
    status = main(argv)
    out, err = capsys.readouterr()
    assert "Traceback" not in err and status != EXIT_BUG, err
    if status:
        assert status == 1 and len([line for line in err.splitlines() if line.startswith("uanorm: error:")]) == 1, err
    return status, out, err
