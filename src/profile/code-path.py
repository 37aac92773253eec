"""The handler's code path, for `coldbench profile` (src/profile/code-path.ts runs this).

Reads {"files": {"app": {"source": "...", "roots": ["handler"]}, "helpers": {...}}} as JSON on
stdin and prints, as JSON, for each file: its module-level imports and where the code path from
its roots uses each one, and its module-level work, found with the `ast` module (no regexes).
`roots` is a list of function names, or "*" for every function of the file (a module object used
as a whole). src/profile/code-path.ts follows calls from one file into another by calling this
again with the names each file uses from the others as their roots. The code path of a file is:

- its root functions and the module-level functions and classes they reference, transitively
  (a reference is any load of the name, a call or not; a reachable class brings all its methods);
- module-level code, which runs at init: statements outside def/class bodies, decorators,
  default values and annotations of signatures, class bodies outside their methods, and what they
  reference in turn;
- functions with decorators (routes a framework registers and calls) are reached too.

Scopes: a name a function binds (parameter, assignment, loop or with target, its own import of
another module) is local there, so uses of it are not uses of the module-level import; an import
of the same package inside a function counts as a use (the function needs the module anyway).
"""

import ast
import json
import sys

CONDITION_CHARS = 60
# Module-level work is named by its first line, cut to this many characters.
WORK_TEXT_CHARS = 80



def is_try(node):
    """try/except, and try/except* from Python 3.11."""
    return isinstance(node, ast.Try) or (hasattr(ast, "TryStar") and isinstance(node, ast.TryStar))


def try_blocks(node):
    """Every block of statements a try runs at module level: the body, each handler, else, finally."""
    return [node.body, *(h.body for h in node.handlers), node.orelse, node.finalbody]

def top_of(name):
    return name.split(".")[0]


def text_of(source, node):
    seg = ast.get_source_segment(source, node) or ""
    seg = " ".join(seg.split())
    return seg if len(seg) <= CONDITION_CHARS else seg[: CONDITION_CHARS - 1] + "…"


class Import:
    def __init__(self, node, module, package, bound, removable, names=None):
        self.node = node
        self.module = module
        self.package = package
        self.bound = bound
        self.removable = removable
        # (name in the imported module, name bound here) for `from m import a as b`; None for `import m`
        self.names = names


def resolve_relative(importer, level, module):
    """`from .x import y` in module `pkg.mod` → `pkg.x`."""
    base = importer.split(".")[:-level] if importer else []
    return ".".join(base + ([module] if module else []))


def module_imports(source, tree, lines, importer=""):
    """Imports run at init: module level, including inside if/try/with blocks (not TYPE_CHECKING)."""
    found = []

    def alone(node):
        # The statement is the only one on its lines: deleting those lines removes exactly it.
        first = lines[node.lineno - 1][: node.col_offset]
        last = lines[node.end_lineno - 1][node.end_col_offset :]
        return first.strip() == "" and (last.strip() == "" or last.strip().startswith("#"))

    def visit(stmts):
        for node in stmts:
            if isinstance(node, ast.Import):
                for a in node.names:
                    bound = a.asname or top_of(a.name)
                    found.append(Import(node, a.name, top_of(a.name), [bound], alone(node) and len(node.names) == 1))
            elif isinstance(node, ast.ImportFrom):
                if node.module == "__future__" or any(a.name == "*" for a in node.names):
                    continue
                module = resolve_relative(importer, node.level, node.module) if node.level > 0 else node.module
                if not module:
                    continue
                bound = [a.asname or a.name for a in node.names]
                names = [[a.name, a.asname or a.name] for a in node.names]
                found.append(Import(node, module, top_of(module), bound, alone(node), names))
            elif isinstance(node, ast.If):
                test = ast.unparse(node.test) if hasattr(ast, "unparse") else ""
                if "TYPE_CHECKING" in test:
                    visit(node.orelse)
                    continue
                visit(node.body)
                visit(node.orelse)
            elif is_try(node):
                for block in try_blocks(node):
                    visit(block)
            elif isinstance(node, (ast.With, ast.AsyncWith)):
                visit(node.body)

    visit(tree.body)
    return found


