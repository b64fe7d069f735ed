"""The YAML subset the fixture reads (--state) and writes (--dump).

Standard library only, so no PyYAML: block mappings and sequences, plain, quoted and
block (| and >) scalars, flow collections that are also JSON, comments and `---`
document separators. That covers Kubernetes manifests as people and `kubectl get -o yaml`
write them. Anything else raises ValueError naming the line.
"""
import json
import re

_INT = re.compile(r'^[-+]?(0|[1-9][0-9]*)$')
_FLOAT = re.compile(r'^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$')


def _scalar(text, lineno):
    t = text.strip()
    if t == '' or t in ('~', 'null', 'Null', 'NULL'):
        return None
    if t in ('true', 'True', 'TRUE'):
        return True
    if t in ('false', 'False', 'FALSE'):
        return False
    if t[0] == '"':
        return json.loads(t)
    if t[0] == "'":
        if len(t) < 2 or t[-1] != "'":
            raise ValueError(f'line {lineno}: unterminated single-quoted string')
        return t[1:-1].replace("''", "'")
    if t[0] in '[{':
        try:
            return json.loads(t)
        except json.JSONDecodeError:
            return _flow(t, lineno)
    if t[0] in '&*!|>%@`':
        raise ValueError(f'line {lineno}: unsupported YAML construct {t[:20]!r}')
    if _INT.match(t):
        return int(t)
    if _FLOAT.match(t) and any(c.isdigit() for c in t):
        return float(t)
    return t


def _flow(t, lineno):
    """Flow collections with plain scalars, e.g. [a, b] or {a: 1}."""
    inner = t[1:-1].strip()
    parts = [p.strip() for p in inner.split(',')] if inner else []
    if t[0] == '[' and t[-1] == ']':
        return [_scalar(p, lineno) for p in parts]
    if t[0] == '{' and t[-1] == '}':
        out = {}
        for p in parts:
            k, _, v = p.partition(':')
            out[_scalar(k, lineno)] = _scalar(v, lineno)
        return out
    raise ValueError(f'line {lineno}: unsupported flow collection {t[:30]!r}')


def _strip_comment(line):
    """Drops a trailing `# comment` that is outside quotes."""
    quote, escaped = None, False
    for i, c in enumerate(line):
        if quote:
            if escaped:
                escaped = False
            elif c == '\\' and quote == '"':
                escaped = True
            elif c == quote:
                quote = None
        elif c in '"\'' and (i == 0 or line[i - 1] in ' :-[{,'):
            quote = c
        elif c == '#' and (i == 0 or line[i - 1] in ' \t'):
            return line[:i].rstrip()
    return line.rstrip()


def _split_key(content):
    """Returns (key, rest) when the line is `key: value`, else None."""
    if content.startswith('"'):
        try:
            key, end = json.JSONDecoder().raw_decode(content)
        except json.JSONDecodeError:
            return None
        return (key, content[end + 1:]) if content[end:end + 1] == ':' else None
    if content.startswith("'"):
        q = content[0]
        end = content.find(q, 1)
        while q == "'" and end != -1 and content[end + 1:end + 2] == "'":
            end = content.find(q, end + 2)
        if end == -1 or not content[end + 1:].startswith(':'):
            return None
        key = _scalar(content[:end + 1], 0)
        return key, content[end + 2:]
    m = re.match(r'^([^\s:#][^:#]*?|[^\s:#]*)\s*:(\s|$)', content)
    if not m or content.startswith(('[', '{')):
        return None
    return m.group(1), content[m.end() - (1 if m.group(2) else 0):]


