"""Structural schemas of CustomResourceDefinitions, applied to custom resources the way
kube-apiserver 1.32 does: pruning of unknown fields, removal of non-nullable nulls and
validation with the API's field errors.

Modelled on the Kubernetes source at v1.32.4 (staging modules at v0.32.4):
  AE = k8s.io/apiextensions-apiserver@v0.32.4, AM = k8s.io/apimachinery@v0.32.4,
  KO = k8s.io/kube-openapi@32ad38e42d3f (the version apiserver v0.32.4's go.mod pins).
A schema here is the CRD's `openAPIV3Schema` as plain JSON data (dicts and lists).
"""
import json
import re

_ABSENT = object()

# Fields of an (embedded) resource's root that pruning leaves alone: AE
# pkg/apiserver/schema/pruning/algorithm.go:51-55 (metaFields) and :77-79.
META_FIELDS = ('apiVersion', 'kind', 'metadata')

# ObjectMeta's JSON fields; anything else under a resource's `metadata` is dropped when the
# object is decoded (AE pkg/apiserver/customresource_handler.go:1336-1343, objectmeta.GetObjectMeta
# decodes into metav1.ObjectMeta, reporting unknown fields).
OBJECT_META_FIELDS = {
    'name', 'generateName', 'namespace', 'selfLink', 'uid', 'resourceVersion', 'generation',
    'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'labels',
    'annotations', 'ownerReferences', 'finalizers', 'managedFields'}


# ---------------------------------------------------------------- pruning
def prune(obj, schema):
    """Removes, in place, every field the schema does not declare; returns the sorted paths
    of what it removed (as the strict decoder reports them: `spec.foo`, `spec.list[0].bar`).

    AE pkg/apiserver/schema/pruning/algorithm.go:29-43 (the resource root counts as an
    embedded resource, so apiVersion/kind/metadata stay), :57-113 (prune), :115-149 (below
    x-kubernetes-preserve-unknown-fields only declared properties are pruned further);
    path syntax: AE pkg/apiserver/schema/options.go:38-67."""
    unknown = []
    root = dict(schema or {})
    root['x-kubernetes-embedded-resource'] = True
    _prune(obj, root, '', unknown)
    unknown += _coerce_metadata(obj)
    return sorted(unknown)


def _join(parent, key):
    return f'{parent}.{key}' if parent else key


def _prune(x, s, path, unknown):
    if s is not None and s.get('x-kubernetes-preserve-unknown-fields'):
        return _skip_prune(x, s, path, unknown)
    if isinstance(x, dict) and s is None:  # algorithm.go:69-74: nothing is declared here
        unknown.extend(_join(path, k) for k in x)
        x.clear()
    elif isinstance(x, dict):
        for k in list(x):
            if s.get('x-kubernetes-embedded-resource') and k in META_FIELDS:
                continue
            props = s.get('properties') or {}
            if k in props:
                _prune(x[k], props[k], _join(path, k), unknown)
            elif 'additionalProperties' in s:
                _prune(x[k], _additional(s), _join(path, k), unknown)
            else:
                # algorithm.go:89-93: a meta field at the very root is dropped silently
                if k not in META_FIELDS or path:
                    unknown.append(_join(path, k))
                del x[k]
    elif isinstance(x, list):
        for i, v in enumerate(x):
            _prune(v, (s or {}).get('items') if s is not None else None, f'{path}[{i}]', unknown)


def _skip_prune(x, s, path, unknown):
    if isinstance(x, dict):
        props = s.get('properties') or {}
        for k in list(x):
            if s.get('x-kubernetes-embedded-resource') and k in META_FIELDS:
                continue
            if k in props:
                _prune(x[k], props[k], _join(path, k), unknown)
            elif 'additionalProperties' in s:
                _prune(x[k], _additional(s), _join(path, k), unknown)
    elif isinstance(x, list):
        for i, v in enumerate(x):
            if s.get('items') is not None:
                _skip_prune(v, s['items'], f'{path}[{i}]', unknown)


def _additional(s):
    """The schema additionalProperties gives its values (None for `true`: AE structural
    schemas carry no schema then, so nested maps are emptied, as upstream)."""
    ap = s.get('additionalProperties')
    return ap if isinstance(ap, dict) else None


