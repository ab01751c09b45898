"""Addresses kvnet allocates and ``kvnet.lock`` remembers (SPEC §7).

- :mod:`kvnet.lock.segment`: which interfaces of a plan need an allocated address, and which
  addresses of a network's ``allocate`` range are usable;
- :mod:`kvnet.lock.allocate`: the allocation itself, a pure function (old entries in, new out);
- :mod:`kvnet.lock.lockfile`: reading ``kvnet.lock`` with positions, writing it byte-stable;
- :mod:`kvnet.lock.resolve`: what build, validate and the adapters do: read the lock (never
  write it) and put its addresses on the interfaces before the rules run;
- :mod:`kvnet.lock.update`: what ``kvnet lock`` does.
"""
