"""Use cases of schemes and benefits, one module per concept.

Each validates, writes its rows and audit entry in one transaction.
Re-evaluation (``reevaluation.reevaluate_family``) is what life events,
corrections, rule changes and the daily age scan call. It writes a decision
only when something in it changed, offers a scheme to a member who became
eligible, and opens a review (never a stop) for a beneficiary who no longer
appears eligible.
"""
