"""Use cases of Him Seva applications, one module per concept.

Each is atomic, writes its step and audit row, and sends its SMS. Officials'
actions lock the application row (``SELECT ... FOR UPDATE``) and compare the
version the official saw with the current one: of two officials acting at
once, the second gets ``Conflict`` and nothing is overwritten.
"""
