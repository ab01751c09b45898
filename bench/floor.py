"""The floor a YAML-in, YAML-out compiler cannot go below: libyaml ``compose`` of the plan
plus libyaml ``dump`` of the same output data kvnet writes (options as kvnet's), in a fresh
process like ``kvnet build`` and, like it, without the cyclic garbage collector. The output
data comes from a pickle (loading it is counted too, which only makes the floor a little higher).

Usage: python bench/floor.py PLAN.yaml OBJECTS.pickle  (YAML on stdout; seconds on stderr)
       python bench/floor.py --pickle OUTPUT.yaml OBJECTS.pickle  (prepares the pickle)
"""

from __future__ import annotations

import gc
import pickle
import sys
import time

import yaml


def main(plan: str, objects: str) -> int:
    gc.disable()  # as kvnet's CLI does: the floor pays no cyclic-GC walks either
    t0 = time.perf_counter()
    with open(objects, "rb") as fh:
        data = pickle.load(fh)
    t1 = time.perf_counter()
    with open(plan, encoding="utf-8") as fh:
        yaml.compose(fh.read(), Loader=yaml.CSafeLoader)
    text = yaml.dump_all(data, Dumper=yaml.CSafeDumper, sort_keys=False, default_flow_style=False,
                         explicit_start=True, allow_unicode=True, width=4096)
    sys.stdout.write(text)
    sys.stderr.write(f"compose+dump {time.perf_counter() - t1:.3f} s, unpickle {t1 - t0:.3f} s\n")
    return 0


def to_pickle(output: str, objects: str) -> int:
    """Store the documents of ``output`` (kvnet's YAML) for :func:`main`; prints their number."""
    with open(output, "rb") as fh:
        data = list(yaml.load_all(fh, Loader=yaml.CSafeLoader))
    with open(objects, "wb") as fh:
        pickle.dump(data, fh)
    print(len(data))
    return 0


if __name__ == "__main__":
    if sys.argv[1] == "--pickle":
        raise SystemExit(to_pickle(sys.argv[2], sys.argv[3]))
    raise SystemExit(main(sys.argv[1], sys.argv[2]))
