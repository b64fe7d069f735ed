"""Decisions of the fake ApplicationSet controller (no I/O): generators, templates, what an update
writes, progressive syncs. Modelled from argo-cd's applicationset/ at v2.14.0, v3.2.0, v3.3.0
(cited per function); no code copied."""
import copy
import json
import re

from argo_model import (APPSET_OPERATOR, GEN_2_14, GEN_3_2, GEN_3_3, PS_KEY, auto_sync_enabled,  # noqa: F401
                        merge_diff, merge_patch, parse_iso, patches, sync_operation)


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
