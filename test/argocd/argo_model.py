"""Pure decisions of the fake Argo CD controllers (no I/O): JSON in, JSON out.

Modelled from argo-cd's source at the tags named below (github.com/argoproj/argo-cd); no code
copied. Each function names the lines it follows as TAG:path:line. Three generations:

    GEN_2_14 = (2, 14)   v2.14.0  (no `automated.enabled`; RollingSync deletes `automated`)
    GEN_3_2  = (3, 2)    v3.2.0   (3.1+ `automated.enabled`; RollingSync still deletes it)
    GEN_3_3  = (3, 3)    v3.3.0   (RollingSync writes `enabled: false`, new status machine)
"""
import copy
import datetime
import hashlib
import json
import os
import re
import sys

sys.path.insert(0, os.environ.get('CLUSTER_FIXTURE_DIR', os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'cluster')))
import patches  # noqa: E402  (RFC 7386 / 6902, shared with the fixture)
from patches import merge_patch  # noqa: E402,F401

GEN_2_14, GEN_3_2, GEN_3_3 = (2, 14), (3, 2), (3, 3)
VERSIONS = {'2.14': GEN_2_14, '3.2': GEN_3_2, '3.3': GEN_3_3, '3.3+': GEN_3_3}

PS_KEY = 'applicationsetcontroller.enable.progressive.syncs'
APPSET_OPERATOR = 'applicationset-controller'


def parse_version(text):
    if text not in VERSIONS:
        raise ValueError(f'unknown Argo CD version {text!r}; use one of {", ".join(VERSIONS)}')
    return VERSIONS[text]


def now_iso(t=None):
    """RFC 3339 with microseconds. Argo writes whole seconds (metav1.Time); the fake keeps the
    fraction so that "started after the Pending transition" (v3.3.0 applicationset_controller.go:
    1196) is decidable within one second on a fast test."""
    t = datetime.datetime.now(datetime.timezone.utc) if t is None else t
    return t.strftime('%Y-%m-%dT%H:%M:%S.%fZ')


def parse_iso(text):
    if not text:
        return None
    return datetime.datetime.fromisoformat(text.replace('Z', '+00:00'))


# ---------------------------------------------------------------- Application controller

def auto_sync_enabled(gen, spec):
    """v2.14.0:controller/appcontroller.go:2050: `automated` present means on (the 2.14 type has
    no `enabled`, so a stray `enabled: false` is ignored, as Go's decoder would).
    v3.2.0:pkg/apis/application/v1alpha1/types.go:1458 (v3.3.0 ...:1488): present and
    `enabled` null or true."""
    auto = (spec.get('syncPolicy') or {}).get('automated')
    if auto is None:
        return False
    if gen < (3, 1):
        return True
    return auto.get('enabled') is None or auto.get('enabled') is True


def source_of(spec):
    return spec.get('source') or {}


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


def sync_operation(spec, revision, prune, initiated_by, default_retry=True):
    """The operation every Argo sync path writes: the app's own syncOptions and retry.
    v3.2.0:controller/appcontroller.go:2145-2160 (auto-sync: prune from automated.prune,
    retry from spec or {limit: 5}); v3.3.0:applicationset/controllers/applicationset_controller.go:
    1607-1636 (RollingSync: same options, prune from the template's automated.prune)."""
    policy = spec.get('syncPolicy') or {}
    sync = {'revision': revision, 'prune': bool(prune), 'source': copy.deepcopy(source_of(spec))}
    if policy.get('syncOptions'):
        sync['syncOptions'] = list(policy['syncOptions'])
    op = {'sync': sync, 'initiatedBy': initiated_by}
    if policy.get('retry') is not None:
        op['retry'] = copy.deepcopy(policy['retry'])
    elif default_retry:
        op['retry'] = {'limit': 5}
    return op


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
    """A syncResult.resources entry (ResourceResult: group, kind, namespace, name, status,
    message; v3.2.0:pkg/apis/application/v1alpha1/types.go)."""
    kind, ns, name = key
    return {'group': KIND_GROUPS.get(kind, ''), 'kind': kind, 'namespace': ns, 'name': name,
            'status': status, 'message': message}


KIND_GROUPS = {'Deployment': 'apps', 'StatefulSet': 'apps', 'ApplicationSet': 'argoproj.io',
               'Application': 'argoproj.io'}


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


# ---------------------------------------------------------------- ApplicationSet controller