def _coerce_metadata(obj):
    md = obj.get('metadata') if isinstance(obj, dict) else None
    if not isinstance(md, dict):
        return []
    gone = sorted(k for k in md if k not in OBJECT_META_FIELDS)
    for k in gone:
        del md[k]
    return [f'metadata.{k}' for k in gone]


def drop_null_fields(x, s):
    """Removes map entries whose value is null where the schema neither allows null
    (`nullable`) nor has a default: AE pkg/apiserver/schema/defaulting/prunenulls.go:21-66.
    Null list items stay (and fail validation)."""
    if isinstance(x, dict):
        for k in list(x):
            sub = None
            if s is not None:
                sub = (s.get('properties') or {}).get(k)
                if sub is None and 'additionalProperties' in s:
                    sub = _additional(s)
            if x[k] is None and sub is not None and not sub.get('nullable') and 'default' not in sub:
                del x[k]
            else:
                drop_null_fields(x[k], sub)
    elif isinstance(x, list):
        for v in x:
            drop_null_fields(v, s.get('items') if s is not None else None)


# ---------------------------------------------------------------- validation
class FieldError:
    """AM pkg/util/validation/field/errors.go:31-97: Type is the cause type, ErrorBody() the
    text after the field path."""

    def __init__(self, typ, field, value, detail=''):
        self.type, self.field, self.value, self.detail = typ, field, value, detail

    def body(self):
        label = {'FieldValueRequired': 'Required value', 'FieldValueNotSupported': 'Unsupported value'
                 }.get(self.type, 'Invalid value')
        if self.type == 'FieldValueRequired':
            s = label
        else:
            s = f'{label}: {go_value(self.value)}'
        return f'{s}: {self.detail}' if self.detail else s

    def __str__(self):
        return f'{self.field}: {self.body()}'


def go_value(v):
    """How field.Error prints a bad value (errors.go:65-91): %v for numbers and booleans,
    %q for strings, Go syntax otherwise (approximated as JSON)."""
    if v is None:
        return 'null'
    if isinstance(v, bool):
        return 'true' if v else 'false'
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    return json.dumps(v, separators=(',', ':'), sort_keys=True)


def json_type(v):
    """The JSON type name kube-openapi infers for a decoded value (KO
    pkg/validation/validate/type.go:35-118)."""
    if v is None:
        return 'null'
    if isinstance(v, bool):
        return 'boolean'
    if isinstance(v, int):
        return 'integer'
    if isinstance(v, float):
        return 'number'
    if isinstance(v, str):
        return 'string'
    return 'array' if isinstance(v, list) else 'object'


def schema_types(s):
    """x-kubernetes-int-or-string is validated as type [integer, string]:
    AE pkg/apiserver/validation/validation.go:253-259."""
    if s.get('x-kubernetes-int-or-string'):
        return ['integer', 'string']
    return [s['type']] if s.get('type') else []


_DATE_TIME = re.compile(r'^(\d{4}-\d{2}-\d{2})[tT](\d{2}):(\d{2}):(\d{2})(\.\d+)?([zZ]|[+-]\d{2}:\d{2})$')


def _is_date_time(text):
    """KO pkg/validation/strfmt/time.go:31-47 (date part: a real calendar date, date.go:29-32)."""
    m = _DATE_TIME.match(text)
    if not m:
        return False
    import datetime
    try:
        datetime.date.fromisoformat(m.group(1))
    except ValueError:
        return False
    return m.group(2) <= '23' and m.group(3) <= '59' and m.group(4) <= '59'


def validate(value, schema, path='', old=_ABSENT):
    """Field errors of `value` against `schema`, in the API's words. `old` (an update's
    previous value, correlated by map key) enables ratcheting: a subtree equal to its old
    value yields no errors (CRDValidationRatcheting, beta and on in 1.32: AE
    pkg/features/kube_features.go:56-59; rule at AE pkg/apiserver/validation/ratcheting.go:149-154,
    correlation by key :166-185, list items only for list-type=map :194-207, never at the root's
    apiVersion/kind :168)."""
    errs = []
    _validate(value, schema or {}, path, old, errs)
    return errs


