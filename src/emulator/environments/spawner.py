# coldbench's process spawner. Forking from the emulator itself copies the emulator's page tables
# (~10 ms per 100 MB of heap, blocking its event loop), so environments are forked from this small
# process instead. Protocol: JSON lines on stdin, JSON lines on stdout.
#   in:  {"id", "command", "args", "env", "cwd", "logPort", "token"}  (start a process)
#        {"id", "relay": port}  (start a Runtime API relay to 127.0.0.1:port, see _relay)
#   out: {"id", "pid"} | {"id", "pid", "port"} (a relay) | {"id", "error"}
#        and, when a child ends, {"exit": pid, "code", "signal"}
# Each child gets its own process group, stdin from /dev/null and stdout+stderr on one TCP
# connection to the emulator's log listener (announced by `token`). When stdin closes (the
# emulator exited, however it died), every child's process group is killed.
import json
import os
import selectors
import signal
import socket
import sys
import threading

# How often an idle relay checks that the spawner (its parent) is still there.
_RELAY_ORPHAN_CHECK_S = 5
# One recv: the Runtime API's messages are small, a 6 MB response comes in a few hundred.
_RELAY_CHUNK = 65536
# Bytes a relayed connection holds for a peer that is not reading, before it stops reading the other side.
_RELAY_BUFFER = 1 << 20

_out_lock = threading.Lock()
_children = set()
_have_children = threading.Event()


def _write(obj):
    os.write(1, (json.dumps(obj) + "\n").encode())


def _emit(obj):
    with _out_lock:
        _write(obj)


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


class _End:
    """One socket of a relayed connection: bytes waiting to be written to it, and how far each direction is."""

    __slots__ = ("sock", "peer", "pending", "read_done", "write_shut", "events")

    def __init__(self, sock):
        self.sock = sock
        self.peer = None
        self.events = 0  # what the selector watches it for now
        self.pending = bytearray()
        self.read_done = False  # its side sent everything (EOF read)
        self.write_shut = False  # we passed that EOF on to it


def _relay(listener, upstream_port, parent):
    """Copies bytes between the runtime's connections and the environment's Runtime API.

    Lambda's Runtime API server (Rapid) runs inside the execution environment, so its work on every
    invoke (handing the event over, taking the answer) counts against the function's CPU share. The
    emulator's own server runs outside it; this relay, moved into the environment's cpu cgroup, does
    the in-sandbox part of that work. One connection to the emulator per runtime connection. Sockets
    are non-blocking with a bounded buffer per direction, so a peer that stops reading stalls only
    its own connection, and a half-close is passed on, not turned into a reset.
    """
    sel = selectors.DefaultSelector()
    listener.setblocking(False)
    sel.register(listener, selectors.EVENT_READ, None)

    def watch(end):
        events = 0
        if not end.read_done and len(end.peer.pending) < _RELAY_BUFFER:
            events |= selectors.EVENT_READ
        if end.pending:
            events |= selectors.EVENT_WRITE
        if events == end.events:
            return  # one system call fewer per event on the invoke's path
        if not end.events:
            sel.register(end.sock, events, end)
        elif events:
            sel.modify(end.sock, events, end)
        else:
            sel.unregister(end.sock)
        end.events = events

    def close(end):
        for e in (end, end.peer):
            if e.events:
                sel.unregister(e.sock)
            e.sock.close()

    def flush(end):
        """Writes what `end` has pending; passes its peer's EOF on once everything is written."""
        if end.pending:
            try:
                sent = end.sock.send(end.pending)
            except (BlockingIOError, InterruptedError):
                return
            del end.pending[:sent]
        if not end.pending and end.peer.read_done and not end.write_shut:
            end.sock.shutdown(socket.SHUT_WR)
            end.write_shut = True

    def accept():
        try:
            client, _ = listener.accept()
        except OSError:
            # Out of descriptors, or the peer gave up: that runtime connection fails, not the relay.
            return True
        try:
            upstream = socket.create_connection(("127.0.0.1", upstream_port))
        except OSError:
            # The environment's Runtime API is gone: so is the environment.
            client.close()
            return False
        a, b = _End(client), _End(upstream)
        a.peer, b.peer = b, a
        for end in (a, b):
            end.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            end.sock.setblocking(False)
            watch(end)
        return True

    while True:
        ready = sel.select(_RELAY_ORPHAN_CHECK_S)
        if not ready and os.getppid() != parent:
            return
        for key, events in ready:
            end = key.data
            if end is None:
                if not accept():
                    return
                continue
            if end.sock.fileno() < 0:
                continue  # closed earlier in this round with its peer
            try:
                if events & selectors.EVENT_READ:
                    data = end.sock.recv(_RELAY_CHUNK)
                    if data:
                        end.peer.pending += data
                    else:
                        end.read_done = True
                    flush(end.peer)
                if events & selectors.EVENT_WRITE:
                    flush(end)
            except (BlockingIOError, InterruptedError):
                pass
            except OSError:
                close(end)
                continue
            if end.read_done and end.peer.read_done and not end.pending and not end.peer.pending:
                close(end)
                continue
            watch(end)
            watch(end.peer)


def _start_relay(req):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    port = listener.getsockname()[1]
    parent = os.getpid()
    # Held until the reply is written, so the reaper cannot report this relay's exit before its start.
    _out_lock.acquire()
    try:
        pid = os.fork()
    except BaseException:
        _out_lock.release()
        raise
    if pid == 0:
        code = 0
        try:
            os.setpgid(0, 0)
            null = os.open(os.devnull, os.O_RDWR)
            for fd in (0, 1, 2):
                os.dup2(null, fd)
            if null > 2:
                os.close(null)
            _relay(listener, req["relay"], parent)
        except BaseException:
            code = 1
        os._exit(code)
    # Also from this side, so the group exists before the reply goes out (the child may not have run yet).
    try:
        os.setpgid(pid, pid)
    except OSError:
        pass
    listener.close()
    _children.add(pid)
    _have_children.set()
    try:
        _write({"id": req["id"], "pid": pid, "port": port})
    finally:
        _out_lock.release()


def main():
    threading.Thread(target=_reaper, daemon=True).start()
    _emit({"ready": os.getpid()})
    for line in sys.stdin.buffer:
        try:
            req = json.loads(line)
        except ValueError:
            continue
        try:
            if "relay" in req:
                _start_relay(req)
            else:
                _spawn(req)
        except OSError as exc:
            _emit({"id": req.get("id"), "error": "%s: %s" % (type(exc).__name__, exc)})
    for pid in list(_children):
        try:
            os.killpg(pid, signal.SIGKILL)
        except OSError:
            pass


main()