def progressive_syncs_enabled(cmd_params):
    """`applicationsetcontroller.enable.progressive.syncs` from argocd-cmd-params-cm
    (v3.2.0:manifests/base/applicationset-controller/argocd-applicationset-controller-deployment
    .yaml:109) feeds ARGOCD_APPLICATIONSET_CONTROLLER_ENABLE_PROGRESSIVE_SYNCS, parsed as a Go
    bool, default false (v3.2.0:cmd/argocd-applicationset-controller/commands/
    applicationset_controller.go:278)."""
    v = (cmd_params or {}).get(PS_KEY, '')
    return v.strip() in ('1', 't', 'T', 'true', 'TRUE', 'True')


def allow_update(appset):
    """create-update and sync update apps; create-only and create-delete do not
    (v3.2.0:pkg/apis/application/v1alpha1/applicationset_types.go:122)."""
    policy = ((appset['spec'].get('syncPolicy') or {}).get('applicationsSync')) or 'sync'
    return policy in ('create-update', 'sync')


_TAG = re.compile(r'\{\{(.*?)\}\}')


def render_string(text, params):
    """fasttemplate with {{ and }}: a known (trimmed) key is replaced, an unknown tag is left as
    is (v3.2.0:applicationset/utils/utils.go Replace, non-goTemplate path). A leading '.' is
    accepted too, the goTemplate spelling of a plain field reference (the only goTemplate the
    fake understands)."""
    def sub(m):
        key = m.group(1).strip()
        key = key[1:] if key.startswith('.') else key
        return str(params[key]) if key in params else m.group(0)
    return _TAG.sub(sub, text)


def render(value, params):
    if isinstance(value, str):
        return render_string(value, params)
    if isinstance(value, list):
        return [render(v, params) for v in value]
    if isinstance(value, dict):
        return {render_string(k, params): render(v, params) for k, v in value.items()}
    return value


def merge_diff(old, new):
    """The JSON merge patch turning old into new (None when equal), as controller-runtime's
    client.MergeFrom computes it."""
    if old == new:
        return None
    if not isinstance(old, dict) or not isinstance(new, dict):
        return copy.deepcopy(new)
    patch = {}
    for k in old:
        if k not in new:
            patch[k] = None
    for k, v in new.items():
        if k not in old:
            patch[k] = copy.deepcopy(v)
        elif old[k] != v:
            d = merge_diff(old[k], v)
            patch[k] = d if d is not None or not isinstance(v, dict) else {}
    return patch or None


def flatten(prefix, value, out):
    if isinstance(value, dict):
        for k, v in value.items():
            flatten(f'{prefix}.{k}' if prefix else k, v, out)
    else:
        out[prefix] = value if isinstance(value, str) else json.dumps(value)
    return out


def generate_params(generator, repo_files):
    """Parameter sets of one generator. list: each element (v3.2.0:applicationset/generators/
    list.go); git files: each matching file of the local repo folder, flattened with '.' plus
    path, path.basename, path.filename (v3.2.0:applicationset/generators/git.go). repo_files
    maps a relative path to its parsed content (the fake's stand-in for the git repository)."""
    if 'list' in generator:
        return [flatten('', e, {}) for e in generator['list'].get('elements') or []]
    if 'git' in generator:
        import fnmatch
        out = []
        for f in generator['git'].get('files') or []:
            for path in sorted(repo_files):
                if fnmatch.fnmatch(path, f['path']):
                    params = flatten('', repo_files[path], {})
                    parent = path.rsplit('/', 1)[0] if '/' in path else ''
                    params.update({'path': parent, 'path.basename': parent.rsplit('/', 1)[-1],
                                   'path.filename': path.rsplit('/', 1)[-1]})
                    out.append(params)
        return out
    raise ValueError(f'generator not modelled: {sorted(generator)}')


def generate_app(appset, params, parse_patch):
    """One Application from the template (+ templatePatch, rendered with the same params and
    merged in: v3.2.0:applicationset/controllers/template/template.go:50-61, 82-89) with the
    ApplicationSet as controller owner."""
    tpl = render(copy.deepcopy(appset['spec']['template']), params)
    md = tpl.get('metadata') or {}
    app = {'apiVersion': 'argoproj.io/v1alpha1', 'kind': 'Application',
           'metadata': {'name': md['name'], 'namespace': appset['metadata']['namespace']},
           'spec': tpl.get('spec') or {}}
    for k in ('labels', 'annotations', 'finalizers'):
        if md.get(k):
            app['metadata'][k] = md[k]
    if appset['spec'].get('templatePatch'):
        patch = parse_patch(render_string(appset['spec']['templatePatch'], params))
        app = merge_patch(app, patch)
        app['metadata']['name'] = md['name']
    app['metadata']['ownerReferences'] = [{
        'apiVersion': 'argoproj.io/v1alpha1', 'kind': 'ApplicationSet',
        'name': appset['metadata']['name'], 'uid': appset['metadata'].get('uid', ''),
        'controller': True, 'blockOwnerDeletion': True}]
    return app


