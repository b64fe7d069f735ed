"""Decodes the protobuf request bodies real clients send to the fixture.

client-go's typed clients (helm's release storage: Secrets, or ConfigMaps with
HELM_DRIVER=configmap) send create/update/delete bodies as
application/vnd.kubernetes.protobuf even when the server answers JSON. Responses stay JSON
(clients accept them), so only decoding is needed, and only for the kinds listed in KINDS.
Field numbers are those of k8s.io/api generated.proto.
"""
import base64
import datetime

MAGIC = b'k8s\x00'


class Unsupported(Exception):
    pass


TIME = {1: ('seconds', 'int'), 2: ('nanos', 'int')}
OWNER_REF = {1: ('kind', 'str'), 3: ('name', 'str'), 4: ('uid', 'str'), 5: ('apiVersion', 'str'),
             6: ('controller', 'bool'), 7: ('blockOwnerDeletion', 'bool')}
OBJECT_META = {
    1: ('name', 'str'), 2: ('generateName', 'str'), 3: ('namespace', 'str'), 4: ('selfLink', 'str'),
    5: ('uid', 'str'), 6: ('resourceVersion', 'str'), 7: ('generation', 'int'),
    8: ('creationTimestamp', ('time', TIME)), 9: ('deletionTimestamp', ('time', TIME)),
    10: ('deletionGracePeriodSeconds', 'int'), 11: ('labels', 'map:str'),
    12: ('annotations', 'map:str'), 13: ('ownerReferences', ('rep', OWNER_REF)),
    14: ('finalizers', 'rep:str'),
}
POLICY_RULE = {1: ('verbs', 'rep:str'), 2: ('apiGroups', 'rep:str'), 3: ('resources', 'rep:str'),
               4: ('resourceNames', 'rep:str'), 5: ('nonResourceURLs', 'rep:str')}
BINDING = {1: ('metadata', ('msg', OBJECT_META)),
           2: ('subjects', ('rep', {1: ('kind', 'str'), 2: ('apiGroup', 'str'), 3: ('name', 'str'),
                                    4: ('namespace', 'str')})),
           3: ('roleRef', ('msg', {1: ('apiGroup', 'str'), 2: ('kind', 'str'), 3: ('name', 'str')}))}
ROLE = {1: ('metadata', ('msg', OBJECT_META)), 2: ('rules', ('rep', POLICY_RULE))}
KINDS = {
    'ServiceAccount': {1: ('metadata', ('msg', OBJECT_META)),
                       2: ('secrets', ('rep', {1: ('kind', 'str'), 2: ('namespace', 'str'),
                                               3: ('name', 'str')})),
                       3: ('imagePullSecrets', ('rep', {1: ('name', 'str')})),
                       4: ('automountServiceAccountToken', 'bool')},
    'Role': ROLE, 'ClusterRole': ROLE, 'RoleBinding': BINDING, 'ClusterRoleBinding': BINDING,

    'Secret': {1: ('metadata', ('msg', OBJECT_META)), 2: ('data', 'map:bytes'), 3: ('type', 'str'),
               4: ('stringData', 'map:str'), 5: ('immutable', 'bool')},
    'ConfigMap': {1: ('metadata', ('msg', OBJECT_META)), 2: ('data', 'map:str'),
                  3: ('binaryData', 'map:bytes'), 4: ('immutable', 'bool')},
    'Namespace': {1: ('metadata', ('msg', OBJECT_META))},
    'DeleteOptions': {1: ('gracePeriodSeconds', 'int'),
                      2: ('preconditions', ('msg', {1: ('uid', 'str'), 2: ('resourceVersion', 'str')})),
                      3: ('orphanDependents', 'bool'), 4: ('propagationPolicy', 'str'),
                      5: ('dryRun', 'rep:str')},
}


def _varint(buf, pos):
    shift = value = 0
    while True:
        b = buf[pos]
        pos += 1
        value |= (b & 0x7f) << shift
        if b < 0x80:
            return value, pos
        shift += 7


def _fields(buf):
    """Yields (field number, wire type, raw value) of one message."""
    pos = 0
    while pos < len(buf):
        tag, pos = _varint(buf, pos)
        num, wire = tag >> 3, tag & 7
        if wire == 0:
            val, pos = _varint(buf, pos)
        elif wire == 2:
            n, pos = _varint(buf, pos)
            val, pos = buf[pos:pos + n], pos + n
        elif wire == 1:
            val, pos = buf[pos:pos + 8], pos + 8
        elif wire == 5:
            val, pos = buf[pos:pos + 4], pos + 4
        else:
            raise Unsupported(f'protobuf wire type {wire}')
        yield num, wire, val


def _scalar(kind, val):
    if kind == 'str':
        return val.decode()
    if kind == 'bytes':
        return base64.b64encode(val).decode()
    if kind == 'int':
        return val - (1 << 64) if val >= 1 << 63 else val
    if kind == 'bool':
        return bool(val)
    raise Unsupported(kind)


def decode_message(buf, schema):
    out = {}
    for num, _, val in _fields(buf):
        if num not in schema:
            continue  # fields the fixture does not store (e.g. managedFields)
        name, kind = schema[num]
        if isinstance(kind, tuple) and kind[0] == 'time':
            t = decode_message(val, kind[1])
            if not t.get('seconds'):
                continue  # Go's zero time
            out[name] = datetime.datetime.fromtimestamp(
                t.get('seconds', 0), datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')
        elif isinstance(kind, tuple) and kind[0] == 'msg':
            out[name] = decode_message(val, kind[1])
        elif isinstance(kind, tuple) and kind[0] == 'rep':
            out.setdefault(name, []).append(decode_message(val, kind[1]))
        elif kind.startswith('rep:'):
            out.setdefault(name, []).append(_scalar(kind[4:], val))
        elif kind.startswith('map:'):
            entry = {n: v for n, _, v in _fields(val)}
            out.setdefault(name, {})[entry.get(1, b'').decode()] = _scalar(kind[4:], entry.get(2, b''))
        else:
            out[name] = _scalar(kind, val)
    return out


def decode(body):
    """A protobuf-encoded Kubernetes object as a JSON-like dict."""
    if not body.startswith(MAGIC):
        raise Unsupported('missing the k8s protobuf envelope')
    unknown = {n: v for n, _, v in _fields(body[len(MAGIC):])}
    type_meta = {n: v.decode() for n, _, v in _fields(unknown.get(1, b''))}
    api_version, kind = type_meta.get(1, ''), type_meta.get(2, '')
    if kind not in KINDS:
        raise Unsupported(f'protobuf bodies of kind {kind!r} (it decodes {", ".join(sorted(KINDS))}; '
                          'send JSON, e.g. kubectl apply instead of kubectl create)')
    obj = decode_message(unknown.get(2, b''), KINDS[kind])
    return dict({'apiVersion': api_version, 'kind': kind}, **obj)
