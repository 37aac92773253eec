# coldbench's Python runtime client: a small Lambda Runtime API (2018-06-01) loop.
# Started as `python3 -I -S -u bootstrap.py` so the host's site-packages, PYTHON* variables and
# this script's folder are invisible; sys.path is then built as Lambda builds it. It imports only
# what a runtime client needs (socket, json) because every import here is paid by every cold start.
import os
import sys
import socket
import json
import time

_API_PREFIX = "/2018-06-01/runtime"


class _Client:
    """Keep-alive HTTP/1.1 over one socket: the emulator's Runtime API always answers with a
    Content-Length, so a full HTTP library (http.client pulls in email.*) is not needed."""

    def __init__(self, address):
        host, _, port = address.rpartition(":")
        self._host = address
        self._addr = (host, int(port))
        self._sock = None
        self._buf = b""
        self._out = []

    def request(self, method, path, body=b"", headers=""):
        self.send(method, path, body, headers)
        return self.read()

    def send(self, method, path, body=b"", headers="", hold=False):
        """Queues a request; `hold` keeps it for the next send, so an answer and the next /next
        leave in one write (HTTP/1.1 pipelining) and /next is waiting before the invoke ends."""
        head = "%s %s HTTP/1.1\r\nHost: %s\r\nContent-Length: %d\r\n%s\r\n" % (
            method, path, self._host, len(body), headers)
        self._out.append(head.encode("latin-1") + body)
        if hold:
            return
        if self._sock is None:
            self._sock = socket.create_connection(self._addr)
            self._sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        data = b"".join(self._out)
        self._out = []
        self._sock.sendall(data)

    def read(self):
        while True:
            end = self._buf.find(b"\r\n\r\n")
            if end >= 0:
                break
            self._recv()
        lines = self._buf[:end].decode("latin-1").split("\r\n")
        self._buf = self._buf[end + 4:]
        status = int(lines[0].split(" ", 2)[1])
        found = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            found[name.strip().lower()] = value.strip()
        length = int(found.get("content-length", "0"))
        while len(self._buf) < length:
            self._recv()
        payload = self._buf[:length]
        self._buf = self._buf[length:]
        return status, found, payload

    def _recv(self):
        chunk = self._sock.recv(65536)
        if not chunk:
            # The emulator closed the Runtime API: the environment is being torn down.
            os._exit(0)
        self._buf += chunk


class LambdaContext(object):
    """Lambda's context object, with the attributes and methods of the official runtime."""

    def __init__(self, request_id, deadline_ms, function_arn, client_context, identity):
        self.aws_request_id = request_id
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
        # A string, as in the official runtime.
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.invoked_function_arn = function_arn
        self.client_context = client_context
        self.identity = identity
        self._deadline_ms = deadline_ms

    def get_remaining_time_in_millis(self):
        left = self._deadline_ms - int(time.time() * 1000)
        return left if left > 0 else 0

    def log(self, msg):
        sys.stdout.write(str(msg))


class _Fault(Exception):
    def __init__(self, error_type, message, trace=None):
        Exception.__init__(self, message)
        self.error_type = error_type
        self.message = message
        self.trace = trace or []


def _error_body(error_type, message, trace, request_id=""):
    return {"errorMessage": message, "errorType": error_type, "requestId": request_id, "stackTrace": trace}


def _log_error(body):
    # One log event, as the official runtime writes it: newlines become carriage returns.
    text = "[ERROR] %s: %s\rTraceback (most recent call last):\r%s" % (
        body["errorType"], body["errorMessage"], "".join(body["stackTrace"]).replace("\n", "\r"))
    sys.stdout.write(text + "\n")


def _exception_body(exc, request_id=""):
    import traceback  # only on failures: it costs a cold start milliseconds
    frames = traceback.extract_tb(exc.__traceback__)
    frames = [f for f in frames if not f.filename.endswith("/bootstrap.py")]
    return _error_body(type(exc).__name__, str(exc), traceback.format_list(frames), request_id)


def _load_handler(handler):
    try:
        modname, fname = handler.rsplit(".", 1)
    except ValueError as e:
        raise _Fault("Runtime.MalformedHandlerName", "Bad handler '%s': %s" % (handler, e))
    import importlib
    try:
        module = importlib.import_module(modname.replace("/", "."))
    except ImportError as e:
        raise _Fault("Runtime.ImportModuleError", "Unable to import module '%s': %s" % (modname, e))
    except SyntaxError as e:
        trace = ['  File "%s" Line %s\n    %s\n' % (e.filename, e.lineno, (e.text or "").strip())]
        raise _Fault("Runtime.UserCodeSyntaxError", "Syntax error in module '%s': %s" % (modname, e), trace)
    fn = getattr(module, fname, None)
    if fn is None:
        # As in the official runtime: a missing handler fails each invoke, not the init.
        fault = _Fault("Runtime.HandlerNotFound", "Handler '%s' missing on module '%s'" % (fname, modname))

        def missing(event, context):
            raise fault
        return missing
    return fn


