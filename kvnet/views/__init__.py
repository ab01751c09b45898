"""Views of a compiled plan for people: ``kvnet explain`` (a table) and ``kvnet graph`` (a
topology). Both read what the compiler emitted, so they show what the cluster and the guest get."""
