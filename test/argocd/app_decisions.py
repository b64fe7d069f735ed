"""Decisions of the fake Application controller (no I/O): auto-sync, what a sync operation does.
Modelled from argo-cd's controller/ at v2.14.0, v3.2.0, v3.3.0 (cited per function); no code copied."""
import hashlib

from argo_model import auto_sync_enabled, source_of, sync_operation


def already_attempted(app, revision):
    """(attempted, phase) for one source. v3.2.0:controller/appcontroller.go:2254-2287 (v2.14.0
    ...:2193, v3.3.0 ...:2320): attempted when the last operation's syncResult is for the same
    revision and the same source; a finished operation without syncResult counts as attempted."""
    st = (app.get('status') or {}).get('operationState')
    if not st:
        return False, ''
    res = st.get('syncResult')
    if res is None:
        return st.get('phase') in ('Succeeded', 'Failed', 'Error'), st.get('phase', '')
    if res.get('revision') != revision:
        return False, st.get('phase', '')
    return res.get('source') == source_of(app['spec']), st.get('phase', '')


def auto_sync_decision(gen, app, sync_status, resources, revision):
    """(operation or None, reason). v3.2.0:controller/appcontroller.go:2096-2230 (v2.14.0 ...:
    2040-2180, v3.3.0 ...:2166-2300): only when auto-sync is on, no operation is set, the app is
    OutOfSync, not only-prune-needed without prune, and not already attempted for this revision
    unless selfHeal is on and the last attempt succeeded. The fake has no self-heal backoff
    (Argo waits selfHealTimeout/backoff; the fake heals at once, which is harsher)."""
    spec = app['spec']
    if not auto_sync_enabled(gen, spec):
        return None, 'auto-sync off'
    if app.get('operation'):
        return None, 'another operation is in progress'
    if sync_status != 'OutOfSync':
        return None, f'application status is {sync_status}'
    auto = spec['syncPolicy']['automated']
    prune = bool(auto.get('prune'))
    out = [r for r in resources if r.get('status') != 'Synced']
    if not prune and out and all(r.get('requiresPruning') for r in out):
        return None, 'need to prune extra resources only but automated prune is disabled'
    op = sync_operation(spec, revision, prune, {'automated': True})
    attempted, phase = already_attempted(app, revision)
    if attempted:
        if phase != 'Succeeded':
            return None, f'failed previous sync attempt to {revision}'
        if not auto.get('selfHeal'):
            return None, f'most recent sync already to {revision}'
        prev = ((app['status']['operationState'].get('operation') or {}).get('sync') or {})
        op['sync']['selfHealAttemptsCount'] = int(prev.get('selfHealAttemptsCount') or 0) + 1
        op['sync']['resources'] = [{'group': r.get('group', ''), 'kind': r['kind'], 'name': r['name']}
                                   for r in out]
    if prune and not auto.get('allowEmpty') and resources and all(r.get('requiresPruning') for r in resources):
        return None, 'auto-sync will wipe out all resources'
    return op, 'initiated automated sync'


def subset_differs(desired, live):
    """True when a field the manifest sets differs in the live object. Fields only in the live
    object (set by others, never applied) are no difference, as with Argo's three-way diff."""
    if isinstance(desired, dict):
        if not isinstance(live, dict):
            return True
        return any(subset_differs(v, live.get(k)) for k, v in desired.items())
    if isinstance(desired, list):
        if not isinstance(live, list) or len(desired) != len(live):
            return True
        return any(subset_differs(d, v) for d, v in zip(desired, live))
    return desired != live


def comparable(manifest):
    return {k: v for k, v in manifest.items() if k not in ('status',)}


def sync_options(op):
    return set(((op or {}).get('sync') or {}).get('syncOptions') or [])


def plan_sync(op, desired, live, namespace_exists, dest_ns):
    """What one sync operation does, from the operation's OWN options only.

    desired: {key: manifest}; live: {key: object or None} for desired and previously tracked
    keys. Returns (phase, message, actions, results) where actions are
    ('create-namespace', ns) / ('apply', key) / ('prune', key).
    - CreateNamespace=true creates a missing destination namespace, else the sync fails
      (v3.2.0:controller/sync.go:353 adds the namespace task only with the option;
      v3.2.0:docs/user-guide/sync-options.md:369).
    - ApplyOutOfSyncOnly=true applies only resources that differ (v3.2.0:controller/sync.go:340,
      v3.2.0:docs/user-guide/sync-options.md:104-130).
    - Extra tracked resources are deleted only when the operation says prune; otherwise they
      stay, reported as requiring pruning (v3.2.0:controller/sync.go:239-243 only chooses how)."""
    opts = sync_options(op)
    prune = bool(((op or {}).get('sync') or {}).get('prune'))
    actions, results = [], []
    if dest_ns and not namespace_exists:
        if 'CreateNamespace=true' not in opts:
            return 'Failed', f'namespaces "{dest_ns}" not found', [], []
        actions.append(('create-namespace', dest_ns))
    only_out = 'ApplyOutOfSyncOnly=true' in opts
    for key, manifest in sorted(desired.items()):
        cur = live.get(key)
        if only_out and cur is not None and not subset_differs(comparable(manifest), cur):
            continue
        actions.append(('apply', key))
        results.append(_result(key, 'Synced', 'applied'))
    for key, cur in sorted(live.items()):
        if key in desired or cur is None:
            continue
        if prune:
            actions.append(('prune', key))
            results.append(_result(key, 'Pruned', 'pruned'))
        else:
            results.append(_result(key, 'PruneSkipped', 'ignored (requires pruning)'))
    return 'Succeeded', 'successfully synced (all tasks run)', actions, results


def _result(key, status, message):
    """A syncResult.resources entry (ResourceResult: group, version, kind, namespace, name are
    required by the CRD, then status, message; v3.2.0:pkg/apis/application/v1alpha1/types.go:1673)."""
    kind, ns, name = key
    return {'group': KIND_GROUPS.get(kind, ''), 'version': KIND_VERSIONS.get(kind, 'v1'), 'kind': kind,
            'namespace': ns, 'name': name,
            'status': status, 'message': message}


KIND_GROUPS = {'Deployment': 'apps', 'StatefulSet': 'apps', 'ApplicationSet': 'argoproj.io',
               'Application': 'argoproj.io'}
KIND_VERSIONS = {'ApplicationSet': 'v1alpha1', 'Application': 'v1alpha1'}


def retry_after_failure(op, retry_count):
    """True while the operation's retry limit allows another attempt
    (v3.2.0:controller/appcontroller.go:1410-1425; limit<0 means unlimited)."""
    limit = int(((op or {}).get('retry') or {}).get('limit') or 0)
    return limit < 0 or retry_count < limit


def revision_of(files):
    """A commit SHA for the fake repo folder: sha1 over (path, content) pairs."""
    h = hashlib.sha1()
    for path, data in sorted(files):
        h.update(path.encode() + b'\0' + data + b'\0')
    return h.hexdigest()
