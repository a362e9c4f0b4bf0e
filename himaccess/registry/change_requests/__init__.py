"""Change requests: what a family (or its panchayat secretary) asks the register to record.

One straight path, one module per step, each importing only the steps before it:

1. ``filing.file_change_request`` re-validates the payload with the kind's form,
   works out every family the request touches (``ChangeRequestParty``), and
   asks each family whose people move (or whose head changes) for its
   head's consent by SMS.
2. ``consent.answer_for_family``: the head of each such family agrees or
   refuses on their own page, confirmed by a code sent to the head's number on
   the register. A refusal ends the request.
3. ``deciding.approve_change_request``: once every consent is in, an official
   approves for the families inside their jurisdiction. When every family
   touched has an approval (one official covering all, or one from each
   jurisdiction), the request is applied (``applying.apply``) through the
   register's actions (``registry.actions``) and each family is told by SMS.

``access`` says who may do each step, ``records`` writes what each step leaves
behind, ``notices`` sends the SMS. The register's actions never import this
package: a change request is one more caller of them.

Until then nothing moves, so nothing of another family becomes visible to
whoever filed the request.
"""
