"""Application / ApplicationSet objects for the tests and the benchmark, plus a reconciler that
behaves like the ApplicationSet controller for the part that matters here.

The objects are valid for Argo CD's own CRDs, which `serve --argocd VERSION` installs and
enforces (test/argocd/crds): an Application needs spec.project and spec.destination, an
ApplicationSet spec.generators and spec.template with metadata and spec.project/destination."""
import copy
import json
import threading

# serve --argocd VERSION: Argo CD 2.14 (no automated.enabled), 3.2 (automated.enabled, the
# ApplicationSet controller deletes `automated` under progressive syncs) and 3.3 (sets
# enabled: false instead). cluster(*argocd_flags('2.14')) starts a fixture with that version.
ARGOCD_VERSIONS = ('2.14', '3.2', '3.3')
DESTINATION = {'server': 'https://kubernetes.default.svc', 'namespace': 'apps'}


def argocd_flags(version=None):
    """The serve flags installing Argo CD VERSION's CRDs (None: serve's default, the newest)."""
    if version is not None and version not in ARGOCD_VERSIONS:
        raise ValueError(f'Argo CD version {version!r}: the fixture models {", ".join(ARGOCD_VERSIONS)}')
    return ['--argocd'] + ([version] if version else [])


TEMPLATE_POLICY = {'automated': {'prune': True, 'selfHeal': True}, 'syncOptions': ['CreateNamespace=true']}


def application_set(name='apps-dev', steps=True, ignore=True, ns='argocd'):
    spec = {'generators': [{'list': {'elements': []}}],
            'template': {'metadata': {'name': '{{name}}'},
                         'spec': {'project': 'default', 'destination': dict(DESTINATION),
                                  'syncPolicy': copy.deepcopy(TEMPLATE_POLICY)}},
            'syncPolicy': {'applicationsSync': 'create-update'}}
    if ignore:
        spec['ignoreApplicationDifferences'] = [{'jsonPointers': ['/spec/source/targetRevision']},
                                                {'name': 'apps-legacy', 'jqPathExpressions': ['.spec.info']}]
    if steps:
        spec['strategy'] = {'type': 'RollingSync', 'rollingSync': {'steps': [
            {'matchExpressions': [{'key': 'tier', 'operator': 'In', 'values': ['backend']}]},
            {'matchExpressions': [{'key': 'tier', 'operator': 'In', 'values': ['frontend']}],
             'maxUpdate': '25%'},
            {'matchExpressions': [], 'maxUpdate': 2}]}}
    return {'apiVersion': 'argoproj.io/v1alpha1', 'kind': 'ApplicationSet',
            'metadata': {'name': name, 'namespace': ns}, 'spec': spec}


def application(name, sync_policy, owner='apps-dev', ns='argocd'):
    md = {'name': name, 'namespace': ns, 'labels': {'tier': 'backend'},
          'annotations': {'note': 'kept as is'}}
    if owner:
        md['ownerReferences'] = [{'apiVersion': 'argoproj.io/v1alpha1', 'kind': 'ApplicationSet',
                                  'name': owner, 'uid': '00000000-0000-0000-0000-000000000001',
                                  'controller': True, 'blockOwnerDeletion': True}]
    spec = {'project': 'default',
            'source': {'repoURL': 'https://example.com/gitops.git', 'path': f'apps/{name}',
                       'targetRevision': 'main'},
            'destination': dict(DESTINATION)}
    if sync_policy is not None:
        spec['syncPolicy'] = sync_policy
    return {'apiVersion': 'argoproj.io/v1alpha1', 'kind': 'Application', 'metadata': md, 'spec': spec}


def as_list(objs):
    return json.dumps({'apiVersion': 'v1', 'kind': 'List', 'items': objs})


def covers_automated(appset):
    for e in appset['spec'].get('ignoreApplicationDifferences') or []:
        if 'name' in e:
            continue
        if any(p in ('/spec/syncPolicy/automated', '/spec/syncPolicy', '/spec', '')
               for p in e.get('jsonPointers') or []):
            return True
    return False


class Reconciler:
    """Like the ApplicationSet controller: every `period` seconds it re-applies the template's
    spec.syncPolicy.automated to each generated Application (ownerReferences), unless an
    ignoreApplicationDifferences entry covers /spec/syncPolicy/automated."""

    def __init__(self, cluster, ns='argocd', period=0.05):
        self.c, self.ns, self.period = cluster, ns, period
        self.stop_event = threading.Event()
        self.reverts = 0
        self.thread = threading.Thread(target=self.loop, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop_event.set()
        self.thread.join(5)

    def loop(self):
        base = f'/apis/argoproj.io/v1alpha1/namespaces/{self.ns}'
        while not self.stop_event.wait(self.period):
            status, sets = self.c.call('GET', base + '/applicationsets')
            status2, apps = self.c.call('GET', base + '/applications')
            if status != 200 or status2 != 200:
                continue
            by_name = {s['metadata']['name']: s for s in sets['items']}
            for app in apps['items']:
                owners = [o['name'] for o in app['metadata'].get('ownerReferences') or []
                          if o.get('kind') == 'ApplicationSet']
                for owner in owners:
                    s = by_name.get(owner)
                    if not s or covers_automated(s):
                        continue
                    want = s['spec']['template']['spec'].get('syncPolicy', {}).get('automated')
                    have = (app['spec'].get('syncPolicy') or {}).get('automated')
                    if want != have:
                        patch = [{'op': 'test', 'path': '/metadata/resourceVersion',
                                  'value': app['metadata']['resourceVersion']}]
                        if 'syncPolicy' not in app['spec']:
                            patch.append({'op': 'add', 'path': '/spec/syncPolicy', 'value': {}})
                        if want is None:
                            patch.append({'op': 'remove', 'path': '/spec/syncPolicy/automated'})
                        else:
                            patch.append({'op': 'add', 'path': '/spec/syncPolicy/automated', 'value': want})
                        st, _ = self.c.call('PATCH', f'{base}/applications/{app["metadata"]["name"]}',
                                            patch, 'application/json-patch+json')
                        if st == 200:
                            self.reverts += 1