def target_names(node, into):
    for n in ast.walk(node):
        if isinstance(n, ast.Name) and isinstance(n.ctx, (ast.Store, ast.Del)):
            into.add(n.id)


def scope_locals(fn, packages):
    """Names a function (or lambda / comprehension) binds in its own scope, minus its `global`s."""
    bound = set()
    globals_ = set()
    args = fn.args
    for a in args.posonlyargs + args.args + args.kwonlyargs + [args.vararg, args.kwarg]:
        if a is not None:
            bound.add(a.arg)
    if isinstance(fn, ast.Lambda):
        return bound

    def visit(stmts_or_node):
        for node in ast.iter_child_nodes(stmts_or_node):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                bound.add(node.name)
                continue
            if isinstance(node, (ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
                continue
            if isinstance(node, ast.Global) or isinstance(node, ast.Nonlocal):
                globals_.update(node.names)
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                mod = node.module if isinstance(node, ast.ImportFrom) else None
                for a in node.names:
                    name = mod or a.name
                    # Importing the same package again is a use of it, not a new local name.
                    if name and top_of(name) in packages:
                        continue
                    bound.add(a.asname or top_of(a.name))
            elif isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
                bound.add(node.id)
            elif isinstance(node, ast.ExceptHandler) and node.name:
                bound.add(node.name)
            elif hasattr(ast, "MatchAs") and isinstance(node, (ast.MatchAs, ast.MatchStar)) and node.name:
                bound.add(node.name)
            visit(node)

    for stmt in fn.body:
        visit_stmt = ast.Module(body=[stmt], type_ignores=[])
        visit(visit_stmt)
    return bound - globals_


class Use:
    def __init__(self, line, owner, arms):
        self.line = line
        self.owner = owner
        self.arms = arms


class Walker:
    """Walks code of one owner (a top-level function/class, or module-level code) recording
    references to module-level names and the branch arms each reference sits in."""

    def __init__(self, source, names, packages, import_nodes):
        self.source = source
        self.names = names
        self.packages = packages
        self.import_nodes = import_nodes
        self.refs = []

    def walk(self, node, owner, shadow, arms):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            inner = shadow | scope_locals(node, self.packages)
            body = node.body if isinstance(node.body, list) else [node.body]
            for stmt in body:
                self.walk(stmt, owner, inner, arms)
            return
        if isinstance(node, (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
            inner = set(shadow)
            for gen in node.generators:
                target_names(gen.target, inner)
            for child in ast.iter_child_nodes(node):
                self.walk(child, owner, inner, arms)
            return
        if isinstance(node, ast.ClassDef):
            for stmt in node.body:
                self.walk(stmt, owner, shadow, arms)
            return
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            if id(node) in self.import_nodes:
                return
            mod = node.module if isinstance(node, ast.ImportFrom) else None
            for a in node.names:
                name = mod or a.name
                if name and top_of(name) in self.packages:
                    self.refs.append((("import", top_of(name)), node.lineno, owner, arms, None))
            return
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and isinstance(node.value.ctx, ast.Load):
            # `helpers.render`: which name of a module the code uses, to follow it into that file.
            if node.value.id in self.names and node.value.id not in shadow:
                self.refs.append((("name", node.value.id), node.lineno, owner, arms, node.attr))
            return
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            if node.id in self.names and node.id not in shadow:
                self.refs.append((("name", node.id), node.lineno, owner, arms, None))
            return
        if isinstance(node, ast.If):
            self.walk(node.test, owner, shadow, arms)
            cond = text_of(self.source, node.test)
            for stmt in node.body:
                self.walk(stmt, owner, shadow, arms + [(id(node), 0, node.lineno, node.body[0].lineno, "if " + cond)])
            for stmt in node.orelse:
                self.walk(stmt, owner, shadow, arms + [(id(node), 1, node.lineno, node.orelse[0].lineno, "else of if " + cond)])
            return
        if hasattr(ast, "Match") and isinstance(node, ast.Match):
            self.walk(node.subject, owner, shadow, arms)
            for i, case in enumerate(node.cases):
                pattern = text_of(self.source, case.pattern)
                inner = arms + [(id(node), i, node.lineno, case.body[0].lineno, "case " + pattern)]
                if case.guard is not None:
                    self.walk(case.guard, owner, shadow, inner)
                for stmt in case.body:
                    self.walk(stmt, owner, shadow, inner)
            return
        for child in ast.iter_child_nodes(node):
            self.walk(child, owner, shadow, arms)


def analyze(source, roots_wanted, importer=""):
    tree = ast.parse(source)
    lines = source.splitlines()
    imports = module_imports(source, tree, lines, importer)
    packages = {i.package for i in imports}
    import_nodes = {id(i.node) for i in imports}
    bound_names = {b for i in imports for b in i.bound}

    # Top-level definitions (also those inside module-level if/try blocks).
    defs = {}

    def collect(stmts):
        for node in stmts:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                defs[node.name] = node
            elif isinstance(node, ast.If):
                collect(node.body)
                collect(node.orelse)
            elif is_try(node):
                for block in try_blocks(node):
                    collect(block)

    collect(tree.body)
    names = bound_names | set(defs)
    walker = Walker(source, names, packages, import_nodes)

    # Module-level code: everything but the bodies of top-level defs (and of class methods).
    def init_parts(node):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            parts = list(node.decorator_list) + list(node.args.defaults) + [d for d in node.args.kw_defaults if d is not None]
            args = node.args
            for a in args.posonlyargs + args.args + args.kwonlyargs + [args.vararg, args.kwarg]:
                if a is not None and a.annotation is not None:
                    parts.append(a.annotation)
            if node.returns is not None:
                parts.append(node.returns)
            return parts
        if isinstance(node, ast.ClassDef):
            parts = list(node.decorator_list) + list(node.bases) + [k.value for k in node.keywords]
            for stmt in node.body:
                parts.extend(init_parts(stmt) if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)) else [stmt])
            return parts
        return None

    def walk_init(stmts):
        for node in stmts:
            parts = init_parts(node)
            if parts is not None:
                for p in parts:
                    walker.walk(p, "<module>", set(), [])
            elif (isinstance(node, ast.If) or is_try(node)) and any(isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) for n in ast.walk(node)):
                # Definitions inside module-level blocks: walk the block's own statements.
                if isinstance(node, ast.If):
                    walker.walk(node.test, "<module>", set(), [])
                    walk_init(node.body)
                    walk_init(node.orelse)
                else:
                    for block in try_blocks(node):
                        walk_init(block)
            else:
                walker.walk(node, "<module>", set(), [])

    walk_init(tree.body)
    for name, node in defs.items():
        if isinstance(node, ast.ClassDef):
            for stmt in node.body:
                if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    walker.walk(stmt, name, set(), [])
        else:
            walker.walk(node, name, set(), [])

    # Reachability over references between owners.
    edges = {}
    for (kind, ref), _line, owner, _arms, _attr in walker.refs:
        if kind == "name" and ref in defs:
            edges.setdefault(owner, set()).add(ref)
    if roots_wanted == "*":
        roots_wanted = list(defs)
    roots = [r for r in roots_wanted if r in defs] + ["<module>"]
    roots += [n for n, d in defs.items() if not isinstance(d, ast.ClassDef) and d.decorator_list]
    reachable = []
    queue = list(roots)
    while queue:
        cur = queue.pop(0)
        if cur in reachable:
            continue
        reachable.append(cur)
        queue.extend(sorted(edges.get(cur, ())))

    out = []
    for imp in imports:
        uses, elsewhere = [], []
        used_names = set()
        for (kind, ref), line, owner, arms, attr in walker.refs:
            hit = (kind == "name" and ref in imp.bound) or (kind == "import" and ref == imp.package)
            if not hit:
                continue
            (uses if owner in reachable else elsewhere).append(Use(line, owner, arms))
            if owner in reachable:
                if kind == "import":
                    used_names.add("*")
                elif imp.names is None:
                    used_names.add(attr or "*")
                else:
                    used_names.update(orig for orig, bound in imp.names if bound == ref)
        branch = None
        if uses and all(u.owner == uses[0].owner and u.owner != "<module>" for u in uses):
            common = uses[0].arms
            for u in uses[1:]:
                n = 0
                while n < len(common) and n < len(u.arms) and common[n][:2] == u.arms[n][:2]:
                    n += 1
                common = common[:n]
            if common:
                _, _, if_line, arm_line, condition = common[-1]
                arm_text = lines[arm_line - 1].lstrip() if arm_line - 1 < len(lines) else ""
                # A statement can go before the arm's first line only when that line starts the arm's
                # own block: not `if x: return y` on one line, not an `elif` that is the else arm, not
                # `case x: return y` on one line.
                block = arm_line != if_line and not arm_text.startswith(("elif", "case"))
                branch = {"function": uses[0].owner, "ifLine": if_line, "armLine": arm_line, "condition": condition, "block": block}
        out.append(
            {
                "module": imp.module,
                "package": imp.package,
                "bound": imp.bound,
                "line": imp.node.lineno,
                "endLine": imp.node.end_lineno,
                "removable": imp.removable,
                "uses": [{"line": u.line, "function": u.owner} for u in uses],
                "unreachableUses": [{"line": u.line, "function": u.owner} for u in elsewhere],
                "branch": branch,
                "namesUsed": sorted(used_names),
                # The statement as one line, to re-insert where it is needed (--verify moves it)
                "text": " ".join((ast.get_source_segment(source, imp.node) or "").split()),
            }
        )
    found = [r for r in roots_wanted if r in defs]
    return {"handlerFound": bool(found), "reachable": [r for r in reachable if r != "<module>"], "imports": out, "moduleWork": module_work(source, tree)}


def is_main_guard(node):
    test = ast.unparse(node.test) if hasattr(ast, "unparse") else ""
    return "__name__" in test or "TYPE_CHECKING" in test


def does_work(node):
    """A statement that calls something (or awaits) when it runs: a simple constant does not."""
    return any(isinstance(n, (ast.Call, ast.Await)) for n in ast.walk(node))


def module_work(source, tree):
    """Module-level statements that run code at import, imports and definitions aside: a sleep, a
    network call, reading a file, building a model. Blocks (if / try) are looked into; a `with`
    or a loop counts as one statement. The same walk as the line timer in trace-shim.py."""
    lines = source.splitlines()
    found = []

    def visit(stmts):
        for node in stmts:
            if isinstance(node, (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                continue
            if isinstance(node, ast.If):
                if not is_main_guard(node):
                    visit(node.body)
                    visit(node.orelse)
                continue
            if is_try(node):
                for block in try_blocks(node):
                    visit(block)
                continue
            if not does_work(node):
                continue
            first = lines[node.lineno - 1].strip() if node.lineno - 1 < len(lines) else ""
            text = first if len(first) <= WORK_TEXT_CHARS else first[: WORK_TEXT_CHARS - 1] + "…"
            found.append({"line": node.lineno, "endLine": node.end_lineno, "text": text})

    visit(tree.body)
    return found


def main():
    request = json.load(sys.stdin)
    results = {}
    for module, spec in request["files"].items():
        try:
            results[module] = analyze(spec["source"], spec["roots"], module)
        except SyntaxError as e:
            results[module] = {"error": "%s: line %s: %s" % (type(e).__name__, e.lineno, e.msg)}
    json.dump({"files": results}, sys.stdout)


if __name__ == "__main__":
    main()