def _without(obj, pointer):
    """obj without the field at a JSON pointer, if it is there (the ignore normalizer's effect)."""
    try:
        return patches.json_patch(obj, [{'op': 'remove', 'path': pointer}])
    except patches.PatchError:
        return obj


def _jq_to_pointer(expr):
    """Only plain paths (`.spec.syncPolicy.automated`) are modelled; anything else raises."""
    if not re.fullmatch(r'(\.[A-Za-z0-9_-]+)+', expr.strip()):
        raise ValueError(f'jqPathExpression not modelled by the fake: {expr!r}')
    return '/' + '/'.join(expr.strip()[1:].split('.'))


def ignored_pointers(appset, app_name):
    """JSON pointers ignoreApplicationDifferences applies to this app: entries without `name`
    apply to all, entries with `name` only to that app (v3.2.0:pkg/apis/application/v1alpha1/
    applicationset_types.go:145-165 turns them into ResourceIgnoreDifferences with Name)."""
    out = []
    for e in appset['spec'].get('ignoreApplicationDifferences') or []:
        if e.get('name') and e['name'] != app_name:
            continue
        out.extend(e.get('jsonPointers') or [])
        out.extend(_jq_to_pointer(x) for x in e.get('jqPathExpressions') or [])
    return out


DEFAULT_PRESERVED_ANNOTATIONS = ['notified.notifications.argoproj.io', 'argocd.argoproj.io/refresh']
TRACKED_FIELDS = ('spec', 'operation')


def update_patch(appset, live, generated):
    """The merge patch the ApplicationSet controller sends for an existing app, or None.
    v3.2.0:applicationset/controllers/applicationset_controller.go:684-742 (spec and, when set,
    operation from the generated app; labels/annotations from the template plus preservedFields
    and the default preserved annotations) then v3.2.0:applicationset/utils/createOrUpdate.go:
    55-107: ignoreApplicationDifferences removed from BOTH live and desired, equal -> no write,
    else a merge patch from the (cached) live object. No resourceVersion: last writer wins."""
    desired = copy.deepcopy(live)
    desired['spec'] = copy.deepcopy(generated['spec'])
    if generated.get('operation'):
        desired['operation'] = copy.deepcopy(generated['operation'])
    pf = appset['spec'].get('preservedFields') or {}
    gmd = generated['metadata']
    for field, keys in (('annotations', (pf.get('annotations') or []) + DEFAULT_PRESERVED_ANNOTATIONS),
                        ('labels', pf.get('labels') or [])):
        want = dict(gmd.get(field) or {})
        for k in keys:
            if k in (live['metadata'].get(field) or {}):
                want[k] = live['metadata'][field][k]
        if want:
            desired['metadata'][field] = want
        else:
            desired['metadata'].pop(field, None)
    desired['metadata']['ownerReferences'] = copy.deepcopy(gmd['ownerReferences'])
    norm_live = copy.deepcopy(live)
    for ptr in ignored_pointers(appset, live['metadata']['name']):
        norm_live, desired = _without(norm_live, ptr), _without(desired, ptr)
    view = lambda o: {k: o.get(k) for k in TRACKED_FIELDS} | {  # noqa: E731
        'metadata': {k: o['metadata'].get(k) for k in ('labels', 'annotations', 'ownerReferences')}}
    return merge_diff(view(norm_live), view(desired))


def parse_max_update(value, total):
    """Apps a step may have updating at once; None = unlimited.
    v3.2.0:applicationset/controllers/applicationset_controller.go:1256-1266 (v2.14.0 ...:
    1177-1187, v3.3.0 ...:1300-1310): intstr.GetScaledValueFromIntOrPercent rounding down; a
    string that is not a percentage is an error (value 0) and then, like any string other than
    "0%", raised to at least 1. So 0 and "0%" pause, "0" does not."""
    if value is None:
        return None
    if isinstance(value, bool):
        value = int(value)
    if isinstance(value, int):
        return value
    s = str(value)
    val = 0
    if s.endswith('%'):
        try:
            val = (int(s[:-1]) * total) // 100
        except ValueError:
            val = 0
    if s != '0%' and val < 1:
        val = 1
    return val


