# Run by trace-wrapper.sh as `python -X importtime -c "<this file>" <runtime script> <args>`.
# 1. Runtimes load the handler with importlib.import_module, which -X importtime does not trace:
#    absolute import_module calls go through __import__ (same module, same sys.modules entry).
# 2. COLDBENCH_TRACE_STATEMENTS (`app.py@:line-endLine,…;helpers.py@:…`, as src/profile's parser
#    found them) names module-level statements of the function's own files to time: those files
#    are compiled from their syntax tree with a start mark before and a stop mark after each named
#    statement (same line numbers), and each finished statement writes
#    `coldbench line: <us> | <file>:<line>-<endLine>` to stderr.
import importlib
import os
import runpy
import sys

_import_module = importlib.import_module


def _traced_import_module(name, package=None):
    if name.startswith("."):
        return _import_module(name, package)
    __import__(name)
    return sys.modules[name]


importlib.import_module = _traced_import_module


def _install_statement_timer(spec):
    import ast
    import builtins
    import importlib.machinery
    import time

    root = os.environ.get("LAMBDA_TASK_ROOT") or os.getcwd()
    wanted = {}
    for part in spec.split(";"):
        rel, _, rest = part.partition("@")
        spans = rest.partition(":")[2]
        if rel:
            wanted[os.path.normpath(os.path.join(root, rel))] = (rel, {tuple(int(x) for x in s.split("-")[:2]) for s in spans.split(",") if s})
    # Module names of those files (app.py → app, lib/util.py → lib.util, pkg/__init__.py → pkg):
    # any other import goes straight to the usual finders.
    names = set()
    for rel, _ in wanted.values():
        parts = rel[: -len(".py")].split("/")
        names.add(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    starts = []

    class Timer:
        @staticmethod
        def start():
            starts.append(time.perf_counter_ns())

        @staticmethod
        def stop(rel, line, end):
            us = (time.perf_counter_ns() - starts.pop()) // 1000
            try:
                os.write(2, ("coldbench line: %9d | %s:%d-%d\n" % (us, rel, line, end)).encode())
            except OSError:
                pass

    builtins.__coldbench_timer__ = Timer

    # try/except, and try/except* from Python 3.11, as code-path.py's is_try finds them.
    try_nodes = (ast.Try, ast.TryStar) if hasattr(ast, "TryStar") else (ast.Try,)

    def mark(code, node):
        return ast.copy_location(ast.parse(code).body[0], node)

    def wrap(body, rel, spans):
        out = []
        for node in body:
            if isinstance(node, ast.If):
                node.body = wrap(node.body, rel, spans)
                node.orelse = wrap(node.orelse, rel, spans)
            elif isinstance(node, try_nodes):
                node.body = wrap(node.body, rel, spans)
                for h in node.handlers:
                    h.body = wrap(h.body, rel, spans)
                node.orelse = wrap(node.orelse, rel, spans)
                node.finalbody = wrap(node.finalbody, rel, spans)
            if (node.lineno, node.end_lineno) in spans:
                stop = "__coldbench_timer__.stop(%r, %d, %d)" % (rel, node.lineno, node.end_lineno)
                out += [mark("__coldbench_timer__.start()", node), node, mark(stop, node)]
            else:
                out.append(node)
        return out

    class Loader(importlib.machinery.SourceFileLoader):
        def source_to_code(self, data, path, *, _optimize=-1):
            rel, spans = wanted[os.path.normpath(path)]
            tree = ast.parse(data, path)
            tree.body = wrap(tree.body, rel, spans)
            return compile(ast.fix_missing_locations(tree), path, "exec", dont_inherit=True, optimize=_optimize)

    class Finder:
        @staticmethod
        def find_spec(name, path=None, target=None):
            if name not in names:
                return None
            spec = importlib.machinery.PathFinder.find_spec(name, path)
            if spec is None or not spec.origin or os.path.normpath(spec.origin) not in wanted:
                return None
            spec.loader = Loader(name, spec.origin)
            return spec

    sys.meta_path.insert(0, Finder)


if os.environ.get("COLDBENCH_TRACE_STATEMENTS"):
    _install_statement_timer(os.environ["COLDBENCH_TRACE_STATEMENTS"])
sys.argv = sys.argv[1:]
runpy.run_path(sys.argv[0], run_name="__main__")
