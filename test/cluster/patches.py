"""Patch formats and field ownership for the API server fixture.

- merge_patch: RFC 7386 (application/merge-patch+json)
- json_patch: RFC 6902 (application/json-patch+json)
- strategic_merge: application/strategic-merge-patch+json for built-in types, with the
  directives kubectl and helm send ($patch, $setElementOrder, $retainKeys,
  $deleteFromPrimitiveList). Merge keys come from a small table instead of Go struct tags.
- field sets (managedFields fieldsV1) and server-side apply on top of them.
"""
import copy
import json


class PatchError(Exception):
    """A patch that cannot be applied: the server answers 422 (or `code`)."""

    def __init__(self, message, code=422):
        super().__init__(message)
        self.code = code


# ---------------------------------------------------------------- merge patch (RFC 7386)
def merge_patch(target, patch):
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = copy.deepcopy(target) if isinstance(target, dict) else {}
    for k, v in patch.items():
        if v is None:
            result.pop(k, None)
        else:
            result[k] = merge_patch(result.get(k), v)
    return result


# ---------------------------------------------------------------- JSON patch (RFC 6902)
def _pointer(path):
    if path == '':
        return []
    if not path.startswith('/'):
        raise PatchError(f'invalid JSON pointer {path!r}')
    return [p.replace('~1', '/').replace('~0', '~') for p in path[1:].split('/')]


def _container(doc, parts, path):
    cur = doc
    for p in parts[:-1]:
        if isinstance(cur, dict) and p in cur:
            cur = cur[p]
        elif isinstance(cur, list) and p.isdigit() and int(p) < len(cur):
            cur = cur[int(p)]
        else:
            raise PatchError(f'json patch: path {path!r} does not exist')
    return cur


def _get(doc, path):
    parts = _pointer(path)
    if not parts:
        return doc
    parent = _container(doc, parts, path)
    last = parts[-1]
    if isinstance(parent, dict) and last in parent:
        return parent[last]
    if isinstance(parent, list) and last.isdigit() and int(last) < len(parent):
        return parent[int(last)]
    raise PatchError(f'json patch: path {path!r} does not exist')


def _remove(doc, path):
    value = _get(doc, path)
    parts = _pointer(path)
    parent = _container(doc, parts, path)
    if isinstance(parent, dict):
        del parent[parts[-1]]
    else:
        del parent[int(parts[-1])]
    return value


def _add(doc, path, value):
    parts = _pointer(path)
    if not parts:
        return value
    parent = _container(doc, parts, path)
    last = parts[-1]
    if isinstance(parent, dict):
        parent[last] = value
    elif isinstance(parent, list):
        if last == '-':
            parent.append(value)
        elif last.isdigit() and int(last) <= len(parent):
            parent.insert(int(last), value)
        else:
            raise PatchError(f'json patch: index {last!r} out of range in {path!r}')
    else:
        raise PatchError(f'json patch: cannot add below a scalar at {path!r}')
    return doc


def _missing_key(doc, path):
    parts = _pointer(path)
    try:
        parent = _container(doc, parts, path) if parts else None
    except PatchError:
        return False
    return isinstance(parent, dict) and parts[-1] not in parent


def json_patch(target, ops):
    if not isinstance(ops, list):
        raise PatchError('json patch must be a JSON array of operations', 400)
    doc = copy.deepcopy(target)
    for op in ops:
        kind, path = op.get('op'), op.get('path', '')
        if kind == 'add':
            doc = _add(doc, path, copy.deepcopy(op.get('value')))
        elif kind == 'remove':
            _remove(doc, path)
        elif kind == 'replace':
            _get(doc, path)
            parts = _pointer(path)
            if not parts:
                doc = copy.deepcopy(op.get('value'))
            else:
                parent = _container(doc, parts, path)
                key = parts[-1] if isinstance(parent, dict) else int(parts[-1])
                parent[key] = copy.deepcopy(op.get('value'))
        elif kind == 'move':
            doc = _add(doc, path, _remove(doc, op.get('from', '')))
        elif kind == 'copy':
            doc = _add(doc, path, copy.deepcopy(_get(doc, op.get('from', ''))))
        elif kind == 'test':
            if op.get('value') is None and _missing_key(doc, path):
                continue  # json-patch v4.12.0 patch.go:690-693: null tests equal to an absent key
            if _get(doc, path) != op.get('value'):
                raise PatchError(f'json patch: test failed at {path!r}')
        else:
            # an unknown op fails when applied (v4.12.0 Apply), so 422 like any failed op
            raise PatchError(f'json patch: unknown operation {kind!r}')
    return doc


