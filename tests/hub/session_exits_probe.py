import glob, json, os, re
import httpx
from urllib.parse import unquote

REQS = json.loads(os.environ.pop('R5_REQS'))
url = os.environ['JUPYTERHUB_API_URL']
rest = url[len('http+unix://'):]
sock, _, path = rest.partition('/')
api = '/' + path.rstrip('/')
hub = api[:-len('/api')] if api.endswith('/api') else api
c = httpx.Client(transport=httpx.HTTPTransport(uds=unquote(sock)), base_url='http://hub',
                 timeout=8, follow_redirects=False)
tok = os.environ['JUPYTERHUB_API_TOKEN']
out = {'routes': {}, 'tokens': {}, 'base': hub}
for key, (m, p, body) in REQS.items():
    try:
        r = c.request(m, hub + p, headers={'Authorization': 'token ' + tok},
                      json=body if body is not None else None)
        out['routes'][key] = [r.status_code, r.headers.get('location', ''), r.text[:400]]
    except Exception as e:
        out['routes'][key] = [0, '', type(e).__name__ + ': ' + str(e)[:200]]
# every token-like value a kernel can read: its environment, other processes' environments it
# may read, and files of the places a server, a kernel or the launcher write
cands = {}
full = []
def add(where, text):
    if 'BEGIN CERTIFICATE' in text:   # public certificates: base64 lines, not tokens
        return
    for t in set(re.findall(r'[A-Za-z0-9_\-]{32,128}', text)):
        if t in cands:
            continue
        if len(cands) >= 400:
            full.append(where)
            return
        cands[t] = where
for k, v in os.environ.items():
    add('env:' + k, v)
for p in glob.glob('/proc/[0-9]*/environ') + glob.glob('/proc/[0-9]*/cmdline'):
    try:
        add(p, open(p, 'rb').read().decode('latin-1').replace('\0', '\n'))
    except OSError:
        pass
for root in ('/home', '/tmp', '/var/tmp', '/dev/shm', '/workspace', '/run', '/etc'):
    for dp, dn, fn in os.walk(root, onerror=lambda e: None):
        for f in fn:
            fp = os.path.join(dp, f)
            try:
                if os.path.islink(fp) or os.path.getsize(fp) > 1 << 20:
                    continue
                add(fp, open(fp, 'rb').read().decode('latin-1'))
            except OSError:
                pass
for t, where in cands.items():
    try:
        r = c.get(api + '/user', headers={'Authorization': 'token ' + t})
        # what the token may list is asked only of a token the hub took (the test reads it
        # for those alone); every other one is refused at /user and that refusal is the check
        r2 = c.get(api + '/users', headers={'Authorization': 'token ' + t}) if r.status_code == 200 else r
        name = r.json().get('name') if r.status_code == 200 else None
        out['tokens'][where + ' ' + t[:6]] = [r.status_code, name, r2.status_code,
                                              t == tok]
    except Exception as e:
        out['tokens'][where] = [0, str(e)[:100], 0, False]
out['full'] = full[:5]
out['candidates'] = len(cands)
RESULT = out
