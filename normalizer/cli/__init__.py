"""The `uanorm` command line: one module per command group, one parser.

Every command is `main(argv) -> exit code`: errors a user can cause (bad input,
unknown ID, unreadable file) print one line to stderr and exit non-zero; they
never end in a traceback.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
from collections.abc import Callable, Sequence

from gazetteer.errors import GazetteerError

#: Command modules, each with `register(subparsers)`; imported lazily by name.
COMMAND_MODULES = ("match", "gazetteer_cmd", "clean", "annotate", "serve")

EXIT_OK = 0
EXIT_USAGE = 2
EXIT_ERROR = 1
#: An exception no command expects (a bug), reported in one line.
EXIT_BUG = 70


class CommandError(Exception):
    """A user-facing failure of a command: printed as one line, exit status 1."""


def build_parser() -> argparse.ArgumentParser:
    """The full `uanorm` argument parser."""
    parser = argparse.ArgumentParser(
        prog="uanorm",
        description="Transliteration-aware entity normalizer for Ukraine.",
    )
    parser.add_argument("--home", help="gazetteer home directory (default: $UANORM_HOME or the user data dir)")
    parser.add_argument("--quiet", "-q", dest="global_quiet", action="store_true",
                        help="no progress display (as UANORM_QUIET=1), the first build's included")
    parser.add_argument("--version", action="version", version=f"uanorm {_version()}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    import importlib
    import importlib.util

    for name in COMMAND_MODULES:
        if importlib.util.find_spec(f"{__name__}.{name}") is None:
            continue  # a command not present in this build
        importlib.import_module(f"{__name__}.{name}").register(subparsers)
    return parser


def _version() -> str:
    from normalizer import __version__

    return __version__


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(list(argv) if argv is not None else None)
    if args.home:
        os.environ["UANORM_HOME"] = args.home
    if args.global_quiet:
        os.environ["UANORM_QUIET"] = "1"
    handler: Callable[[argparse.Namespace], int] | None = getattr(args, "handler", None)
    if handler is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        return handler(args)
    except BrokenPipeError:  # the reader went away (uanorm match ... | head): not an error
        _silence_stdout()
        return EXIT_OK
    except (CommandError, GazetteerError, ValueError, LookupError, OSError) as exc:
        print(f"uanorm: error: {printable(_message(exc))}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("uanorm: interrupted", file=sys.stderr)
        return 130
    except sqlite3.Error as exc:  # the index or a store file: a full disk, a lock held too long, damage
        hint = " (is the disk full?)" if "disk I/O" in str(exc) else ""
        print(f"uanorm: error: {printable(str(exc))}{hint} in {printable(os.environ.get('UANORM_HOME') or 'the home')}",
              file=sys.stderr)
        return EXIT_ERROR
    except Exception as exc:  # a bug: still one line, not a traceback (UANORM_DEBUG=1 shows it)
        if os.environ.get("UANORM_DEBUG"):
            raise
        print(f"uanorm: error: unexpected {type(exc).__name__}: {printable(_message(exc))} (a bug in uanorm: "
              "please report it; UANORM_DEBUG=1 shows the traceback)", file=sys.stderr)
        return EXIT_BUG


def printable(text: str) -> str:
    """Text any UTF-8 stream can take: lone surrogates (an argument or line that was not UTF-8) as \\udcXX."""
    return text if text.isascii() else text.encode("utf-8", "backslashreplace").decode("utf-8")


def _silence_stdout() -> None:
    """Point stdout at /dev/null so that the interpreter's final flush does not fail on the closed pipe."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):  # not a real file (captured in tests): nothing to do
        pass


def _message(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.filename:
        return f"{exc.strerror or exc.__class__.__name__}: {exc.filename}"
    if isinstance(exc, KeyError) and exc.args:
        return str(exc.args[0])
    return str(exc) or exc.__class__.__name__


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