# ---------------------------------------------------------------- strategic merge patch
# patchMergeKey of the Kubernetes API types, by field name (kubectl and helm compute their
# patches from the same tags, so these are the lists whose items they address by key).
MERGE_KEYS = {
    'containers': 'name', 'initContainers': 'name', 'ephemeralContainers': 'name',
    'env': 'name', 'volumes': 'name', 'volumeMounts': 'mountPath',
    'volumeDevices': 'devicePath', 'imagePullSecrets': 'name', 'ownerReferences': 'uid',
    'conditions': 'type', 'hostAliases': 'ip', 'topologySpreadConstraints': 'topologyKey',
    'resourceClaims': 'name', 'schedulingGates': 'name',
}
# lists of scalars with patchStrategy "merge" (set union)
MERGE_SCALAR_LISTS = {'finalizers'}


def merge_key(field, items):
    if field == 'ports':  # container ports and service ports carry different keys
        dicts = [i for i in items if isinstance(i, dict)]
        return 'containerPort' if any('containerPort' in i for i in dicts) else 'port'
    return MERGE_KEYS.get(field)


def _strip_directives(value):
    if isinstance(value, dict):
        return {k: _strip_directives(v) for k, v in value.items()
                if not k.startswith('$') and v is not None}
    if isinstance(value, list):
        return [_strip_directives(v) for v in value
                if not (isinstance(v, dict) and '$patch' in v)]
    return value


def strategic_merge(original, patch):
    """Applies a strategic merge patch to a dict; returns the result (None = deleted)."""
    if not isinstance(patch, dict):
        raise PatchError('strategic merge patch must be a JSON object', 400)
    directive = patch.get('$patch')
    if directive == 'replace':
        return _strip_directives(patch)
    if directive == 'delete':
        return None
    if directive not in (None, 'merge'):
        raise PatchError(f'unknown $patch directive {directive!r}')
    result = copy.deepcopy(original) if isinstance(original, dict) else {}
    orders = {}
    for k, v in patch.items():
        if k in ('$patch', '$retainKeys'):
            continue
        if k.startswith('$setElementOrder/'):
            orders[k.split('/', 1)[1]] = v
            continue
        if k.startswith('$deleteFromPrimitiveList/'):
            field = k.split('/', 1)[1]
            if isinstance(result.get(field), list):
                result[field] = [x for x in result[field] if x not in v]
            continue
        if v is None:
            result.pop(k, None)
        elif isinstance(v, dict):
            merged = strategic_merge(result.get(k), v)
            if merged is None:
                result.pop(k, None)
            else:
                result[k] = merged
        elif isinstance(v, list):
            cur = result.get(k)
            result[k] = _merge_list(k, cur if isinstance(cur, list) else [], v)
        else:
            result[k] = v
    for field, order in orders.items():
        if isinstance(result.get(field), list):
            result[field] = _reorder(field, result[field], order)
    if '$retainKeys' in patch:
        keep = set(patch['$retainKeys'] or [])
        result = {k: v for k, v in result.items() if k in keep}
    return result


def _merge_list(field, current, patch):
    if any(isinstance(i, dict) and i.get('$patch') == 'replace' for i in patch):
        return _strip_directives(patch)
    if field in MERGE_SCALAR_LISTS and all(not isinstance(i, (dict, list)) for i in patch):
        return current + [i for i in patch if i not in current]
    key = merge_key(field, current + patch)
    if not key or not all(isinstance(i, dict) for i in patch):
        return _strip_directives(patch)
    result = copy.deepcopy(current)
    for item in patch:
        idx = next((n for n, c in enumerate(result)
                    if isinstance(c, dict) and c.get(key) == item.get(key)), None)
        if item.get('$patch') == 'delete':
            if idx is not None:
                del result[idx]
        elif idx is None:
            result.append(_strip_directives(item))
        else:
            result[idx] = strategic_merge(result[idx], item)
    return result


def _reorder(field, items, order):
    key = merge_key(field, items)

    def ident(i):
        return i.get(key) if key and isinstance(i, dict) else json.dumps(i, sort_keys=True)
    wanted = [ident(o) if isinstance(o, dict) or not key else o for o in order]
    rank = {w: n for n, w in enumerate(wanted)}
    listed = sorted((i for i in items if ident(i) in rank), key=lambda i: rank[ident(i)])
    return listed + [i for i in items if ident(i) not in rank]


# ---------------------------------------------------------------- field sets (FieldsV1)
# A field path is a tuple of FieldsV1 path elements: "f:name", 'k:{"name":"x"}', 'v:"x"'.
IGNORED_FIELDS = {('f:metadata', 'f:' + k) for k in (
    'name', 'namespace', 'uid', 'resourceVersion', 'generation', 'creationTimestamp',
    'managedFields', 'selfLink', 'deletionTimestamp', 'deletionGracePeriodSeconds')}
