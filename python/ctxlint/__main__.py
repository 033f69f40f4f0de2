"""``python -m ctxlint ARGS``: runs the installed ``ctxlint`` executable with ``ARGS``.

Its exit code is ctxlint's own (0 clean, 1 findings, 2 an error), and it reads and writes the
same standard streams, so ``python -m ctxlint check -`` works as ``ctxlint check -`` does.
"""

import os
import sys

from ctxlint import find_ctxlint_bin


def main() -> None:
    ctxlint = find_ctxlint_bin()
    args = [ctxlint, *sys.argv[1:]]
    if sys.platform == "win32":
        # Windows has no exec that keeps the process: wait for the child and pass its code on.
        import subprocess

        sys.exit(subprocess.run(args).returncode)
    # Replacing this process keeps its pid, its streams and its signals for ctxlint, and
    # makes ctxlint's exit code the command's.
    os.execv(ctxlint, args)


if __name__ == "__main__":
    main()