def _validate(v, s, path, old, errs):
    if old is not _ABSENT and old == v:
        return
    types = schema_types(s)
    if v is None:
        # KO type.go:135-141
        if types and not s.get('nullable'):
            errs.append(_type_error(path, types, 'null'))
        return
    actual = json_type(v)
    if types and actual not in types and not (actual == 'number' and 'integer' in types and float(v).is_integer()) \
            and not (actual == 'integer' and 'number' in types):
        # KO type.go:169-171 -> AE validation.go:213-218 (FieldValueTypeInvalid)
        errs.append(_type_error(path, types, actual))
        return
    if 'enum' in s and v not in s['enum']:
        # AE validation.go:172-182
        values = [e if isinstance(e, str) else json.dumps(e) for e in s['enum']]
        errs.append(FieldError('FieldValueNotSupported', path, v,
                               'supported values: ' + ', '.join(json.dumps(x) for x in values)))
    if isinstance(v, str):
        _validate_string(v, s, path, errs)
    elif isinstance(v, dict):
        _validate_object(v, s, path, old, errs)
    elif isinstance(v, list) and isinstance(s.get('items'), dict):
        for i, item in enumerate(v):  # KO slice_validator.go:58 (path[i]); no correlation
            _validate(item, s['items'], f'{path}[{i}]', _ABSENT, errs)


def _type_error(path, types, actual):
    # KO pkg/validation/errors/schema.go:25 (typeFailWithData) and :225-254
    return FieldError('FieldValueTypeInvalid', path, actual,
                      f'{path} in body must be of type {",".join(types)}: {json.dumps(actual)}')


def _validate_string(v, s, path, errs):
    if s.get('format') == 'date-time' and not _is_date_time(v):
        # KO pkg/validation/validate/values.go:229-240 (InvalidType with the format's name)
        errs.append(FieldError('FieldValueTypeInvalid', path, v,
                               f'{path} in body must be of type date-time: {json.dumps(v)}'))
    if 'minLength' in s and len(v) < s['minLength']:
        # KO errors/schema.go tooShortMessage, reported as Invalid (AE validation.go:220-225)
        errs.append(FieldError('FieldValueInvalid', path, v,
                               f'{path} in body should be at least {s["minLength"]} chars long'))
    if 'pattern' in s and not re.search(s['pattern'], v):
        # KO errors/schema.go patternFail
        errs.append(FieldError('FieldValueInvalid', path, v, f"{path} in body should match '{s['pattern']}'"))


def _validate_object(v, s, path, old, errs):
    """Values first, then `required` (KO pkg/validation/validate/object_validator.go:114-137);
    upstream walks properties in Go map order, this walks them sorted."""
    old_map = old if isinstance(old, dict) else None
    props = s.get('properties') or {}
    for k in sorted(v):
        sub = props.get(k)
        if sub is None and isinstance(s.get('additionalProperties'), dict):
            sub = s['additionalProperties']
        if sub is None:
            continue  # preserved unknown field (or a meta field at a resource root)
        child_old = old_map[k] if old_map is not None and k in old_map and not (
            not path and k in ('apiVersion', 'kind')) else _ABSENT
        _validate(v[k], sub, _join(path, k), child_old, errs)
    for k in s.get('required') or []:
        # object_validator.go:130-134 -> AE validation.go:169-170
        if k not in v:
            errs.append(FieldError('FieldValueRequired', _join(path, k), ''))


def invalid_message(kind_group, name, errs):
    """The Status message of a 422 Invalid: AM pkg/api/errors/errors.go:283-310; the error list
    aggregates as one message or `[a, b]` (duplicates dropped)."""
    texts = []
    for e in errs:
        if str(e) not in texts:
            texts.append(str(e))
    joined = texts[0] if len(texts) == 1 else '[' + ', '.join(texts) + ']'
    return f'{kind_group} "{name}" is invalid: {joined}'


def causes(errs):
    """Status details causes (errors.go:284-292)."""
    return [{'reason': e.type, 'message': e.body(), 'field': e.field} for e in errs]
