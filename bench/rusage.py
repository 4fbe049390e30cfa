"""Runs one command and reports its own CPU time and peak RSS (python3 standard library only).

Usage: python3 bench/rusage.py CMD [ARG...]

stdin, stdout and stderr are the command's. Reports go to fd 3 as JSON lines: {"pid": N} as soon
as the command starts (so the caller can signal it or sample /proc), then {"status", "user",
"sys", "maxrssKb", "wall"} once it has exited. os.wait4 gives the rusage of that one child, read at
the moment it is reaped, so nothing is lost to sampling and neither this wrapper nor the
simulator is counted. /usr/bin/time is not needed.
"""
import json
import os
import sys
import time


def main():
    report = os.fdopen(3, "w")
    started = time.monotonic()
    pid = os.fork()
    if pid == 0:
        os.close(3)
        try:
            os.execvp(sys.argv[1], sys.argv[1:])
        finally:
            os._exit(127)
    report.write(json.dumps({"pid": pid}) + "\n")
    report.flush()
    _, status, usage = os.wait4(pid, 0)
    wall = time.monotonic() - started
    code = -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)
    report.write(json.dumps({
        "status": code,
        "user": usage.ru_utime,
        "sys": usage.ru_stime,
        "maxrssKb": usage.ru_maxrss,
        "wall": wall,
    }) + "\n")
    report.close()


if __name__ == "__main__":
    main()
