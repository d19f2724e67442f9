# h5py's side of the fuzz walk (walk.js is h5mpi's): the same file opened read-only and walked the same way,
# errors caught per object (with --visit, f.visit over the whole tree first). Prints one JSON line: {"errors": [...], "objects": n}.
import sys, json
import h5py

errors = []
objects = 0

def attempt(where, fn):
    try:
        return fn()
    except BaseException as e:  # noqa: any Python-level failure is a clean error here
        errors.append({'path': where, 'name': type(e).__name__, 'message': str(e)[:300]})
        return None

def attributes(obj, where):
    names = attempt(where + '@keys', lambda: list(obj.attrs.keys())) or []
    for n in names:
        attempt(where + '@' + n, lambda: obj.attrs[n])

def walk(group, where, depth):
    global objects
    attributes(group, where)
    if depth > 16:
        return
    names = attempt(where + ':keys', lambda: list(group.keys())) or []
    for n in names:
        objects += 1
        if objects > 5000:
            return
        p = '/' + n if where == '/' else where + '/' + n
        obj = attempt(p, lambda: group[n])
        # Through a soft link: opened, not walked (a link to a group above it would make the walk exponential).
        soft = not isinstance(attempt(p + ':link', lambda: group.get(n, getlink=True)), h5py.HardLink)
        if isinstance(obj, h5py.Group):
            if not soft:
                walk(obj, p, depth + 1)
        elif isinstance(obj, h5py.Dataset):
            attributes(obj, p)
            attempt(p + ':read', lambda: obj[()])
        elif obj is not None:
            attributes(obj, p)

try:
    f = h5py.File(sys.argv[1], 'r')
    try:
        if '--visit' in sys.argv[2:]:
            attempt('/:visit', lambda: f.visit(lambda n: None))
        walk(f, '/', 0)
    finally:
        attempt('close', f.close)
except BaseException as e:
    errors.append({'path': 'open', 'name': type(e).__name__, 'message': str(e)[:300]})
sys.stdout.write(json.dumps({'errors': errors, 'objects': objects}) + '\n')