class _Parser:
    def __init__(self, lines):
        # raw keeps block-scalar text intact; items holds (indent, content, lineno)
        self.raw = lines
        self.pos = 0

    def _next_content(self):
        while self.pos < len(self.raw):
            line = self.raw[self.pos]
            stripped = _strip_comment(line)
            if stripped.strip():
                return len(stripped) - len(stripped.lstrip(' ')), stripped.strip()
            self.pos += 1
        return None

    def parse_node(self, indent):
        nxt = self._next_content()
        if nxt is None or nxt[0] < indent:
            return None
        ind, content = nxt
        if content == '-' or content.startswith('- '):
            return self._seq(ind)
        if _split_key(content) is not None:
            return self._map(ind)
        self.pos += 1
        return _scalar(content, self.pos)

    def _value(self, rest, indent, lineno):
        rest = rest.strip()
        if rest in ('|', '|-', '|+', '>', '>-', '>+'):
            return self._block_scalar(rest, indent)
        if rest == '':
            nxt = self._next_content()
            if nxt and (nxt[0] > indent or (nxt[0] == indent and nxt[1].startswith('-'))):
                return self.parse_node(nxt[0])
            return None
        return _scalar(rest, lineno)

    def _map(self, indent):
        out = {}
        while True:
            nxt = self._next_content()
            if nxt is None or nxt[0] != indent:
                if nxt and nxt[0] > indent:
                    raise ValueError(f'line {self.pos + 1}: bad indentation')
                return out
            split = _split_key(nxt[1])
            if split is None:
                return out
            key, rest = split
            self.pos += 1
            out[key] = self._value(rest, indent, self.pos)

    def _seq(self, indent):
        out = []
        while True:
            nxt = self._next_content()
            if nxt is None or nxt[0] != indent or not (nxt[1] == '-' or nxt[1].startswith('- ')):
                return out
            rest = nxt[1][1:].lstrip(' ')
            if rest == '':
                self.pos += 1
                out.append(self._value('', indent, self.pos))
                continue
            # "- key: v" starts a mapping whose indent is that of "key"
            inner = indent + (len(nxt[1]) - len(rest))
            if _split_key(rest) is not None and not rest.startswith(('[', '{')):
                self.raw[self.pos] = ' ' * inner + rest
                out.append(self._map(inner))
            elif rest.startswith(('- ',)) or rest == '-':
                self.raw[self.pos] = ' ' * inner + rest
                out.append(self._seq(inner))
            else:
                self.pos += 1
                out.append(self._value(rest, indent, self.pos))

    def _block_scalar(self, style, indent):
        lines = []
        block_indent = None
        while self.pos < len(self.raw):
            line = self.raw[self.pos]
            if line.strip() == '':
                lines.append('')
                self.pos += 1
                continue
            ind = len(line) - len(line.lstrip(' '))
            if block_indent is None:
                block_indent = ind
            if ind < block_indent or ind <= indent:
                break
            lines.append(line[block_indent:])
            self.pos += 1
        while lines and lines[-1] == '' and style[-1] != '+':
            lines.pop()
        if style[0] == '>':
            text = ' '.join(lines)
        else:
            text = '\n'.join(lines)
        return text if style.endswith('-') else text + '\n'


def load_all(text):
    """Parses a YAML stream into a list of documents (None documents are dropped)."""
    docs = []
    for chunk in re.split(r'^---[ \t]*(?:#.*)?$', text, flags=re.M):
        if not chunk.strip() or all(not _strip_comment(line).strip() for line in chunk.splitlines()):
            continue
        try:
            docs.append(json.loads(chunk))
            continue
        except json.JSONDecodeError:
            pass
        parser = _Parser(chunk.splitlines())
        doc = parser.parse_node(0)
        if parser._next_content() is not None:
            raise ValueError(f'line {parser.pos + 1}: unexpected content {parser.raw[parser.pos].strip()[:40]!r}')
        if doc is not None:
            docs.append(doc)
    return docs


def _dump_scalar(v):
    if isinstance(v, str):
        return json.dumps(v) if (v == '' or not re.match(r'^[A-Za-z_/][\w./-]*$', v)
                                 or _scalar(v, 0) != v) else v
    return json.dumps(v)


def dump(value, indent=0):
    """Block-style YAML for JSON-like data (strings JSON-quoted where needed)."""
    pad = ' ' * indent
    if isinstance(value, dict):
        if not value:
            return pad + '{}\n'
        out = ''
        for k, v in value.items():
            key = _dump_scalar(str(k))
            if isinstance(v, (dict, list)) and v:
                out += f'{pad}{key}:\n' + dump(v, indent + 2 if isinstance(v, dict) else indent)
            else:
                out += f'{pad}{key}: {_flat(v)}\n'
        return out
    if isinstance(value, list):
        if not value:
            return pad + '[]\n'
        out = ''
        for v in value:
            if isinstance(v, (dict, list)) and v:
                body = dump(v, indent + 2)
                out += f'{pad}- ' + body[indent + 2:]
            else:
                out += f'{pad}- {_flat(v)}\n'
        return out
    return pad + _flat(value) + '\n'


def _flat(v):
    if isinstance(v, dict):
        return '{}'
    if isinstance(v, list):
        return '[]'
    return _dump_scalar(v)


def dump_all(docs):
    return ''.join('---\n' + dump(d) for d in docs)
