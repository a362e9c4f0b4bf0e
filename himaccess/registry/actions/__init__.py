"""Use cases that change the register, one module per concept.

Every function validates, writes one ``RegisterChange`` row per changed field
and an audit row (``records``), and emits a domain event, all inside one
transaction: a change is either wholly recorded or not at all. Approving a
change request (``registry.change_requests``) applies it through the same
functions, so a change made directly by an official and one asked for by a
family leave the same trail.
"""
