"""Triage: what is broken and what changed, across every backend and every context.

Textual-free domain code. ``model`` holds the frozen rows (``Problem``, ``Change``,
``SourceState``) and the ranking; ``kube``, ``docker`` and ``aws`` turn the adapters'
own frozen rows into problems and changes (pure functions); ``sources`` binds them to
the ``Services`` adapters (one source per Docker host, Kubernetes context and AWS
account, each called in its own thread worker so one dead backend never delays the
others); ``feed`` orders the what-changed feed around a problem; ``notes`` writes the
incident file.
"""
