"""`c8ylink demo`: the documented onboarding flow, end to end, on the local tenant.

A leaf on top of the three products: it runs their command-line tools as processes, exactly as a user
types them (``c8ylink tenant serve``, ``c8y ...``, ``tedge ...``), prints each command and its output,
and checks the outcome of each step. Nothing imports this package.
"""