def rolling_steps(appset):
    """Steps, or None when the strategy is not RollingSync with steps
    (v3.2.0:applicationset/controllers/applicationset_controller.go:1090-1098)."""
    st = appset['spec'].get('strategy') or {}
    if st.get('type') != 'RollingSync' or not st.get('rollingSync'):
        return None
    return (st['rollingSync'].get('steps') or []) or None


def _label_matches(val, expr):
    if expr.get('operator') not in ('In', 'NotIn'):
        return False
    if val in (expr.get('values') or []):
        return expr['operator'] == 'In'
    return expr['operator'] == 'NotIn'


def step_lists(steps, apps):
    """(one list of app names per step, app -> first step index).
    v3.2.0:applicationset/controllers/applicationset_controller.go:972-1040: every expression
    must match; a missing label fails only `In`; an app selected twice keeps the first step."""
    lists, step_of = [[] for _ in steps], {}
    for app in apps:
        labels = app['metadata'].get('labels') or {}
        for i, step in enumerate(steps):
            ok = True
            for e in step.get('matchExpressions') or []:
                if e.get('key') in labels:
                    if not _label_matches(labels[e['key']], e):
                        ok = False
                        break
                elif e.get('operator') == 'In':
                    ok = False
                    break
            if ok:
                lists[i].append(app['metadata']['name'])
                step_of.setdefault(app['metadata']['name'], i)
    return lists, step_of


def _health(app):
    st = app.get('status') or {}
    return ((st.get('health') or {}).get('status', ''), (st.get('sync') or {}).get('status', ''),
            (st.get('operationState') or {}).get('phase', ''))


def app_healthy(app):
    h, s, p = _health(app)
    return h == 'Healthy' and s != 'OutOfSync' and p in ('Succeeded', '')


def _revisions(app):
    rev = ((app.get('status') or {}).get('sync') or {}).get('revision')
    return [rev] if rev else []


def update_app_statuses(gen, appset, apps, step_of, now):
    """status.applicationStatus after looking at the apps.
    <= 3.2: v3.2.0:applicationset/controllers/applicationset_controller.go:1137-1226 (v2.14.0
    ...:1044-1142): a new target revision or a merely OutOfSync app goes (back) to Waiting;
    Pending -> Progressing once the sync ran; Waiting/Progressing -> Healthy when healthy.
    3.3+: v3.3.0 ...:1142-1262: only a new target revision resets to Waiting (an OutOfSync app at
    the same revision stays); Waiting+Synced -> Healthy/Progressing; Pending -> Progressing when an
    operation started after the Pending transition; Progressing -> Healthy."""
    old = {s['application']: s for s in (appset.get('status') or {}).get('applicationStatus') or []}
    out = []
    for app in apps:
        name = app['metadata']['name']
        health, sync, phase = _health(app)
        step = str(step_of[name] + 1 if name in step_of else -1)
        revs = _revisions(app)
        cur = copy.deepcopy(old.get(name)) or {
            'application': name, 'lastTransitionTime': now, 'status': 'Waiting', 'step': step,
            'message': 'No Application status found, defaulting status to Waiting',
            'targetRevisions': revs if gen >= GEN_3_3 or gen == GEN_2_14 else None}
        if cur.get('targetRevisions') is None:
            cur.pop('targetRevisions', None)

        def move(status, msg):
            cur.update(status=status, message=msg, lastTransitionTime=now, step=step)
        if gen < GEN_3_3:
            if gen == GEN_2_14 and not cur.get('targetRevisions'):
                cur['targetRevisions'] = revs
            if cur.get('targetRevisions') != revs:
                cur['targetRevisions'] = revs
                move('Waiting', 'Application has pending changes, setting status to Waiting.')
            outdated = sync == 'OutOfSync'
            if outdated and cur['status'] not in ('Waiting', 'Pending'):
                move('Waiting', 'Application has pending changes, setting status to Waiting.')
            if cur['status'] == 'Pending':
                if not outdated and phase == 'Succeeded':
                    move('Progressing', 'Application resource completed a sync successfully')
                elif phase == 'Running' or health == 'Progressing':
                    move('Progressing', 'Application resource became Progressing')
            if cur['status'] == 'Waiting' and app_healthy(app):
                move(health, 'Application resource is already Healthy')
            if cur['status'] == 'Progressing' and app_healthy(app):
                move(health, 'Application resource became Healthy')
        else:
            cur['step'] = step
            prev = cur['status']
            if cur.get('targetRevisions') != revs:
                cur['targetRevisions'] = revs
                move('Waiting', 'Application has pending changes, setting status to Waiting')
            if cur['status'] == 'Waiting':
                if sync == 'Synced':
                    move('Healthy' if health == 'Healthy' else 'Progressing', 'Application resource has synced')
            else:
                if prev == 'Pending':
                    started = parse_iso((app.get('status') or {}).get('operationState', {}).get('startedAt'))
                    since = parse_iso(cur.get('lastTransitionTime'))
                    if started and since and started > since:
                        move('Progressing', 'Application resource became Progressing')
                if prev == 'Progressing' and health == 'Healthy' and sync == 'Synced':
                    move('Healthy', 'Application resource became Healthy')
        out.append(cur)
    return out


