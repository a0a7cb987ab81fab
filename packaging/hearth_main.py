"""The desktop bundle's entry point: the `hearth` command (the app when run bare), or Python for Hearth's
own child processes (`hearth --hearth-python -m core.models.quantize_worker ...`, llama.cpp's converter)."""

import multiprocessing
import sys

if __name__ == "__main__":
    multiprocessing.freeze_support()
    from core.frozen import PYTHON_FLAG, run_as_python

    if len(sys.argv) > 1 and sys.argv[1] == PYTHON_FLAG:
        sys.exit(run_as_python(sys.argv[2:]))
    from core.cli import main

    sys.exit(main())