_request_id = [None]


def _setup_logging():
    # As the official runtime: the root logger writes `[LEVEL]\t<time>Z\t<request id>\t<message>`
    # (one event: newlines become carriage returns), or a JSON object when the log format is JSON.
    # Done only when the function uses logging, so functions that do not never pay for it.
    import logging

    json_format = os.environ.get("AWS_LAMBDA_LOG_FORMAT") == "JSON"

    class _Formatter(logging.Formatter):
        def format(self, record):
            stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + ".%03dZ" % record.msecs
            message = record.getMessage()
            if record.exc_info:
                message += "\n" + self.formatException(record.exc_info)
            if json_format:
                return json.dumps({"timestamp": stamp, "level": record.levelname, "message": message,
                                   "logger": record.name, "requestId": _request_id[0]})
            text = "[%s]\t%s\t%s\t%s" % (record.levelname, stamp, _request_id[0], message)
            return text.replace("\n", "\r")

    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(_Formatter())
    root = logging.getLogger()
    root.addHandler(handler)
    level = os.environ.get("AWS_LAMBDA_LOG_LEVEL")
    if json_format and level:
        root.setLevel(level.upper())


def _header_json(value):
    if not value:
        return None
    try:
        return json.loads(value)
    except ValueError:
        return None


def main():
    task_root = os.environ.get("LAMBDA_TASK_ROOT", os.getcwd())
    extra = [p for p in os.environ.get("PYTHONPATH", "").split(":") if p]
    sys.path[0:0] = [task_root] + extra
    client = _Client(os.environ["AWS_LAMBDA_RUNTIME_API"])

    try:
        handler = _load_handler(os.environ.get("_HANDLER", ""))
    except _Fault as fault:
        body = _error_body(fault.error_type, fault.message, fault.trace)
        init_failed = True
    except Exception as exc:  # anything the module raised while importing
        body = _exception_body(exc)
        init_failed = True
    else:
        init_failed = False
    if init_failed:
        _log_error(body)
        client.request("POST", _API_PREFIX + "/init/error", json.dumps(body).encode(),
                       "Lambda-Runtime-Function-Error-Type: %s\r\n" % body["errorType"])
        sys.exit(1)

    logging_ready = False
    answered = 0  # answers (response/error) sent with the /next below, whose 202 comes first
    while True:
        if not logging_ready and "logging" in sys.modules:
            _setup_logging()
            logging_ready = True
        client.send("GET", _API_PREFIX + "/invocation/next")
        for _ in range(answered):
            client.read()
        answered = 0
        _, headers, payload = client.read()
        request_id = headers.get("lambda-runtime-aws-request-id", "")
        _request_id[0] = request_id
        trace_id = headers.get("lambda-runtime-trace-id")
        if trace_id:
            os.environ["_X_AMZN_TRACE_ID"] = trace_id
        context = LambdaContext(
            request_id,
            int(headers.get("lambda-runtime-deadline-ms", "0")),
            headers.get("lambda-runtime-invoked-function-arn"),
            _header_json(headers.get("lambda-runtime-client-context")),
            _header_json(headers.get("lambda-runtime-cognito-identity")),
        )
        try:
            event = json.loads(payload) if payload else {}
        except ValueError as exc:
            body = _error_body("Runtime.UnmarshalError", "Unable to unmarshal input: %s" % exc, [], request_id)
        else:
            try:
                result = handler(event, context)
                try:
                    out = json.dumps(result).encode()
                except (TypeError, ValueError) as exc:
                    raise _Fault("Runtime.MarshalError", "Unable to marshal response: %s" % exc)
                client.send("POST", "%s/invocation/%s/response" % (_API_PREFIX, request_id), out, hold=True)
                answered = 1
                continue
            except _Fault as fault:
                body = _error_body(fault.error_type, fault.message, fault.trace, request_id)
            except Exception as exc:
                body = _exception_body(exc, request_id)
        _log_error(body)
        client.send("POST", "%s/invocation/%s/error" % (_API_PREFIX, request_id), json.dumps(body).encode(),
                    "Lambda-Runtime-Function-Error-Type: %s\r\n" % body["errorType"], hold=True)
        answered = 1


main()