def apps_to_sync(gen, lists, statuses, apps):
    """Which apps may sync: every app of each step up to and including the first step that is not
    all Healthy (v3.2.0:applicationset/controllers/applicationset_controller.go:1043-1080 needs the
    app itself healthy too; v3.3.0 ...:1058-1100 only the status)."""
    by_status = {s['application']: s for s in statuses}
    by_app = {a['metadata']['name']: a for a in apps}
    out, go_on = {}, True
    for names in lists:
        for n in names:
            out[n] = go_on
        for n in names:
            s, a = by_status.get(n), by_app.get(n)
            if s is None or a is None:
                go_on = False
                break
            ok = s['status'] == 'Healthy' and (gen >= GEN_3_3 or app_healthy(a))
            if not ok:
                go_on = False
                break
    return out


def progress(statuses, steps, step_of, to_sync, now):
    """Waiting -> Pending while the step's maxUpdate allows (counting Pending and Progressing
    apps). v3.2.0:applicationset/controllers/applicationset_controller.go:1228-1290 (v2.14.0 ...:
    1144-1205, v3.3.0 ...:1264-1330). An app in no step uses step index 0, as Go's map default."""
    totals, updating = [0] * len(steps), [0] * len(steps)
    for s in statuses:
        i = step_of.get(s['application'], 0)
        totals[i] += 1
        if s['status'] in ('Pending', 'Progressing'):
            updating[i] += 1
    out = []
    for s in statuses:
        s = copy.deepcopy(s)
        i = step_of.get(s['application'], 0)
        limit = parse_max_update(steps[i].get('maxUpdate'), totals[i])
        allowed = limit is None or updating[i] < limit
        if s['status'] == 'Waiting' and to_sync.get(s['application']) and allowed:
            s.update(status='Pending', lastTransitionTime=now, message='Application moved to Pending status')
            updating[i] += 1
        out.append(s)
    return out


def rolling_sync_app(gen, generated, status, live_sync_status):
    """What RollingSync does to one generated app before it is applied: auto-sync forced off
    (<= 3.2 deletes `automated`: v3.2.0:applicationset/controllers/applicationset_controller.go:
    1533-1537, v2.14.0 ...:1414-1419; 3.3+ sets `enabled: false`: v3.3.0 ...:1581-1586) and, for a
    Pending app, an operation with the app's own options (<= 3.2 only when the app is OutOfSync:
    v3.2.0 ...:1539-1546; 3.3+ whenever Pending: v3.3.0 ...:1588-1597)."""
    app = copy.deepcopy(generated)
    prune = False
    spec = app['spec']
    if spec.get('syncPolicy') and auto_sync_enabled(gen, spec):
        prune = bool(spec['syncPolicy']['automated'].get('prune'))
        if gen >= GEN_3_3:
            spec['syncPolicy']['automated']['enabled'] = False
        else:
            del spec['syncPolicy']['automated']
    pending = status is not None and status.get('status') == 'Pending'
    if pending and (gen >= GEN_3_3 or live_sync_status == 'OutOfSync'):
        # v2.14.0 ...:1439-1465 sets no default retry; v3.2.0 ...:1557-1573 adds {limit: 5}.
        op = sync_operation(spec, None, prune, {'username': APPSET_OPERATOR, 'automated': True},
                            default_retry=gen >= GEN_3_2)
        op['sync'].pop('revision')
        op['sync'].pop('source')
        op['info'] = [{'name': 'Reason', 'value': 'ApplicationSet RollingSync triggered a sync of this Application resource'}]
        app['operation'] = op
    return app
