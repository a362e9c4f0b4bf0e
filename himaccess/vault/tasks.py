"""The rotation as a background job: a slice of batches per task, then the next task is queued.

Each task works for at most ``SLICE_SECONDS`` and queues its successor only
if rows are left, so a worker restart loses at most one slice's position
(the rows say what is left) and no task holds a worker for hours.
"""

from __future__ import annotations

from celery import shared_task

from himaccess.vault import rotation

SLICE_SECONDS = 60


@shared_task(name="vault.rotate", acks_late=True)
def rotate(after_id: int = 0, batch_size: int = rotation.BATCH_SIZE) -> int:
    done = rotation.rotate(batch_size=batch_size, max_seconds=SLICE_SECONDS, after_id=after_id)
    # Rows skipped while another transaction held them lie behind the cursor: one more pass from the start.
    if (done.rotated or after_id) and rotation.remaining():
        rotate.delay(after_id=done.last_id if done.rotated else 0, batch_size=batch_size)
    return done.rotated
