"""ctxlint: catches shared-mutable context bugs in async Rust and Python code.

The package holds no linting code: the wheel installs the ``ctxlint`` executable (a Rust
binary) into the environment's scripts directory, and ``python -m ctxlint`` runs it (see
``__main__``). ``find_ctxlint_bin`` says where it is.
"""

import os
import sys
import sysconfig

__all__ = ["find_ctxlint_bin"]


def find_ctxlint_bin() -> str:
    """Return the path of the ``ctxlint`` executable that this package was installed with.

    Raises ``FileNotFoundError`` when there is none (a source checkout, say).
    """
    exe = "ctxlint" + (sysconfig.get_config_var("EXE") or "")
    dirs = [sysconfig.get_path("scripts")]
    # `pip install --user` puts the scripts in the user scheme's directory.
    user_scheme = None
    if hasattr(sysconfig, "get_preferred_scheme"):  # Python 3.10+
        user_scheme = sysconfig.get_preferred_scheme("user")
    elif os.name == "nt":
        user_scheme = "nt_user"
    elif sys.platform == "darwin" and sys._framework:
        user_scheme = "osx_framework_user"
    else:
        user_scheme = "posix_user"
    try:
        dirs.append(sysconfig.get_path("scripts", scheme=user_scheme))
    except KeyError:
        pass
    # `pip install --target DIR` puts the package in DIR and the scripts in DIR/bin.
    dirs.append(os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "bin"))
    for directory in dirs:
        if directory:
            path = os.path.join(directory, exe)
            if os.path.isfile(path):
                return path
    raise FileNotFoundError(
        "no ctxlint executable in {}; reinstall the ctxlint package".format(
            ", ".join(d for d in dirs if d)
        )
    )
