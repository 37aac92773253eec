# coldbench's process spawner. Forking from the emulator itself copies the emulator's page tables
# (~10 ms per 100 MB of heap, blocking its event loop), so environments are forked from this small
# process instead. Protocol: JSON lines on stdin, JSON lines on stdout.
#   in:  {"id", "command", "args", "env", "cwd", "logPort", "token"}
#   out: {"id", "pid"} | {"id", "error"} and, when a child ends, {"exit": pid, "code", "signal"}
# Each child gets its own process group, stdin from /dev/null and stdout+stderr on one TCP
# connection to the emulator's log listener (announced by `token`). When stdin closes (the
# emulator exited, however it died), every child's process group is killed.
import json
import os
import signal
import socket
import sys
import threading

_out_lock = threading.Lock()
_children = set()
_have_children = threading.Event()


def _emit(obj):
    data = (json.dumps(obj) + "\n").encode()
    with _out_lock:
        os.write(1, data)


def _reaper():
    while True:
        _have_children.wait()
        _have_children.clear()
        while True:
            try:
                pid, status = os.waitpid(-1, 0)
            except ChildProcessError:
                break
            except InterruptedError:
                continue
            _children.discard(pid)
            if os.WIFSIGNALED(status):
                _emit({"exit": pid, "code": None, "signal": os.WTERMSIG(status)})
            else:
                _emit({"exit": pid, "code": os.WEXITSTATUS(status), "signal": None})


def _spawn(req):
    sock = socket.create_connection(("127.0.0.1", req["logPort"]))
    sock.sendall((req["token"] + "\n").encode())
    errors_r, errors_w = os.pipe2(os.O_CLOEXEC)
    argv = [req["command"]] + req["args"]
    env = req["env"]
    pid = os.fork()
    if pid == 0:
        try:
            os.setpgid(0, 0)
            os.chdir(req["cwd"])
            null = os.open("/dev/null", os.O_RDONLY)
            os.dup2(null, 0)
            os.dup2(sock.fileno(), 1)
            os.dup2(sock.fileno(), 2)
            os.execve(argv[0], argv, env)
        except BaseException as exc:
            try:
                os.write(errors_w, ("%s: %s" % (type(exc).__name__, exc)).encode())
            finally:
                os._exit(127)
    os.close(errors_w)
    sock.close()
    _children.add(pid)
    _have_children.set()
    failure = os.read(errors_r, 4096)
    os.close(errors_r)
    if failure:
        _emit({"id": req["id"], "error": failure.decode(errors="replace")})
    else:
        _emit({"id": req["id"], "pid": pid})


def main():
    threading.Thread(target=_reaper, daemon=True).start()
    _emit({"ready": os.getpid()})
    for line in sys.stdin.buffer:
        try:
            req = json.loads(line)
        except ValueError:
            continue
        try:
            _spawn(req)
        except OSError as exc:
            _emit({"id": req.get("id"), "error": "%s: %s" % (type(exc).__name__, exc)})
    for pid in list(_children):
        try:
            os.killpg(pid, signal.SIGKILL)
        except OSError:
            pass


main()