TOP_IGNORED = {'f:apiVersion', 'f:kind'}


def field_paths(obj, prefix=()):
    """Every leaf field and keyed list item of obj, as a set of paths."""
    out = set()
    if not isinstance(obj, dict):
        return out
    for k, v in obj.items():
        p = prefix + ('f:' + k,)
        if p in IGNORED_FIELDS or (not prefix and p[0] in TOP_IGNORED):
            continue
        if isinstance(v, dict) and v:
            out |= field_paths(v, p)
        elif isinstance(v, list) and v and _item_elem(k, v, v[0]) is not None:
            for item in v:
                ip = p + (_item_elem(k, v, item),)
                out.add(ip)
                if isinstance(item, dict):
                    out |= field_paths(item, ip)
        else:
            out.add(p)
    return out


def _item_elem(field, items, item):
    if field in MERGE_SCALAR_LISTS and not isinstance(item, (dict, list)):
        return 'v:' + json.dumps(item)
    key = merge_key(field, items)
    if key and isinstance(item, dict) and key in item:
        return 'k:' + json.dumps({key: item[key]}, separators=(',', ':'))
    return None


def value_at(obj, path):
    """The value a field path points to, or a sentinel when absent."""
    cur = obj
    for elem in path:
        kind, rest = elem[0], elem[2:]
        if kind == 'f' and isinstance(cur, dict) and rest in cur:
            cur = cur[rest]
        elif kind in 'kv' and isinstance(cur, list):
            want = json.loads(rest)
            match = [i for i in cur if (i == want if kind == 'v' else
                                        isinstance(i, dict) and all(i.get(a) == b for a, b in want.items()))]
            if not match:
                return _ABSENT
            cur = match[0]
        else:
            return _ABSENT
    return cur


_ABSENT = object()


def remove_path(obj, path):
    """Deletes the field or list item a path points to (no-op when absent)."""
    parent = value_at(obj, path[:-1]) if len(path) > 1 else obj
    elem = path[-1]
    kind, rest = elem[0], elem[2:]
    if kind == 'f' and isinstance(parent, dict):
        parent.pop(rest, None)
    elif kind in 'kv' and isinstance(parent, list):
        want = json.loads(rest)
        parent[:] = [i for i in parent if not (i == want if kind == 'v' else isinstance(i, dict) and all(
            i.get(a) == b for a, b in want.items()))]


def to_fields_v1(paths):
    tree = {}
    for path in sorted(paths):
        node = tree
        for elem in path:
            node = node.setdefault(elem, {})
    # a path that is also the parent of others is marked with "."
    for path in paths:
        node = tree
        for elem in path:
            node = node[elem]
        if node and '.' not in node:
            node['.'] = {}
    return tree


def from_fields_v1(tree, prefix=()):
    out = set()
    for k, v in (tree or {}).items():
        if k == '.':
            out.add(prefix)
            continue
        p = prefix + (k,)
        if v:
            out |= from_fields_v1(v, p)
        else:
            out.add(p)
    return out


def dotted(path):
    """A path as the API server prints it in conflict messages: .spec.containers[name="x"].image"""
    s = ''
    for elem in path:
        if elem.startswith('f:'):
            s += '.' + elem[2:]
        elif elem.startswith('k:'):
            s += '[' + ','.join(f'{a}={json.dumps(b)}' for a, b in json.loads(elem[2:]).items()) + ']'
        else:
            s += '[=' + elem[2:] + ']'
    return s


def apply_merge(current, applied):
    """Merges an applied configuration into the live object: maps recurse, keyed lists merge
    item by item, everything else is replaced."""
    result = copy.deepcopy(current) if isinstance(current, dict) else {}
    for k, v in applied.items():
        cur = result.get(k)
        if isinstance(v, dict) and isinstance(cur, dict):
            result[k] = apply_merge(cur, v)
        elif isinstance(v, list) and isinstance(cur, list) and v and _item_elem(k, v, v[0]) is not None:
            merged = []
            for item in v:
                elem = _item_elem(k, v, item)
                old = value_at({k: cur}, ('f:' + k, elem))
                if isinstance(item, dict) and isinstance(old, dict):
                    merged.append(apply_merge(old, item))
                else:
                    merged.append(copy.deepcopy(item))
            wanted = {_item_elem(k, v, i) for i in v}
            result[k] = merged + [i for i in cur if _item_elem(k, cur, i) not in wanted]
        else:
            result[k] = copy.deepcopy(v)
    return result
