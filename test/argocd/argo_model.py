"""What both fake Argo CD controllers share (no I/O): versions, the auto-sync switch, the sync
operation every sync path writes, merge patches. Their decisions: app_decisions.py (Application
controller) and appset_decisions.py (ApplicationSet controller).

Modelled from argo-cd's source at the tags named below (github.com/argoproj/argo-cd); no code
copied. Each function names the lines it follows as TAG:path:line. Three generations:

    GEN_2_14 = (2, 14)   v2.14.0  (no `automated.enabled`; RollingSync deletes `automated`)
    GEN_3_2  = (3, 2)    v3.2.0   (3.1+ `automated.enabled`; RollingSync still deletes it)
    GEN_3_3  = (3, 3)    v3.3.0   (RollingSync writes `enabled: false`, new status machine)
"""
import copy
import datetime
import os
import sys

sys.path.insert(0, os.environ.get('CLUSTER_FIXTURE_DIR', os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'cluster')))
import patches  # noqa: E402,F401  (RFC 7386 / 6902, shared with the fixture)
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
