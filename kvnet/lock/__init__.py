"""Addresses kvnet allocates and ``kvnet.lock`` remembers (SPEC §7).

- :mod:`kvnet.lock.segment`: which interfaces of a plan need an allocated address, and which
  addresses of a network's ``allocate`` range are usable;
- :mod:`kvnet.lock.allocate`: the allocation itself, a pure function (old entries in, new out);
- :mod:`kvnet.lock.lockfile`: reading ``kvnet.lock`` with positions, writing it byte-stable;
- :mod:`kvnet.lock.resolve`: what build, validate and the adapters do: ``resolve_locks``, the
  stage between the facts and the rules, reads the lock (never writes it) and puts its
  addresses on the interfaces;
- :mod:`kvnet.lock.update`: what ``kvnet lock`` does with the plans and facts the pipeline's
  front half gives it (``kvnet.pipeline.front.check_paths``; the lock imports no pipeline).
"""
