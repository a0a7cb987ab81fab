"""The child process that runs llama.cpp's quantizer: `python -m core.models.quantize_worker SRC DST FTYPE
THREADS REQUANT`.

It runs apart from the app so that cancelling is a kill and a crash in native code only ends this process.
llama.cpp's log lines (one per tensor: "[  12/ 272] blk.1.attn_q.weight ...") go to stdout for the parent
to read as progress; the exit code says whether it worked.
"""

from __future__ import annotations

import ctypes
import sys

import llama_cpp


@llama_cpp.llama_log_callback
def _log(level: int, text: bytes, user_data: ctypes.c_void_p) -> None:
    sys.stdout.write(text.decode("utf-8", errors="replace"))
    sys.stdout.flush()


def main(argv: list[str]) -> int:
    src, dst, ftype, threads, requant = argv
    llama_cpp.llama_log_set(_log, ctypes.c_void_p(0))
    llama_cpp.llama_backend_init()
    params = llama_cpp.llama_model_quantize_default_params()
    params.ftype = int(ftype)
    params.nthread = int(threads)
    params.allow_requantize = requant == "1"
    rc = llama_cpp.llama_model_quantize(src.encode(), dst.encode(), ctypes.byref(params))
    if rc != 0:
        print(f"\nHEARTH-ERROR: llama_model_quantize returned {rc}", flush=True)
    return 0 if rc == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
